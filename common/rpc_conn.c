#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "log.h"
#include "rpc_conn.h"
#include "rpc_wire.h"

#define RPC_READ_CHUNK	16384

struct rpc_conn {
	const struct rpc_transport	*tp;
	void				*t;
	struct rpc_conn_limits		 lim;
	struct rpc_conn_cb		 cb;
	void				*arg;
	struct event			*rd, *wr, *later, *again;
	struct evbuffer			*in, *out;
	unsigned long long		 nin, nout;
	int				 depth;		/* in callbacks */
	bool				 closing, freeing;
	const char			*why;
	enum rpc_close			 close_kind;
};

static void	on_read(evutil_socket_t, short, void *);
static void	on_write(evutil_socket_t, short, void *);
static void	on_later(evutil_socket_t, short, void *);
static void	on_again(evutil_socket_t, short, void *);

struct rpc_conn *
rpc_conn_new(struct event_base *base, const struct rpc_transport *tp,
    void *t, const struct rpc_conn_limits *lim, const struct rpc_conn_cb *cb,
    void *arg)
{
	struct rpc_conn	*c;
	int		 fd = tp->fd(t);

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->tp = tp;
	c->t = t;
	c->lim = *lim;
	c->cb = *cb;
	c->arg = arg;
	c->in = evbuffer_new();
	c->out = evbuffer_new();
	c->rd = event_new(base, fd, EV_READ | EV_PERSIST, on_read, c);
	c->wr = tp->poll_write ? event_new(base, fd, EV_WRITE, on_write, c) :
	    NULL;
	c->later = event_new(base, -1, 0, on_later, c);
	c->again = event_new(base, -1, 0, on_again, c);
	if (c->in == NULL || c->out == NULL || c->rd == NULL ||
	    c->later == NULL || c->again == NULL || (tp->poll_write && c->wr == NULL) ||
	    event_add(c->rd, NULL) == -1) {
		c->t = NULL;		/* the caller still owns it */
		rpc_conn_free(c);
		return NULL;
	}
	return c;
}

static void
conn_destroy(struct rpc_conn *c)
{
	if (c->rd != NULL)
		event_free(c->rd);
	if (c->wr != NULL)
		event_free(c->wr);
	if (c->later != NULL)
		event_free(c->later);
	if (c->again != NULL)
		event_free(c->again);
	if (c->in != NULL)
		evbuffer_free(c->in);
	if (c->out != NULL)
		evbuffer_free(c->out);
	if (c->t != NULL)
		c->tp->close(c->t);
	free(c);
}

void
rpc_conn_free(struct rpc_conn *c)
{
	if (c == NULL)
		return;
	if (c->depth > 0) {
		c->freeing = true;	/* on the way out of the callback */
		return;
	}
	conn_destroy(c);
}

/* From the loop: tell the owner, who frees it (or we do after). */
static void
on_later(evutil_socket_t fd, short what, void *arg)
{
	struct rpc_conn	*c = arg;

	(void)fd;
	(void)what;
	if (!c->closing)
		return;
	c->depth++;
	c->cb.closed(c, c->close_kind, c->why, c->arg);
	c->depth--;
	if (c->freeing)
		conn_destroy(c);
}

void
rpc_conn_close(struct rpc_conn *c, enum rpc_close kind, const char *why)
{
	if (c->closing)
		return;
	c->closing = true;
	c->close_kind = kind;
	c->why = why;
	event_del(c->rd);
	if (c->wr != NULL)
		event_del(c->wr);
	event_active(c->later, 0, 0);
}

/* Write what the transport takes now; wait for it otherwise. */
static void
flush(struct rpc_conn *c)
{
	ssize_t		 n;
	size_t		 len;
	unsigned char	*p;

	while (!c->closing && (len = evbuffer_get_length(c->out)) > 0) {
		p = evbuffer_pullup(c->out, (ssize_t)(len < RPC_READ_CHUNK ?
		    len : RPC_READ_CHUNK));
		if ((n = c->tp->write(c->t, p, len < RPC_READ_CHUNK ? len :
		    RPC_READ_CHUNK)) < 0) {
			rpc_conn_close(c, RPC_CLOSE_PEER, "peer gone while writing");
			return;
		}
		if (n == 0)
			break;
		evbuffer_drain(c->out, (size_t)n);
		c->nout += (unsigned long long)n;
	}
	if (c->wr != NULL && !c->closing && evbuffer_get_length(c->out) > 0)
		event_add(c->wr, NULL);
}

