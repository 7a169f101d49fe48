/*
 * dns_tcp: queries over TCP (RFC 1035 4.2.2, RFC 7766).
 *
 * Owns accepting connections, framing (a two-octet length before each
 * message), pipelining and the limits.  Every complete query in the
 * input is answered in order as soon as it is read, so a client may send
 * many before reading any (RFC 7766 6.2.1.1).  What bounds a connection:
 *
 *  - at most tcp-clients connections; one more is closed at once and
 *    counted (the kernel's backlog would only make it wait);
 *  - tcp-idle-ms without a new query closes it (RFC 7766 6.2.3), and so
 *    does a peer that stops reading our answers for that long;
 *  - at most TCP_OUT_HIGH octets of answers queued to a slow reader:
 *    beyond that we stop reading its queries until it catches up, so a
 *    client that only writes cannot make us buffer without end;
 *  - a message of length 0, or one shorter than a header, is framing
 *    no query can have: the connection is dropped.
 *
 * A zone transfer (dns_axfr.h) is produced as the peer reads it: one
 * message at a time while the output is below TCP_OUT_LOW.  Queries that
 * arrive meanwhile wait until it is done, keeping answers in order.
 */
#include <sys/socket.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "dns_axfr.h"
#include "dns_server.h"
#include "log.h"

#define TCP_OUT_HIGH	(256 * 1024)
#define TCP_OUT_LOW	(64 * 1024)

struct dns_tcp_conn {
	TAILQ_ENTRY(dns_tcp_conn) link;
	struct dns_server	*srv;
	struct bufferevent	*bev;
	struct sockaddr_storage	 peer;
	struct dns_axfr		*xfr;
	bool			 xfr_first;	/* its first message is next */
	bool			 eof;	/* peer closed its side */
};

/* Query in, answer out; one thread, so static. */
static uint8_t	tq[DNS_MSGMAX], tr[2 + DNS_MSGMAX];

static void	tcp_read(struct bufferevent *, void *);

static void
conn_free(struct dns_tcp_conn *c)
{
	struct dns_server *s = c->srv;

	TAILQ_REMOVE(&s->conns, c, link);
	s->nconns--;
	dns_axfr_free(c->xfr);
	bufferevent_free(c->bev);
	free(c);
}

static void
send_msg(struct dns_tcp_conn *c, size_t len)
{
	tr[0] = (uint8_t)(len >> 8);
	tr[1] = (uint8_t)len;
	bufferevent_write(c->bev, tr, 2 + len);
}

/* Whether the connection has done all it will and may go. */
static bool
finished(struct dns_tcp_conn *c)
{
	return c->eof && c->xfr == NULL &&
	    evbuffer_get_length(bufferevent_get_output(c->bev)) == 0;
}

/* More of a transfer, while the peer keeps up. */
static void
xfr_pump(struct dns_tcp_conn *c)
{
	struct evbuffer	*out = bufferevent_get_output(c->bev);
	size_t		 len;

	while (c->xfr != NULL && evbuffer_get_length(out) < TCP_OUT_LOW) {
		if ((len = dns_axfr_next(c->xfr, tr + 2, DNS_MSGMAX)) > 0) {
			/* A transfer counts once, by its first message. */
			if (c->xfr_first)
				dns_stats_response(&c->srv->stats, tr + 2, len,
				    true);
			c->xfr_first = false;
			send_msg(c, len);
			continue;
		}
		log_info("transfer of %s done", dns_axfr_zone(c->xfr));
		c->srv->stats.axfr_done++;
		if (dns_axfr_incremental(c->xfr))
			c->srv->stats.ixfr_incremental++;
		dns_axfr_free(c->xfr);
		c->xfr = NULL;
	}
}

/* A transfer asked for: start it, or send why not.  */
static void
transfer(struct dns_tcp_conn *c, const struct dns_query *q)
{
	struct dns_server	*s = c->srv;
	size_t			 len = 0;

	c->xfr = dns_axfr_start(q, dns_zones_current(s->zones), s->cfg,
	    (struct sockaddr *)&c->peer, tr + 2, DNS_MSGMAX, &len);
	if (c->xfr == NULL) {
		if ((tr[2 + 3] & 0xf) != DNS_R_NOERROR)
			s->stats.axfr_refused++;
		dns_stats_response(&s->stats, tr + 2, len, true);
		send_msg(c, len);
		return;
	}
	c->xfr_first = true;
	xfr_pump(c);
}

