#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_admin.h"
#include "http_file.h"
#include "http_parse.h"
#include "http_path.h"
#include "http_resp.h"
#include "http_server.h"
#include "http_system.h"
#include "http_text.h"

#define METRICS_MAX	(256 << 10)
#define LABEL_MAX	64	/* characters of a label value from elsewhere */
#define STATS_MAX	200	/* numbers taken from one service */
#define ALLOW		"GET, HEAD"

/* One counter or gauge with its HELP and TYPE lines. */
static void
metric(struct http_text *t, const char *name, const char *type, const char *help,
    unsigned long long v)
{
	http_text_put(t, "# HELP shoal_http_%s %s\n# TYPE shoal_http_%s %s\n"
	    "shoal_http_%s %llu\n", name, help, name, type, name, v);
}

static void
histogram(struct http_text *t, const struct http_stats *s)
{
	unsigned long long	 cum = 0;
	unsigned		 i;

	http_text_put(t, "# HELP shoal_http_request_duration_seconds From a request's "
	    "first byte to its last byte handed to the kernel.\n"
	    "# TYPE shoal_http_request_duration_seconds histogram\n");
	for (i = 0; i < HTTP_LAT_BUCKETS; i++) {
		cum += s->latency[i];
		http_text_put(t, "shoal_http_request_duration_seconds_bucket"
		    "{le=\"%g\"} %llu\n", (double)http_lat_bounds_us[i] / 1e6,
		    cum);
	}
	cum += s->latency[HTTP_LAT_BUCKETS];
	http_text_put(t, "shoal_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n"
	    "shoal_http_request_duration_seconds_sum %.6f\n"
	    "shoal_http_request_duration_seconds_count %llu\n", cum,
	    (double)s->latency_sum_us / 1e6, cum);
}

/* A label value from another domain: escaped as the format says, cut. */
static void
label(char *out, size_t cap, const char *v)
{
	size_t	 o = 0, i;

	if (v == NULL)
		v = "?";
	for (i = 0; v[i] != '\0' && o + 3 < cap && (i < LABEL_MAX ||
	    ((unsigned char)v[i] & 0xc0) == 0x80); i++) {
		if (v[i] == '\\' || v[i] == '"' || v[i] == '\n') {
			out[o++] = '\\';
			out[o++] = v[i] == '\n' ? 'n' : v[i];
		} else if ((unsigned char)v[i] >= ' ')
			out[o++] = v[i];
	}
	out[o] = '\0';
}

struct series {
	struct http_text	*t;
	char		 who[1024];	/* domid, domain, service labels */
};

static void
service_number(const char *path, double v, void *arg)
{
	struct series	*se = arg;
	char		 stat[600];

	label(stat, sizeof(stat), path);
	http_text_put(se->t, "shoal_service_stat{%s,stat=\"%s\"} %.17g\n", se->who,
	    stat, v);
}

/*
 * The rest of Shoal, from the status collector's latest round: each
 * domain, each service up or not, and each number of its sys.stats
 * (httpd's own are the shoal_http_* above).
 */
static void
system_metrics(struct http_server *srv, struct http_text *t)
{
	json_t		*snap, *d, *sv, *stats;
	struct series	 se = { .t = t };
	char		 name[256], svc[256], daemon[256];
	size_t		 i, k;
	int		 pass;

	if (srv->system == NULL ||
	    (snap = http_system_snapshot(srv->system)) == NULL)
		return;
	http_text_put(t, "# HELP shoal_status_taken_seconds When the status collector "
	    "last gathered (Unix time).\n# TYPE shoal_status_taken_seconds "
	    "gauge\nshoal_status_taken_seconds %.3f\n", (double)
	    json_integer_value(json_object_get(snap, "taken_ms")) / 1000);
	for (pass = 0; pass < 3; pass++) {
		http_text_put(t, "%s", (const char *[]){
		    "# HELP shoal_domain_info A domain, by id and name.\n"
		    "# TYPE shoal_domain_info gauge\n",
		    "# HELP shoal_service_up Whether a service answered "
		    "sys.stats in the last round.\n# TYPE shoal_service_up "
		    "gauge\n",
		    "# HELP shoal_service_stat A number from a service's "
		    "sys.stats, by its dotted path.\n# TYPE shoal_service_stat "
		    "untyped\n" }[pass]);
		json_array_foreach(json_object_get(snap, "domains"), i, d) {
			label(name, sizeof(name), json_string_value(
			    json_object_get(d, "name")));
			if (pass == 0) {
				http_text_put(t, "shoal_domain_info{domid=\"%lld\","
				    "domain=\"%s\"} 1\n", (long long)
				    json_integer_value(json_object_get(d,
				    "domid")), name);
				continue;
			}
			json_array_foreach(json_object_get(d, "services"), k,
			    sv) {
				label(svc, sizeof(svc), json_string_value(
				    json_object_get(sv, "service")));
				label(daemon, sizeof(daemon), json_string_value(
				    json_object_get(sv, "daemon")));
				snprintf(se.who, sizeof(se.who), "domid=\"%lld\","
				    "domain=\"%s\",service=\"%s\"", (long long)
				    json_integer_value(json_object_get(d,
				    "domid")), name, svc);
				stats = json_object_get(sv, "stats");
				if (pass == 1)
					http_text_put(t, "shoal_service_up{%s,daemon=\"%s\"} "
					    "%d\n", se.who, daemon, stats != NULL ||
					    json_is_true(json_object_get(sv,
					    "self")));
				else if (stats != NULL)
					http_system_numbers(stats, STATS_MAX,
					    service_number, &se);
			}
		}
	}
	json_decref(snap);
}

