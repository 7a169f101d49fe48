#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <errno.h>
#include <stdint.h>

#include <xen/io/xs_wire.h>

#include "harness.h"
#include "xs_conn.h"

#define RXMAX	(1 << 20)
#define NEVQ	256

struct xt {
	/* Memory transport. */
	struct xs_conn	*conn;
	uint8_t		*in;
	size_t		 inlen, inoff;
	bool		 closed;
	bool		 stall;		/* refuse to take output */
	/* Socket. */
	int		 fd;
	/* Both: bytes received, not yet parsed. */
	uint8_t		*rx;
	size_t		 rxlen;
	char		*evq[NEVQ];
	int		 nev;
	uint32_t	 next_req, last_req, last_tx;
	char		 out[4 * 4096 + 64];
};

static ssize_t
mem_recv(void *arg, void *buf, size_t len)
{
	struct xt	*t = arg;

	if (t->inoff == t->inlen) {
		errno = EAGAIN;
		return -1;
	}
	if (len > t->inlen - t->inoff)
		len = t->inlen - t->inoff;
	memcpy(buf, t->in + t->inoff, len);
	t->inoff += len;
	return (ssize_t)len;
}

static ssize_t
mem_send(void *arg, const void *buf, size_t len)
{
	struct xt	*t = arg;

	if (t->stall) {
		errno = EAGAIN;
		return -1;
	}
	if (t->rxlen + len > RXMAX)
		abort();
	memcpy(t->rx + t->rxlen, buf, len);
	t->rxlen += len;
	return (ssize_t)len;
}

static void
mem_want(void *arg, bool rd, bool wr)
{
	(void)arg;
	(void)rd;
	(void)wr;
}

static void
mem_destroy(void *arg)
{
	struct xt	*t = arg;

	t->closed = true;
	t->conn = NULL;
}

static const struct xs_transport mem_transport = {
	.name = "memory", .recv = mem_recv, .send = mem_send, .want = mem_want,
	.destroy = mem_destroy
};

static struct xt *
xt_alloc(void)
{
	struct xt	*t = calloc(1, sizeof(*t));

	if (t == NULL || (t->rx = malloc(RXMAX)) == NULL)
		abort();
	t->fd = -1;
	t->next_req = 100;
	return t;
}

struct xt *
xt_mem(struct xs_server *srv, unsigned domid)
{
	struct xt	*t = xt_alloc();
	char		 desc[32];

	snprintf(desc, sizeof(desc), "test dom%u", domid);
	if ((t->conn = xs_conn_new(srv, domid, &mem_transport, t,
	    desc)) == NULL)
		abort();
	return t;
}

