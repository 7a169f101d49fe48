/*
 * Lists are kept sorted by dns_rr_cmp, the order dns_zone's nodes and
 * RRsets already have, so a zone comes out of dns_rrlist_from_zone
 * sorted without a sort, and goes back through dns_zone_finish, which
 * sorts again (cheaply: it is in order) and checks.
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_zedit.h"
#include "dns_zone_int.h"

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

int
dns_rr_cmp(const struct dns_rr *a, const struct dns_rr *b)
{
	size_t	 n = a->rdlen < b->rdlen ? a->rdlen : b->rdlen;
	int	 c;

	if ((c = dns_name_cmp(a->owner, b->owner)) != 0)
		return c;
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	if (n > 0 && (c = memcmp(a->rdata, b->rdata, n)) != 0)
		return c;
	return a->rdlen == b->rdlen ? 0 : a->rdlen < b->rdlen ? -1 : 1;
}

static int
rr_qcmp(const void *a, const void *b)
{
	return dns_rr_cmp(a, b);
}

static int
copy_rr(struct dns_rr *dst, const uint8_t *owner, uint16_t type, uint32_t ttl,
    const uint8_t *rdata, uint16_t rdlen)
{
	size_t	 olen = dns_name_len(owner);

	memset(dst, 0, sizeof(*dst));
	if ((dst->owner = malloc(olen)) == NULL)
		return -1;
	dns_name_lower(dst->owner, owner);
	if (rdlen > 0) {
		if ((dst->rdata = malloc(rdlen)) == NULL) {
			free(dst->owner);
			return -1;
		}
		memcpy(dst->rdata, rdata, rdlen);
	}
	dst->type = type;
	dst->ttl = ttl;
	dst->rdlen = rdlen;
	return 0;
}

static int
room(struct dns_rrlist *l)
{
	struct dns_rr	*v;
	size_t		 cap;

	if (l->n < l->cap)
		return 0;
	cap = l->cap == 0 ? 16 : l->cap * 2;
	if ((v = reallocarray(l->v, cap, sizeof(*v))) == NULL)
		return -1;
	l->v = v;
	l->cap = cap;
	return 0;
}

int
dns_rrlist_push(struct dns_rrlist *l, const uint8_t *owner, uint16_t type,
    uint32_t ttl, const uint8_t *rdata, uint16_t rdlen)
{
	if (room(l) == -1 ||
	    copy_rr(&l->v[l->n], owner, type, ttl, rdata, rdlen) == -1)
		return -1;
	l->n++;
	return 0;
}

void
dns_rrlist_sort(struct dns_rrlist *l)
{
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), rr_qcmp);
}

int
dns_rrlist_from_zone(const struct dns_zone *z, struct dns_rrlist *l)
{
	const struct dns_node	*n;
	const struct dns_rrset	*rs;
	const uint8_t		*rd;
	uint16_t		 len, j;
	size_t			 i;

	memset(l, 0, sizeof(*l));
	for (i = 0; i < z->nnodes; i++) {
		n = &z->nodes[i];
		for (j = 0; j < n->nrrsets; j++) {
			rs = &n->rrsets[j];
			for (rd = dns_rrset_next(rs, NULL, &len); rd != NULL;
			    rd = dns_rrset_next(rs, rd, &len))
				if (dns_rrlist_push(l, n->name, rs->type,
				    rs->ttl, rd, len) == -1) {
					dns_rrlist_free(l);
					return -1;
				}
		}
	}
	return 0;
}

/* The first index whose record is not before r (in [0, n]). */
static size_t
lower_bound(const struct dns_rrlist *l, const struct dns_rr *r)
{
	size_t	 lo = 0, hi = l->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (dns_rr_cmp(&l->v[mid], r) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

ssize_t
dns_rrlist_find(const struct dns_rrlist *l, const struct dns_rr *r)
{
	size_t	 i = lower_bound(l, r);

	return i < l->n && dns_rr_cmp(&l->v[i], r) == 0 ? (ssize_t)i : -1;
}

void
dns_rrlist_range(const struct dns_rrlist *l, const uint8_t *owner,
    uint16_t type, size_t *first, size_t *end)
{
	struct dns_rr	 key = { .owner = (uint8_t *)owner, .type = type };
	size_t		 i;

	/* type 0 and an empty rdata sort before every record of the owner. */
	i = *first = lower_bound(l, &key);
	while (i < l->n && dns_name_cmp(l->v[i].owner, owner) == 0 &&
	    (type == 0 || l->v[i].type == type))
		i++;
	*end = i;
}

void
dns_rrlist_remove(struct dns_rrlist *l, size_t i)
{
	free(l->v[i].owner);
	free(l->v[i].rdata);
	memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof(*l->v));
	l->n--;
}

int
dns_rrlist_insert(struct dns_rrlist *l, const struct dns_rr *r)
{
	size_t	 i = lower_bound(l, r);

	if (i < l->n && dns_rr_cmp(&l->v[i], r) == 0) {
		l->v[i].ttl = r->ttl;
		return 0;
	}
	if (room(l) == -1)
		return -1;
	memmove(&l->v[i + 1], &l->v[i], (l->n - i) * sizeof(*l->v));
	if (copy_rr(&l->v[i], r->owner, r->type, r->ttl, r->rdata,
	    r->rdlen) == -1) {
		memmove(&l->v[i], &l->v[i + 1], (l->n - i) * sizeof(*l->v));
		return -1;
	}
	l->n++;
	return 0;
}

void
dns_rrlist_free(struct dns_rrlist *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].owner);
		free(l->v[i].rdata);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Where the serial is in an SOA's rdata (after two names), or -1. */
