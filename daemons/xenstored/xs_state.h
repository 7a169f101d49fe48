/*
 * xs_state: the whole of a running xenstored as bytes, for live update.
 *
 * Owns the format (private to two processes of the same daemon, so it is
 * versioned but not meant to be stable across versions) and both ends:
 * saving into a memfd that survives exec, and rebuilding a server from it.
 *
 * What is saved: every node with its permissions and value; each domain's
 * SET_TARGET relation; the special names' permissions; the listening socket; every connection (a socket by
 * descriptor, a domain ring by domid and guest port, dom0's kernel ring)
 * with what it had half read, what it had queued to send, and how many
 * events it lost; its watches in registration order; the ids of its open
 * transactions, which come back empty and doomed (requests in them work,
 * END answers EAGAIN and the client retries, as after a conflict); rings whose connection was dropped, still introduced; the
 * transaction id counter.  Quota accounting is not saved: it is rebuilt
 * as the nodes and watches come back.  Connections over other transports
 * (tests' memory transport) are not carried over.
 *
 * The restored daemon fires no watch: nothing changed in the store.
 */
#ifndef XS_STATE_H
#define XS_STATE_H

struct event_base;
struct xs_conn;
struct xs_listener;
struct xs_msg;
struct xs_rings;
struct xs_server;

/*
 * A memfd holding the state (close-on-exec set; the caller clears it),
 * or -1 with errno.  last, if not NULL, is queued after everything else
 * conn had queued: the live update's own reply.
 */
int	 xs_state_save(struct xs_server *, struct xs_listener *,
	    struct xs_conn *conn, const struct xs_msg *last);

/*
 * Rebuild srv (initialised, empty tree) from fd, which is closed.  Rings
 * are adopted through srv->rings; the listener is returned in *l.  The
 * connections are then resumed: what they had buffered is served.
 * 0, or -1 after logging why (the server is then unusable).
 */
int	 xs_state_restore(int fd, struct xs_server *, struct event_base *,
	    struct xs_listener **l);

#endif /* XS_STATE_H */
