#include <arpa/inet.h>
#include <ctype.h>
#include <time.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nghttp2/nghttp2.h>

#include "http_config.h"
#include "http_h2.h"
#include "http_log.h"
#include "http_parse.h"
#include "http_resp.h"
#include "http_server.h"

#define OUT_MAX		65536	/* frames gathered before a write */
#define MAX_STREAMS	100
#define MAX_FIELDS_NV	64	/* response fields: ours are a dozen */

struct h2_stream {
	int32_t			 id;
	char			*head;		/* the HTTP/1.1 head rebuilt */
	size_t			 len, cap;
	char			*method, *path, *authority;
	bool			 too_big;
	struct http_req		 req;
	struct http_resp	 resp;
	uint64_t		 start_us;
	char			 names[HTTP_HEAD_MAX];	/* lower-cased */
	nghttp2_nv		 nv[MAX_FIELDS_NV];
};

struct http_h2 {
	struct http_server	*srv;
	char			 client[INET6_ADDRSTRLEN];
	nghttp2_session		*session;
	char			*out;
	size_t			 out_len, out_off, out_cap;
	size_t			 streams;
	bool			 broken;
};

static void
stream_free(struct h2_stream *st)
{
	if (st == NULL)
		return;
	http_resp_free(&st->resp);
	free(st->head);
	free(st->method);
	free(st->path);
	free(st->authority);
	free(st);
}

static int
append(struct h2_stream *st, size_t limit, const char *a, size_t n)
{
	char	*nb;
	size_t	 cap;

	if (st->len + n + 1 > limit) {
		st->too_big = true;
		return -1;
	}
	if (st->len + n + 1 > st->cap) {
		cap = st->cap ? st->cap : 512;
		while (cap < st->len + n + 1)
			cap *= 2;
		if ((nb = realloc(st->head, cap)) == NULL)
			return -1;
		st->head = nb;
		st->cap = cap;
	}
	memcpy(st->head + st->len, a, n);
	st->len += n;
	return 0;
}

static int
on_begin_headers(nghttp2_session *s, const nghttp2_frame *f, void *arg)
{
	struct http_h2		*h = arg;
	struct h2_stream	*st;

	if (f->hd.type != NGHTTP2_HEADERS ||
	    f->headers.cat != NGHTTP2_HCAT_REQUEST)
		return 0;
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return NGHTTP2_ERR_CALLBACK_FAILURE;
	st->id = f->hd.stream_id;
	st->resp.fd = -1;
	st->start_us = http_server_now_us();
	nghttp2_session_set_stream_user_data(s, st->id, st);
	h->streams++;
	return 0;
}

static char *
dup_n(const uint8_t *p, size_t n)
{
	char	*d = malloc(n + 1);

	if (d != NULL) {
		memcpy(d, p, n);
		d[n] = '\0';
	}
	return d;
}

/* Pseudo-fields kept aside, the rest written as HTTP/1.1 field lines
 * ("host" is the authority's: a second one would be a second Host). */
static int
on_header(nghttp2_session *s, const nghttp2_frame *f, const uint8_t *name,
    size_t nlen, const uint8_t *value, size_t vlen, uint8_t flags, void *arg)
{
	struct http_h2		*h = arg;
	struct h2_stream	*st;
	size_t			 limit = (size_t)h->srv->cfg->limits.head;
	char			**slot = NULL;

	(void)flags;
	st = nghttp2_session_get_stream_user_data(s, f->hd.stream_id);
	if (st == NULL || f->hd.type != NGHTTP2_HEADERS)
		return 0;
	if (nlen == 7 && memcmp(name, ":method", 7) == 0)
		slot = &st->method;
	else if (nlen == 5 && memcmp(name, ":path", 5) == 0)
		slot = &st->path;
	else if (nlen == 10 && memcmp(name, ":authority", 10) == 0)
		slot = &st->authority;
	else if (nlen > 0 && name[0] == ':')
		return 0;	/* :scheme, :protocol */
	if (slot != NULL) {
		free(*slot);
		return (*slot = dup_n(value, vlen)) == NULL ?
		    NGHTTP2_ERR_CALLBACK_FAILURE : 0;
	}
	if (nlen == 4 && memcmp(name, "host", 4) == 0 && st->authority != NULL)
		return 0;
	if (append(st, limit, (const char *)name, nlen) == -1 ||
	    append(st, limit, ": ", 2) == -1 ||
	    append(st, limit, (const char *)value, vlen) == -1 ||
	    append(st, limit, "\r\n", 2) == -1)
		return st->too_big ? 0 : NGHTTP2_ERR_CALLBACK_FAILURE;
	return 0;
}

