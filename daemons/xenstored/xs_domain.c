#include <errno.h>
#include <stdlib.h>

#include "log.h"
#include "xs_domain.h"
#include "xs_perm.h"

#define DOM_BUCKETS	64

struct xs_doms {
	struct xs_quota	 q;
	struct xs_dom	*bucket[DOM_BUCKETS];
};

struct xs_doms *
xs_doms_new(const struct xs_quota *q)
{
	struct xs_doms	*d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	d->q = *q;
	return d;
}

void
xs_doms_free(struct xs_doms *d)
{
	struct xs_dom	*x;
	size_t		 i;

	if (d == NULL)
		return;
	for (i = 0; i < DOM_BUCKETS; i++)
		while ((x = d->bucket[i]) != NULL) {
			d->bucket[i] = x->next;
			free(x);
		}
	free(d);
}

void
xs_doms_set_quota(struct xs_doms *d, const struct xs_quota *q)
{
	d->q = *q;
}

const struct xs_quota *
xs_doms_quota(const struct xs_doms *d)
{
	return &d->q;
}

struct xs_dom *
xs_dom_find(const struct xs_doms *d, unsigned domid)
{
	struct xs_dom	*x;

	for (x = d->bucket[domid % DOM_BUCKETS]; x != NULL; x = x->next)
		if (x->domid == domid)
			return x;
	return NULL;
}

/*
 * domid is gone: nobody targets it any more, and its record goes unless
 * something (nodes kept as orphans elsewhere, say) still counts on it.
 */
void
xs_dom_forget(struct xs_doms *d, unsigned domid)
{
	struct xs_dom	**pp, *x;
	size_t		  i;

	for (i = 0; i < DOM_BUCKETS; i++)
		for (x = d->bucket[i]; x != NULL; x = x->next)
			if (x->target == (int)domid)
				x->target = XS_NO_TARGET;
	for (pp = &d->bucket[domid % DOM_BUCKETS]; (x = *pp) != NULL;
	    pp = &x->next) {
		if (x->domid != domid)
			continue;
		x->target = XS_NO_TARGET;
		x->introduced = false;
		x->soft_warned = false;
		if (x->nodes == 0 && x->bytes == 0 && x->watches == 0 &&
		    x->txns == 0) {
			*pp = x->next;
			free(x);
		}
		return;
	}
}

struct xs_dom *
xs_dom_get(struct xs_doms *d, unsigned domid)
{
	struct xs_dom	*x;

	if ((x = xs_dom_find(d, domid)) != NULL)
		return x;
	if ((x = calloc(1, sizeof(*x))) == NULL)
		return NULL;
	x->domid = domid;
	x->target = XS_NO_TARGET;
	x->introduced = domid == 0;
	x->next = d->bucket[domid % DOM_BUCKETS];
	d->bucket[domid % DOM_BUCKETS] = x;
	return x;
}

/* Crossing the soft limit is worth one warning, not one per write. */
static void
soft_check(const struct xs_quota *q, struct xs_dom *x)
{
	if (q->mem_soft == 0 || x->domid == 0)
		return;
	if (x->bytes > q->mem_soft && !x->soft_warned) {
		log_warnx("domain %u uses %ld bytes, over the soft quota %d",
		    x->domid, x->bytes, q->mem_soft);
		x->soft_warned = true;
	} else if (x->bytes <= q->mem_soft)
		x->soft_warned = false;
}

void
xs_doms_acct(void *arg, unsigned domid, long nodes, long bytes)
{
	struct xs_doms	*d = arg;
	struct xs_dom	*x;

	/* Accounting can't fail a change already made; dropping the
	 * numbers of a domain we can't allocate for is the lesser harm. */
	if ((x = xs_dom_get(d, domid)) == NULL)
		return;
	x->nodes += nodes;
	x->bytes += bytes;
	soft_check(&d->q, x);
}

int
xs_dom_check_nodes(struct xs_doms *d, unsigned domid, long more)
{
	struct xs_dom	*x = xs_dom_find(d, domid);
	long		 have = x != NULL ? x->nodes : 0;

	if (d->q.nodes > 0 && have + more > d->q.nodes)
		return ENOSPC;
	return 0;
}

static long
bytes_held(const struct xs_dom *x)
{
	return x != NULL ? x->bytes + x->txn_bytes : 0;
}

int
xs_dom_check_bytes(struct xs_doms *d, unsigned domid, long more)
{
	long	 have = bytes_held(xs_dom_find(d, domid));

	if (d->q.mem_hard > 0 && more > 0 && have + more > d->q.mem_hard)
		return ENOMEM;
	return 0;
}

int
xs_dom_check_txn(struct xs_doms *d, unsigned domid)
{
	long	 have = bytes_held(xs_dom_find(d, domid));

	if (d->q.mem_hard > 0 && have > d->q.mem_hard)
		return ENOSPC;
	return 0;
}

void
xs_dom_charge_txn(struct xs_doms *d, unsigned domid, long delta)
{
	struct xs_dom	*x;

	if (delta != 0 && (x = xs_dom_get(d, domid)) != NULL)
		x->txn_bytes += delta;
}

uint64_t
xs_dom_write_wait(struct xs_doms *d, unsigned domid, uint64_t now)
{
	struct xs_dom	*x;
	double		 rate = d->q.write_rate, burst = d->q.write_burst;

	if (rate <= 0 || (x = xs_dom_get(d, domid)) == NULL)
		return 0;
	if (burst < 1)
		burst = 1;
	if (x->wlast == 0)
		x->wtokens = burst;		/* a new domain starts full */
	else
		x->wtokens += (double)(now - x->wlast) * rate / 1e9;
	if (x->wtokens > burst)
		x->wtokens = burst;
	x->wlast = now;
	if (x->wtokens >= 1) {
		x->wtokens -= 1;
		return 0;
	}
	return (uint64_t)((1 - x->wtokens) * 1e9 / rate) + 1;
}

void
xs_doms_foreach(const struct xs_doms *d, xs_doms_fn fn, void *arg)
{
	const struct xs_dom	*x;
	size_t			 i;

	for (i = 0; i < DOM_BUCKETS; i++)
		for (x = d->bucket[i]; x != NULL; x = x->next)
			fn(x, arg);
}
