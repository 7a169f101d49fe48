#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/event_struct.h>

#include "http_chunked.h"
#include "http_config.h"
#include "http_conn.h"
#include "http_h2.h"
#include "http_log.h"
#include "http_parse.h"
#include "http_resp.h"
#include "http_server.h"
#include "http_tls.h"
#include "log.h"

#define BUF_START	2048
#define LINGER_MS	2000
#define LINGER_BYTES	(1 << 20)
#define EXPIRE_PER_TICK	128

enum { ST_HANDSHAKE, ST_READ_HEAD, ST_READ_BODY, ST_SEND, ST_LINGER, ST_H2 };

/* What only a connection with a request in progress needs. */
struct http_active {
	struct http_req		 req;
	struct http_resp	 resp;
	struct http_chunked	 chunked;	/* a body being dropped */
	uint64_t		 body_left;
};

struct http_conn {
	struct http_conn	*prev, *next;
	struct http_server	*srv;
	int			 fd;
	uint8_t			 state;
	bool			 writing;	/* ev waits to write, not read */
	bool			 admin;		/* an admin listener's */
	uint8_t			 peer_af;	/* the client, for the log */
	uint8_t			 peer_addr[16];
	struct event		 ev;
	SSL			*ssl;		/* HTTPS; NULL for HTTP */
	struct http_h2		*h2;		/* HTTP/2, chosen by ALPN */
	struct http_active	*a;
	char			*buf;
	uint32_t		 len, cap;
	uint64_t		 deadline_ms;
	uint64_t		 idle_since_ms;
	uint64_t		 start_us;	/* the request's first byte */
	bool			 body;		/* to drop once answered */
	bool			 body_chunked;
	uint64_t		 lingered;
};

static void	on_event(evutil_socket_t, short, void *);
static int	progress(struct http_conn *);

static const struct http_limits *
limits(const struct http_conn *c)
{
	return &c->srv->cfg->limits;
}

/* One event a connection (memory per idle client counts): it waits
 * to read, or, while a response is stuck, to write. */
static void
watch(struct http_conn *c, bool writing)
{
	if (c->writing == writing)
		return;
	event_del(&c->ev);
	event_assign(&c->ev, c->srv->base, c->fd,
	    (writing ? EV_WRITE : EV_READ) | EV_PERSIST, on_event, c);
	event_add(&c->ev, NULL);
	c->writing = writing;
}

/* The address alone, 17 bytes, made text only for the log. */
static void
remember_peer(struct http_conn *c, const struct sockaddr *sa)
{
	const struct sockaddr_in6	*s6 = (const void *)sa;
	const struct sockaddr_in	*s4 = (const void *)sa;

	c->peer_af = (uint8_t)sa->sa_family;
	if (sa->sa_family == AF_INET6)
		memcpy(c->peer_addr, &s6->sin6_addr, 16);
	else
		memcpy(c->peer_addr, &s4->sin_addr, 4);
}

/* Each connection's read buffer and request in progress are counted in
 * stats.held_bytes, so that the memory idle clients hold is visible. */
static void
drop_buf(struct http_conn *c)
{
	if (c->buf == NULL)
		return;
	c->srv->stats.held_bytes -= c->cap;
	free(c->buf);
	c->buf = NULL;
	c->cap = 0;
}

static void
drop_active(struct http_conn *c)
{
	if (c->a == NULL)
		return;
	c->srv->stats.held_bytes -= sizeof(*c->a);
	http_resp_free(&c->a->resp);
	free(c->a);
	c->a = NULL;
}

static void
conn_free(struct http_conn *c)
{
	struct http_server	*s = c->srv;

	event_del(&c->ev);
	http_h2_free(c->h2);
	http_tls_conn_free(c->ssl);
	close(c->fd);
	drop_active(c);
	drop_buf(c);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	s->stats.active--;
	s->stats.closed++;
	free(c);
}

/* The write side shut, the client's remaining bytes read and dropped. */
static void
linger(struct http_conn *c)
{
	shutdown(c->fd, SHUT_WR);
	c->state = ST_LINGER;
	c->len = 0;
	c->lingered = 0;
	c->deadline_ms = http_server_now_ms() + LINGER_MS;
	watch(c, false);
}