static int
send_within(struct rpc_conn *c, const json_t *msg, size_t bound)
{
	size_t	 before = evbuffer_get_length(c->out);

	if (c->closing)
		return -1;
	if (before > bound ||
	    rpc_wire_put(c->out, msg, c->lim.max_frame) != 0) {
		/* Nothing half-queued: cut back to where we were. */
		if (evbuffer_get_length(c->out) > before) {
			struct evbuffer	*keep = evbuffer_new();

			if (keep != NULL) {
				evbuffer_remove_buffer(c->out, keep, before);
				evbuffer_free(c->out);
				c->out = keep;
			}
		}
		return -1;
	}
	flush(c);
	return 0;
}

int
rpc_conn_send(struct rpc_conn *c, const json_t *msg)
{
	return send_within(c, msg, c->lim.max_out + 2 * c->lim.max_frame);
}

int
rpc_conn_send_bulk(struct rpc_conn *c, const json_t *msg)
{
	return send_within(c, msg, c->lim.max_out);
}

/* Hand over every whole frame; stop if the owner closes. */
static void
deliver(struct rpc_conn *c)
{
	const char	*why = NULL;
	json_t		*msg;
	int		 r;

	while (!c->closing && !c->freeing &&
	    (r = rpc_wire_take(c->in, c->lim.max_frame, &msg, &why)) != 0) {
		if (r < 0) {
			rpc_conn_close(c, RPC_CLOSE_BROKEN, why);
			return;
		}
		c->cb.msg(c, msg, c->arg);
		json_decref(msg);
	}
}

/*
 * A wakeup reads at most RPC_READ_BUDGET chunks, then yields to other
 * connections and comes back (without waiting on the transport, which
 * may not signal again for data it already holds): a flooding peer gets
 * its turn, not the whole daemon.
 */
#define RPC_READ_BUDGET	16

static void
pump(struct rpc_conn *c)
{
	unsigned char	 buf[RPC_READ_CHUNK];
	ssize_t		 n;
	int		 budget = RPC_READ_BUDGET;

	c->depth++;
	while (!c->closing && !c->freeing) {
		if (budget-- == 0) {
			event_active(c->again, 0, 0);
			break;
		}
		if ((n = c->tp->read(c->t, buf, sizeof(buf))) < 0) {
			deliver(c);
			rpc_conn_close(c, RPC_CLOSE_PEER, "peer closed the connection");
			break;
		}
		if (n == 0)
			break;
		c->nin += (unsigned long long)n;
		if (evbuffer_add(c->in, buf, (size_t)n) != 0) {
			rpc_conn_close(c, RPC_CLOSE_LOCAL, "out of memory");
			break;
		}
		deliver(c);
	}
	if (!c->freeing)
		flush(c);
	c->depth--;
	if (c->freeing && c->depth == 0)
		conn_destroy(c);
}

static void
on_read(evutil_socket_t fd, short what, void *arg)
{
	struct rpc_conn	*c = arg;

	(void)fd;
	(void)what;
	c->tp->wakeup(c->t);
	pump(c);
}

static void
on_again(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	pump(arg);
}

static void
on_write(evutil_socket_t fd, short what, void *arg)
{
	struct rpc_conn	*c = arg;

	(void)fd;
	(void)what;
	c->depth++;
	flush(c);
	c->depth--;
	if (c->freeing && c->depth == 0)
		conn_destroy(c);
}

void
rpc_conn_kick(struct rpc_conn *c)
{
	pump(c);
}

size_t
rpc_conn_queued(const struct rpc_conn *c)
{
	return evbuffer_get_length(c->out);
}

unsigned long long
rpc_conn_bytes_in(const struct rpc_conn *c)
{
	return c->nin;
}

unsigned long long
rpc_conn_bytes_out(const struct rpc_conn *c)
{
	return c->nout;
}
