/*
 * xs_sock: the Unix socket transport.
 *
 * Owns the listening socket (a stale one left by a crash is unlinked
 * first; the socket is 0600, as only root's tools should talk to the
 * store), accepting clients as dom0 connections, and moving their bytes
 * with non-blocking reads and writes driven by libevent.
 */
#ifndef XS_SOCK_H
#define XS_SOCK_H

struct event_base;
struct xs_server;
struct xs_listener;

/* NULL after logging why. */
struct xs_listener *xs_sock_listen(struct event_base *, struct xs_server *,
		    const char *path);
/* Stops listening and removes the socket file; clients stay. */
void		 xs_sock_close(struct xs_listener *);

#endif /* XS_SOCK_H */