/* The read buffer alone: all an HTTP/2 connection needs here (nghttp2
 * keeps its own state, each stream its own http_active). */
static int
ensure_buf(struct http_conn *c)
{
	if (c->buf == NULL) {
		if ((c->buf = malloc(BUF_START)) == NULL)
			return -1;
		c->cap = BUF_START;
		c->srv->stats.held_bytes += BUF_START;
	}
	return 0;
}

/* The read buffer and the request in progress, made when the first byte
 * of a request is due, so that an idle connection holds neither. */
static int
ensure_buffers(struct http_conn *c)
{
	if (c->a == NULL) {
		if ((c->a = calloc(1, sizeof(*c->a))) == NULL)
			return -1;
		c->srv->stats.held_bytes += sizeof(*c->a);
		c->a->resp.fd = -1;
		http_req_init(&c->a->req);
	}
	return ensure_buf(c);
}

/* Room to read into: the buffer doubles up to the head limit (and a
 * little over, so that a head exactly at the limit still fits). */
static int
grow(struct http_conn *c)
{
	uint32_t	 max = (uint32_t)limits(c)->head + 1, cap;
	char		*nb;

	if (c->cap >= max)
		return 0;
	cap = c->cap * 2 < max ? c->cap * 2 : max;
	if ((nb = realloc(c->buf, cap)) == NULL)
		return -1;
	c->srv->stats.held_bytes += cap - c->cap;
	c->buf = nb;
	c->cap = cap;
	return 0;
}

static void
log_response(struct http_conn *c, uint64_t us)
{
	struct http_active	*a = c->a;
	struct http_log_entry	 e = { 0 };
	const struct http_req	*r = &a->req;
	char			 client[INET6_ADDRSTRLEN];

	if (c->srv->log == NULL)
		return;
	e.client = inet_ntop(c->peer_af, c->peer_addr, client,
	    sizeof(client)) != NULL ? client : "-";
	e.when = time(NULL);
	e.method = c->buf + r->method_text.off;
	e.method_len = r->method_text.len;
	e.target = c->buf + r->target.off;
	e.target_len = r->target.len;
	e.referer = c->buf + r->referer.off;
	e.referer_len = r->referer.len;
	e.agent = c->buf + r->user_agent.off;
	e.agent_len = r->user_agent.len;
	e.version = r->minor == 0 ? "HTTP/1.0" : "HTTP/1.1";
	e.status = a->resp.status;
	/* Body bytes sent, as nginx logs them (none for HEAD or 304). */
	e.bytes = a->resp.sent > a->resp.head_len ?
	    a->resp.sent - a->resp.head_len : 0;
	e.us = us;
	http_log_write(c->srv->log, &e);
}

/* The response is out: count it, log it, and make room for the next. */
static void
finished(struct http_conn *c)
{
	struct http_active	*a = c->a;
	uint32_t		 used = a->req.head_len;
	uint64_t		 us = http_server_now_us() - c->start_us;

	c->srv->stats.bytes_out += a->resp.sent;
	http_stats_response(&c->srv->stats, a->resp.status, us);
	log_response(c, us);
	if (a->resp.close) {
		http_resp_reset(&a->resp);
		linger(c);
		return;
	}
	http_resp_reset(&a->resp);
	/* The bytes of a pipelined request behind it move to the front. */
	if (used > c->len)
		used = c->len;
	memmove(c->buf, c->buf + used, c->len - used);
	c->len -= used;
	http_req_init(&a->req);
	c->state = ST_READ_HEAD;
	if (c->body) {
		c->body = false;
		c->state = ST_READ_BODY;
	}
	c->idle_since_ms = http_server_now_ms();
	c->deadline_ms = c->idle_since_ms + (uint64_t)(c->state ==
	    ST_READ_BODY ? limits(c)->body_timeout_ms : c->len > 0 ?
	    limits(c)->header_timeout_ms : limits(c)->idle_timeout_ms);
	c->start_us = http_server_now_us();
	watch(c, false);
}

