/*
 * fuzz_xenstored: libFuzzer over xenstored's whole request path, from
 * the bytes clients send to the replies they read back, on a fresh
 * in-process server per input.
 *
 * An input is a 4-byte prefix, then the byte stream the clients send:
 *
 *	p[0]	bits 0-1: connections, (p[0] & 3) % 3 + 1
 *		bit 2: dom0 first gives domains 5, 6 and 7 their homes
 *		bit 3: dom0 first makes domain 6 act for domain 5 (SET_TARGET)
 *	p[1]	two bits a connection: its domain, from {0, 5, 6, 7}
 *	p[2]	seeds the generator for chunk sizes, short writes, stalls
 *	p[3]	bit 7: at most p[3] & 0x7f queued watch events a connection
 *
 * The stream is cut into messages where their headers say; a message
 * goes to connection req_id % n (req_id is only echoed, so routing by it
 * costs the server nothing), in chunks of random size.  A header
 * announcing too much is cut after the header, since the server drops
 * the connection there.  A req_id whose top byte is 0xc1 closes its
 * connection halfway through that message.  A connection the server
 * closed is reopened, empty, for the next message routed to it.
 *
 * After every message the tree and its accounting must agree
 * (xs_control_check, what CONTROL "check" runs); at the end every
 * connection is closed and no domain may still be charged a watch or a
 * transaction.  Anything wrong aborts, which libFuzzer reports.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xs_conn.h"
#include "xs_control.h"
#include "xs_domain.h"
#include "xs_server.h"
#include "xs_wire.h"

#define PREFIX		4
#define NCLIENT		3
#define CLOSE_TAG	0xc1u

struct client {
	int			 id;		/* -1: the boot connection */
	struct xs_conn		*conn;		/* NULL once closed */
	unsigned		 domid;
	bool			 rd, wr;	/* what the server waits for */
	bool			 stalled;	/* not reading its replies */
	uint8_t			*in;		/* sent, not yet read */
	size_t			 inlen, inoff, incap;
	struct xsd_sockmsg	 ohdr;		/* reply being received */
	size_t			 ogot, oleft;
	uint8_t			 obody[XENSTORE_PAYLOAD_MAX];
};

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct xs_server	 srv;
static struct client	 cl[NCLIENT];
static size_t		 ncl;
static uint32_t		 rng;
static bool		 trace;		/* FUZZ_XS_TRACE set: print replies */

static void
fail(const char *what)
{
	fprintf(stderr, "fuzz_xenstored: invariant broken: %s\n", what);
	abort();
}

/* xorshift32: chunking must follow from the input, never from time. */
static size_t
rnd(size_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return n > 0 ? rng % n : 0;
}

static void
print_reply(const struct client *c)
{
	uint32_t	 i, n = c->ohdr.len < 72 ? c->ohdr.len : 72;

	fprintf(stderr, "conn %d dom%u: %s req %#x tx %u: ", c->id, c->domid,
	    xs_wire_typename(c->ohdr.type), c->ohdr.req_id, c->ohdr.tx_id);
	for (i = 0; i < n; i++)
		fputc(c->obody[i] == '\0' ? '|' : c->obody[i], stderr);
	fputs(n < c->ohdr.len ? "...\n" : "\n", stderr);
}

