#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http_config.h"
#include "http_parse.h"
#include "http_path.h"
#include "http_resp.h"
#include "http_server.h"
#include "http_stats.h"
#include "http_status.h"
#include "http_system.h"
#include "http_text.h"

#define PAGE_MAX	(256 << 10)	/* past it the page says it was cut */
#define TEXT_MAX	64		/* characters of one name shown */
#define COUNTERS_MAX	24		/* counters shown per service */
#define ALLOW		"GET, HEAD"

/* Text from elsewhere: escaped, control bytes dropped, cut to TEXT_MAX. */
static void
text(struct http_text *pg, const char *s)
{
	size_t	 i;

	if (s == NULL) {
		http_text_put(pg, "?");
		return;
	}
	/* Cut between characters, not inside one (UTF-8). */
	for (i = 0; s[i] != '\0' && (i < TEXT_MAX ||
	    ((unsigned char)s[i] & 0xc0) == 0x80); i++)
		switch (s[i]) {
		case '<': http_text_put(pg, "&lt;"); break;
		case '>': http_text_put(pg, "&gt;"); break;
		case '&': http_text_put(pg, "&amp;"); break;
		case '"': http_text_put(pg, "&quot;"); break;
		case '\'': http_text_put(pg, "&#39;"); break;
		default:
			if ((unsigned char)s[i] >= ' ')
				http_text_put(pg, "%c", s[i]);
		}
	if (s[i] != '\0')
		http_text_put(pg, "…");
}

static const char *
str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static void
counter(const char *path, double v, void *arg)
{
	struct http_text	*pg = arg;

	http_text_put(pg, "<li><span class=\"k\">");
	text(pg, path);
	http_text_put(pg, "</span> %.15g</li>", v);
}

static void
service_row(struct http_text *pg, const json_t *d, const json_t *s,
    const json_t *own)
{
	const json_t	*stats = json_is_true(json_object_get(s, "self")) ?
			    own : json_object_get(s, "stats");

	http_text_put(pg, "<tr><td>");
	text(pg, str(s, "service"));
	http_text_put(pg, "</td><td>");
	text(pg, str(d, "name"));
	http_text_put(pg, " (%lld)</td><td>", (long long)json_integer_value(
	    json_object_get(d, "domid")));
	text(pg, str(s, "daemon"));
	if (stats != NULL) {
		http_text_put(pg, "</td><td class=\"up\">up</td><td><ul class=\"counters\">");
		http_system_numbers(stats, COUNTERS_MAX, counter, pg);
		http_text_put(pg, "</ul>");
	} else {
		http_text_put(pg, "</td><td class=\"down\">no answer</td><td>");
		text(pg, str(s, "error"));
	}
	http_text_put(pg, "</td></tr>\n");
}

static void
domain_row(struct http_text *pg, const json_t *d)
{
	const json_t	*s;
	size_t		 i;

	http_text_put(pg, "<tr><td>%lld</td><td>", (long long)json_integer_value(
	    json_object_get(d, "domid")));
	text(pg, str(d, "name"));
	http_text_put(pg, "</td><td>");
	json_array_foreach(json_object_get(d, "services"), i, s) {
		http_text_put(pg, "%s", i > 0 ? ", " : "");
		text(pg, str(s, "service"));
	}
	http_text_put(pg, "</td><td>");
	if (json_is_integer(json_object_get(d, "nodes")))
		http_text_put(pg, "%lld", (long long)json_integer_value(
		    json_object_get(d, "nodes")));
	http_text_put(pg, "</td></tr>\n");
}

/*
 * The scaler's fleet, as its sys.stats says (docs/scaler.md): one row a
 * scaler (two on two hosts: the leader's counts, the follower says it
 * waits), with the name DNS gives and its addresses.
 */
static void
fleet_row(struct http_text *pg, const json_t *d, const json_t *fleet)
{
	const json_t	*dns = json_object_get(fleet, "dns"), *a;
	double		 metric;
	size_t		 i;

	http_text_put(pg, "<tr><td>");
	text(pg, str(d, "name"));
	http_text_put(pg, " (%lld)</td>", (long long)json_integer_value(
	    json_object_get(d, "domid")));
	if (str(fleet, "error") != NULL || !json_is_integer(
	    json_object_get(fleet, "serving"))) {
		http_text_put(pg, "<td colspan=\"6\" class=\"down\">");
		text(pg, str(fleet, "error") != NULL ? str(fleet, "error") :
		    json_is_false(json_object_get(fleet, "leading")) ?
		    "following: another scaler leads" : "no round yet");
		http_text_put(pg, "</td></tr>\n");
		return;
	}
	http_text_put(pg, "<td class=\"serving\">%lld</td><td>%lld</td>"
	    "<td>%lld</td><td class=\"desired\">%lld</td><td>",
	    (long long)json_integer_value(json_object_get(fleet, "serving")),
	    (long long)json_integer_value(json_object_get(fleet, "starting")),
	    (long long)json_integer_value(json_object_get(fleet, "draining")),
	    (long long)json_integer_value(json_object_get(fleet, "desired")));
	/* Below 0: not measured yet (a rate takes two readings). */
	if ((metric = json_number_value(json_object_get(fleet, "metric"))) >= 0)
		http_text_put(pg, "%.4g", metric);
	else
		http_text_put(pg, "not yet");
	http_text_put(pg, "</td><td>");
	if (dns != NULL) {
		text(pg, str(dns, "name"));
		http_text_put(pg, ":");
		json_array_foreach(json_object_get(dns, "addresses"), i, a) {
			http_text_put(pg, " ");
			text(pg, json_string_value(a));
		}
	}
	http_text_put(pg, "</td></tr>\n");
}

