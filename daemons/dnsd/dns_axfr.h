/*
 * dns_axfr: a zone transfer out (RFC 5936), so that NSD or Knot can be
 * dnsd's secondaries.
 *
 * Owns deciding whether a transfer is allowed (TCP only, the zone's
 * exact origin, a peer in the zone's axfr-allow list) and cutting the
 * zone into messages: the SOA, every other record in canonical order,
 * the SOA again.  A transfer is a cursor, not a copy: each call writes
 * the next message, so the TCP side fills its output as the peer reads
 * and a million-record zone costs no more memory than a small one.  The
 * cursor holds a reference to the zone, so a reload that replaces the
 * zone mid-transfer lets the transfer finish with the version it began.
 *
 * IXFR over TCP (RFC 1995) is answered from the zone's history when a
 * dynamic update made it (dns_zone.h): the differences since the serial
 * the secondary has (the SOA in its query's authority section).  When
 * the history does not go back that far, or the zone came from a file,
 * the whole zone is sent, as RFC 1995 4 allows; a secondary whose serial
 * is ours or later gets our SOA alone.
 */
#ifndef DNS_AXFR_H
#define DNS_AXFR_H

#include <sys/socket.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns_config.h"
#include "dns_msg.h"
#include "dns_zones.h"

#define DNS_AXFR_MSG	16384	/* what a message is filled to */

struct dns_axfr;

/*
 * For a query that asks for a transfer (q parsed NOERROR, qtype AXFR or
 * IXFR, class IN), over TCP from peer: a transfer, or NULL with the
 * whole response written to out (*outlen: its length): REFUSED when the
 * zone is not ours or the peer not allowed, SERVFAIL without memory, the
 * SOA alone for an IXFR from a secondary that is current.
 */
struct dns_axfr	*dns_axfr_start(const struct dns_query *,
		    const struct dns_zoneset *, const struct dns_config *,
		    const struct sockaddr *peer, uint8_t *out, size_t outcap,
		    size_t *outlen);
/* The next message into out (outcap >= DNS_MSGMAX); 0 when done. */
size_t		 dns_axfr_next(struct dns_axfr *, uint8_t *out,
		    size_t outcap);
void		 dns_axfr_free(struct dns_axfr *);
/* Sending differences, not the whole zone (for dns.stats). */
bool		 dns_axfr_incremental(const struct dns_axfr *);
/* The zone's origin as text, for logs. */
const char	*dns_axfr_zone(const struct dns_axfr *);

#endif /* DNS_AXFR_H */
