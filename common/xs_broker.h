/*
 * xs_broker: the store connection a daemon keeps once it has dropped to
 * its own user, and nothing more.
 *
 * In dom0 the store is reached through root's socket or /dev/xen/xenbus,
 * and every request on them is privileged.  A daemon confined to its
 * user can open neither, yet libxenvchan opens a connection of its own
 * for each RPC caller (to publish the ring), consoled follows guests'
 * console nodes, and httpd's status collector reads the domain list.
 * So, as OpenBSD's daemons keep a small privileged parent, a daemon
 * started with --user forks a broker before the drop: a root process
 * confined by Landlock and seccomp that accepts connections from the
 * daemon's user on a socket of its own, opens a store connection for
 * each, and relays whole messages, passing each request through the
 * daemon's filter (xs_filter.h) and answering a refused one with the
 * store's own error reply ("EACCES").  The daemon's XENSTORED_PATH then
 * names the broker, so libxenstore (and libxenvchan inside it) needs no
 * change.  Replies and watch events are relayed as they come.
 *
 * The broker lives while the daemon does: it ends when its parent goes
 * (PR_SET_PDEATHSIG) or when every holder of the daemon's end of its
 * lifeline pipe has exited, and removes its socket.
 */
#ifndef SHOAL_XS_BROKER_H
#define SHOAL_XS_BROKER_H

#include <sys/types.h>

struct xs_filter;
struct xs_handle;

#define XS_BROKER_CLIENTS	32	/* connections at once */
#define XS_BROKER_SEND_MS	5000	/* a daemon that stops reading */

/*
 * For the daemon about to become user: learns the domain the filter's
 * $self stands for from the store (self_of, or the connection's own
 * domid), forks the broker and points XENSTORED_PATH at
 * it.  0 started, 1 no store to reach (nothing brokered: logged), -1 an
 * error (logged).
 */
int	 xs_broker_start(struct xs_filter *, int (*self_of)(struct xs_handle *),
	    const char *user);

/* The broker's process, or -1. */
pid_t	 xs_broker_pid(void);

#endif /* SHOAL_XS_BROKER_H */
