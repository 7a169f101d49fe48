#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "log.h"
#include "xs_conn.h"
#include "xs_domain.h"
#include "xs_ops.h"
#include "xs_server.h"
#include "xs_txn.h"
#include "xs_watch.h"

struct xs_conn *
xs_conn_new(struct xs_server *srv, unsigned domid,
    const struct xs_transport *tp, void *tparg, const char *desc)
{
	struct xs_conn	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->srv = srv;
	c->tp = tp;
	c->tparg = tparg;
	c->domid = domid;
	c->out_tail = &c->out_head;
	snprintf(c->desc, sizeof(c->desc), "%s", desc);
	TAILQ_INSERT_TAIL(&srv->conns, c, entry);
	c->tp->want(c->tparg, true, false);
	log_debug("%s: connected as domain %u", c->desc, domid);
	return c;
}

void
xs_conn_free(struct xs_conn *c)
{
	struct xs_msg	*m;

	log_debug("%s: closed", c->desc);
	xs_watch_drop_conn(c->srv, c);
	xs_conn_txn_drop_all(c);
	free(c->txns);
	if (c->throttle != NULL)
		event_free(c->throttle);
	while ((m = c->out_head) != NULL) {
		c->out_head = m->next;
		xs_msg_free(m);
	}
	TAILQ_REMOVE(&c->srv->conns, c, entry);
	c->tp->destroy(c->tparg);
	free(c);
}

struct xs_who
xs_conn_who(const struct xs_conn *c)
{
	const struct xs_dom	*d = xs_dom_find(c->srv->doms, c->domid);

	return (struct xs_who){ .domid = c->domid,
	    .priv = xs_server_privileged(c->srv, c->domid),
	    .target = d != NULL ? d->target : XS_NO_TARGET };
}

static unsigned
reply_limit(const struct xs_conn *c)
{
	int	 q = c->srv->quota.outstanding;

	if (xs_server_privileged(c->srv, c->domid) || q <= 0 ||
	    q > XS_CONN_MAX_REPLIES)
		return XS_CONN_MAX_REPLIES;
	return (unsigned)q;
}

static bool
input_paused(const struct xs_conn *c)
{
	return c->throttled || c->nreplies >= reply_limit(c);
}

static void
throttle_done(evutil_socket_t fd, short what, void *arg)
{
	struct xs_conn	*c = arg;

	(void)fd;
	(void)what;
	c->throttled = false;
	xs_conn_readable(c);
}

static bool
changes_store(uint32_t type)
{
	return type == XS_WRITE || type == XS_MKDIR || type == XS_RM ||
	    type == XS_SET_PERMS;
}

/*
 * The request just read changes the store and its domain is over the
 * write rate: hold it (it stays in hdr/body) until the bucket allows.
 */
