/*
 * http_stats: httpd's counters, as http.stats and sys.stats show them
 * and /metrics will: connections, requests, responses by status, every
 * limit that refused something, bytes sent, and a latency histogram
 * (from a request's first byte to its last byte handed to the kernel).
 */
#ifndef HTTP_STATS_H
#define HTTP_STATS_H

#include <stdint.h>

#include <jansson.h>

#define HTTP_LAT_BUCKETS	12

struct http_stats {
	uint64_t	accepted, refused, closed, active;
	uint64_t	held_bytes;	/* read buffers + requests in progress */
	uint64_t	requests, bytes_out, reloads;
	uint64_t	status[6];		/* by class: [2] is 2xx */
	uint64_t	by_code[600];
	uint64_t	timeouts_header, timeouts_body, timeouts_idle,
			timeouts_send;
	uint64_t	bad_framing;		/* dropped connections */
	uint64_t	tls_handshakes, tls_failed, h2_connections;
	uint64_t	latency[HTTP_LAT_BUCKETS + 1];	/* last: +Inf */
	uint64_t	latency_sum_us;
};

/* The upper bounds of the latency buckets, in microseconds. */
extern const uint64_t http_lat_bounds_us[HTTP_LAT_BUCKETS];

void	 http_stats_response(struct http_stats *, int status,
	    uint64_t latency_us);
json_t	*http_stats_json(const struct http_stats *);

#endif /* HTTP_STATS_H */