struct xt *
xt_sock(const char *path)
{
	struct sockaddr_un	 sun = { .sun_family = AF_UNIX };
	struct xt		*t = xt_alloc();

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if ((t->fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    connect(t->fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		free(t->rx);
		free(t);
		return NULL;
	}
	return t;
}

void
xt_close(struct xt *t)
{
	int	 i;

	if (t->conn != NULL)
		xs_conn_free(t->conn);
	if (t->fd != -1)
		close(t->fd);
	for (i = 0; i < t->nev; i++)
		free(t->evq[i]);
	free(t->in);
	free(t->rx);
	free(t);
}

static void
xt_send(struct xt *t, const void *p, size_t n)
{
	if (t->fd != -1) {
		if (write(t->fd, p, n) != (ssize_t)n)
			t->closed = true;
		return;
	}
	if (t->closed)
		return;
	/* Keep unread input: a paused connection reads it later. */
	if (t->in != NULL)
		memmove(t->in, t->in + t->inoff, t->inlen - t->inoff);
	t->inlen -= t->inoff;
	t->inoff = 0;
	if ((t->in = realloc(t->in, t->inlen + n + 1)) == NULL)
		abort();
	memcpy(t->in + t->inlen, p, n);
	t->inlen += n;
	xs_conn_readable(t->conn);
}

/* Socket only: wait up to ms for more bytes.  false on timeout/EOF. */
static bool
sock_fill(struct xt *t, int ms)
{
	struct pollfd	 pfd = { .fd = t->fd, .events = POLLIN };
	ssize_t		 n;

	if (poll(&pfd, 1, ms) <= 0)
		return false;
	n = read(t->fd, t->rx + t->rxlen, RXMAX - t->rxlen);
	if (n <= 0) {
		t->closed = true;
		return false;
	}
	t->rxlen += (size_t)n;
	return true;
}

static void
render(char *out, const struct xsd_sockmsg *h, const uint8_t *p,
    uint32_t want_type)
{
	size_t	 i, o = 0;

	if (h->type == XS_ERROR) {
		snprintf(out, 64, "E:%.*s", (int)(h->len ? h->len - 1 : 0), p);
		return;
	}
	if (h->type != want_type)
		o = (size_t)sprintf(out, "T:%u:", h->type);
	for (i = 0; i < h->len; i++)
		out[o++] = p[i] == '\0' ? '|' : (char)p[i];
	out[o] = '\0';
}

/* Take one whole message off rx into hdr/payload; false if none. */
static bool
take(struct xt *t, struct xsd_sockmsg *h, uint8_t *p)
{
	size_t	 n;

	if (t->rxlen < sizeof(*h))
		return false;
	memcpy(h, t->rx, sizeof(*h));
	n = sizeof(*h) + h->len;
	if (t->rxlen < n)
		return false;
	memcpy(p, t->rx + sizeof(*h), h->len);
	memmove(t->rx, t->rx + n, t->rxlen - n);
	t->rxlen -= n;
	return true;
}

/* Next message that is not an event (events are queued), or NULL. */
static const char *
next_reply(struct xt *t, uint32_t type, int ms)
{
	struct xsd_sockmsg	 h;
	uint8_t			 p[XENSTORE_PAYLOAD_MAX + 1];

	for (;;) {
		while (take(t, &h, p)) {
			render(t->out, &h, p, type == XS_INVALID ||
			    h.type == XS_WATCH_EVENT ? h.type : type);
			if (h.type == XS_WATCH_EVENT && type != XS_INVALID) {
				if (t->nev < NEVQ)
					t->evq[t->nev++] = strdup(t->out);
				continue;
			}
			t->last_req = h.req_id;
			t->last_tx = h.tx_id;
			return t->out;
		}
		if (t->closed)
			return "DEAD";
		/* Memory: output queued for us by others' requests. */
		if (t->fd == -1 && !t->stall && t->conn != NULL &&
		    t->conn->out_head != NULL) {
			xs_conn_writable(t->conn);
			continue;
		}
		if (t->fd == -1 || t->stall || !sock_fill(t, ms))
			return t->closed ? "DEAD" : NULL;
	}
}

const char *
xt_do_raw(struct xt *t, uint32_t type, uint32_t tx, const void *payload,
    size_t len)
{
	struct xsd_sockmsg	 h = { type, ++t->next_req, tx, (uint32_t)len };
	uint8_t			 buf[sizeof(h) + 2 * XENSTORE_PAYLOAD_MAX];
	const char		*r;

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), payload, len);
	xt_send(t, buf, sizeof(h) + len);
	r = next_reply(t, type, 3000);
	return r != NULL ? r : "NONE";
}

const char *
xt_do(struct xt *t, uint32_t type, uint32_t tx, const char *args)
{
	char	 p[2 * XENSTORE_PAYLOAD_MAX];
	size_t	 i, n = strlen(args);

	for (i = 0; i < n; i++)
		p[i] = args[i] == '|' ? '\0' : args[i];
	return xt_do_raw(t, type, tx, p, n);
}

const char *
xt_bytes(struct xt *t, const void *p, size_t n)
{
	const char	*r;

	xt_send(t, p, n);
	r = next_reply(t, XS_INVALID, 300);
	return r != NULL ? r : "NONE";
}

const char *
xt_event(struct xt *t)
{
	const char	*r;

	if (t->nev == 0) {
		/* Pull anything pending into the queue. */
		r = next_reply(t, XS_WATCH_EVENT + 1000, 200);
		(void)r;
	}
	if (t->nev == 0)
		return "NONE";
	snprintf(t->out, sizeof(t->out), "%s", t->evq[0]);
	free(t->evq[0]);
	memmove(t->evq, t->evq + 1, (size_t)--t->nev * sizeof(*t->evq));
	return t->out;
}

void
xt_stall(struct xt *t, bool on)
{
	t->stall = on;
	if (!on && t->conn != NULL)
		xs_conn_writable(t->conn);
	if (!on && t->conn != NULL)
		xs_conn_readable(t->conn);
}

size_t
xt_pending_input(const struct xt *t)
{
	return t->inlen - t->inoff;
}

uint32_t
xt_last_req_id(const struct xt *t)
{
	return t->last_req;
}

uint32_t
xt_last_tx_id(const struct xt *t)
{
	return t->last_tx;
}

uint32_t
xt_txn(struct xt *t)
{
	return (uint32_t)strtoul(xt_do(t, XS_TRANSACTION_START, 0, "|"),
	    NULL, 10);
}