void
http_status_fleet(struct http_text *pg, const json_t *doms)
{
	const json_t	*d, *s, *fleet;
	size_t		 i, k;
	bool		 any = false;

	json_array_foreach(doms, i, d)
		json_array_foreach(json_object_get(d, "services"), k, s) {
			fleet = json_object_get(json_object_get(json_object_get(
			    s, "stats"), "daemon"), "fleet");
			if (!json_is_object(fleet))
				continue;
			if (!any)
				http_text_put(pg, "<table id=\"fleet\">\n"
				    "<caption>Fleet</caption>\n<thead><tr><th>"
				    "Scaler</th><th>Serving</th><th>Starting"
				    "</th><th>Draining</th><th>Desired</th><th>"
				    "Metric per domain</th><th>DNS</th></tr>"
				    "</thead>\n<tbody>\n");
			any = true;
			fleet_row(pg, d, fleet);
		}
	if (any)
		http_text_put(pg, "</tbody>\n</table>\n");
}

static void
render(struct http_server *srv, struct http_text *pg)
{
	json_t		*snap = srv->system != NULL ?
			    http_system_snapshot(srv->system) : NULL;
	json_t		*own = http_stats_json(&srv->stats), *d, *s;
	const json_t	*doms = json_object_get(snap, "domains");
	size_t		 i, k;
	time_t		 taken;
	struct tm	 tm;
	char		 when[64];

	http_text_put(pg, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<meta http-equiv=\"refresh\" "
	    "content=\"5\">\n<title>Status · Shoal</title>\n"
	    "<link rel=\"stylesheet\" href=\"style.css\">\n</head>\n<body>\n"
	    "<header><a class=\"home\" href=\"index.html\">Shoal</a> "
	    "<span>status</span></header>\n<main>\n<h1>Status</h1>\n");
	if (snap == NULL)
		http_text_put(pg, "<p id=\"taken\">Nothing gathered yet.</p>\n");
	else {
		taken = (time_t)(json_integer_value(json_object_get(snap,
		    "taken_ms")) / 1000);
		if (gmtime_r(&taken, &tm) == NULL ||
		    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC",
		    &tm) == 0)
			snprintf(when, sizeof(when), "?");
		http_text_put(pg, "<p id=\"taken\">Gathered %s, in %lld ms.</p>\n", when,
		    (long long)json_integer_value(json_object_get(snap,
		    "took_ms")));
	}
	if (str(snap, "error") != NULL) {
		http_text_put(pg, "<p class=\"down\" id=\"error\">");
		text(pg, str(snap, "error"));
		http_text_put(pg, "</p>\n");
	}
	http_status_fleet(pg, doms);
	http_text_put(pg, "<table id=\"domains\">\n<caption>Domains</caption>\n<thead>"
	    "<tr><th>ID</th><th>Name</th><th>Services</th><th>XenStore "
	    "nodes</th></tr></thead>\n<tbody>\n");
	json_array_foreach(doms, i, d)
		domain_row(pg, d);
	http_text_put(pg, "</tbody>\n</table>\n<table id=\"services\">\n<caption>"
	    "Services</caption>\n<thead><tr><th>Service</th><th>Domain</th>"
	    "<th>Daemon</th><th>State</th><th>Counters</th></tr></thead>\n"
	    "<tbody>\n");
	json_array_foreach(doms, i, d)
		json_array_foreach(json_object_get(d, "services"), k, s)
			service_row(pg, d, s, own);
	http_text_put(pg, "</tbody>\n</table>\n</main>\n</body>\n</html>\n");
	http_text_end_cut(pg, "\n<p>(cut: the page reached its size "
	    "limit)</p></body></html>\n");
	json_decref(own);
	json_decref(snap);
}

/* Cheap first: only a target holding the page's path is parsed. */
static bool
for_page(const struct http_config *cf, const char *buf,
    const struct http_req *req)
{
	struct http_path	 path;
	const char		*why;

	if (cf->status.page == NULL || memmem(buf + req->target.off,
	    req->target.len, cf->status.page, strlen(cf->status.page)) ==
	    NULL)
		return false;
	return http_path_parse(buf + req->target.off, req->target.len,
	    &path, &why) == 0 && strcmp(path.path, cf->status.page) == 0;
}

bool
http_status_serve(struct http_server *srv, const char *buf,
    const struct http_req *req, struct http_resp *resp, bool keep)
{
	struct http_text	 pg;
	bool		 head = req->method == HTTP_M_HEAD;

	if (!for_page(srv->cfg, buf, req))
		return false;
	if (req->method != HTTP_M_GET && !head) {
		http_resp_error(resp, req->method == HTTP_M_OTHER ? 501 : 405,
		    srv->site.date, false, keep, "Allow: " ALLOW "\r\n");
		return true;
	}
	if (http_text_init(&pg, PAGE_MAX) != 0) {
		http_resp_error(resp, 500, srv->site.date, head, keep, NULL);
		return true;
	}
	render(srv, &pg);
	/* The body lives in the response's parts buffer, freed with it. */
	resp->parts = pg.p;
	http_resp_start(resp, 200, srv->site.date);
	http_resp_field(resp, "Content-Type", "text/html; charset=utf-8", 24);
	http_resp_field(resp, "Cache-Control", "no-store", 8);
	http_resp_length(resp, pg.len);
	http_resp_end(resp, keep, req->minor == 0 && keep);
	if (!head)
		http_resp_mem(resp, pg.p, pg.len);
	return true;
}