static void
metrics(struct http_server *srv, struct http_text *t)
{
	const struct http_stats	*s = &srv->stats;
	struct http_file_stats	 fs;
	unsigned		 i;

	metric(t, "requests_total", "counter", "Requests answered.",
	    s->requests);
	http_text_put(t, "# HELP shoal_http_responses_total Responses by status code.\n"
	    "# TYPE shoal_http_responses_total counter\n");
	for (i = 100; i < 600; i++)
		if (s->by_code[i] != 0)
			http_text_put(t, "shoal_http_responses_total{code=\"%u\"} %llu\n",
			    i, (unsigned long long)s->by_code[i]);
	metric(t, "connections_accepted_total", "counter",
	    "Connections accepted.", s->accepted);
	metric(t, "connections_refused_total", "counter",
	    "Connections refused with 503 at the connection cap.", s->refused);
	metric(t, "connections_active", "gauge", "Connections open.",
	    s->active);
	metric(t, "connection_buffers_bytes", "gauge", "Bytes of read "
	    "buffers and requests in progress held by connections.",
	    s->held_bytes);
	http_text_put(t, "# HELP shoal_http_timeouts_total Connections ended by a "
	    "timeout, by kind.\n# TYPE shoal_http_timeouts_total counter\n"
	    "shoal_http_timeouts_total{kind=\"header\"} %llu\n"
	    "shoal_http_timeouts_total{kind=\"body\"} %llu\n"
	    "shoal_http_timeouts_total{kind=\"idle\"} %llu\n"
	    "shoal_http_timeouts_total{kind=\"send\"} %llu\n",
	    (unsigned long long)s->timeouts_header,
	    (unsigned long long)s->timeouts_body,
	    (unsigned long long)s->timeouts_idle,
	    (unsigned long long)s->timeouts_send);
	metric(t, "bad_framing_total", "counter",
	    "Connections closed for a malformed request.", s->bad_framing);
	metric(t, "sent_bytes_total", "counter", "Bytes written to clients.",
	    s->bytes_out);
	metric(t, "reloads_total", "counter", "Configuration reloads.",
	    s->reloads);
	metric(t, "tls_handshakes_total", "counter", "TLS handshakes done.",
	    s->tls_handshakes);
	metric(t, "tls_failed_total", "counter", "TLS handshakes failed.",
	    s->tls_failed);
	metric(t, "h2_connections_total", "counter",
	    "Connections that chose HTTP/2.", s->h2_connections);
	http_server_file_stats(srv, &fs);
	metric(t, "file_cache_hits_total", "counter",
	    "File lookups answered from the cache.", fs.hits);
	metric(t, "file_cache_misses_total", "counter",
	    "File lookups that opened the file.", fs.misses);
	metric(t, "file_cache_entries", "gauge", "Files in the cache.",
	    fs.entries);
	metric(t, "file_cache_bytes", "gauge",
	    "Bytes of small files held in memory.", fs.bytes);
	histogram(t, s);
	system_metrics(srv, t);
}

void
http_admin_serve(struct http_server *srv, const char *buf,
    const struct http_req *req, struct http_resp *resp, bool keep)
{
	struct http_path	 path;
	struct http_text	 t;
	const char		*why;
	bool			 head = req->method == HTTP_M_HEAD;
	int			 rc;

	if (req->method != HTTP_M_GET && !head) {
		http_resp_error(resp, req->method == HTTP_M_OTHER ? 501 : 405,
		    srv->site.date, false, keep, "Allow: " ALLOW "\r\n");
		return;
	}
	if ((rc = http_path_parse(buf + req->target.off, req->target.len,
	    &path, &why)) != 0 || strcmp(path.path, "/metrics") != 0) {
		http_resp_error(resp, rc != 0 ? rc : 404, srv->site.date, head,
		    keep, NULL);
		return;
	}
	/* The body lives in the response's parts buffer, freed with it. */
	if (http_text_init(&t, METRICS_MAX) != 0) {
		http_resp_error(resp, 500, srv->site.date, head, keep, NULL);
		return;
	}
	metrics(srv, &t);
	http_text_end_cut(&t, "# cut: the page reached its size limit\n");
	resp->parts = t.p;
	http_resp_start(resp, 200, srv->site.date);
	http_resp_field(resp, "Content-Type",
	    "text/plain; version=0.0.4; charset=utf-8", 40);
	http_resp_field(resp, "Cache-Control", "no-store", 8);
	http_resp_length(resp, t.len);
	http_resp_end(resp, keep, req->minor == 0 && keep);
	if (!head)
		http_resp_mem(resp, t.p, t.len);
}