/* 0 when the response is out (or waits on the socket), -1 closed. */
static int
send_now(struct http_conn *c)
{
	bool	 want_read = false;
	int	 rc;

	if (c->ssl != NULL)
		rc = http_resp_send_tls(&c->a->resp, c->ssl, &want_read);
	else
		rc = http_resp_send(&c->a->resp, c->fd);
	if (rc < 0) {
		conn_free(c);
		return -1;
	}
	if (rc == 0) {
		c->deadline_ms = http_server_now_ms() +
		    (uint64_t)limits(c)->send_timeout_ms;
		watch(c, !want_read);
		return 0;
	}
	finished(c);
	return 0;
}

/* An error that ends the connection: the answer, then linger. */
static int
fail(struct http_conn *c, int status)
{
	struct http_active	*a = c->a;

	if (a->req.head_len == 0)
		a->req.head_len = c->len;	/* nothing after it is used */
	http_server_date(c->srv);
	http_resp_reset(&a->resp);
	http_resp_error(&a->resp, status, c->srv->site.date,
	    a->req.method == HTTP_M_HEAD, false, NULL);
	c->state = ST_SEND;
	return send_now(c);
}

/* "100 Continue" before a success, so the client sends its body. */
static void
prepend_continue(struct http_resp *r)
{
	static const char	 cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
	size_t			 n = sizeof(cont) - 1;

	if (r->head_len + n > sizeof(r->head)) {
		r->overflow = true;
		return;
	}
	memmove(r->head + n, r->head, r->head_len);
	memcpy(r->head, cont, n);
	r->head_len += n;
}

static void
serve(struct http_conn *c, bool keep)
{
	struct http_server	*s = c->srv;
	struct http_active	*a = c->a;

	http_server_date(s);
	s->site.now_ms = http_server_now_ms();
	http_resp_reset(&a->resp);
	http_server_answer(s, c->admin, c->buf, &a->req, &a->resp, keep);
}

/* expect: the client waits for 100 before it sends the body. */
static int
respond(struct http_conn *c, bool keep, bool expect)
{
	struct http_resp	*r = &c->a->resp;

	serve(c, keep);
	if (expect && r->status >= 400) {
		c->body = false;	/* never sent: nothing to drop */
		serve(c, false);
	} else if (expect)
		prepend_continue(r);
	if (r->overflow)
		return fail(c, 500);
	c->state = ST_SEND;
	return send_now(c);
}

/*
 * Drops the request body's bytes at buf[from...]: what follows the body
 * (a pipelined request) moves up.  1: all of it is gone; 0: more to
 * come; -1: the framing is broken or too large.
 */
static int
consume_body(struct http_conn *c, uint32_t from)
{
	size_t	 avail = c->len - from, used;
	int	 rc;

	if (c->body_chunked) {
		rc = http_chunked_feed(&c->a->chunked, c->buf + from, avail,
		    (uint64_t)limits(c)->body, &used);
		if (rc >= 400) {
			c->srv->stats.bad_framing++;
			return -1;
		}
	} else {
		used = avail < c->a->body_left ? avail :
		    (size_t)c->a->body_left;
		c->a->body_left -= used;
		rc = c->a->body_left == 0;
	}
	memmove(c->buf + from, c->buf + from + used, avail - used);
	c->len -= (uint32_t)used;
	c->deadline_ms = http_server_now_ms() +
	    (uint64_t)limits(c)->body_timeout_ms;
	return rc == 1;
}

/* The rest of a body after its request was answered. */
static int
drop_body(struct http_conn *c)
{
	int	 rc = consume_body(c, 0);

	if (rc < 0)
		conn_free(c);
	if (rc != 1)
		return rc;
	c->body = false;
	c->state = ST_READ_HEAD;
	c->start_us = http_server_now_us();
	c->deadline_ms = http_server_now_ms() + (uint64_t)(c->len > 0 ?
	    limits(c)->header_timeout_ms : limits(c)->idle_timeout_ms);
	return 1;
}