static bool
throttle(struct xs_conn *c)
{
	struct timespec	 ts;
	struct timeval	 tv;
	uint64_t	 wait;

	if (xs_server_privileged(c->srv, c->domid) || c->srv->base == NULL ||
	    !changes_store(c->hdr.type))
		return false;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	wait = xs_dom_write_wait(c->srv->doms, c->domid,
	    (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
	if (wait == 0)
		return false;
	if (c->throttle == NULL &&
	    (c->throttle = evtimer_new(c->srv->base, throttle_done, c)) == NULL)
		return false;
	tv.tv_sec = (time_t)(wait / 1000000000u);
	tv.tv_usec = (suseconds_t)(wait % 1000000000u / 1000);
	evtimer_add(c->throttle, &tv);
	c->throttled = true;
	return true;
}

static void	flush(struct xs_conn *);

/* Onto the output queue, counted, not yet sent. */
static void
append(struct xs_conn *c, struct xs_msg *m)
{
	m->next = NULL;
	*c->out_tail = m;
	c->out_tail = &m->next;
	if (m->event)
		c->nevents++;
	else
		c->nreplies++;
}

void
xs_conn_requeue(struct xs_conn *c, struct xs_msg *m)
{
	append(c, m);
}

static void
enqueue(struct xs_conn *c, struct xs_msg *m)
{
	struct xs_msg	*small;

	/* Most messages are tiny: don't hold a page for each. */
	small = realloc(m, offsetof(struct xs_msg, u) + m->len);
	if (small != NULL)
		m = small;
	append(c, m);
	/*
	 * Send now if the transport takes it: most replies go out here, and
	 * the write event is asked for only when something is left over.
	 */
	flush(c);
	if (c->dead)
		xs_server_reap_soon(c->srv);
	else if (c->out_head != NULL)
		c->tp->want(c->tparg, !input_paused(c), true);
}

void
xs_conn_reply(struct xs_conn *c, struct xs_msg *m)
{
	if (m == NULL) {
		log_warnx("%s: out of memory for a reply", c->desc);
		c->dead = true;
		return;
	}
	enqueue(c, m);
}

void
xs_conn_error(struct xs_conn *c, int err, const struct xsd_sockmsg *req)
{
	xs_conn_reply(c, xs_msg_error(err, req->req_id, req->tx_id));
}

void
xs_conn_event(struct xs_conn *c, const char *path, const char *token)
{
	struct xs_msg	*m;

	if (c->dead)
		return;
	if (c->nevents >= (unsigned)c->srv->max_events ||
	    (m = xs_msg_event(path, token)) == NULL) {
		if (c->dropped++ == 0)
			log_warnx("%s: not reading its watch events, "
			    "dropping them", c->desc);
		c->srv->events_dropped++;
		return;
	}
	enqueue(c, m);
}

/*
 * Up to len bytes of input, from the receive buffer, refilled by one recv
 * when empty.  After a short recv the transport has nothing more for now:
 * within this wakeup, say EAGAIN instead of asking it again (it signals
 * when more comes, and the next wakeup asks afresh).
 */
static ssize_t
take(struct xs_conn *c, void *dst, size_t len)
{
	size_t	 n;
	ssize_t	 got;

	if (c->in_off == c->in_len) {
		if (c->in_drained) {
			errno = EAGAIN;
			return -1;
		}
		if ((got = c->tp->recv(c->tparg, c->in, sizeof(c->in))) <= 0)
			return got;
		c->in_off = 0;
		c->in_len = (size_t)got;
		c->in_drained = c->in_len < sizeof(c->in);
	}
	n = c->in_len - c->in_off < len ? c->in_len - c->in_off : len;
	memcpy(dst, c->in + c->in_off, n);
	c->in_off += n;
	return (ssize_t)n;
}

/* 1 when a whole request is in, 0 when the transport has no more. */
static int
read_some(struct xs_conn *c)
{
	uint8_t	*dst;
	size_t	 want;
	ssize_t	 n;

	for (;;) {
		if (c->hdr_got < XS_HDR_LEN) {
			dst = (uint8_t *)&c->hdr + c->hdr_got;
			want = XS_HDR_LEN - c->hdr_got;
		} else {
			dst = c->body + c->body_got;
			want = c->hdr.len - c->body_got;
		}
		if (want == 0)
			return 1;
		if ((n = take(c, dst, want)) <= 0) {
			if (n == 0 || (errno != EAGAIN && errno != EINTR))
				c->dead = true;
			return 0;
		}
		if (c->hdr_got >= XS_HDR_LEN) {
			c->body_got += (size_t)n;
			continue;
		}
		c->hdr_got += (size_t)n;
		if (c->hdr_got == XS_HDR_LEN &&
		    xs_wire_check_hdr(&c->hdr) != 0) {
			log_warnx("%s: payload of %u bytes announced, "
			    "dropping connection", c->desc, c->hdr.len);
			if (c->tp->fault != NULL)
				c->tp->fault(c->tparg);
			c->dead = true;
			return 0;
		}
	}
}

static void
flush(struct xs_conn *c)
{
	struct xs_msg	*m;
	ssize_t		 n;

	while (!c->dead && (m = c->out_head) != NULL) {
		n = c->tp->send(c->tparg, m->u.bytes + c->out_off,
		    m->len - c->out_off);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				c->dead = true;
			return;
		}
		if ((c->out_off += (size_t)n) < m->len)
			continue;
		c->out_off = 0;
		if ((c->out_head = m->next) == NULL)
			c->out_tail = &c->out_head;
		if (m->event)
			c->nevents--;
		else
			c->nreplies--;
		xs_msg_free(m);
	}
}

/* Flush what we can, tell the transport what to wait for, or close. */
static void
settle(struct xs_conn *c)
{
	flush(c);
	if (c->dead) {
		xs_conn_free(c);
		return;
	}
	c->tp->want(c->tparg, !input_paused(c), c->out_head != NULL);
}

void
xs_conn_readable(struct xs_conn *c)
{
	c->in_drained = false;		/* a new wakeup: ask the transport */
	while (!c->dead && !input_paused(c) && read_some(c) == 1) {
		if (throttle(c))
			break;
		c->body[c->hdr.len] = '\0';
		xs_ops_dispatch(c, &c->hdr, c->body, c->hdr.len);
		c->hdr_got = c->body_got = 0;
	}
	settle(c);
}

void
xs_conn_writable(struct xs_conn *c)
{
	/*
	 * Draining replies may unpause input.  Requests already in the
	 * receive buffer will not be signalled again: parse them now.
	 */
	flush(c);
	if (!c->dead && !input_paused(c) && c->in_off < c->in_len) {
		xs_conn_readable(c);
		return;
	}
	/* Otherwise settle asks to hear of more input again. */
	settle(c);
}

int
xs_conn_txn_add(struct xs_conn *c, struct xs_txn *t)
{
	struct xs_txn	**nt;
	size_t		  cap;

	if (c->ntxns == c->txcap) {
		cap = c->txcap ? c->txcap * 2 : 4;
		if ((nt = reallocarray(c->txns, cap, sizeof(*nt))) == NULL)
			return ENOMEM;
		c->txns = nt;
		c->txcap = cap;
	}
	c->txns[c->ntxns++] = t;
	return 0;
}

static ssize_t
txn_index(const struct xs_conn *c, uint32_t id)
{
	size_t	 i;

	for (i = 0; i < c->ntxns; i++)
		if (xs_txn_id(c->txns[i]) == id)
			return (ssize_t)i;
	return -1;
}

struct xs_txn *
xs_conn_txn_find(const struct xs_conn *c, uint32_t id)
{
	ssize_t	 i = txn_index(c, id);

	return i < 0 ? NULL : c->txns[i];
}

struct xs_txn *
xs_conn_txn_take(struct xs_conn *c, uint32_t id)
{
	struct xs_dom	*d;
	struct xs_txn	*t;
	ssize_t		 i = txn_index(c, id);

	if (i < 0)
		return NULL;
	t = c->txns[i];
	c->txns[i] = c->txns[--c->ntxns];
	if ((d = xs_dom_find(c->srv->doms, c->domid)) != NULL) {
		d->txns--;
		d->txn_bytes -= xs_txn_bytes(t);
	}
	return t;
}

void
xs_conn_txn_drop_all(struct xs_conn *c)
{
	while (c->ntxns > 0)
		xs_txn_free(xs_conn_txn_take(c, xs_txn_id(c->txns[0])));
}

void
xs_conn_resume(struct xs_conn *c)
{
	/* A whole request may already be here: readable parses it. */
	xs_conn_readable(c);
}