static void
answer(struct dns_tcp_conn *c, size_t qlen)
{
	struct dns_server	*s = c->srv;
	struct dns_query	 q;
	size_t			 len;

	if (dns_is_update(tq, qlen)) {
		if ((len = dns_server_update(s, tq, qlen,
		    (struct sockaddr *)&c->peer, tr + 2, DNS_MSGMAX)) > 0)
			send_msg(c, len);
		return;
	}
	if (dns_msg_parse(tq, qlen, &q) == DNS_R_NOERROR &&
	    q.qclass == DNS_CLASS_IN &&
	    (q.qtype == DNS_T_AXFR || q.qtype == DNS_T_IXFR)) {
		transfer(c, &q);
		return;
	}
	len = dns_answer(dns_zones_current(s->zones), &s->acfg, tq, qlen,
	    true, tr + 2, DNS_MSGMAX);
	dns_stats_response(&s->stats, tr + 2, len, true);
	if (len > 0)
		send_msg(c, len);
}

/*
 * Answer every whole query in the input.  -1: the framing was bad and
 * the connection has been freed.
 */
static int
drain_queries(struct dns_tcp_conn *c)
{
	struct evbuffer	*in = bufferevent_get_input(c->bev);
	struct evbuffer	*out = bufferevent_get_output(c->bev);
	uint8_t		 hdr[2];
	size_t		 len;

	while (c->xfr == NULL && evbuffer_get_length(out) < TCP_OUT_HIGH &&
	    evbuffer_copyout(in, hdr, 2) == 2) {
		len = (size_t)hdr[0] << 8 | hdr[1];
		if (len < DNS_HDRLEN) {
			c->srv->stats.tcp_bad++;
			conn_free(c);
			return -1;
		}
		if (evbuffer_get_length(in) < 2 + len)
			break;
		evbuffer_drain(in, 2);
		evbuffer_remove(in, tq, len);
		answer(c, len);
	}
	return 0;
}

/* Read queries only while there is room for their answers. */
static void
flow(struct dns_tcp_conn *c)
{
	struct evbuffer	*out = bufferevent_get_output(c->bev);

	if (c->eof || c->xfr != NULL || evbuffer_get_length(out) >= TCP_OUT_HIGH)
		bufferevent_disable(c->bev, EV_READ);
	else
		bufferevent_enable(c->bev, EV_READ);
}

static void
tcp_read(struct bufferevent *bev, void *arg)
{
	struct dns_tcp_conn	*c = arg;

	(void)bev;
	if (drain_queries(c) == -1)
		return;
	flow(c);
}

/* Output drained below the low mark: more transfer, or more queries. */
static void
tcp_write(struct bufferevent *bev, void *arg)
{
	struct dns_tcp_conn	*c = arg;

	(void)bev;
	xfr_pump(c);
	if (c->xfr == NULL && drain_queries(c) == -1)
		return;
	if (finished(c)) {
		conn_free(c);
		return;
	}
	flow(c);
}

static void
tcp_event(struct bufferevent *bev, short what, void *arg)
{
	struct dns_tcp_conn	*c = arg;

	(void)bev;
	if (what & BEV_EVENT_TIMEOUT) {
		c->srv->stats.tcp_idle_closed++;
		conn_free(c);
		return;
	}
	if ((what & BEV_EVENT_EOF) && !(what & BEV_EVENT_ERROR)) {
		/* Queries already read still get their answers. */
		c->eof = true;
		if (drain_queries(c) == -1)
			return;
		if (finished(c))
			conn_free(c);
		else
			flow(c);
		return;
	}
	conn_free(c);
}

static void
tcp_accept(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct dns_server	*s = arg;
	struct dns_tcp_conn	*c;
	struct timeval		 idle;

	(void)l;
	if (s->nconns >= (unsigned)s->cfg->tcp_clients ||
	    (c = calloc(1, sizeof(*c))) == NULL) {
		s->stats.tcp_over_limit++;
		close(fd);
		return;
	}
	c->srv = s;
	memcpy(&c->peer, sa, (size_t)salen < sizeof(c->peer) ?
	    (size_t)salen : sizeof(c->peer));
	c->bev = bufferevent_socket_new(s->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		close(fd);
		free(c);
		return;
	}
	idle.tv_sec = s->cfg->tcp_idle_ms / 1000;
	idle.tv_usec = (s->cfg->tcp_idle_ms % 1000) * 1000;
	bufferevent_set_timeouts(c->bev, &idle, &idle);
	bufferevent_setwatermark(c->bev, EV_WRITE, TCP_OUT_LOW, 0);
	bufferevent_setcb(c->bev, tcp_read, tcp_write, tcp_event, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	TAILQ_INSERT_TAIL(&s->conns, c, link);
	s->nconns++;
	s->stats.tcp_accepted++;
}

struct evconnlistener *
dns_tcp_listen(struct dns_server *s, int fd)
{
	struct evconnlistener	*l;

	l = evconnlistener_new(s->base, tcp_accept, s,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 128, fd);
	if (l == NULL)
		log_warnx("tcp: cannot listen");
	return l;
}

void
dns_tcp_close_all(struct dns_server *s)
{
	struct dns_tcp_conn	*c;

	while ((c = TAILQ_FIRST(&s->conns)) != NULL)
		conn_free(c);
}
