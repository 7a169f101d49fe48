/*
 * bf_nbd_tx: a client's requests in transmission, each header checked
 * (bf_nbd_wire.c) before anything is allocated, each served request a
 * bf_io for the device, answered by a simple reply when the device is
 * done with it, in whatever order that is.  A refused WRITE's payload
 * is read and thrown away, never held; a bad magic drops the client.
 */
/* xenctrl.h first: it tells the Xen headers after it this is a tool. */
#include <xenctrl.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "bf_dev.h"
#include "bf_nbd_int.h"
#include "log.h"

#define PAGES_MIN	(64u << 10)	/* a read sent from the pages */

static void
free_buf(const void *data, size_t len, void *arg)
{
	(void)len;
	(void)arg;
	free((void *)data);
}

void
bf_tx_reply(struct bf_conn *c, uint32_t err, uint64_t cookie)
{
	uint8_t	 r[NBD_SIMPLE_LEN];

	bf_nbd_simple_reply(r, err, cookie);
	(void)evbuffer_add(bf_conn_out(c), r, sizeof(r));
	if (err != 0)
		bf_conn_count_err(c->srv, err);
}

bool
bf_tx_may_read(const struct bf_conn *c)
{
	uint64_t	 max = (uint64_t)(*c->srv->cfg)->max_request;

	/* Room for one more request of the largest size. */
	return c->nreqs < BF_CONN_REQS && c->nbytes + max <= 2 * max;
}

/*
 * A read's reply and its bytes straight from the pool's pages: sent at
 * once when nothing is queued before it (one copy less than through
 * buf), what the socket does not take now copied into the output.
 */
static void
reply_pages(struct bf_conn *c, const struct bf_io *io)
{
	struct evbuffer	*out = bf_conn_out(c);
	struct iovec	 iov[1 + BF_INDIRECT_SEGS_MAX];
	struct msghdr	 m;
	uint8_t		 h[NBD_SIMPLE_LEN];
	ssize_t		 n = 0;
	size_t		 skip, i;

	bf_nbd_simple_reply(h, 0, io->cookie);
	iov[0].iov_base = h;
	iov[0].iov_len = sizeof(h);
	memcpy(&iov[1], io->pages, io->npages * sizeof(iov[0]));
	if (evbuffer_get_length(out) == 0) {
		memset(&m, 0, sizeof(m));
		m.msg_iov = iov;
		m.msg_iovlen = 1 + io->npages;
		/* An error is the bufferevent's to find on its next write. */
		if ((n = sendmsg(bufferevent_getfd(c->bev), &m,
		    MSG_NOSIGNAL | MSG_DONTWAIT)) < 0)
			n = 0;
	}
	for (i = 0, skip = (size_t)n; i < 1 + io->npages; i++) {
		if (skip >= iov[i].iov_len) {
			skip -= iov[i].iov_len;
			continue;
		}
		(void)evbuffer_add(out, (uint8_t *)iov[i].iov_base + skip,
		    iov[i].iov_len - skip);
		skip = 0;
	}
}

/* The device is done with a request: its reply, a read's bytes after
 * it (handed over, not copied; or from the pool's pages). */
static void
req_done(struct bf_io *io)
{
	struct bf_nreq	*r = (struct bf_nreq *)io;
	struct bf_conn	*c = r->conn;

	if (c == NULL) {		/* the client left */
		free(io->buf);
		free(r);
		return;
	}
	LIST_REMOVE(r, link);
	c->nreqs--;
	c->nbytes -= io->len;
	if (io->error == 0 && io->pages != NULL) {
		reply_pages(c, io);
		c->srv->stats.bytes_read += io->len;
		free(io->buf);
		free(r);
		bf_conn_flow(c);
		return;
	}
	bf_tx_reply(c, io->error, io->cookie);
	if (io->error == 0 && r->type == NBD_CMD_READ && io->len > 0) {
		if (evbuffer_add_reference(bf_conn_out(c), io->buf, io->len,
		    free_buf, NULL) == 0)
			io->buf = NULL;
		c->srv->stats.bytes_read += io->len;
	} else if (io->error == 0 && r->type == NBD_CMD_WRITE)
		c->srv->stats.bytes_written += io->len;
	free(io->buf);
	free(r);
	bf_conn_flow(c);
}

