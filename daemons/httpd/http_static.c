#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_cond.h"
#include "http_config.h"
#include "http_file.h"
#include "http_parse.h"
#include "http_path.h"
#include "http_range.h"
#include "http_resp.h"
#include "http_static.h"

#define ALLOW		"GET, HEAD, OPTIONS"
#define MAX_RANGES	32

/* What one request is being answered with. */
struct answer {
	struct http_site	*site;
	const char		*buf;
	const struct http_req	*req;
	struct http_resp	*resp;
	bool			 keep;
	bool			 head;		/* no body */
	const struct http_path	*path;
	struct http_file	*file;		/* the reference */
	struct http_file	*rep;		/* file or a sibling */
	const char		*coding;	/* "gzip", "br" or NULL */
	bool			 vary;
	const char		*cache_control;
};

static void
error(struct answer *a, int status, const char *extra)
{
	http_resp_error(a->resp, status, a->site->date, a->head, a->keep,
	    extra);
}

/* Bytes a URI may carry as they are in a path (RFC 3986 3.3). */
static bool
path_safe(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || strchr("-._~/!$&'()*+,;=:@", c) != NULL;
}

/* A directory named without its slash: 301 to the name with it. */
static void
redirect(struct answer *a)
{
	char		 extra[HTTP_HEAD_MAX / 2];
	size_t		 o, i;
	const char	*p = a->path->path;

	o = (size_t)snprintf(extra, sizeof(extra), "Location: ");
	for (i = 0; p[i] != '\0' && o + 8 < sizeof(extra); i++) {
		if (path_safe((unsigned char)p[i]) && p[i] != '\0')
			extra[o++] = p[i];
		else
			o += (size_t)snprintf(extra + o, 4, "%%%02X",
			    (unsigned char)p[i]);
	}
	if (o + a->path->query_len + 8 >= sizeof(extra) || p[i] != '\0') {
		error(a, 414, NULL);
		return;
	}
	extra[o++] = '/';
	if (a->path->query != NULL) {
		extra[o++] = '?';
		memcpy(extra + o, a->path->query, a->path->query_len);
		o += a->path->query_len;
	}
	memcpy(extra + o, "\r\n", 3);
	error(a, 301, extra);
}

/* The fields every answer about the file carries, 304 included. */
static void
validators(struct answer *a)
{
	struct http_resp	*r = a->resp;

	http_resp_field(r, "Last-Modified", a->rep->last_modified,
	    HTTP_DATE_LEN);
	http_resp_field(r, "ETag", a->rep->etag, a->rep->etag_len);
	if (a->vary)
		http_resp_field(r, "Vary", "Accept-Encoding", 15);
	if (a->cache_control != NULL)
		http_resp_field(r, "Cache-Control", a->cache_control,
		    strlen(a->cache_control));
	if (a->site->cfg->headers.text != NULL)
		http_resp_raw(r, a->site->cfg->headers.text);
}

static void
representation_fields(struct answer *a)
{
	http_resp_field(a->resp, "Content-Type", a->rep->type,
	    strlen(a->rep->type));
	if (a->coding != NULL)
		http_resp_field(a->resp, "Content-Encoding", a->coding,
		    strlen(a->coding));
	validators(a);
}

/* The body: bytes in memory if the cache holds them, else the file. */
static void
body(struct answer *a, uint64_t off, uint64_t len)
{
	if (a->head)
		return;
	if (a->rep->data != NULL)
		http_resp_mem(a->resp, a->rep->data + off, len);
	else
		http_resp_range(a->resp, off, len);
}

static void
whole(struct answer *a)
{
	http_resp_start(a->resp, 200, a->site->date);
	representation_fields(a);
	http_resp_field(a->resp, "Accept-Ranges", "bytes", 5);
	http_resp_length(a->resp, a->rep->size);
	http_resp_end(a->resp, a->keep, a->req->minor == 0 && a->keep);
	body(a, 0, a->rep->size);
}

static void
one_range(struct answer *a, const struct http_range *r)
{
	http_resp_start(a->resp, 206, a->site->date);
	representation_fields(a);
	http_resp_fieldf(a->resp, "Content-Range", "bytes %llu-%llu/%llu",
	    (unsigned long long)r->first, (unsigned long long)r->last,
	    (unsigned long long)a->rep->size);
	http_resp_length(a->resp, r->last - r->first + 1);
	http_resp_end(a->resp, a->keep, a->req->minor == 0 && a->keep);
	body(a, r->first, r->last - r->first + 1);
}

/* multipart/byteranges (RFC 9110 14.6): part heads built in one buffer. */
static void
multipart(struct answer *a, const struct http_range *r, unsigned n)
{
	static unsigned long long	 counter;
	char				 boundary[24];
	size_t				 cap = 0, o = 0, starts[MAX_RANGES + 1];
	uint64_t			 len = 0;
	unsigned			 i;
	char				*p;

	snprintf(boundary, sizeof(boundary), "%016llx", ++counter);
	cap = (n + 1) * (160 + strlen(a->rep->type));
	if ((p = malloc(cap)) == NULL) {
		error(a, 500, NULL);
		return;
	}
	for (i = 0; i < n; i++) {
		starts[i] = o;
		o += (size_t)snprintf(p + o, cap - o, "\r\n--%s\r\n"
		    "Content-Type: %s\r\nContent-Range: bytes %llu-%llu/%llu"
		    "\r\n\r\n", boundary, a->rep->type,
		    (unsigned long long)r[i].first,
		    (unsigned long long)r[i].last,
		    (unsigned long long)a->rep->size);
		len += r[i].last - r[i].first + 1;
	}
	starts[n] = o;
	o += (size_t)snprintf(p + o, cap - o, "\r\n--%s--\r\n", boundary);
	a->resp->parts = p;
	http_resp_start(a->resp, 206, a->site->date);
	http_resp_fieldf(a->resp, "Content-Type",
	    "multipart/byteranges; boundary=%s", boundary);
	if (a->coding != NULL)
		http_resp_field(a->resp, "Content-Encoding", a->coding,
		    strlen(a->coding));
	validators(a);
	http_resp_length(a->resp, len + o);
	http_resp_end(a->resp, a->keep, a->req->minor == 0 && a->keep);
	if (a->head)
		return;
	for (i = 0; i < n; i++) {
		http_resp_mem(a->resp, p + starts[i], starts[i + 1] - starts[i]);
		body(a, r[i].first, r[i].last - r[i].first + 1);
	}
	http_resp_mem(a->resp, p + starts[n], o - starts[n]);
}

