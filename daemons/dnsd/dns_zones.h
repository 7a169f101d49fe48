/*
 * dns_zones: every zone the server is authoritative for, and reloading
 * them.
 *
 * Owns the current set (a dns_zoneset: zones sorted by origin in
 * canonical order, never changed once published) and the pointer to it.
 * A reload builds a whole new set, then swaps the pointer in one atomic
 * store, so an answer is always made from one consistent set.  A zone
 * whose file does not load is reported (log_warnx, "FILE:LINE: what")
 * and the set keeps the zone it had for that origin, if any; zones no
 * longer configured are dropped.  Zones are shared between old and new
 * sets by reference count.
 *
 * The old set is released as soon as the swap is done.  That is safe
 * because the daemon answers queries on one thread, inside event
 * callbacks that hold no set across calls; serving from other threads
 * would need the release deferred until they are done with it.
 */
#ifndef DNS_ZONES_H
#define DNS_ZONES_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "dns_zone.h"

struct dns_zonecfg {
	const char	*origin;	/* text */
	const char	*file;
	const char	*journal;	/* a dynamic zone's (dns_journal.h) */
};

struct dns_zoneset {
	size_t		  n;
	struct dns_zone	**zones;	/* by origin, canonical order */
};

struct dns_zones {
	_Atomic(struct dns_zoneset *)	cur;
	size_t				maxbytes;	/* per zone; 0: default */
	/* Also told each load error ("FILE:LINE: what"), if set. */
	void				(*report)(void *, const char *);
	void				*report_arg;
};

struct dns_zones	*dns_zones_new(size_t maxbytes);
void			 dns_zones_free(struct dns_zones *);

/*
 * Load the n zones configured and publish them.  Returns how many
 * failed to load (their old zone, if any, kept), or -1 with nothing
 * changed if the set itself could not be made (bad or repeated origin,
 * no memory).
 */
int			 dns_zones_reload(struct dns_zones *,
			    const struct dns_zonecfg *, size_t n);

/*
 * The two halves of a reload, for a daemon that loads on another thread
 * so that it keeps answering meanwhile: build reads the current set (to
 * keep the zones that fail) and may run on any thread while the current
 * set stays published; publish swaps and frees the old set, on the
 * thread that answers.  NULL from build: nothing to publish.  Publish
 * first brings each dynamic zone up to what its journal holds now: an
 * update may have been applied while the set was being built.
 */
struct dns_zoneset	*dns_zones_build(struct dns_zones *,
			    const struct dns_zonecfg *, size_t n, int *failed);
void			 dns_zones_publish(struct dns_zones *,
			    struct dns_zoneset *);
void			 dns_zoneset_free(struct dns_zoneset *);

const struct dns_zoneset *dns_zones_current(struct dns_zones *);
/*
 * Publish a new version of one zone (a dynamic update), on the thread
 * that answers: a set like the current one with z (a reference, taken)
 * in place of the zone with its origin.  -1 without memory (z released).
 */
int			 dns_zones_replace(struct dns_zones *,
			    struct dns_zone *z);
/* The zone whose origin is the longest suffix of qname, or NULL. */
const struct dns_zone	*dns_zoneset_find(const struct dns_zoneset *,
			    const uint8_t *qname);
/* The same for a name already lowercase. */
const struct dns_zone	*dns_zoneset_find_lower(const struct dns_zoneset *,
			    const uint8_t *lname);
/* The zone whose origin is exactly lname (lowercase), or NULL. */
const struct dns_zone	*dns_zoneset_origin(const struct dns_zoneset *,
			    const uint8_t *lname);

#endif /* DNS_ZONES_H */
