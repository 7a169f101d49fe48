/*
 * xs-ring-guest: a guest kernel that turns hostile on its xenstore ring.
 *
 * It runs in a domain created with `xensim create --raw-xenbus`, so it
 * owns the domain's ring page and store event channel as a PV kernel does
 * (xensim/lib/guest.h); tests/xenstored/it_ring_hostile.sh drives it.  It
 * first speaks the wire protocol correctly (READ of its own name, WRITE
 * then READ under data/), proving the path works, then breaks it one way:
 *
 *   req-prod   the request producer far past consumer + ring size
 *   rsp-cons   the response consumer moved past the response producer
 *   oversize   a header announcing XENSTORE_PAYLOAD_MAX + 1 bytes
 *   garbage    well-indexed messages of random type, ids and payload
 *   baseline   nothing: the well-behaved part alone
 *
 * then probes whether the daemon still answers, and reports on stdout
 * (the domain's console) in one line a script can match:
 *
 *   RESULT mode=M baseline=ok|failed features=F error=E reply-after=yes|no
 *       [answered=N/K]
 *
 * error is the page's connection error indicator (XENSTORE_ERROR_*).  It
 * then waits to be destroyed, so that the test can watch the release.
 *
 *   xs-ring-guest MODE NAME     (NAME: the domain's, checked by READ)
 *
 * Only for xensim: on Xen the ring belongs to the guest's kernel.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xen/io/xs_wire.h>

#include "lib/guest.h"

#define SETTLE_MS	5000	/* for the daemon to act on what we did */
#define PROBE_MS	1500	/* silence this long: no more replies */
#define GARBAGE_MSGS	64

struct msg {
	struct xsd_sockmsg	hdr;
	char			body[XENSTORE_PAYLOAD_MAX + 1];
};