/*
 * A head is in: the body bytes already here are checked and dropped,
 * the request answered at once, and the rest of its body (httpd uses
 * none) dropped afterwards, as nginx does.  Broken framing in what is
 * here is a 400 for a GET or HEAD; another method gets its own answer
 * (405, 404...) and the connection closes.  With "Expect: 100-continue"
 * a success is preceded by 100 so the client sends the body; an error
 * closes instead of waiting for a body the client holds back.
 */
static int
head_done(struct http_conn *c)
{
	struct http_req	*r = &c->a->req;
	bool		 body = r->chunked || r->content_length > 0;
	bool		 expect = body && r->expect_continue;
	int		 rc;

	if (r->has_length && r->content_length > (uint64_t)limits(c)->body)
		return fail(c, 413);
	c->body = body;
	c->body_chunked = r->chunked;
	c->a->body_left = r->content_length;
	http_chunked_init(&c->a->chunked);
	if (body && !expect) {
		if ((rc = consume_body(c, r->head_len)) == 1)
			c->body = false;
		else if (rc < 0) {
			c->body = false;
			if (r->method == HTTP_M_GET || r->method == HTTP_M_HEAD)
				return fail(c, 400);
			return respond(c, false, false);
		}
	}
	return respond(c, http_req_keepalive(r), expect);
}

/* Everything the buffered bytes allow; -1 once the connection is gone. */
static int
progress(struct http_conn *c)
{
	struct http_parse_limits	 pl;
	const struct http_limits	*l;
	int				 rc;

	for (;;) {
		l = limits(c);
		if (c->state == ST_READ_HEAD) {
			if (c->len == 0)
				return 0;
			pl.request_line = (uint32_t)l->request_line;
			pl.head = (uint32_t)l->head;
			pl.fields = (uint32_t)l->fields;
			pl.field_line = (uint32_t)l->field_line;
			rc = http_parse(&c->a->req, c->buf, c->len, &pl);
			if (rc == HTTP_PARSE_MORE)
				return 0;
			if (rc != HTTP_PARSE_DONE) {
				c->srv->stats.bad_framing++;
				return fail(c, rc);
			}
			if (head_done(c) != 0)
				return -1;
		} else if (c->state == ST_READ_BODY) {
			if ((rc = drop_body(c)) != 1)
				return rc < 0 ? -1 : 0;
		} else
			return 0;	/* sending, or lingering */
	}
}

static void
lingering_read(struct http_conn *c)
{
	char	 sink[4096];
	ssize_t	 n;

	while ((n = read(c->fd, sink, sizeof(sink))) > 0)
		if ((c->lingered += (uint64_t)n) > LINGER_BYTES)
			break;
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) ||
	    c->lingered > LINGER_BYTES)
		conn_free(c);
}

/*
 * Bytes from the client: > 0, or 0 when it must wait (*want_write: for
 * the socket to be writable, TLS needing it), or -1 at its end.
 */
static ssize_t
conn_read(struct http_conn *c, char *buf, size_t len, bool *want_write)
{
	ssize_t	 n;
	size_t	 got;

	*want_write = false;
	if (c->ssl != NULL) {
		switch (http_tls_read(c->ssl, buf, len, &got)) {
		case HTTP_TLS_OK:
			return (ssize_t)got;
		case HTTP_TLS_WANT_READ:
			return 0;
		case HTTP_TLS_WANT_WRITE:
			*want_write = true;
			return 0;
		default:
			return -1;
		}
	}
	do
		n = read(c->fd, buf, len);
	while (n < 0 && errno == EINTR);
	if (n > 0)
		return n;
	return n < 0 && errno == EAGAIN ? 0 : -1;
}

/* Bytes TLS has decrypted already: no socket event will tell of them. */
static bool
more_buffered(const struct http_conn *c)
{
	return c->ssl != NULL && http_tls_pending(c->ssl);
}