/* Replies must be well-formed messages whatever the requests were. */
static void
check_output(struct client *c, const uint8_t *p, size_t n)
{
	size_t	 k;

	while (n > 0) {
		if (c->ogot < XS_HDR_LEN) {
			k = XS_HDR_LEN - c->ogot < n ? XS_HDR_LEN - c->ogot : n;
			memcpy((uint8_t *)&c->ohdr + c->ogot, p, k);
			c->ogot += k;
			p += k;
			n -= k;
			if (c->ogot < XS_HDR_LEN)
				break;
			if (c->ohdr.len > XENSTORE_PAYLOAD_MAX)
				fail("reply longer than XENSTORE_PAYLOAD_MAX");
			c->oleft = c->ohdr.len;
		} else {
			k = c->oleft < n ? c->oleft : n;
			memcpy(c->obody + c->ohdr.len - c->oleft, p, k);
			c->oleft -= k;
			p += k;
			n -= k;
		}
		if (c->oleft > 0)
			continue;
		if (trace)
			print_reply(c);
		if ((c->ohdr.type == XS_ERROR ||
		    c->ohdr.type == XS_WATCH_EVENT) && (c->ohdr.len == 0 ||
		    c->obody[c->ohdr.len - 1] != '\0'))
			fail("error or event payload not NUL-terminated");
		c->ogot = 0;
	}
}

static ssize_t
mem_recv(void *arg, void *buf, size_t len)
{
	struct client	*c = arg;

	if (c->inoff == c->inlen) {
		errno = EAGAIN;
		return -1;
	}
	if (len > c->inlen - c->inoff)
		len = c->inlen - c->inoff;
	memcpy(buf, c->in + c->inoff, len);
	c->inoff += len;
	return (ssize_t)len;
}

static ssize_t
mem_send(void *arg, const void *buf, size_t len)
{
	struct client	*c = arg;

	if (c->stalled) {
		errno = EAGAIN;
		return -1;
	}
	/* Short writes: the server must resume mid-message. */
	if (rnd(4) == 0)
		len = 1 + rnd(len);
	check_output(c, buf, len);
	return (ssize_t)len;
}

static void
mem_want(void *arg, bool rd, bool wr)
{
	struct client	*c = arg;

	c->rd = rd;
	c->wr = wr;
}

static void
mem_destroy(void *arg)
{
	struct client	*c = arg;

	c->conn = NULL;
}

static const struct xs_transport mem_transport = {
	.name = "fuzz", .recv = mem_recv, .send = mem_send, .want = mem_want,
	.destroy = mem_destroy
};

static void
client_open(struct client *c)
{
	c->inlen = c->inoff = c->ogot = 0;
	c->stalled = false;
	if ((c->conn = xs_conn_new(&srv, c->domid, &mem_transport, c,
	    "fuzz")) == NULL)
		abort();
}

/* Send n bytes in random chunks, the server reading as it is told. */
static void
feed(struct client *c, const uint8_t *p, size_t n)
{
	size_t	 k;

	while (n > 0 && c->conn != NULL) {
		k = rnd(2) ? n : 1 + rnd(n);
		if (c->inlen + k > c->incap) {
			c->incap = c->inlen + k + 256;
			if ((c->in = realloc(c->in, c->incap)) == NULL)
				abort();
		}
		memcpy(c->in + c->inlen, p, k);
		c->inlen += k;
		p += k;
		n -= k;
		if (c->rd)
			xs_conn_readable(c->conn);
	}
}

/* What the event loop does: serve ready connections until none is. */
static void
pump(void)
{
	struct client	*c;
	bool		 busy;
	size_t		 i;

	do {
		busy = false;
		for (i = 0; i < ncl; i++) {
			c = &cl[i];
			if (c->conn != NULL && c->wr && !c->stalled) {
				xs_conn_writable(c->conn);
				busy = true;
			}
			if (c->conn != NULL && c->rd && c->inoff < c->inlen) {
				xs_conn_readable(c->conn);
				busy = true;
			}
		}
	} while (busy);
}

/* A request from the boot connection; '|' in s stands for NUL. */
static void
boot_req(struct client *c, uint32_t type, const char *s)
{
	struct {
		struct xsd_sockmsg	 h;
		char			 p[64];
	} m;
	size_t	 i, n = strlen(s);

	for (i = 0; i < n; i++)
		m.p[i] = s[i] == '|' ? '\0' : s[i];
	m.h = (struct xsd_sockmsg){ type, 0, 0, (uint32_t)n };
	feed(c, (const uint8_t *)&m, XS_HDR_LEN + n);
}