static void
ranges(struct answer *a)
{
	struct http_range		 r[MAX_RANGES];
	struct http_validators		 v = { a->rep->etag, a->rep->etag_len,
					    a->rep->mtime };
	char				 extra[64];
	unsigned			 n, max;
	const struct http_req		*q = a->req;

	max = (unsigned)a->site->cfg->limits.ranges;
	if (max > MAX_RANGES)
		max = MAX_RANGES;
	if (q->range.len == 0 || q->method != HTTP_M_GET ||
	    !http_cond_if_range(a->buf, q, &v)) {
		whole(a);
		return;
	}
	switch (http_range_parse(a->buf + q->range.off, q->range.len,
	    a->rep->size, r, max, &n)) {
	case HTTP_RANGE_IGNORE:
		whole(a);
		break;
	case HTTP_RANGE_UNSAT:
		snprintf(extra, sizeof(extra), "Content-Range: bytes */%llu\r\n",
		    (unsigned long long)a->rep->size);
		error(a, 416, extra);
		break;
	case HTTP_RANGE_OK:
		if (n == 1)
			one_range(a, r);
		else
			multipart(a, r, n);
		break;
	}
}

/* A precompressed sibling if the client takes its coding: br first. */
static void
negotiate(struct answer *a)
{
	struct http_file	*f = a->file;
	unsigned		 ok;

	a->rep = f;
	a->vary = f->gz != NULL || f->br != NULL;
	if (!a->vary || a->req->accept_encoding.len == 0)
		return;
	ok = http_accept_encoding(a->buf + a->req->accept_encoding.off,
	    a->req->accept_encoding.len);
	if (f->br != NULL && (ok & HTTP_ENC_BR)) {
		a->rep = f->br;
		a->coding = "br";
	} else if (f->gz != NULL && (ok & HTTP_ENC_GZIP)) {
		a->rep = f->gz;
		a->coding = "gzip";
	}
}

static void
serve_file(struct answer *a)
{
	struct http_validators	 v;
	int			 c;

	negotiate(a);
	a->cache_control = http_config_cache_control(a->site->cfg,
	    a->path->path);
	http_resp_file(a->resp, a->site->files, a->file, a->rep->fd);
	v.etag = a->rep->etag;
	v.etag_len = a->rep->etag_len;
	v.mtime = a->rep->mtime;
	switch ((c = http_cond_check(a->buf, a->req, &v))) {
	case 304:
		http_resp_start(a->resp, 304, a->site->date);
		validators(a);
		http_resp_end(a->resp, a->keep, a->req->minor == 0 && a->keep);
		return;
	case 412:
		error(a, 412, NULL);
		return;
	}
	ranges(a);
}

static void
options(struct answer *a)
{
	http_resp_start(a->resp, 200, a->site->date);
	http_resp_field(a->resp, "Allow", ALLOW, sizeof(ALLOW) - 1);
	http_resp_length(a->resp, 0);
	http_resp_end(a->resp, a->keep, a->req->minor == 0 && a->keep);
}

void
http_static_serve(struct http_site *site, const char *buf,
    const struct http_req *req, struct http_resp *resp, bool keepalive)
{
	struct http_path	 path;
	struct answer		 a = {
		.site = site, .buf = buf, .req = req, .resp = resp,
		.keep = keepalive, .head = req->method == HTTP_M_HEAD,
		.path = &path,
	};
	const char		*why;
	int			 rc;

	/* An unknown method first, then the path and what it names, and
	 * only then whether the method applies to it: a POST to a missing
	 * file is 404, as in nginx and lighttpd. */
	if (req->method == HTTP_M_OTHER) {
		error(&a, 501, NULL);
		return;
	}
	if ((rc = http_path_parse(buf + req->target.off, req->target.len,
	    &path, &why)) != 0) {
		error(&a, rc, NULL);
		return;
	}
	if (req->method == HTTP_M_OPTIONS && path.asterisk) {
		options(&a);
		return;
	}
	if (path.asterisk) {
		error(&a, 400, NULL);
		return;
	}
	switch (http_file_get(site->files, path.path, site->now_ms, &a.file)) {
	case HTTP_FILE_OK:
		if (req->method == HTTP_M_GET || req->method == HTTP_M_HEAD) {
			serve_file(&a);
			break;
		}
		http_file_put(site->files, a.file);
		if (req->method == HTTP_M_OPTIONS)
			options(&a);
		else
			error(&a, 405, "Allow: " ALLOW "\r\n");
		break;
	case HTTP_FILE_REDIRECT:
		redirect(&a);
		break;
	case HTTP_FILE_NOT_FOUND:
		error(&a, 404, NULL);
		break;
	case HTTP_FILE_FORBIDDEN:
		error(&a, 403, NULL);
		break;
	case HTTP_FILE_ERROR:
		error(&a, 500, NULL);
		break;
	}
}
