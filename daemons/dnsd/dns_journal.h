/*
 * dns_journal: what makes a dynamic update outlive a restart or a reload.
 *
 * Owns one append-only file per dynamic zone (journal-dir/ORIGIN.jnl).
 * Each entry is a difference (dns_zedit.h) from one serial to the next,
 * or a snapshot of the whole zone at a serial; entries are framed with
 * their length and a checksum (SHA-256, cut to 8 octets) so that an
 * entry torn by a crash mid-write is found and cut off, never applied.
 * An update is acknowledged only after its entry is on disk (fdatasync).
 *
 * Loading replays: starting from the zone as its file has it, a snapshot
 * at a later serial replaces it, and each difference that starts at the
 * serial reached is applied.  When the file's serial is newer than
 * everything in the journal (the operator edited the file and bumped the
 * serial), the file wins: the zone is the file's, marked jreset, and the
 * journal starts again at the next write.  The same replay brings a zone
 * built on the reload thread up to what the main thread wrote meanwhile
 * (dns_journal_catchup, at publish).
 *
 * The file is compacted when it passes DNS_JOURNAL_MAX: rewritten as
 * one snapshot of the current version (to a new file renamed over the
 * old, so a crash leaves one or the other).  IXFR's history lives in the
 * zone (dns_zone.h), not here, so compacting loses none of it while the
 * daemon runs.
 */
#ifndef DNS_JOURNAL_H
#define DNS_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "dns_zedit.h"
#include "dns_zone.h"

#define DNS_JOURNAL_MAX	((uint64_t)1 << 20)

/*
 * The zone z (loaded from its file, one reference, taken) brought up to
 * date with the journal at path: z itself when the journal holds nothing
 * newer, else a new version.  NULL with err filled when the journal
 * cannot be read or a record in it does not make a zone.
 */
struct dns_zone	*dns_journal_load(struct dns_zone *z, const char *path,
		    char *err, size_t errlen);
/*
 * For publishing (main thread): z again if the journal has not moved
 * since z was made, else z replayed up to it; same ownership.
 */
struct dns_zone	*dns_journal_catchup(struct dns_zone *z, const char *path,
		    char *err, size_t errlen);
/*
 * Write d (from cur's version to next's) durably; next->jpos is set.
 * When the file would pass DNS_JOURNAL_MAX it is compacted to a snapshot
 * of next.  -1 with err filled: nothing was acknowledged, the caller
 * must not publish next.
 */
int		 dns_journal_append(const char *path,
		    const struct dns_zone *cur, struct dns_zone *next,
		    const struct dns_diff *d, char *err, size_t errlen);

#endif /* DNS_JOURNAL_H */