/* The response's body, read from its segments as nghttp2 asks. */
static ssize_t
read_body(nghttp2_session *s, int32_t id, uint8_t *buf, size_t length,
    uint32_t *flags, nghttp2_data_source *src, void *arg)
{
	struct h2_stream	*st = src->ptr;
	struct http_resp	*r = &st->resp;
	struct http_seg		*sg;
	size_t			 n = 0, k;

	(void)s;
	(void)id;
	(void)arg;
	while (n < length && r->cur < r->nseg) {
		sg = &r->seg[r->cur];
		k = length - n < sg->len ? length - n : (size_t)sg->len;
		if (sg->mem != NULL)
			memcpy(buf + n, sg->mem + sg->off, k);
		else if (pread(r->fd, buf + n, k, (off_t)sg->off) !=
		    (ssize_t)k)
			return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
		sg->off += k;
		sg->len -= k;
		if (sg->len == 0)
			r->cur++;
		n += k;
	}
	r->sent += n;
	if (r->cur == r->nseg)
		*flags |= NGHTTP2_DATA_FLAG_EOF;
	return (ssize_t)n;
}

/*
 * Our HTTP/1.1 head as HTTP/2 fields: ":status" from the status line,
 * then every field but the connection-specific ones (RFC 9113 8.2.2),
 * names lower-cased.
 */
static size_t
to_fields(struct h2_stream *st)
{
	struct http_resp	*r = &st->resp;
	char			*p = r->head, *end = r->head + r->head_len;
	char			*eol, *colon, *o = st->names;
	size_t			 n = 0, i;

	/* "HTTP/1.1 200 OK\r\n": the status is bytes 9-11. */
	memcpy(o, p + 9, 3);
	st->nv[n++] = (nghttp2_nv){ (uint8_t *)(uintptr_t)":status",
	    (uint8_t *)o, 7, 3, NGHTTP2_NV_FLAG_NO_COPY_NAME };
	o += 3;
	p = (char *)memchr(p, '\n', (size_t)(end - p)) + 1;
	while (p < end && n < MAX_FIELDS_NV &&
	    (eol = memchr(p, '\r', (size_t)(end - p))) != NULL && eol > p) {
		colon = memchr(p, ':', (size_t)(eol - p));
		if (colon != NULL && !(colon - p == 10 &&
		    strncasecmp(p, "connection", 10) == 0)) {
			for (i = 0; i < (size_t)(colon - p); i++)
				o[i] = (char)tolower((unsigned char)p[i]);
			st->nv[n++] = (nghttp2_nv){ (uint8_t *)o,
			    (uint8_t *)colon + 2, (size_t)(colon - p),
			    (size_t)(eol - colon - 2), NGHTTP2_NV_FLAG_NONE };
			o += colon - p;
		}
		p = eol + 2;
	}
	return n;
}