static void
read_more(struct http_conn *c)
{
	ssize_t		 n;
	uint32_t	 room;
	bool		 want_write;

	if (ensure_buffers(c) == -1) {
		conn_free(c);
		return;
	}
	for (;;) {
		if (c->len == c->cap && grow(c) == -1) {
			conn_free(c);
			return;
		}
		room = c->cap - c->len;
		if (room == 0)
			return;	/* the parser has said 431 or 414 by now */
		if (c->len == 0 && c->state == ST_READ_HEAD)
			c->start_us = http_server_now_us();
		if ((n = conn_read(c, c->buf + c->len, room, &want_write)) < 0) {
			conn_free(c);
			return;
		}
		if (n == 0) {
			watch(c, want_write);
			return;
		}
		watch(c, false);
		if (c->len == 0 && c->state == ST_READ_HEAD)
			c->deadline_ms = http_server_now_ms() +
			    (uint64_t)limits(c)->header_timeout_ms;
		c->len += (uint32_t)n;
		if (progress(c) < 0)
			return;
		/* Now waiting to write, or ending: this event is over.  A
		 * short read drained the socket (one read(2) saved). */
		if (c->state == ST_SEND || c->state == ST_LINGER ||
		    ((uint32_t)n < room && !more_buffered(c)))
			return;
	}
}

/* HTTP/2's frames for the client, written until the socket is full. */
static void
h2_flush(struct http_conn *c)
{
	const char	*p;
	size_t		 len, w;

	while ((len = http_h2_output(c->h2, &p)) > 0) {
		switch (http_tls_write(c->ssl, p, len, &w)) {
		case HTTP_TLS_OK:
			http_h2_sent(c->h2, w);
			continue;
		case HTTP_TLS_CLOSED:
			conn_free(c);
			return;
		case HTTP_TLS_WANT_READ:
			watch(c, false);
			break;
		case HTTP_TLS_WANT_WRITE:
			watch(c, true);
			break;
		}
		c->deadline_ms = http_server_now_ms() +
		    (uint64_t)limits(c)->send_timeout_ms;
		return;
	}
	if (!http_h2_alive(c->h2)) {
		conn_free(c);
		return;
	}
	watch(c, false);
	c->deadline_ms = http_server_now_ms() + (uint64_t)(http_h2_streams(
	    c->h2) > 0 ? limits(c)->send_timeout_ms :
	    limits(c)->idle_timeout_ms);
}

/* HTTP/2: what the client sent to nghttp2, then what it answers. */
static void
h2_event(struct http_conn *c)
{
	ssize_t	 n;
	bool	 want_write;

	if (ensure_buf(c) == -1) {
		conn_free(c);
		return;
	}
	for (;;) {
		if ((n = conn_read(c, c->buf, c->cap, &want_write)) < 0 ||
		    (n > 0 && http_h2_input(c->h2, c->buf, (size_t)n) != 0)) {
			conn_free(c);
			return;
		}
		if (n == 0 || ((size_t)n < c->cap && !more_buffered(c)))
			break;
	}
	c->idle_since_ms = http_server_now_ms();
	h2_flush(c);
}

static void
handshake(struct http_conn *c)
{
	const char	*alpn;

	switch (http_tls_handshake(c->ssl)) {
	case HTTP_TLS_OK:
		c->srv->stats.tls_handshakes++;
		alpn = http_tls_alpn(c->ssl);
		if (alpn != NULL && strcmp(alpn, "h2") == 0) {
			if ((c->h2 = http_h2_new(c->srv, c->peer_af,
			    c->peer_addr)) == NULL) {
				conn_free(c);
				return;
			}
			c->srv->stats.h2_connections++;
			c->state = ST_H2;
			h2_event(c);
			return;
		}
		c->state = ST_READ_HEAD;
		watch(c, false);
		read_more(c);	/* a request may have come with it */
		return;
	case HTTP_TLS_WANT_READ:
		watch(c, false);
		return;
	case HTTP_TLS_WANT_WRITE:
		watch(c, true);
		return;
	default:
		c->srv->stats.tls_failed++;
		conn_free(c);
	}
}

static void
on_event(evutil_socket_t fd, short what, void *arg)
{
	struct http_conn	*c = arg;

	(void)fd;
	(void)what;
	switch (c->state) {
	case ST_HANDSHAKE:
		handshake(c);
		return;
	case ST_LINGER:
		lingering_read(c);
		return;
	case ST_H2:
		h2_event(c);
		return;
	case ST_SEND:
		/* Done: then the requests already here, and any TLS holds. */
		if (send_now(c) != 0 || c->state == ST_SEND ||
		    progress(c) != 0)
			return;
		if (more_buffered(c) && (c->state == ST_READ_HEAD ||
		    c->state == ST_READ_BODY))
			read_more(c);
		return;
	default:
		read_more(c);
	}
}

