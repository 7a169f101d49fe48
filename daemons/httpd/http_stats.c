#include <stdio.h>

#include "http_stats.h"

const uint64_t http_lat_bounds_us[HTTP_LAT_BUCKETS] = {
	100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000,
	250000, 1000000
};

void
http_stats_response(struct http_stats *s, int status, uint64_t us)
{
	unsigned	 i;

	s->requests++;
	if (status >= 100 && status < 600) {
		s->status[status / 100]++;
		s->by_code[status]++;
	}
	for (i = 0; i < HTTP_LAT_BUCKETS && us > http_lat_bounds_us[i]; i++)
		;
	s->latency[i]++;
	s->latency_sum_us += us;
}

json_t *
http_stats_json(const struct http_stats *s)
{
	json_t		*codes = json_object(), *lat = json_object();
	char		 k[16];
	unsigned	 i;

	for (i = 100; i < 600; i++)
		if (s->by_code[i] != 0) {
			snprintf(k, sizeof(k), "%u", i);
			json_object_set_new(codes, k,
			    json_integer((json_int_t)s->by_code[i]));
		}
	for (i = 0; i <= HTTP_LAT_BUCKETS; i++) {
		if (i < HTTP_LAT_BUCKETS)
			snprintf(k, sizeof(k), "%llu",
			    (unsigned long long)http_lat_bounds_us[i]);
		else
			snprintf(k, sizeof(k), "+Inf");
		json_object_set_new(lat, k,
		    json_integer((json_int_t)s->latency[i]));
	}
#define I(v)	json_integer((json_int_t)(v))
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, "
	    "s:{s:o, s:o, s:o, s:o}, s:o, s:o, s:o, s:{s:o, s:o, s:o}}",
	    "connections_accepted", I(s->accepted),
	    "connections_refused", I(s->refused),
	    "connections_closed", I(s->closed),
	    "connections_active", I(s->active),
	    "connection_buffers_bytes", I(s->held_bytes),
	    "requests", I(s->requests),
	    "bytes_out", I(s->bytes_out),
	    "reloads", I(s->reloads),
	    "bad_framing", I(s->bad_framing),
	    "status", codes,
	    "timeouts", "header", I(s->timeouts_header),
	    "body", I(s->timeouts_body), "idle", I(s->timeouts_idle),
	    "send", I(s->timeouts_send),
	    "latency_us_buckets", lat,
	    "latency_us_sum", I(s->latency_sum_us),
	    "responses_5xx", I(s->status[5]),
	    "tls", "handshakes", I(s->tls_handshakes),
	    "failed", I(s->tls_failed), "h2_connections", I(s->h2_connections));
#undef I
}
