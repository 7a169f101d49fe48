/*
 * bf_nbd: the listeners, each client's life and its flow control
 * (bf_nbd.h).  Its bytes are read into a bufferevent no more than
 * BF_READ_HIGH at a time; bf_nbd_hs.c and bf_nbd_tx.c take them from there.
 */
/* xenctrl.h first: it tells the Xen headers after it this is a tool. */
#include <xenctrl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <netinet/in.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "bf_dev.h"
#include "bf_nbd_int.h"
#include "log.h"

#define OUT_MAX		(16u << 20)	/* replies queued before we stop
					   reading a slow reader */
/*
 * Bytes one writev may take, and the socket's send buffer: libevent's
 * default of 16 KiB a write makes a 1 MiB read's reply 64 system calls
 * and as many wakeups of the client; the kernel's default send buffer
 * (about 200 KiB) five.  The kernel caps it at net.core.wmem_max (and
 * doubles it); what it holds is the kernel's, beside our OUT_MAX.
 */
#define WRITE_MAX	(2u << 20)

static void	conn_free(struct bf_conn *);

struct evbuffer *
bf_conn_out(struct bf_conn *c)
{
	return bufferevent_get_output(c->bev);
}

void
bf_conn_count_err(struct bf_nbd *s, uint32_t e)
{
	static const struct { uint32_t nbd; enum bf_nbd_err k; } map[] = {
		{ NBD_EPERM, BF_NE_EPERM }, { NBD_EIO, BF_NE_EIO },
		{ NBD_ENOMEM, BF_NE_ENOMEM }, { NBD_EINVAL, BF_NE_EINVAL },
		{ NBD_ENOSPC, BF_NE_ENOSPC }, { NBD_ENOTSUP, BF_NE_ENOTSUP },
		{ NBD_ESHUTDOWN, BF_NE_ESHUTDOWN },
	};
	size_t	 i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].nbd == e)
			s->stats.errors[map[i].k]++;
}

const char *
bf_nbd_err_name(enum bf_nbd_err e)
{
	static const char *const names[BF_NE_MAX] = { "eperm", "eio",
	    "enomem", "einval", "enospc", "enotsup", "eshutdown" };

	return (unsigned)e < BF_NE_MAX ? names[e] : "unknown";
}

/* Nothing more to say to a closing client: it goes. */
static bool
conn_finished(struct bf_conn *c)
{
	return c->state == BC_CLOSING && c->nreqs == 0 &&
	    evbuffer_get_length(bf_conn_out(c)) == 0;
}

void
bf_conn_flow(struct bf_conn *c)
{
	bool	 stop = c->state == BC_CLOSING ||
		    evbuffer_get_length(bf_conn_out(c)) > OUT_MAX ||
		    (c->state == BC_TRANS && !bf_tx_may_read(c));

	if (stop && !c->paused) {
		bufferevent_disable(c->bev, EV_READ);
		c->paused = true;
	} else if (!stop && c->paused) {
		c->paused = false;
		bufferevent_enable(c->bev, EV_READ);
		/* What it sent meanwhile is already read: go through it,
		 * from the loop (we may be inside a reply). */
		bufferevent_trigger(c->bev, EV_READ,
		    BEV_TRIG_IGNORE_WATERMARKS | BEV_TRIG_DEFER_CALLBACKS);
	}
}

static void
on_read(struct bufferevent *bev, void *arg)
{
	struct bf_conn	*c = arg;
	int		 rc;

	(void)bev;
	if (c->paused)
		return;
	rc = c->state < BC_TRANS ? bf_hs_input(c) : 0;
	if (rc == 0 && c->state == BC_TRANS)
		rc = bf_tx_input(c);
	if (rc == 0) {
		if (conn_finished(c))
			conn_free(c);
		else
			bf_conn_flow(c);
	}
}

/* The output drained: a closing client goes, a paused one may read. */
static void
on_write(struct bufferevent *bev, void *arg)
{
	struct bf_conn	*c = arg;

	(void)bev;
	if (conn_finished(c))
		conn_free(c);
	else
		bf_conn_flow(c);
}

static void
on_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		conn_free(arg);
}

void
bf_conn_drop(struct bf_conn *c, const char *why)
{
	log_debug("nbd: a client dropped: %s", why);
	c->srv->stats.dropped++;
	conn_free(c);
}

static void
nreq_free(struct bf_nreq *r)
{
	free(r->io.buf);
	free(r);
}

/*
 * Its requests still in the rings are orphaned, freed when answered.
 * Their buffers go now: a cancelled io is never put on a ring again and
 * nothing is copied out for it, so a client that comes and goes cannot
 * pile up buffers behind the rings.
 */
