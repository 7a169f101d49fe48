/*
 * dns_stats: dnsd's counters, what dns.stats reports.
 *
 * Owns counting each response by rcode and by the type asked, and the
 * transport counters beside them.  Counting reads the response we just
 * wrote rather than asking the engine, so dns_answer() stays a function
 * of its input; the cost is a glance at the header, the question and,
 * for the extended rcode (BADVERS), the OPT record the writer always
 * puts last.
 */
#ifndef DNS_STATS_H
#define DNS_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define DNS_STATS_RCODES	24	/* 0-15, and the extended ones we send */
#define DNS_STATS_QTYPES	260	/* 0-259 (CAA is 257); above: other */

struct dns_stats {
	uint64_t	 udp_queries, tcp_queries;
	uint64_t	 dropped;	/* no response: malformed, a response */
	uint64_t	 truncated;
	uint64_t	 udp_send_errors;
	uint64_t	 udp_batches;	/* recvmmsg calls that read queries */
	uint64_t	 rcode[DNS_STATS_RCODES];
	uint64_t	 qtype[DNS_STATS_QTYPES];
	uint64_t	 qtype_other;
	uint64_t	 tcp_accepted, tcp_over_limit, tcp_idle_closed;
	uint64_t	 tcp_bad;	/* framing a query cannot have */
	uint64_t	 axfr_done, axfr_refused;
	uint64_t	 ixfr_incremental;	/* answered from the history */
	uint64_t	 updates_applied, updates_unchanged, updates_rejected;
	uint64_t	 reloads, reload_failures;
};

/* One response (len octets; 0: the query was dropped). */
void	dns_stats_response(struct dns_stats *, const uint8_t *resp,
	    size_t len, bool tcp);
/* Counters as a JSON object: rcodes and qtypes by name, zeros left out. */
json_t	*dns_stats_json(const struct dns_stats *);

#endif /* DNS_STATS_H */
