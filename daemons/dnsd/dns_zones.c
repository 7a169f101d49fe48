#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_journal.h"
#include "dns_zones.h"
#include "log.h"

static void
set_free(struct dns_zoneset *set)
{
	size_t i;

	if (set == NULL)
		return;
	for (i = 0; i < set->n; i++)
		dns_zone_unref(set->zones[i]);
	free(set->zones);
	free(set);
}

struct dns_zones *
dns_zones_new(size_t maxbytes)
{
	struct dns_zones *zs;
	struct dns_zoneset *set;

	if ((zs = calloc(1, sizeof(*zs))) == NULL)
		return NULL;
	if ((set = calloc(1, sizeof(*set))) == NULL) {
		free(zs);
		return NULL;
	}
	zs->maxbytes = maxbytes;
	atomic_init(&zs->cur, set);
	return zs;
}

void
dns_zones_free(struct dns_zones *zs)
{
	if (zs == NULL)
		return;
	set_free(atomic_load(&zs->cur));
	free(zs);
}

const struct dns_zoneset *
dns_zones_current(struct dns_zones *zs)
{
	return atomic_load_explicit(&zs->cur, memory_order_acquire);
}

/* Exact origin match by binary search; lname is lowercase. */
static struct dns_zone *
by_origin(const struct dns_zoneset *set, const uint8_t *lname)
{
	size_t lo = 0, hi = set->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = dns_name_cmp(lname, set->zones[mid]->origin);

		if (c == 0)
			return set->zones[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/*
 * With a handful of zones, comparing lengths and octets beats a binary
 * search in canonical order, whose every step finds label boundaries.
 */
#define DNS_ZONES_SCAN	8

static const struct dns_zone *
scan_origin(const struct dns_zoneset *set, const uint8_t *lname, size_t len)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (set->zones[i]->olen == len &&
		    memcmp(set->zones[i]->origin, lname, len) == 0)
			return set->zones[i];
	return NULL;
}

static const struct dns_zone *
origin_len(const struct dns_zoneset *set, const uint8_t *lname, size_t len)
{
	return set->n <= DNS_ZONES_SCAN ? scan_origin(set, lname, len) :
	    by_origin(set, lname);
}

const struct dns_zone *
dns_zoneset_origin(const struct dns_zoneset *set, const uint8_t *lname)
{
	return origin_len(set, lname, dns_name_len(lname));
}

const struct dns_zone *
dns_zoneset_find_lower(const struct dns_zoneset *set, const uint8_t *lname)
{
	const struct dns_zone *z;
	const uint8_t *p;
	size_t len = dns_name_len(lname);

	for (p = lname; p != NULL; len -= 1 + (size_t)*p,
	    p = dns_name_parent(p))
		if ((z = origin_len(set, p, len)) != NULL)
			return z;
	return NULL;
}

const struct dns_zone *
dns_zoneset_find(const struct dns_zoneset *set, const uint8_t *qname)
{
	uint8_t lname[DNS_NAME_MAX];

	dns_name_lower(lname, qname);
	return dns_zoneset_find_lower(set, lname);
}

static int
zone_cmp(const void *a, const void *b)
{
	return dns_name_cmp((*(struct dns_zone *const *)a)->origin,
	    (*(struct dns_zone *const *)b)->origin);
}

/* A dynamic zone: its file's version brought up to its journal's. */
static struct dns_zone *
with_journal(struct dns_zone *z, const char *journal, char *err,
    size_t errlen)
{
	if ((z->journal = strdup(journal)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", z->file);
		dns_zone_unref(z);
		return NULL;
	}
	return dns_journal_load(z, journal, err, errlen);
}

/* The new zone for one origin, else the old one, else none. */
static struct dns_zone *
load_one(struct dns_zones *zs, const struct dns_zonecfg *c,
    const uint8_t *origin, int *failed)
{
	char err[1024];
	struct dns_zone *z, *old;

	z = dns_zone_load(c->file, c->origin, zs->maxbytes, err, sizeof(err));
	if (z != NULL && c->journal != NULL)
		z = with_journal(z, c->journal, err, sizeof(err));
	if (z != NULL)
		return z;
	(*failed)++;
	old = by_origin(dns_zones_current(zs), origin);
	log_warnx("%s%s", err, old != NULL ? "; the zone loaded before stays" :
	    "; zone not served");
	if (zs->report != NULL)
		zs->report(zs->report_arg, err);
	return old != NULL ? dns_zone_ref(old) : NULL;
}

/* Origins as lowercase wire, n of them DNS_NAME_MAX apart; no repeats. */
static uint8_t *
origins(const struct dns_zonecfg *cfg, size_t n)
{
	uint8_t *o, tmp[DNS_NAME_MAX];
	size_t i, j;

	if ((o = calloc(n > 0 ? n : 1, DNS_NAME_MAX)) == NULL) {
		log_warnx("out of memory");
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (dns_name_from_text(cfg[i].origin, tmp) == -1) {
			log_warnx("%s: bad zone origin %s", cfg[i].file,
			    cfg[i].origin);
			free(o);
			return NULL;
		}
		dns_name_lower(o + i * DNS_NAME_MAX, tmp);
		for (j = 0; j < i; j++)
			if (dns_name_cmp(o + i * DNS_NAME_MAX,
			    o + j * DNS_NAME_MAX) == 0) {
				log_warnx("zone %s is configured twice",
				    cfg[i].origin);
				free(o);
				return NULL;
			}
	}
	return o;
}

struct dns_zoneset *
dns_zones_build(struct dns_zones *zs, const struct dns_zonecfg *cfg,
    size_t n, int *failed)
{
	uint8_t *o;
	struct dns_zoneset *set;
	struct dns_zone *z;
	size_t i;

	*failed = 0;
	if ((o = origins(cfg, n)) == NULL)
		return NULL;
	if ((set = calloc(1, sizeof(*set))) == NULL ||
	    (set->zones = calloc(n > 0 ? n : 1, sizeof(*set->zones))) == NULL) {
		free(set);
		free(o);
		log_warnx("out of memory");
		return NULL;
	}
	for (i = 0; i < n; i++)
		if ((z = load_one(zs, &cfg[i], o + i * DNS_NAME_MAX,
		    failed)) != NULL)
			set->zones[set->n++] = z;
	free(o);
	qsort(set->zones, set->n, sizeof(*set->zones), zone_cmp);
	return set;
}

/* Updates the main thread wrote while the set was being built. */
static void
catch_up(struct dns_zoneset *set)
{
	struct dns_zone	*z;
	char		 err[1024];
	size_t		 i;

	for (i = 0; i < set->n; i++) {
		if (set->zones[i]->journal == NULL)
			continue;
		z = dns_zone_ref(set->zones[i]);
		if ((z = dns_journal_catchup(z, z->journal, err,
		    sizeof(err))) == NULL) {
			log_warnx("%s; the version loaded is served", err);
			continue;
		}
		dns_zone_unref(set->zones[i]);
		set->zones[i] = z;
	}
}

void
dns_zones_publish(struct dns_zones *zs, struct dns_zoneset *set)
{
	struct dns_zoneset *old;

	catch_up(set);
	old = atomic_exchange_explicit(&zs->cur, set, memory_order_acq_rel);
	set_free(old);
}

int
dns_zones_replace(struct dns_zones *zs, struct dns_zone *z)
{
	const struct dns_zoneset *cur = dns_zones_current(zs);
	struct dns_zoneset	*set;
	struct dns_zoneset	*old;
	size_t			 i;
	bool			 placed = false;

	if ((set = calloc(1, sizeof(*set))) == NULL ||
	    (set->zones = calloc(cur->n > 0 ? cur->n : 1,
	    sizeof(*set->zones))) == NULL) {
		free(set);
		dns_zone_unref(z);
		return -1;
	}
	for (i = 0; i < cur->n; i++)
		if (!placed && dns_name_cmp(cur->zones[i]->origin,
		    z->origin) == 0) {
			set->zones[set->n++] = z;
			placed = true;
		} else
			set->zones[set->n++] = dns_zone_ref(cur->zones[i]);
	if (!placed)		/* a reload dropped the zone meanwhile */
		dns_zone_unref(z);
	old = atomic_exchange_explicit(&zs->cur, set, memory_order_acq_rel);
	set_free(old);
	return 0;
}

void
dns_zoneset_free(struct dns_zoneset *set)
{
	set_free(set);
}

int
dns_zones_reload(struct dns_zones *zs, const struct dns_zonecfg *cfg,
    size_t n)
{
	struct dns_zoneset *set;
	int failed;

	if ((set = dns_zones_build(zs, cfg, n, &failed)) == NULL)
		return -1;
	dns_zones_publish(zs, set);
	return failed;
}
