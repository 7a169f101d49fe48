/*
 * xs_domain: what xenstored knows about each domain, and its quotas.
 *
 * Owns the per-domain record: nodes owned and their bytes (fed by the
 * tree's accounting hook, so ownership changes move them), the bytes its
 * open transactions hold (charged against the same memory quota, as C
 * xenstored charges the nodes a transaction copies), watches and
 * transactions open, the SET_TARGET relation, and whether the domain is
 * introduced (dom0 always; others from INTRODUCE to RELEASE).  Also
 * owns the quota limits and the checks against them; privileged callers
 * are never checked.  A limit of 0 means no limit.
 *
 * Records are created on first use and kept while anything refers to
 * the domain; domids are at most 16 bits so a flat table would do, but
 * a hash keeps the idle daemon small.
 */
#ifndef XS_DOMAIN_H
#define XS_DOMAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Xen 4.17's C xenstored defaults. */
struct xs_quota {
	int	 nodes;		/* nodes a domain may own */
	int	 watches;	/* watches a domain may hold */
	int	 transactions;	/* open transactions per domain */
	int	 outstanding;	/* requests whose replies are unread */
	int	 txn_nodes;	/* nodes one transaction may touch */
	int	 mem_hard;	/* bytes of nodes a domain may own */
	int	 mem_soft;	/* bytes past which we warn */
	int	 node_size;	/* bytes in one node's value */
	int	 perms;		/* permission entries on one node */
	int	 write_rate;	/* changing requests per second (not Xen's) */
	int	 write_burst;	/* ... of which this many at once */
};

#define XS_QUOTA_DEFAULTS {						\
	.nodes = 1000, .watches = 128, .transactions = 10,		\
	.outstanding = 20, .txn_nodes = 1024, .mem_hard = 2621440,	\
	.mem_soft = 2097152, .node_size = 2048, .perms = 5,		\
	.write_rate = 1000, .write_burst = 1000 }

struct xs_dom {
	unsigned	 domid;
	long		 nodes;
	long		 bytes;
	long		 txn_bytes;	/* held by its open transactions */
	int		 watches;
	int		 txns;
	int		 target;	/* XS_NO_TARGET or a domid */
	bool		 introduced;
	bool		 soft_warned;
	double		 wtokens;	/* write-rate bucket */
	uint64_t	 wlast;		/* ns, when last filled */
	struct xs_dom	*next;
};

struct xs_doms;

struct xs_doms	*xs_doms_new(const struct xs_quota *);
void		 xs_doms_free(struct xs_doms *);
void		 xs_doms_set_quota(struct xs_doms *, const struct xs_quota *);
const struct xs_quota *xs_doms_quota(const struct xs_doms *);

/* NULL only when out of memory. */
struct xs_dom	*xs_dom_get(struct xs_doms *, unsigned domid);
struct xs_dom	*xs_dom_find(const struct xs_doms *, unsigned domid);
/* The domain is gone: clear targets naming it, drop its idle record. */
void		 xs_dom_forget(struct xs_doms *, unsigned domid);

/* The tree's accounting hook (arg is the struct xs_doms). */
void		 xs_doms_acct(void *arg, unsigned domid, long nodes,
		    long bytes);

/*
 * Quota checks for an unprivileged domid about to grow by the given
 * amounts: 0, or the errno the request fails with.
 */
int		 xs_dom_check_nodes(struct xs_doms *, unsigned domid,
		    long more);
int		 xs_dom_check_bytes(struct xs_doms *, unsigned domid,
		    long more);
/*
 * Before a request in one of domid's transactions: ENOSPC if the domain
 * is already over its memory quota, committed and pending bytes together.
 * The overlay may overshoot by what one request loads (a node, its names),
 * as C xenstored's accounting does; then nothing more is accepted until
 * a transaction ends.
 */
int		 xs_dom_check_txn(struct xs_doms *, unsigned domid);
/* A transaction of domid's grew (or, negative, shrank or ended). */
void		 xs_dom_charge_txn(struct xs_doms *, unsigned domid,
		    long delta);

/*
 * The write rate limit, a token bucket per domain: 0 if domid may make
 * one more change now (and it is counted), else the nanoseconds until it
 * may.  now is CLOCK_MONOTONIC in ns.
 */
uint64_t	 xs_dom_write_wait(struct xs_doms *, unsigned domid,
		    uint64_t now);

typedef void	(*xs_doms_fn)(const struct xs_dom *, void *);
void		 xs_doms_foreach(const struct xs_doms *, xs_doms_fn, void *);

#endif /* XS_DOMAIN_H */