static struct xsim_xenbus xb;
static struct xenstore_domain_interface *intf;
static uint32_t next_req = 1;

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The other side writes these: read them afresh, in order with the data. */
static uint32_t
load(uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void
store(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static void
kick(void)
{
	if (xsim_xenbus_notify(&xb) == -1) {
		printf("FATAL notify: %s\n", strerror(errno));
		exit(1);
	}
}

/*
 * Wait for the port, but never long: a daemon that dropped us sends
 * nothing, and the error field is worth looking at anyway.
 */
static bool
wait_until(int64_t deadline)
{
	int64_t left = deadline - now_ms();

	if (left <= 0)
		return false;
	if (xsim_xenbus_wait(&xb, left < 20 ? (int)left : 20) == -1) {
		printf("FATAL wait: %s\n", strerror(errno));
		exit(1);
	}
	return true;
}

/* Bytes put in the request ring by the deadline. */
static size_t
ring_write(const void *buf, size_t len, int64_t deadline)
{
	XENSTORE_RING_IDX cons, prod;
	size_t off = 0, n, space;

	while (off < len) {
		cons = load(&intf->req_cons);
		prod = intf->req_prod;
		space = prod - cons > XENSTORE_RING_SIZE ? 0 :
		    XENSTORE_RING_SIZE - (prod - cons);
		if (space == 0) {
			if (!wait_until(deadline))
				break;
			continue;
		}
		n = XENSTORE_RING_SIZE - MASK_XENSTORE_IDX(prod);
		n = n < space ? n : space;
		n = n < len - off ? n : len - off;
		memcpy(intf->req + MASK_XENSTORE_IDX(prod), (const char *)buf +
		    off, n);
		store(&intf->req_prod, prod + n);
		off += n;
		kick();
	}
	return off;
}

static size_t
ring_read(void *buf, size_t len, int64_t deadline)
{
	XENSTORE_RING_IDX cons, prod;
	size_t off = 0, n;

	while (off < len) {
		prod = load(&intf->rsp_prod);
		cons = intf->rsp_cons;
		if (prod == cons || prod - cons > XENSTORE_RING_SIZE) {
			if (!wait_until(deadline))
				break;
			continue;
		}
		n = XENSTORE_RING_SIZE - MASK_XENSTORE_IDX(cons);
		n = n < prod - cons ? n : prod - cons;
		n = n < len - off ? n : len - off;
		memcpy((char *)buf + off, intf->rsp + MASK_XENSTORE_IDX(cons),
		    n);
		store(&intf->rsp_cons, cons + n);
		off += n;
		kick();
	}
	return off;
}

static bool
send_msg(const struct xsd_sockmsg *hdr, const void *body, int64_t deadline)
{
	return ring_write(hdr, sizeof(*hdr), deadline) == sizeof(*hdr) &&
	    ring_write(body, hdr->len, deadline) == hdr->len;
}

/* The reply to req_id; watch events on the way are skipped. */
static bool
recv_reply(uint32_t req_id, struct msg *m, int64_t deadline)
{
	for (;;) {
		if (ring_read(&m->hdr, sizeof(m->hdr), deadline) !=
		    sizeof(m->hdr))
			return false;
		if (m->hdr.len > XENSTORE_PAYLOAD_MAX) {
			printf("FATAL the daemon sent a %u-byte payload\n",
			    m->hdr.len);
			exit(1);
		}
		if (ring_read(m->body, m->hdr.len, deadline) != m->hdr.len)
			return false;
		m->body[m->hdr.len] = '\0';
		if (m->hdr.type != XS_WATCH_EVENT && m->hdr.req_id == req_id)
			return true;
		if (m->hdr.type != XS_WATCH_EVENT)
			printf("NOTE reply to %u while waiting for %u\n",
			    m->hdr.req_id, req_id);
	}
}

static bool
request(uint32_t type, const void *body, uint32_t len, struct msg *m)
{
	struct xsd_sockmsg hdr = { .type = type, .req_id = next_req++,
	    .len = len };
	int64_t deadline = now_ms() + SETTLE_MS;

	return send_msg(&hdr, body, deadline) &&
	    recv_reply(hdr.req_id, m, deadline);
}

static bool
expect(uint32_t type, const char *body, size_t len, const char *want)
{
	static struct msg m;

	if (!request(type, body, len, &m)) {
		printf("BASELINE no reply to %s\n", body);
		return false;
	}
	if (m.hdr.type != type || strcmp(m.body, want) != 0) {
		printf("BASELINE %s: type %u \"%s\", want \"%s\"\n", body,
		    m.hdr.type, m.body, want);
		return false;
	}
	return true;
}

/* The protocol spoken correctly: read our name, write and read back. */
static bool
baseline(const char *name)
{
	static const char wr[] = "data/ring-guest\0hello";

	if (!expect(XS_READ, "name", 5, name) ||
	    !expect(XS_WRITE, wr, sizeof(wr) - 1, "OK") ||
	    !expect(XS_READ, "data/ring-guest", 16, "hello"))
		return false;
	printf("BASELINE ok name=%s\n", name);
	return true;
}

/* Give the daemon time to notice; the error it reports, if any. */
static uint32_t
settle(bool (*done)(void))
{
	int64_t deadline = now_ms() + SETTLE_MS;

	while (load(&intf->error) == XENSTORE_ERROR_NONE && !done() &&
	    wait_until(deadline))
		;
	/* Consumed but not yet flagged: a moment more for the flag. */
	deadline = now_ms() + 200;
	while (load(&intf->error) == XENSTORE_ERROR_NONE &&
	    wait_until(deadline))
		;
	return load(&intf->error);
}

static bool
never(void)
{
	return false;
}

static bool
requests_consumed(void)
{
	return load(&intf->req_cons) == intf->req_prod;
}

/*
 * Does anything still answer?  A valid READ put where the daemon would
 * look next, then silence for PROBE_MS means no.
 */
static bool
probe(const void *prefix, size_t plen)
{
	struct xsd_sockmsg hdr = { .type = XS_READ, .req_id = next_req++,
	    .len = 5 };
	int64_t deadline = now_ms() + PROBE_MS;
	XENSTORE_RING_IDX seen = intf->rsp_cons;

	if (ring_write(prefix, plen, deadline) == plen)
		send_msg(&hdr, "name", deadline);
	while (load(&intf->rsp_prod) == seen && wait_until(deadline))
		;
	return load(&intf->rsp_prod) != seen;
}

static uint32_t
rnd(void)
{
	static uint32_t x = 0x5eed1234;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return x;
}

/* Half path-like text with NULs, half any bytes. */
static void
fill(char *p, uint32_t len)
{
	static const char alpha[] = "abc/-_@09\0\0";
	bool text = rnd() & 1;

	for (uint32_t i = 0; i < len; i++)
		p[i] = text ? alpha[rnd() % (sizeof(alpha) - 1)] : (char)rnd();
}

/*
 * Messages of any type (known or not), random ids and transactions and
 * payloads up to the maximum, each properly framed: every one must be
 * answered, and the connection must live on.
 */
static unsigned
garbage(void)
{
	static struct msg out, in;
	unsigned answered = 0;

	for (int i = 0; i < GARBAGE_MSGS; i++) {
		out.hdr.type = rnd() % (XS_TYPE_COUNT + 4);
		out.hdr.req_id = rnd();
		out.hdr.tx_id = rnd() % 4 == 0 ? rnd() : 0;
		/* The first is as big as allowed; every 8th up to that. */
		out.hdr.len = i == 0 ? XENSTORE_PAYLOAD_MAX : i % 8 == 0 ?
		    rnd() % (XENSTORE_PAYLOAD_MAX + 1) : rnd() % 200;
		fill(out.body, out.hdr.len);
		if (!send_msg(&out.hdr, out.body, now_ms() + SETTLE_MS) ||
		    !recv_reply(out.hdr.req_id, &in, now_ms() + SETTLE_MS)) {
			printf("GARBAGE message %d (type %u, %u bytes) not "
			    "answered\n", i, out.hdr.type, out.hdr.len);
			break;
		}
		answered++;
	}
	return answered;
}

static void
report(const char *mode, bool base, uint32_t error, bool reply)
{
	printf("RESULT mode=%s baseline=%s features=%u error=%u "
	    "reply-after=%s", mode, base ? "ok" : "failed",
	    intf->server_features, error, reply ? "yes" : "no");
}

static void
misbehave(const char *mode, bool base)
{
	static char filler[XENSTORE_PAYLOAD_MAX + 1];
	struct xsd_sockmsg big = { .type = XS_READ, .req_id = next_req++,
	    .len = XENSTORE_PAYLOAD_MAX + 1 };
	uint32_t error;
	bool reply;

	if (strcmp(mode, "req-prod") == 0) {
		store(&intf->req_prod, load(&intf->req_cons) +
		    64 * XENSTORE_RING_SIZE);
		kick();
		error = settle(never);
		/* Back to sane indices: only the daemon's choice stops us. */
		store(&intf->req_prod, load(&intf->req_cons));
		reply = probe(NULL, 0);
	} else if (strcmp(mode, "rsp-cons") == 0) {
		/* Noticed when the daemon next replies: ask it something. */
		store(&intf->rsp_cons, load(&intf->rsp_prod) + 64);
		send_msg(&(struct xsd_sockmsg){ .type = XS_READ,
		    .req_id = next_req++, .len = 5 }, "name",
		    now_ms() + SETTLE_MS);
		error = settle(never);
		store(&intf->rsp_cons, load(&intf->rsp_prod));
		reply = probe(NULL, 0);
	} else if (strcmp(mode, "oversize") == 0) {
		ring_write(&big, sizeof(big), now_ms() + SETTLE_MS);
		error = settle(requests_consumed);
		/* The payload it announced, then a valid request. */
		memset(filler, 'x', sizeof(filler));
		reply = probe(filler, sizeof(filler));
	} else if (strcmp(mode, "garbage") == 0) {
		unsigned n = garbage();

		error = load(&intf->error);
		reply = probe(NULL, 0);
		report(mode, base, error, reply);
		printf(" answered=%u/%u\n", n, GARBAGE_MSGS);
		return;
	} else {
		error = load(&intf->error);
		reply = probe(NULL, 0);
	}
	report(mode, base, error, reply);
	printf("\n");
}

int
main(int argc, char **argv)
{
	bool base;

	if (argc != 3) {
		fprintf(stderr, "usage: xs-ring-guest req-prod|rsp-cons|"
		    "oversize|garbage|baseline NAME\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (xsim_xenbus_open(&xb) == -1) {
		printf("FATAL no xenstore ring of our own: %s\n",
		    strerror(errno));
		return 1;
	}
	intf = xb.page;
	base = baseline(argv[2]);
	misbehave(argv[1], base);
	for (;;)
		pause();
}
