/*
 * dns_answer: the answer engine, a pure function from a query as it came
 * off the wire to the response to send, over one set of zones.  No
 * sockets, no clock, no state kept between calls.
 *
 * Owns the resolution rules of an authoritative-only server: REFUSED
 * outside our zones; exact answers with AA; NODATA and NXDOMAIN with the
 * zone's SOA, its TTL capped by the SOA MINIMUM (RFC 2308 3, 5); CNAME
 * chains followed inside the zone (at most DNS_CHAIN_MAX links, and a loop
 * ends at the first name already answered for);
 * DNAME with a synthesized CNAME (RFC 6672); referrals at zone cuts with
 * glue, DS answered from the parent side; wildcards (RFC 4592); one
 * RRset for ANY (RFC 8482); the CHAOS names version.bind and id.server;
 * EDNS (RFC 6891) and truncation.
 */
#ifndef DNS_ANSWER_H
#define DNS_ANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns_zones.h"

#define DNS_CHAIN_MAX	8
#define DNS_PAYLOAD	1232	/* our EDNS UDP size: avoids IP fragments */

struct dns_answer_cfg {
	/* CHAOS TXT answers; NULL: REFUSED, which hides them. */
	const char	*version;	/* version.bind, version.server */
	const char	*id;		/* id.server, hostname.bind */
	uint16_t	 payload;	/* ours; 0: DNS_PAYLOAD */
};

/*
 * The response to the query in (inlen octets), written to out, or 0 when
 * the query deserves none.  Over UDP the response fits the requester's
 * size (512 octets without EDNS) and sets TC when the answer did not;
 * over TCP it may take up to 65535.  It never exceeds outcap.  cfg may
 * be NULL: no CHAOS strings, our default size.
 */
size_t	dns_answer(const struct dns_zoneset *, const struct dns_answer_cfg *,
	    const uint8_t *in, size_t inlen, bool tcp, uint8_t *out,
	    size_t outcap);

#endif /* DNS_ANSWER_H */