static int
serial_at(const struct dns_rr *r)
{
	int	 a, b;

	if ((a = dns_name_check(r->rdata, r->rdlen)) == -1 ||
	    (b = dns_name_check(r->rdata + a, r->rdlen - a)) == -1 ||
	    r->rdlen - a - b < 20)
		return -1;
	return a + b;
}

static struct dns_rr *
apex_soa(const struct dns_rrlist *l, const uint8_t *origin)
{
	size_t	 first, end;

	dns_rrlist_range(l, origin, DNS_T_SOA, &first, &end);
	return end == first + 1 ? &l->v[first] : NULL;
}

bool
dns_rrlist_serial(const struct dns_rrlist *l, const uint8_t *origin,
    uint32_t *serial)
{
	struct dns_rr	*soa = apex_soa(l, origin);
	int		 at;

	if (soa == NULL || (at = serial_at(soa)) == -1)
		return false;
	*serial = (uint32_t)get16(soa->rdata + at) << 16 |
	    get16(soa->rdata + at + 2);
	return true;
}

bool
dns_rrlist_set_serial(struct dns_rrlist *l, const uint8_t *origin,
    uint32_t serial)
{
	struct dns_rr	*soa = apex_soa(l, origin);
	int		 at;

	if (soa == NULL || (at = serial_at(soa)) == -1)
		return false;
	soa->rdata[at] = serial >> 24;
	soa->rdata[at + 1] = (serial >> 16) & 0xff;
	soa->rdata[at + 2] = (serial >> 8) & 0xff;
	soa->rdata[at + 3] = serial & 0xff;
	return true;
}

struct dns_diff *
dns_diff_new(uint32_t from, uint32_t to)
{
	struct dns_diff	*d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	atomic_init(&d->refs, 1);
	d->from = from;
	d->to = to;
	return d;
}

struct dns_diff *
dns_diff_ref(struct dns_diff *d)
{
	atomic_fetch_add(&d->refs, 1);
	return d;
}

void
dns_diff_unref(struct dns_diff *d)
{
	if (d == NULL || atomic_fetch_sub(&d->refs, 1) != 1)
		return;
	dns_rrlist_free(&d->del);
	dns_rrlist_free(&d->add);
	free(d);
}

static int
push_rr(struct dns_rrlist *l, const struct dns_rr *r)
{
	return dns_rrlist_push(l, r->owner, r->type, r->ttl, r->rdata,
	    r->rdlen);
}

/* The SOA goes first in each half, as IXFR sends it (RFC 1995 4). */
static void
soa_first(struct dns_rrlist *l)
{
	struct dns_rr	 soa;
	size_t		 i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].type == DNS_T_SOA)
			break;
	if (i == 0 || i == l->n)
		return;
	soa = l->v[i];
	memmove(&l->v[1], &l->v[0], i * sizeof(*l->v));
	l->v[0] = soa;
}

/* One walk over two sorted lists; a changed TTL is a delete and an add. */
struct dns_diff *
dns_diff_make(const struct dns_rrlist *old, const struct dns_rrlist *new,
    uint32_t from, uint32_t to)
{
	struct dns_diff	*d;
	size_t		 i = 0, j = 0;
	int		 c, rc = 0;

	if ((d = dns_diff_new(from, to)) == NULL)
		return NULL;
	while (rc == 0 && (i < old->n || j < new->n)) {
		c = i == old->n ? 1 : j == new->n ? -1 :
		    dns_rr_cmp(&old->v[i], &new->v[j]);
		if (c < 0)
			rc = push_rr(&d->del, &old->v[i++]);
		else if (c > 0)
			rc = push_rr(&d->add, &new->v[j++]);
		else {
			if (old->v[i].ttl != new->v[j].ttl &&
			    (rc = push_rr(&d->del, &old->v[i])) == 0)
				rc = push_rr(&d->add, &new->v[j]);
			i++;
			j++;
		}
	}
	if (rc == -1) {
		dns_diff_unref(d);
		return NULL;
	}
	soa_first(&d->del);
	soa_first(&d->add);
	return d;
}