/* What a toolstack does first: homes, and a device model's target. */
static void
boot(uint8_t flags)
{
	struct client	 c = { .id = -1, .domid = 0 };
	char		 s[64];
	unsigned	 d;

	if ((flags & 0x0c) == 0)
		return;
	client_open(&c);
	for (d = 5; d <= 7 && (flags & 0x04); d++) {
		snprintf(s, sizeof(s), "/local/domain/%u|", d);
		boot_req(&c, XS_MKDIR, s);
		snprintf(s, sizeof(s), "/local/domain/%u|n%u|", d, d);
		boot_req(&c, XS_SET_PERMS, s);
	}
	if (flags & 0x08)
		boot_req(&c, XS_SET_TARGET, "6|5|");
	if (c.conn != NULL)
		xs_conn_free(c.conn);
	free(c.in);
}

static void
start(const uint8_t *p)
{
	static const struct xs_quota	 q = XS_QUOTA_DEFAULTS;
	static const unsigned		 doms[4] = { 0, 5, 6, 7 };
	size_t				 i;

	/* CONTROL "log on" from the last input must not leak into this. */
	log_setverbose(-1);
	trace = getenv("FUZZ_XS_TRACE") != NULL;
	if (xs_server_init(&srv, &q, p[3] & 0x80 ? p[3] & 0x7f :
	    XS_DEFAULT_MAX_EVENTS) != 0)
		abort();
	rng = 0x9e3779b9u ^ ((uint32_t)p[2] << 8 | p[2]);
	ncl = (size_t)(p[0] & 3) % 3 + 1;
	boot(p[0]);
	for (i = 0; i < ncl; i++) {
		cl[i].id = (int)i;
		cl[i].domid = doms[(p[1] >> (2 * i)) & 3];
		client_open(&cl[i]);
	}
}

static void
check_dom(const struct xs_dom *d, void *arg)
{
	(void)arg;
	if (d->watches != 0 || d->txns != 0)
		fail("domain still charged watches or transactions");
}

static void
finish(void)
{
	size_t	 i;

	for (i = 0; i < ncl; i++)
		cl[i].stalled = false;
	pump();
	if (xs_control_check(&srv) != 0)
		fail("xs_control_check at the end");
	for (i = 0; i < ncl; i++)
		if (cl[i].conn != NULL)
			xs_conn_free(cl[i].conn);
	if (!TAILQ_EMPTY(&srv.watches))
		fail("watches outlive their connections");
	xs_doms_foreach(srv.doms, check_dom, NULL);
	if (xs_control_check(&srv) != 0)
		fail("xs_control_check after closing");
	xs_server_fini(&srv);
	for (i = 0; i < ncl; i++) {
		free(cl[i].in);
		memset(&cl[i], 0, sizeof(cl[i]));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xsd_sockmsg	 h = { 0 };
	struct client		*c;
	size_t			 off, n;

	if (size < PREFIX)
		return 0;
	start(data);
	for (off = PREFIX; off < size; off += n) {
		n = size - off;
		c = &cl[0];
		if (n >= XS_HDR_LEN) {
			memcpy(&h, data + off, sizeof(h));
			if (h.len > XENSTORE_PAYLOAD_MAX)
				n = XS_HDR_LEN;
			else if (h.len <= n - XS_HDR_LEN)
				n = XS_HDR_LEN + h.len;
			c = &cl[h.req_id % ncl];
		}
		if (c->conn == NULL)
			client_open(c);
		if (rnd(8) == 0)
			c->stalled = !c->stalled;
		if (n >= XS_HDR_LEN && h.req_id >> 24 == CLOSE_TAG) {
			feed(c, data + off, n / 2);
			if (c->conn != NULL)
				xs_conn_free(c->conn);
		} else
			feed(c, data + off, n);
		pump();
		if (xs_control_check(&srv) != 0)
			fail("xs_control_check after a message");
	}
	finish();
	return 0;
}