static void
conn_free(struct bf_conn *c)
{
	struct bf_nreq	*r;

	while ((r = LIST_FIRST(&c->reqs)) != NULL) {
		LIST_REMOVE(r, link);
		r->conn = NULL;
		if (bf_dev_cancel(c->srv->dev, &r->io))
			nreq_free(r);
		else {
			free(r->io.buf);
			r->io.buf = NULL;
		}
	}
	if (c->wreq != NULL)
		nreq_free(c->wreq);
	LIST_REMOVE(c, link);
	c->srv->nconns--;
	c->srv->stats.open--;
	bufferevent_free(c->bev);
	free(c);
}

static void
on_accept(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct bf_nbd	*s = arg;
	struct bf_conn	*c;
	int		 sndbuf = WRITE_MAX;

	(void)l;
	(void)sa;
	(void)salen;
	if (s->nconns >= (unsigned)(*s->cfg)->max_conns ||
	    (c = calloc(1, sizeof(*c))) == NULL) {
		s->stats.refused++;
		(void)close(fd);
		return;
	}
	if ((c->bev = bufferevent_socket_new(s->base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		(void)close(fd);
		free(c);
		s->stats.refused++;
		return;
	}
	c->srv = s;
	LIST_INIT(&c->reqs);
	LIST_INSERT_HEAD(&s->conns, c, link);
	s->nconns++;
	s->stats.accepted++;
	s->stats.open++;
	bufferevent_setcb(c->bev, on_read, on_write, on_event, c);
	bufferevent_setwatermark(c->bev, EV_READ, 0, BF_READ_HIGH);
	(void)bufferevent_set_max_single_write(c->bev, WRITE_MAX);
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	bf_hs_greet(c);
}

struct bf_nbd *
bf_nbd_new(struct event_base *base, struct bf_dev *dev,
    const struct bf_config *const *cfg)
{
	struct bf_nbd	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		log_warn("nbd");
		return NULL;
	}
	s->base = base;
	s->dev = dev;
	s->cfg = cfg;
	LIST_INIT(&s->conns);
	return s;
}

/* A socket left by a run of ours that died goes; anything else stays
 * (and bind fails). */
static void
unlink_stale(const char *path)
{
	struct stat	 st;

	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		(void)unlink(path);
}

static int
listen_unix(struct bf_nbd *s, const char *path)
{
	struct sockaddr_un	 sun;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	/* Its length was checked with the configuration. */
	memcpy(sun.sun_path, path, strlen(path));
	unlink_stale(path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		log_warn("nbd: %s", path);
		if (fd != -1)
			(void)close(fd);
		return -1;
	}
	if ((s->unix_l = evconnlistener_new(s->base, on_accept, s,
	    LEV_OPT_CLOSE_ON_FREE, 16, fd)) == NULL) {
		log_warn("nbd: listening on %s", path);
		(void)close(fd);
		(void)unlink(path);
		return -1;
	}
	if ((s->unix_path = strdup(path)) == NULL)
		log_warn("nbd: %s will not be removed", path);
	return 0;
}

static int
listen_tcp(struct bf_nbd *s, int port)
{
	struct sockaddr_in	 sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((s->tcp_l = evconnlistener_new_bind(s->base, on_accept, s,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 16,
	    (struct sockaddr *)&sin, sizeof(sin))) == NULL) {
		log_warn("nbd: 127.0.0.1:%d", port);
		return -1;
	}
	return 0;
}

int
bf_nbd_listen(struct bf_nbd *s)
{
	const struct bf_config	*c = *s->cfg;

	if (bf_nbd_listening(s))
		return 0;
	if (c->nbd_socket != NULL && listen_unix(s, c->nbd_socket) != 0)
		return -1;
	if (c->nbd_tcp_port != 0 && listen_tcp(s, c->nbd_tcp_port) != 0) {
		bf_nbd_stop_listening(s);
		return -1;
	}
	log_info("nbd: serving on %s, TCP port %d (0: none)",
	    c->nbd_socket != NULL ? c->nbd_socket : "no socket",
	    c->nbd_tcp_port);
	return 0;
}

bool
bf_nbd_listening(const struct bf_nbd *s)
{
	return s->unix_l != NULL || s->tcp_l != NULL;
}

void
bf_nbd_stop_listening(struct bf_nbd *s)
{
	if (s->unix_l != NULL)
		evconnlistener_free(s->unix_l);
	if (s->tcp_l != NULL)
		evconnlistener_free(s->tcp_l);
	s->unix_l = s->tcp_l = NULL;
	if (s->unix_path != NULL)
		(void)unlink(s->unix_path);
	free(s->unix_path);
	s->unix_path = NULL;
}

void
bf_nbd_free(struct bf_nbd *s)
{
	if (s == NULL)
		return;
	bf_nbd_stop_listening(s);
	while (!LIST_EMPTY(&s->conns))
		conn_free(LIST_FIRST(&s->conns));
	free(s);
}

const struct bf_nbd_stats *
bf_nbd_stats(const struct bf_nbd *s)
{
	return &s->stats;
}
