/*
 * xs_sock: the Unix socket transport.
 *
 * Owns the listening socket (a stale one left by a crash is unlinked
 * first; the socket is 0600, as only root's tools should talk to the
 * store), accepting clients as dom0 connections, and moving their bytes
 * with non-blocking reads and writes driven by libevent, and handing
 * all of them to a new process at a live update.
 */
#ifndef XS_SOCK_H
#define XS_SOCK_H

#include <stdbool.h>

struct event_base;
struct xs_conn;
struct xs_server;
struct xs_listener;

/* NULL after logging why. */
struct xs_listener *xs_sock_listen(struct event_base *, struct xs_server *,
		    const char *path);
/* Stops listening and removes the socket file; clients stay. */
void		 xs_sock_close(struct xs_listener *);

/*
 * Live update: the new process takes over the listening socket and each
 * client's socket by descriptor (they survive exec once close-on-exec is
 * cleared, which xs_sock_cloexec does; adopting sets it again).
 */
struct xs_listener *xs_sock_adopt_listener(struct event_base *,
		    struct xs_server *, const char *path, int fd);
struct xs_conn	*xs_sock_adopt(struct xs_listener *, int fd);
int		 xs_sock_fd(const struct xs_listener *);
const char	*xs_sock_path(const struct xs_listener *);
int		 xs_sock_cloexec(int fd, bool on);

#endif /* XS_SOCK_H */