static const enum bf_op ops[] = {
	[NBD_CMD_READ] = BF_OP_READ, [NBD_CMD_WRITE] = BF_OP_WRITE,
	[NBD_CMD_FLUSH] = BF_OP_FLUSH, [NBD_CMD_TRIM] = BF_OP_DISCARD,
};

static struct bf_nreq *
nreq_new(struct bf_conn *c, const struct bf_nbd_req *q)
{
	struct bf_nreq	*r;
	bool		 data = q->type == NBD_CMD_READ ||
			    q->type == NBD_CMD_WRITE;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	if (data && (r->io.buf = malloc(q->len)) == NULL) {
		free(r);
		return NULL;
	}
	r->conn = c;
	r->type = q->type;
	r->io.op = ops[q->type];
	r->io.fua = (q->flags & NBD_CMD_FLAG_FUA) != 0;
	/* Large reads only: a small one's copy costs less than the
	 * system call a reply of its own would. */
	r->io.want_pages = q->type == NBD_CMD_READ && q->len >= PAGES_MIN;
	r->io.offset = q->offset;
	r->io.len = data || q->type == NBD_CMD_TRIM ? q->len : 0;
	r->io.cookie = q->cookie;
	r->io.done = req_done;
	r->io.arg = r;
	LIST_INSERT_HEAD(&c->reqs, r, link);
	c->nreqs++;
	c->nbytes += data ? q->len : 0;
	return r;
}

/* To the device; a device that cannot take it is answered now. */
static void
submit(struct bf_conn *c, struct bf_nreq *r)
{
	uint32_t	 err;

	if ((err = bf_dev_submit(c->srv->dev, &r->io)) != 0) {
		r->io.error = err;
		req_done(&r->io);
	}
}

/* A served header: 0, or -1 when the client is gone. */
static int
serve(struct bf_conn *c, const struct bf_nbd_req *q)
{
	struct bf_nreq	*r;

	if (q->type == NBD_CMD_DISC) {
		c->state = BC_CLOSING;
		return 0;
	}
	if (q->len == 0 && q->type != NBD_CMD_FLUSH) {
		bf_tx_reply(c, 0, q->cookie);	/* nothing to do */
		return 0;
	}
	if ((r = nreq_new(c, q)) == NULL) {
		if (q->type == NBD_CMD_WRITE) {
			/* Its bytes cannot be taken: the client goes. */
			bf_conn_drop(c, "no memory for a write");
			return -1;
		}
		bf_tx_reply(c, NBD_ENOMEM, q->cookie);
		return 0;
	}
	if (q->type == NBD_CMD_WRITE) {
		c->wreq = r;
		c->wgot = 0;
		LIST_REMOVE(r, link);	/* not the device's until whole */
		return 0;
	}
	submit(c, r);
	return 0;
}

/* One header, if here: 1 taken, 0 wait, -1 dropped. */
static int
header(struct bf_conn *c, struct evbuffer *in)
{
	struct bf_nbd_export	 e;
	struct bf_nbd_req	 q;
	uint8_t			 h[NBD_REQ_HDR_LEN];
	uint32_t		 err;

	if (evbuffer_get_length(in) < sizeof(h))
		return 0;
	(void)evbuffer_remove(in, h, sizeof(h));
	bf_dev_export(c->srv->dev, (uint32_t)(*c->srv->cfg)->max_request, &e);
	switch (bf_nbd_req_parse(h, &e, &q, &err)) {
	case BF_NBD_DROP:
		c->srv->stats.bad_magic++;
		bf_conn_drop(c, "a bad request magic");
		return -1;
	case BF_NBD_ERROR:
		if (q.type < 5)
			c->srv->stats.cmds[q.type]++;
		if (q.type == NBD_CMD_WRITE && q.len > 0) {
			c->skip = q.len;
			c->skip_err = err;
			c->skip_cookie = q.cookie;
		} else
			bf_tx_reply(c, err, q.cookie);
		return 1;
	case BF_NBD_OK:
		break;
	}
	c->srv->stats.cmds[q.type]++;
	return serve(c, &q) == 0 ? 1 : -1;
}

