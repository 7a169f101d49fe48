/*
 * dns_zedit: making a new version of a zone, which is otherwise never
 * changed (dns_zone.h).  Dynamic update (dns_update.h) and the journal
 * (dns_journal.h) use it.
 *
 * Owns three things:
 *  - a zone as a flat list of records (dns_rrlist), sorted canonically
 *    (owner, type, rdata), so that finding and removing one is a binary
 *    search and two lists compare in one walk;
 *  - the difference between two versions (dns_diff): the records the
 *    newer lacks and those it gained, the old SOA first among the first
 *    and the new SOA among the second, which is both what IXFR sends
 *    (RFC 1995 4) and what the journal keeps;
 *  - building a zone from a list, with every check a zone file gets.
 *
 * An edit costs a copy of the zone's records: fine for the zones a fleet
 * updates (a few thousand names), not for a million-record zone, which
 * would want a tree that versions share (what Knot does).  A diff is
 * immutable once made and reference-counted; each zone version keeps the
 * last DNS_ZONE_HISTORY of them, for IXFR, sharing them with the next.
 */
#ifndef DNS_ZEDIT_H
#define DNS_ZEDIT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns_zone.h"

struct dns_rr {
	uint8_t		*owner;		/* lowercase wire, malloc'd */
	uint8_t		*rdata;		/* malloc'd; NULL when rdlen is 0 */
	uint16_t	 type, rdlen;
	uint32_t	 ttl;
};

struct dns_rrlist {
	struct dns_rr	*v;
	size_t		 n, cap;
};

struct dns_diff {
	atomic_int	 refs;
	uint32_t	 from, to;	/* serials */
	struct dns_rrlist del;		/* old SOA first */
	struct dns_rrlist add;		/* new SOA first */
};

/* Canonical order of two records; TTLs are not compared. */
int	dns_rr_cmp(const struct dns_rr *, const struct dns_rr *);

/* A copy of every record of the zone, in canonical order. */
int	dns_rrlist_from_zone(const struct dns_zone *, struct dns_rrlist *);
/* Append a copy (the list is then unsorted until dns_rrlist_sort). */
int	dns_rrlist_push(struct dns_rrlist *, const uint8_t *owner,
	    uint16_t type, uint32_t ttl, const uint8_t *rdata, uint16_t rdlen);
void	dns_rrlist_sort(struct dns_rrlist *);
/* Index of the record equal to r (TTL aside), or -1. */
ssize_t	dns_rrlist_find(const struct dns_rrlist *, const struct dns_rr *);
/* [*first, *end) hold owner's records of type (any type if 0). */
void	dns_rrlist_range(const struct dns_rrlist *, const uint8_t *owner,
	    uint16_t type, size_t *first, size_t *end);
/* Remove v[i]; the order stays. */
void	dns_rrlist_remove(struct dns_rrlist *, size_t i);
/* Insert a copy in its place, or change the TTL of the equal one. */
int	dns_rrlist_insert(struct dns_rrlist *, const struct dns_rr *);
void	dns_rrlist_free(struct dns_rrlist *);

/* The apex SOA's serial in a sorted list of the zone, or false. */
bool	dns_rrlist_serial(const struct dns_rrlist *, const uint8_t *origin,
	    uint32_t *serial);
/* Rewrite it (a change of the SOA's rdata in place). */
bool	dns_rrlist_set_serial(struct dns_rrlist *, const uint8_t *origin,
	    uint32_t serial);

/* What turns old into new (both sorted); NULL without memory. */
struct dns_diff	*dns_diff_make(const struct dns_rrlist *old,
		    const struct dns_rrlist *new, uint32_t from, uint32_t to);
/* An empty diff to fill (the journal reads them). */
struct dns_diff	*dns_diff_new(uint32_t from, uint32_t to);
struct dns_diff	*dns_diff_ref(struct dns_diff *);
void		 dns_diff_unref(struct dns_diff *);
/*
 * Apply to a sorted list: -1 with err filled if a record to delete is
 * not there or one to add already is (the diff is not of this version).
 */
int		 dns_diff_apply(const struct dns_diff *, struct dns_rrlist *,
		    char *err, size_t errlen);

/*
 * A zone from a sorted list, checked as a zone file is (no larger than
 * maxbytes; 0: DNS_ZONE_MAXBYTES), with like's history (like may be
 * NULL) and then the n diffs that led here, the last DNS_ZONE_HISTORY
 * kept.  The list is emptied.
 */
struct dns_zone	*dns_zone_from_rrs(const uint8_t *origin, const char *file,
		    struct dns_rrlist *, size_t maxbytes,
		    const struct dns_zone *like, struct dns_diff *const *diffs,
		    size_t n, char *err, size_t errlen);

#endif /* DNS_ZEDIT_H */
