/*
 * xs_watch: registered watches and the events they produce.
 *
 * Owns the server-wide list of watches in registration order, which is
 * the order events for one change are queued in, and the matching rule:
 * a change to P fires every watch on P or an ancestor of P, with P as
 * the event path; a removal of P also fires every watch on a node below
 * P that was there, with the watch's own path, judged by that node's own
 * permissions (as C xenstored: a guest hears that its node went even
 * when dom0 removed a directory above it it may not read).  Those nodes
 * must be looked at before they go: xs_watch_below() before the
 * removal, its result handed to xs_watch_fire() after.  A removal fires
 * each affected watch once, however many nodes it took, and a
 * connection gets one event, not two, from two watches with the same
 * token that fire with the same path.  A watcher only hears of nodes it
 * may read (or whose parent it may read, as Xen since XSA-115); of the
 * special names @introduceDomain and @releaseDomain, those their
 * permissions let read them (xs_special.h).  Watches given as relative
 * paths get relative event paths.
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
/*
 * The watches on nodes below path that a removal of path fires, found
 * while the nodes are there; NULL if none (or out of memory: then none
 * fire).  Freed by xs_watch_fire, or by xs_watch_below_free if unused.
 */
struct xs_watch_below;
struct xs_watch_below *xs_watch_below(struct xs_server *, const char *path);
void	 xs_watch_below_free(struct xs_watch_below *);

/* perms NULL: privileged watchers only.  below: for a removal, from
 * xs_watch_below() (taken); NULL otherwise. */
void	 xs_watch_fire(struct xs_server *, const char *path,
	    const struct xs_perm *, uint32_t nperms,
	    struct xs_watch_below *below);
/* @introduceDomain or @releaseDomain (XS_SPECIAL_*): to the watchers
 * its permissions let read it. */
void	 xs_watch_fire_special(struct xs_server *, int which);

#endif /* XS_WATCH_H */