/* The head rebuilt, parsed and answered by the HTTP/1.1 core. */
static int
answer(struct http_h2 *h, struct h2_stream *st)
{
	struct http_server		*s = h->srv;
	const struct http_limits	*l = &s->cfg->limits;
	struct http_parse_limits	 pl = {
		(uint32_t)l->request_line, (uint32_t)l->head,
		(uint32_t)l->fields, (uint32_t)l->field_line
	};
	nghttp2_data_provider		 body = { .read_callback = read_body };
	char				*fields = st->head;
	size_t				 flen = st->len, n;
	int				 rc;

	st->head = NULL;
	st->len = st->cap = 0;
	if (st->method == NULL || st->path == NULL)
		rc = 400;
	else if (append(st, (size_t)l->head, st->method, strlen(st->method))
	    == -1 || append(st, (size_t)l->head, " ", 1) == -1 ||
	    append(st, (size_t)l->head, st->path, strlen(st->path)) == -1 ||
	    append(st, (size_t)l->head, " HTTP/1.1\r\nHost: ", 17) == -1 ||
	    append(st, (size_t)l->head, st->authority ? st->authority : "-",
	    st->authority ? strlen(st->authority) : 1) == -1 ||
	    append(st, (size_t)l->head, "\r\n", 2) == -1 ||
	    append(st, (size_t)l->head, fields ? fields : "", flen) == -1 ||
	    append(st, (size_t)l->head, "\r\n", 2) == -1)
		rc = 431;
	else
		rc = http_parse(&st->req, st->head, st->len, &pl);
	free(fields);
	http_server_date(s);
	s->site.now_ms = http_server_now_ms();
	http_resp_reset(&st->resp);
	if (rc == HTTP_PARSE_DONE)
		http_server_answer(s, false, st->head, &st->req, &st->resp,
		    true);
	else
		http_resp_error(&st->resp, rc == HTTP_PARSE_MORE ? 400 : rc,
		    s->site.date, false, true, NULL);
	if (st->resp.overflow) {
		http_resp_reset(&st->resp);
		http_resp_error(&st->resp, 500, s->site.date, false, true,
		    NULL);
	}
	n = to_fields(st);
	body.source.ptr = st;
	st->resp.head_sent = st->resp.head_len;
	http_stats_response(&s->stats, st->resp.status,
	    http_server_now_us() - st->start_us);
	return nghttp2_submit_response(h->session, st->id, st->nv, n,
	    st->resp.cur < st->resp.nseg ? &body : NULL) == 0 ? 0 :
	    NGHTTP2_ERR_CALLBACK_FAILURE;
}

static int
on_frame_recv(nghttp2_session *s, const nghttp2_frame *f, void *arg)
{
	struct http_h2		*h = arg;
	struct h2_stream	*st;

	if (f->hd.type != NGHTTP2_HEADERS ||
	    f->headers.cat != NGHTTP2_HCAT_REQUEST ||
	    !(f->hd.flags & NGHTTP2_FLAG_END_HEADERS))
		return 0;
	if ((st = nghttp2_session_get_stream_user_data(s,
	    f->hd.stream_id)) == NULL)
		return 0;
	if (st->too_big)
		return nghttp2_submit_rst_stream(s, NGHTTP2_FLAG_NONE, st->id,
		    NGHTTP2_REFUSED_STREAM) == 0 ? 0 :
		    NGHTTP2_ERR_CALLBACK_FAILURE;
	return answer(h, st);
}

/* One access log line per answered stream, as for HTTP/1.1. */
static void
log_stream(struct http_h2 *h, const struct h2_stream *st)
{
	struct http_log_entry	 e = { 0 };

	if (h->srv->log == NULL || st->resp.status == 0)
		return;
	e.client = h->client;
	e.when = time(NULL);
	e.method = st->method != NULL ? st->method : "-";
	e.method_len = strlen(e.method);
	e.target = st->path != NULL ? st->path : "-";
	e.target_len = strlen(e.target);
	if (st->req.referer.len > 0 && st->head != NULL) {
		e.referer = st->head + st->req.referer.off;
		e.referer_len = st->req.referer.len;
	}
	if (st->req.user_agent.len > 0 && st->head != NULL) {
		e.agent = st->head + st->req.user_agent.off;
		e.agent_len = st->req.user_agent.len;
	}
	e.version = "HTTP/2.0";
	e.status = st->resp.status;
	e.bytes = st->resp.sent;
	e.us = http_server_now_us() - st->start_us;
	http_log_write(h->srv->log, &e);
}

