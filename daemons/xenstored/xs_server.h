/*
 * xs_server: the state one xenstored process serves.
 *
 * Owns the committed tree, the per-domain records, the connections and
 * the watches registered on them, and the transaction id counter; it
 * points at the domain rings (xs_ring) when there are event channels.  Also
 * owns the tree a fresh daemon starts with: "/", "/local",
 * "/local/domain", "/tool" and "/tool/xenstored", all owned by dom0 and
 * unreadable by anyone else ("n0"), which is what the Xen 4.17 toolstack
 * expects to find before it writes dom0's own entries.
 */
#ifndef XS_SERVER_H
#define XS_SERVER_H

#include <sys/queue.h>

#include <stdbool.h>
#include <stdint.h>

#include "xs_domain.h"
#include "xs_special.h"
#include "xs_tree.h"

struct xs_conn;
struct event;
struct event_base;
struct xs_lu;
struct xs_rings;
struct xs_watch;

/* Bounds on what one connection may make us hold for it. */
#define XS_DEFAULT_MAX_EVENTS	1024	/* queued watch events */
#define XS_CONN_MAX_REPLIES	256	/* queued replies before we stop
					   reading its requests */

struct xs_server {
	struct xs_tree			*tree;
	struct xs_doms			*doms;
	struct xs_quota			 quota;
	int				 max_events;
	TAILQ_HEAD(, xs_conn)		 conns;
	TAILQ_HEAD(xs_watchq, xs_watch)	 watches;
	uint32_t			 next_txid;
	unsigned long			 events_dropped;
	struct xs_rings			*rings;	/* NULL: socket only */
	bool				 keep_orphans;	/* see xs_orphans */
	struct xs_specials		 specials;	/* @introduceDomain,
							   @releaseDomain */
	unsigned			 priv_domid;	/* privileged as dom0
							   is (0: dom0 alone) */
	struct xs_lu			*lu;	/* NULL: no live update */
	struct event_base		*base;	/* NULL in unit tests */
	struct event			*reaper;	/* frees dead
							   connections */
};

int	 xs_server_init(struct xs_server *, const struct xs_quota *,
	    int max_events);
/* Frees every connection (closing its transport), watch and node. */
void	 xs_server_fini(struct xs_server *);
void	 xs_server_set_limits(struct xs_server *, const struct xs_quota *,
	    int max_events);
/*
 * A connection can die while the daemon serves another one (a watch
 * event to a guest whose ring turns out broken): nobody is about to look
 * at it, so the reaper frees it from the event loop, soon, at top level.
 */
int	 xs_server_attach(struct xs_server *, struct event_base *);
void	 xs_server_reap_soon(struct xs_server *);
/*
 * Privileged: dom0, and the domain --priv-domid names (as Xen's C
 * xenstored: a control domain other than dom0, such as a stub domain
 * running the toolstack).  Privileged connections pass every permission
 * check, may run the operations the table in xs_ops.c marks "priv", and
 * have no quota.
 */
bool	 xs_server_privileged(const struct xs_server *, unsigned domid);
/* A transaction id no open transaction uses; never 0. */
uint32_t xs_server_txid(struct xs_server *);

#endif /* XS_SERVER_H */