/* A refused write's payload thrown away: 1 all of it, 0 wait. */
static int
skip(struct bf_conn *c, struct evbuffer *in)
{
	size_t	 n = evbuffer_get_length(in);

	if (n > c->skip)
		n = (size_t)c->skip;
	(void)evbuffer_drain(in, n);
	c->skip -= n;
	if (c->skip > 0)
		return 0;
	bf_tx_reply(c, c->skip_err, c->skip_cookie);
	return 1;
}

#define READ_MORE	(64u << 10)	/* read past a payload, at most */
#define DIRECT_MIN	(16u << 10)	/* a payload's rest read directly */

/*
 * The rest of a write's payload read from the socket straight into its
 * buffer, and what follows it into the input, in one readv.  libevent
 * 2.1 reads 4 KiB a call: a 1 MiB write would be 256 of them, each
 * copied once more out of the input.  Only with the input empty, so
 * the stream's order is kept; the input stays within BF_READ_HIGH.  An
 * error or the end of the stream is left for the bufferevent to find
 * (the socket stays readable).
 */
static void
read_direct(struct bf_conn *c, struct evbuffer *in)
{
	struct bf_nreq		*r = c->wreq;
	struct evbuffer_iovec	 v;
	struct iovec		 iov[2];
	ssize_t			 n;
	size_t			 want = r->io.len - c->wgot;
	int			 niov = 1;

	iov[0].iov_base = r->io.buf + c->wgot;
	iov[0].iov_len = want;
	if (evbuffer_get_length(in) == 0 &&
	    evbuffer_reserve_space(in, READ_MORE, &v, 1) == 1) {
		iov[1].iov_base = v.iov_base;
		iov[1].iov_len = v.iov_len < READ_MORE ? v.iov_len : READ_MORE;
		niov = 2;
	}
	n = readv(bufferevent_getfd(c->bev), iov, niov);
	if (n <= 0)
		return;
	if ((size_t)n <= want) {
		c->wgot += (uint32_t)n;
		return;
	}
	c->wgot += (uint32_t)want;
	v.iov_len = (size_t)n - want;
	(void)evbuffer_commit_space(in, &v, 1);
}

/* A write's payload into its buffer: 1 whole (submitted), 0 wait. */
static int
payload(struct bf_conn *c, struct evbuffer *in)
{
	struct bf_nreq	*r = c->wreq;
	int		 n;

	n = evbuffer_remove(in, r->io.buf + c->wgot, r->io.len - c->wgot);
	if (n > 0)
		c->wgot += (uint32_t)n;
	/* A small rest comes as well with the bufferevent's next read. */
	if (r->io.len - c->wgot >= DIRECT_MIN && evbuffer_get_length(in) == 0)
		read_direct(c, in);
	if (c->wgot < r->io.len)
		return 0;
	c->wreq = NULL;
	LIST_INSERT_HEAD(&c->reqs, r, link);
	submit(c, r);
	return 1;
}

int
bf_tx_input(struct bf_conn *c)
{
	struct evbuffer	*in = bufferevent_get_input(c->bev);
	int		 rc = 1;

	while (rc == 1 && c->state == BC_TRANS) {
		if (c->skip > 0)
			rc = skip(c, in);
		else if (c->wreq != NULL)
			rc = payload(c, in);
		else if (bf_tx_may_read(c))
			rc = header(c, in);
		else
			rc = 0;
	}
	return rc == -1 ? -1 : 0;
}
