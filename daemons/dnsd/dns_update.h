/*
 * dns_update: dynamic update (RFC 2136), so that the scaler, or nsupdate,
 * can add and remove a web domain's address while dnsd serves.
 *
 * Owns reading an UPDATE message, deciding who may change what, the
 * prerequisite checks (RFC 2136 3.2), the changes (3.4) and making them
 * one new version of the zone, all or nothing:
 *  - the message must end with a TSIG (dns_tsig.h) by one of the zone's
 *    "update-keys", from an address in its "update-allow" (if any), else
 *    REFUSED; a zone that is not ours is NOTAUTH (RFC 2136 3.1.2);
 *  - prerequisites are checked against the version being served, and the
 *    first that fails is the answer (NXDOMAIN, YXDOMAIN, NXRRSET,
 *    YXRRSET, NOTZONE, FORMERR) with nothing changed;
 *  - changes are applied in order to a copy of the zone's records; the
 *    rules RFC 2136 3.4.2 gives are kept: a CNAME is not added beside
 *    other data nor other data beside a CNAME, the apex SOA is replaced
 *    only by a newer serial and never deleted, the last apex NS stays;
 *  - if anything changed, the serial is bumped (unless the update set a
 *    newer one), the difference is written to the journal and synced
 *    (dns_journal.h), and only then is the version published and the
 *    answer NOERROR.  A journal that cannot be written is SERVFAIL, with
 *    nothing served that is not on disk.
 * Names inside rdata that the sender compressed (RFC 1035 types) are
 * expanded, and rdata of the types dnsd itself reads (addresses, names,
 * SOA, MX, SRV, TXT) is checked before it can enter a zone.
 *
 * Runs on the thread that answers, so that updates are applied one at
 * a time in the order they came; an update costs a copy of the zone
 * (dns_zedit.h) and one fdatasync.
 */
#ifndef DNS_UPDATE_H
#define DNS_UPDATE_H

#include <sys/socket.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns_config.h"
#include "dns_zones.h"

#define DNS_OPCODE_UPDATE	5

enum {
	DNS_R_YXRRSET = 7, DNS_R_NXRRSET = 8, DNS_R_NOTZONE = 10
};

/* What an UPDATE came to, for the caller's counters and NOTIFY. */
enum dns_update_outcome {
	DNS_UPD_APPLIED,	/* a new version is served */
	DNS_UPD_NOCHANGE,	/* NOERROR, nothing to change */
	DNS_UPD_REJECTED,	/* an rcode other than NOERROR */
	DNS_UPD_DROPPED		/* no response at all */
};

/*
 * Answer the UPDATE in (len octets) from peer into out (cap octets,
 * at least DNS_MSGMAX): the response's length, 0 when it is dropped.
 * now is the time in seconds since the epoch, for TSIG.
 */
size_t	dns_update(struct dns_zones *, const struct dns_config *,
	    const uint8_t *in, size_t len, const struct sockaddr *peer,
	    uint64_t now, uint8_t *out, size_t cap,
	    enum dns_update_outcome *);

#endif /* DNS_UPDATE_H */
