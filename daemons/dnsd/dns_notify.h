/*
 * dns_notify: telling secondaries that a zone changed (NOTIFY, RFC 1996),
 * so they transfer it now rather than at their next SOA refresh.
 *
 * Owns the NOTIFY messages, their retries and the socket they leave
 * from.  A zone whose serial differs from the one last announced (or
 * that was never announced: at startup too, as RFC 1996 4.3 suggests)
 * gets one NOTIFY per address in its "notify" list: opcode NOTIFY, AA,
 * the zone's SOA as the question.  Each is sent again every
 * DNS_NOTIFY_RETRY_MS until a response with its id comes back from that
 * address, at most DNS_NOTIFY_TRIES times (RFC 1996 3.6); a newer serial
 * replaces a pending one.  Responses from anyone else are ignored.
 */
#ifndef DNS_NOTIFY_H
#define DNS_NOTIFY_H

#include <stdint.h>

#define DNS_NOTIFY_TRIES	5
#define DNS_NOTIFY_RETRY_MS	2000

struct event_base;
struct dns_config;
struct dns_notify;
struct dns_zones;

struct dns_notify	*dns_notify_new(struct event_base *);
void			 dns_notify_free(struct dns_notify *);
/* Announce every configured zone whose served serial changed. */
void			 dns_notify_changed(struct dns_notify *,
			    const struct dns_config *, struct dns_zones *);
/* NOTIFY messages sent and acknowledged, for dns.stats. */
void			 dns_notify_counts(const struct dns_notify *,
			    uint64_t *sent, uint64_t *acked, uint64_t *gaveup);

#endif /* DNS_NOTIFY_H */