static int
on_stream_close(nghttp2_session *s, int32_t id, uint32_t code, void *arg)
{
	struct http_h2		*h = arg;
	struct h2_stream	*st = nghttp2_session_get_stream_user_data(s,
				    id);

	(void)code;
	if (st == NULL)
		return 0;
	nghttp2_session_set_stream_user_data(s, id, NULL);
	h->srv->stats.bytes_out += st->resp.sent;
	log_stream(h, st);
	stream_free(st);
	h->streams--;
	return 0;
}

struct http_h2 *
http_h2_new(struct http_server *srv, int af, const unsigned char *addr)
{
	struct http_h2			*h;
	nghttp2_session_callbacks	*cb;
	nghttp2_settings_entry		 iv[] = {
		{ NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, MAX_STREAMS },
		{ NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE,
		  (uint32_t)srv->cfg->limits.head },
	};
	int				 rc;

	if ((h = calloc(1, sizeof(*h))) == NULL ||
	    (h->out = malloc(OUT_MAX)) == NULL ||
	    nghttp2_session_callbacks_new(&cb) != 0) {
		if (h != NULL)
			free(h->out);
		free(h);
		return NULL;
	}
	h->srv = srv;
	h->out_cap = OUT_MAX;
	if (inet_ntop(af, addr, h->client, sizeof(h->client)) == NULL)
		snprintf(h->client, sizeof(h->client), "-");
	nghttp2_session_callbacks_set_on_begin_headers_callback(cb,
	    on_begin_headers);
	nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
	nghttp2_session_callbacks_set_on_frame_recv_callback(cb, on_frame_recv);
	nghttp2_session_callbacks_set_on_stream_close_callback(cb,
	    on_stream_close);
	rc = nghttp2_session_server_new(&h->session, cb, h);
	nghttp2_session_callbacks_del(cb);
	if (rc != 0 || nghttp2_submit_settings(h->session, NGHTTP2_FLAG_NONE,
	    iv, sizeof(iv) / sizeof(iv[0])) != 0) {
		http_h2_free(h);
		return NULL;
	}
	return h;
}

void
http_h2_free(struct http_h2 *h)
{
	if (h == NULL)
		return;
	/* Its streams' data go with the session, by on_stream_close. */
	nghttp2_session_del(h->session);
	free(h->out);
	free(h);
}

int
http_h2_input(struct http_h2 *h, const char *p, size_t n)
{
	ssize_t	 rc = nghttp2_session_mem_recv(h->session, (const uint8_t *)p,
		    n);

	if (rc < 0 || (size_t)rc != n) {
		h->broken = true;
		return -1;
	}
	return 0;
}

size_t
http_h2_output(struct http_h2 *h, const char **p)
{
	const uint8_t	*data;
	ssize_t		 n;

	if (h->out_off == h->out_len)
		h->out_off = h->out_len = 0;
	while (h->out_len < OUT_MAX) {
		if ((n = nghttp2_session_mem_send(h->session, &data)) <= 0) {
			if (n < 0)
				h->broken = true;
			break;
		}
		/* Frames come whole; one past the room grows the buffer
		 * once (a DATA frame is at most 16 KiB by default). */
		if ((size_t)n > h->out_cap - h->out_len) {
			char	*nb = realloc(h->out, h->out_len + (size_t)n);

			if (nb == NULL) {
				h->broken = true;
				break;
			}
			h->out = nb;
			h->out_cap = h->out_len + (size_t)n;
		}
		memcpy(h->out + h->out_len, data, (size_t)n);
		h->out_len += (size_t)n;
	}
	*p = h->out + h->out_off;
	return h->out_len - h->out_off;
}

void
http_h2_sent(struct http_h2 *h, size_t n)
{
	h->out_off += n;
}

bool
http_h2_alive(const struct http_h2 *h)
{
	return !h->broken && (nghttp2_session_want_read(h->session) ||
	    nghttp2_session_want_write(h->session) || h->out_off < h->out_len);
}

size_t
http_h2_streams(const struct http_h2 *h)
{
	return h->streams;
}