static void
rr_error(const struct dns_rr *r, const char *what, char *err, size_t errlen)
{
	char	 name[DNS_NAME_TEXTMAX];

	dns_name_to_text(r->owner, name);
	snprintf(err, errlen, "%s type %u %s", name, r->type, what);
}

int
dns_diff_apply(const struct dns_diff *d, struct dns_rrlist *l, char *err,
    size_t errlen)
{
	ssize_t	 at;
	size_t	 i;

	for (i = 0; i < d->del.n; i++) {
		if ((at = dns_rrlist_find(l, &d->del.v[i])) == -1) {
			rr_error(&d->del.v[i], "to delete is not in the zone",
			    err, errlen);
			return -1;
		}
		dns_rrlist_remove(l, (size_t)at);
	}
	for (i = 0; i < d->add.n; i++) {
		if (dns_rrlist_find(l, &d->add.v[i]) != -1) {
			rr_error(&d->add.v[i], "to add is already in the zone",
			    err, errlen);
			return -1;
		}
		if (dns_rrlist_insert(l, &d->add.v[i]) == -1) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	return 0;
}

/* The history: like's, then diffs, the last DNS_ZONE_HISTORY of all. */
static int
take_history(struct dns_zone *z, const struct dns_zone *like,
    struct dns_diff *const *diffs, size_t n)
{
	size_t	 had = like != NULL ? like->nhist : 0, total = had + n, i;
	size_t	 skip = total > DNS_ZONE_HISTORY ? total - DNS_ZONE_HISTORY : 0;

	if (total == skip)
		return 0;
	if ((z->hist = calloc(total - skip, sizeof(*z->hist))) == NULL)
		return -1;
	for (i = skip; i < total; i++)
		z->hist[z->nhist++] = dns_diff_ref(i < had ? like->hist[i] :
		    diffs[i - had]);
	return 0;
}

/* Move the list's records into the loader's form: -2 over the budget. */
static int
to_load(struct dns_load *ld, struct dns_rrlist *l)
{
	size_t	 i;

	if ((ld->recs = calloc(l->n > 0 ? l->n : 1, sizeof(*ld->recs))) ==
	    NULL)
		return -1;
	ld->caprecs = l->n > 0 ? l->n : 1;
	for (i = 0; i < l->n; i++) {
		struct dns_rec *r = &ld->recs[ld->nrecs++];

		r->owner = l->v[i].owner;
		r->rdata = l->v[i].rdata;
		r->rdlen = l->v[i].rdlen;
		r->type = l->v[i].type;
		r->ttl = l->v[i].ttl;
		r->line = (uint32_t)i + 1;
		r->key = dns_name_key(r->owner, ld->olabels);
		ld->bytes += sizeof(*r) + dns_name_len(r->owner) + r->rdlen;
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
	if (ld->bytes > ld->maxbytes) {
		snprintf(ld->err, ld->errlen, "zone larger than %zu bytes",
		    ld->maxbytes);
		return -2;
	}
	return 0;
}

struct dns_zone *
dns_zone_from_rrs(const uint8_t *origin, const char *file,
    struct dns_rrlist *l, size_t maxbytes, const struct dns_zone *like,
    struct dns_diff *const *diffs, size_t n, char *err, size_t errlen)
{
	struct dns_load	 ld;
	struct dns_zone	*z;
	int		 rc;

	memset(&ld, 0, sizeof(ld));
	ld.maxbytes = maxbytes > 0 ? maxbytes : DNS_ZONE_MAXBYTES;
	ld.err = err;
	ld.errlen = errlen;
	dns_name_lower(ld.origin, origin);
	ld.olabels = dns_name_labels(ld.origin);
	if ((z = calloc(1, sizeof(*z))) == NULL) {
		snprintf(err, errlen, "%s: out of memory", file);
		dns_rrlist_free(l);
		return NULL;
	}
	atomic_init(&z->refs, 1);
	if ((z->file = strdup(file)) == NULL ||
	    (ld.files = calloc(1, sizeof(*ld.files))) == NULL ||
	    (ld.files[0] = strdup(file)) == NULL)
		goto nomem;
	ld.nfiles = 1;
	if ((rc = to_load(&ld, l)) == -2) {
		dns_zone_unref(z);
		dns_zload_free(&ld);
		return NULL;
	}
	if (rc == -1 || take_history(z, like, diffs, n) == -1)
		goto nomem;
	if (dns_zone_finish(&ld, z) == -1) {
		dns_zone_unref(z);
		dns_zload_free(&ld);
		return NULL;
	}
	dns_zload_free(&ld);
	return z;
nomem:
	snprintf(err, errlen, "%s: out of memory", file);
	dns_rrlist_free(l);
	dns_zone_unref(z);
	dns_zload_free(&ld);
	return NULL;
}