void
http_conn_accept(struct http_server *s, int fd, const struct sockaddr *peer,
    struct http_tls *tls, bool admin)
{
	struct http_conn	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		close(fd);
		return;
	}
	c->srv = s;
	c->fd = fd;
	c->admin = admin;
	c->state = ST_READ_HEAD;
	if (tls != NULL) {
		c->state = ST_HANDSHAKE;
		if ((c->ssl = http_tls_conn(tls, fd)) == NULL) {
			close(fd);
			free(c);
			return;
		}
	}
	remember_peer(c, peer);
	event_assign(&c->ev, s->base, fd, EV_READ | EV_PERSIST, on_event, c);
	if (event_add(&c->ev, NULL) == -1) {
		http_tls_conn_free(c->ssl);
		close(fd);
		free(c);
		return;
	}
	c->idle_since_ms = http_server_now_ms();
	c->deadline_ms = c->idle_since_ms +
	    (uint64_t)limits(c)->header_timeout_ms;
	c->next = s->conns;
	if (s->conns != NULL)
		s->conns->prev = c;
	s->conns = c;
	s->stats.accepted++;
	s->stats.active++;
}

/* A deadline passed: what it means depends on what we waited for. */
static void
expired(struct http_conn *c)
{
	struct http_stats	*st = &c->srv->stats;
	struct linger		 reset = { .l_onoff = 1, .l_linger = 0 };

	switch (c->state) {
	case ST_HANDSHAKE:
		st->timeouts_header++;
		conn_free(c);
		return;
	case ST_READ_HEAD:
		if (c->len == 0) {
			st->timeouts_idle++;
			conn_free(c);
			return;
		}
		st->timeouts_header++;
		fail(c, 408);
		return;
	case ST_READ_BODY:	/* already answered: nothing to say */
		st->timeouts_body++;
		conn_free(c);
		return;
	case ST_H2:
		if (http_h2_streams(c->h2) == 0)
			st->timeouts_idle++;
		else
			st->timeouts_send++;
		conn_free(c);
		return;
	case ST_SEND:
		/* Reset, not closed: a close would leave what the client
		 * never read queued in the kernel, for minutes of zero
		 * window probes. */
		st->timeouts_send++;
		setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
		conn_free(c);
		return;
	default:
		conn_free(c);
	}
}

void
http_conn_sweep(struct http_server *s, uint64_t now_ms)
{
	struct http_conn	*c, *next;

	unsigned		 ended = 0;
	size_t			 given = 0;

	for (c = s->conns; c != NULL; c = next) {
		next = c->next;
		/* A burst of deadlines (a slowloris crowd connected at once)
		 * is ended over several ticks, so that serving others never
		 * waits on all of it at once. */
		if (now_ms >= c->deadline_ms && ended < EXPIRE_PER_TICK) {
			ended++;
			expired(c);
			continue;
		}
		/* Idle for a tick with nothing buffered: give memory back. */
		if (c->state == ST_H2 && c->buf != NULL &&
		    now_ms - c->idle_since_ms >= 100) {
			/* nghttp2 took what was read: the buffer is spare. */
			given += c->cap;
			drop_buf(c);
		} else if (c->state == ST_READ_HEAD && c->len == 0 &&
		    now_ms - c->idle_since_ms >= 100 && c->buf != NULL) {
			given += c->cap + (c->a != NULL ? sizeof(*c->a) : 0);
			drop_buf(c);
			drop_active(c);
		}
	}
	/* Many idle clients' buffers freed at once lie scattered in the
	 * heap, where free() keeps them: give the pages back. */
	if (given >= 1 << 20)
		malloc_trim(0);
}

void
http_conn_close_all(struct http_server *s)
{
	while (s->conns != NULL)
		conn_free(s->conns);
}
