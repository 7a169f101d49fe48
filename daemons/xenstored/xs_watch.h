/*
 * xs_watch: registered watches and the events they produce.
 *
 * Owns the server-wide list of watches in registration order, which is
 * the order events for one change are queued in, and the matching rule:
 * a change to P fires every watch on P or an ancestor of P, with P as
 * the event path; a removal of P also fires every watch below P, once
 * each, with the watch's own path (the watched node went with P).  So a
 * removal fires each affected watch exactly once, however many nodes it
 * took.  A watcher only hears of nodes it may read (with the node's
 * permissions as they were just before a removal); the special names
 * @introduceDomain and @releaseDomain are for privileged callers only.
 * Watches given as relative paths get relative event paths.
 */
#ifndef XS_WATCH_H
#define XS_WATCH_H

#include <sys/queue.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xs_perm.h"

struct xs_conn;
struct xs_server;

struct xs_watch {
	TAILQ_ENTRY(xs_watch)	 entry;
	struct xs_conn		*conn;
	char			*path;		/* absolute, or "@..." */
	char			*token;
	size_t			 relcut;	/* bytes to strip from event
						   paths; 0 if absolute */
};

/* 0, EEXIST (same path and token), E2BIG (quota) or ENOMEM. */
int	 xs_watch_add(struct xs_server *, struct xs_conn *, const char *path,
	    size_t relcut, const char *token, struct xs_watch **out);
int	 xs_watch_del(struct xs_server *, struct xs_conn *, const char *path,
	    const char *token);
void	 xs_watch_drop_conn(struct xs_server *, struct xs_conn *);

/* Queue the event for one watch (used for the one at registration). */
void	 xs_watch_event(struct xs_watch *, const char *path);
/* perms NULL: a special event, privileged watchers only. */
void	 xs_watch_fire(struct xs_server *, const char *path, bool rm,
	    const struct xs_perm *, uint32_t nperms);

#endif /* XS_WATCH_H */
