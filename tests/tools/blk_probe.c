/*
 * blk-probe [--devid N] [--order N] SCENARIO...: a blkfront run in a
 * xensim domain with a disk (xensim create --disk), for
 * tests/blkback/it_blk.sh.  It goes through the handshake as a frontend
 * must (common/xb_frontend.h: one ring page shared with the backend, or
 * 2^order with --order, one event channel, the native protocol) and
 * then, once Connected, runs its scenarios in order, one request at a
 * time but for burst, printing a line for each result:
 *
 *	rw	1 MiB of pattern() written at sector 2048 by WRITEs of 11
 *		segments, read back by READs and compared: "rw: ok 1048576
 *		bytes"; a FLUSH_DISKCACHE: "flush: ok"; if the backend
 *		offers indirect requests, 256 KiB written and read back at
 *		sector 4096 by INDIRECT requests of 64 segments: "indirect:
 *		ok 262144 bytes"; if it offers discard, 64 KiB at sector
 *		8192 written, discarded and read back as zeros: "discard:
 *		ok zeros"; a last flush: "flush: ok".
 *	bad	requests blkback must refuse with BLKIF_RSP_ERROR: a sector
 *		past the disk's end, first_sect > last_sect, last_sect 8,
 *		12 segments in a direct request, a grant ref never made,
 *		and, on a read-only disk, a write; then a good read answered
 *		OKAY: "bad: refused N of N, good ok".
 *	burst	32 WRITEs of 2 pages each pushed at once (a full ring: more
 *		than a small max-inflight, so some wait for a slot), then
 *		32 READs of them, compared: "burst: ok 32 of 32" (with
 *		a larger ring, 64 of a page each: "burst: ok 64 of 64").
 *	index	a req_prod 5000 past the consumer (fatal for the vbd):
 *		"index: sent".
 *	race	XSA-155: 400 one-page reads, each pushed while a second
 *		thread rewrites its slot's operation, segment count, sector
 *		and first/last sect without pause; blkback must take one copy
 *		of each and answer it once, OKAY or ERROR as that copy was
 *		good or bad, never act on a mix: "race: answered 400 of 400
 *		(N ok, M refused)"; then a good read: "race: good ok".
 *	hoard	the ring kept full of one-page reads for 8 s (each answer
 *		taken and its slot refilled at once): "hoard: N requests".
 *		blkback's memory must stay bounded by its max-inflight while
 *		another guest is served beside it.
 *
 * Every response's bytes that are not its fields (XSA-216: the backend
 * must not leak its memory into them) are checked to be zero: the
 * request they overwrite had ones there.  A failure prints "padding:
 * leaked" once.
 *
 * It prints "ready" when connected and "done" after its scenarios, then
 * waits for SIGTERM or its domain's end.  Run outside a domain as
 * `blk-probe pattern OFFSET LENGTH`, it writes the bytes the rw scenario
 * writes at that disk offset, for a test to compare the backing file.
 */
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* xenctrl.h first: it tells the Xen headers after it this is a tool. */
#include <xenctrl.h>
#include <xenevtchn.h>
#include <xengnttab.h>
#include <xen/io/blkif.h>
#include <xen/io/protocols.h>

#include <event2/event.h>

#include "log.h"
#include "xb_frontend.h"

#define PAGE		4096u
#define SECT		512u
#define DATA_PAGES	64		/* an indirect request's, the most */
#define NO_REF		99999u		/* a grant ref never made */
/* Request ids carry ones where a response has padding (see above). */
#define ID(n)		(0x5a5a5a5a5a5a5a00ull | (uint64_t)(n))

static xenevtchn_handle		*xce;
static xengntshr_handle		*xgs;
static blkif_front_ring_t	 ring;
static void			*ring_page, *ind_page;
static uint8_t			*data;
static uint32_t			 ring_refs[16], ind_ref, data_refs[DATA_PAGES];
static unsigned			 order;
static evtchn_port_t		 port;
static char			**scenarios;
static struct event_base	*base;
static unsigned long		 sectors, max_indirect, discard, flush;
static unsigned long		 info;
static unsigned			 next_id;
static int			 leaked;
/* The bits of a response's id answer() compares: race()'s second thread
 * may still be writing a request's first two bytes (its operation and
 * segment count) when blkback's response takes their place: the
 * response's id. */
static uint64_t			 id_mask = ~0ull;

/* The rw scenario's byte at disk offset off: differs from one sector to
 * the next and within each. */
static uint8_t
pattern(uint64_t off)
{
	return (uint8_t)((off >> 9) * 13 + off * 7 + 1);
}

static int
fe_connect(struct xb_frontend *f)
{
	unsigned	 be = xb_fe_backend_id(f);
	struct xb_keys	*k;
	char		 key[24];
	unsigned	 i;
	int		 p, rc;

	if ((ring_page = xengntshr_share_pages(xgs, be, 1u << order,
	    ring_refs, 1)) ==
	    NULL || (ind_page = xengntshr_share_pages(xgs, be, 1, &ind_ref,
	    0)) == NULL || (data = xengntshr_share_pages(xgs, be, DATA_PAGES,
	    data_refs, 1)) == NULL)
		return -1;
	SHARED_RING_INIT((blkif_sring_t *)ring_page);
	FRONT_RING_INIT(&ring, (blkif_sring_t *)ring_page, PAGE << order);
	if ((p = xenevtchn_bind_unbound_port(xce, be)) < 0)
		return -1;
	port = (evtchn_port_t)p;
	if ((k = xb_keys_new()) == NULL)
		return -1;
	if (order == 0)
		xb_keys_set(k, "ring-ref", "%u", ring_refs[0]);
	else {
		xb_keys_set(k, "ring-page-order", "%u", order);
		for (i = 0; i < 1u << order; i++) {
			snprintf(key, sizeof(key), "ring-ref%u", i);
			xb_keys_set(k, key, "%u", ring_refs[i]);
		}
	}
	xb_keys_set(k, "event-channel", "%u", port);
	xb_keys_set(k, "protocol", "%s", XEN_IO_PROTO_ABI_NATIVE);
	rc = xb_fe_write_keys(f, k);
	xb_keys_free(k);
	return rc;
}

static void
push(void)
{
	int	 notify;

	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&ring, notify);
	(void)notify;
	(void)xenevtchn_notify(xce, port);
}

/* The padding of a response slot: byte 9 and bytes 12..15. */
static void
check_padding(const uint8_t *slot)
{
	if ((slot[9] | slot[12] | slot[13] | slot[14] | slot[15]) != 0 &&
	    !leaked) {
		leaked = 1;
		printf("padding: leaked %02x %02x%02x%02x%02x\n", slot[9],
		    slot[12], slot[13], slot[14], slot[15]);
	}
}

/* The one request pushed answered within 10 s: its status, or 1 if no
 * answer (or one of another id) came. */
static int
answer(uint64_t id)
{
	struct pollfd	 pfd = { .fd = xenevtchn_fd(xce), .events = POLLIN };
	time_t		 end = time(NULL) + 10;
	blkif_response_t r;
	xenevtchn_port_or_error_t p;

	while (time(NULL) < end) {
		if (ring.rsp_cons != ring.sring->rsp_prod) {
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
			check_padding((const uint8_t *)RING_GET_RESPONSE(&ring,
			    ring.rsp_cons));
			memcpy(&r, RING_GET_RESPONSE(&ring, ring.rsp_cons),
			    sizeof(r));
			ring.rsp_cons++;
			return ((r.id ^ id) & id_mask) == 0 ? r.status : 1;
		}
		ring.sring->rsp_event = ring.rsp_cons + 1;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (ring.rsp_cons != ring.sring->rsp_prod)
			continue;
		if (poll(&pfd, 1, 1000) > 0 &&
		    (p = xenevtchn_pending(xce)) >= 0)
			(void)xenevtchn_unmask(xce, (evtchn_port_t)p);
	}
	return 1;
}

/* n requests pushed answered within 10 s: how many were not OKAY, or
 * -1 if not all were answered. */
static int
answers(unsigned n)
{
	struct pollfd	 pfd = { .fd = xenevtchn_fd(xce), .events = POLLIN };
	time_t		 end = time(NULL) + 10;
	blkif_response_t r;
	unsigned	 got = 0, failed = 0;
	xenevtchn_port_or_error_t p;

	while (got < n && time(NULL) < end) {
		while (ring.rsp_cons != ring.sring->rsp_prod) {
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
			check_padding((const uint8_t *)RING_GET_RESPONSE(&ring,
			    ring.rsp_cons));
			memcpy(&r, RING_GET_RESPONSE(&ring, ring.rsp_cons),
			    sizeof(r));
			ring.rsp_cons++;
			failed += r.status != BLKIF_RSP_OKAY;
			got++;
		}
		if (got == n)
			break;
		ring.sring->rsp_event = ring.rsp_cons + 1;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (ring.rsp_cons != ring.sring->rsp_prod)
			continue;
		if (poll(&pfd, 1, 1000) > 0 &&
		    (p = xenevtchn_pending(xce)) >= 0)
			(void)xenevtchn_unmask(xce, (evtchn_port_t)p);
	}
	return got == n ? (int)failed : -1;
}

/* A direct request's slot, its id, zeroed but for the fields. */
static blkif_request_t *
slot(uint8_t op, uint8_t nseg, uint64_t sector)
{
	blkif_request_t	*r = RING_GET_REQUEST(&ring, ring.req_prod_pvt);

	memset(r, 0, sizeof(*r));
	r->operation = op;
	r->nr_segments = nseg;
	r->sector_number = sector;
	r->id = ID(next_id++);
	return r;
}

static int
send_req(blkif_request_t *r)
{
	uint64_t	 id = r->id;

	ring.req_prod_pvt++;
	push();
	return answer(id);
}

/* A read or write of npages whole data pages at sector. */
static int
rw_pages(uint8_t op, uint64_t sector, unsigned npages)
{
	blkif_request_t	*r = slot(op, (uint8_t)npages, sector);
	unsigned	 i;

	for (i = 0; i < npages; i++) {
		r->seg[i].gref = data_refs[i];
		r->seg[i].first_sect = 0;
		r->seg[i].last_sect = PAGE / SECT - 1;
	}
	return send_req(r);
}

/* The same through one indirect page of npages segments. */
static int
rw_indirect(uint8_t op, uint64_t sector, unsigned npages)
{
	blkif_request_indirect_t *r = (blkif_request_indirect_t *)slot(
				    BLKIF_OP_INDIRECT, 0, 0);
	struct blkif_request_segment *seg = ind_page;
	uint64_t		 id = r->id;
	unsigned		 i;

	for (i = 0; i < npages; i++) {
		seg[i].gref = data_refs[i];
		seg[i].first_sect = 0;
		seg[i].last_sect = PAGE / SECT - 1;
	}
	r->indirect_op = op;
	r->nr_segments = (uint16_t)npages;
	r->id = id;
	r->sector_number = sector;
	r->indirect_grefs[0] = ind_ref;
	ring.req_prod_pvt++;
	push();
	return answer(id);
}

static void
fill(uint64_t off, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		data[i] = pattern(off + i);
}

/* Where data's first len bytes differ from the pattern at off; -1 if
 * they do not. */
static long
differs(uint64_t off, size_t len, int zeros)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (data[i] != (zeros ? 0 : pattern(off + i)))
			return (long)i;
	return -1;
}

/* len bytes at sector written (or read and compared) in requests of
 * at most 11 pages; 0, or -1 having said why. */
static int
span(const char *what, uint8_t op, uint64_t sector, size_t len)
{
	uint64_t	 off = sector * SECT;
	size_t		 done = 0, n;
	unsigned	 pages;
	long		 at;
	int		 st;

	while (done < len) {
		pages = (unsigned)((len - done) / PAGE);
		if (pages > BLKIF_MAX_SEGMENTS_PER_REQUEST)
			pages = BLKIF_MAX_SEGMENTS_PER_REQUEST;
		n = (size_t)pages * PAGE;
		if (op == BLKIF_OP_WRITE)
			fill(off + done, n);
		else
			memset(data, 0xee, n);
		if ((st = rw_pages(op, (off + done) / SECT, pages)) != 0) {
			printf("%s: %s at %llu: status %d\n", what,
			    op == BLKIF_OP_WRITE ? "write" : "read",
			    (unsigned long long)(off + done), st);
			return -1;
		}
		if (op == BLKIF_OP_READ && (at = differs(off + done, n,
		    0)) != -1) {
			printf("%s: mismatch at byte %llu: %02x, not %02x\n",
			    what, (unsigned long long)(off + done + at),
			    data[at], pattern(off + done + at));
			return -1;
		}
		done += n;
	}
	return 0;
}

static void
do_flush(void)
{
	int	 st;

	if (!flush) {
		printf("flush: not offered\n");
		return;
	}
	st = send_req(slot(BLKIF_OP_FLUSH_DISKCACHE, 0, 0));
	if (st == 0)
		printf("flush: ok\n");
	else
		printf("flush: status %d\n", st);
}

static void
indirect(void)
{
	const uint64_t	 sector = 4096, len = DATA_PAGES * PAGE;
	long		 at;
	int		 st;

	if (max_indirect < DATA_PAGES) {
		printf("indirect: not offered (%lu)\n", max_indirect);
		return;
	}
	fill(sector * SECT, len);
	if ((st = rw_indirect(BLKIF_OP_WRITE, sector, DATA_PAGES)) != 0) {
		printf("indirect: write: status %d\n", st);
		return;
	}
	memset(data, 0xee, len);
	if ((st = rw_indirect(BLKIF_OP_READ, sector, DATA_PAGES)) != 0) {
		printf("indirect: read: status %d\n", st);
		return;
	}
	if ((at = differs(sector * SECT, len, 0)) != -1) {
		printf("indirect: mismatch at byte %ld\n", at);
		return;
	}
	printf("indirect: ok %llu bytes\n", (unsigned long long)len);
}

static void
do_discard(void)
{
	const uint64_t		 sector = 8192, len = 16 * PAGE;
	blkif_request_discard_t	*d;
	long			 at;
	int			 st;

	if (!discard) {
		printf("discard: not offered\n");
		return;
	}
	if (span("discard", BLKIF_OP_WRITE, sector, len) == -1)
		return;
	d = (blkif_request_discard_t *)slot(BLKIF_OP_DISCARD, 0, 0);
	d->sector_number = sector;
	d->nr_sectors = len / SECT;
	if ((st = send_req((blkif_request_t *)d)) != 0) {
		printf("discard: status %d\n", st);
		return;
	}
	memset(data, 0xee, PAGE * 8);
	if ((st = rw_pages(BLKIF_OP_READ, sector, 8)) != 0) {
		printf("discard: read back: status %d\n", st);
		return;
	}
	if ((at = differs(0, PAGE * 8, 1)) != -1) {
		printf("discard: byte %ld read back %02x, not 0\n", at,
		    data[at]);
		return;
	}
	printf("discard: ok zeros\n");
}

static void
rw(void)
{
	if (span("rw", BLKIF_OP_WRITE, 2048, 1 << 20) == 0 &&
	    span("rw", BLKIF_OP_READ, 2048, 1 << 20) == 0)
		printf("rw: ok %u bytes\n", 1u << 20);
	do_flush();
	indirect();
	do_discard();
	do_flush();
}

static unsigned	 tried, refused;

/* A full ring of requests at once, 2 pages each, each its own pages
 * and its own place on the disk (sector 16384 on). */
static void
burst(void)
{
	const uint64_t	 base_sect = 16384;
	/* A full ring, or as many requests as there are data pages. */
	const unsigned	 n = RING_SIZE(&ring) < DATA_PAGES ? RING_SIZE(&ring) :
			    DATA_PAGES, per = DATA_PAGES / n;
	blkif_request_t	*r;
	unsigned	 i, j;
	long		 at;
	int		 failed;
	uint8_t		 op;

	for (op = BLKIF_OP_WRITE; ; op = BLKIF_OP_READ) {
		if (op == BLKIF_OP_WRITE)
			fill(base_sect * SECT, (size_t)n * per * PAGE);
		else
			memset(data, 0xee, (size_t)n * per * PAGE);
		for (i = 0; i < n; i++) {
			r = slot(op, (uint8_t)per, base_sect + i * per *
			    (PAGE / SECT));
			for (j = 0; j < per; j++) {
				r->seg[j].gref = data_refs[i * per + j];
				r->seg[j].last_sect = PAGE / SECT - 1;
			}
			ring.req_prod_pvt++;
		}
		push();
		if ((failed = answers(n)) != 0) {
			printf("burst: %s: %d failed of %u\n", op ==
			    BLKIF_OP_WRITE ? "writes" : "reads", failed, n);
			return;
		}
		if (op == BLKIF_OP_READ)
			break;
	}
	if ((at = differs(base_sect * SECT, (size_t)n * per * PAGE,
	    0)) != -1) {
		printf("burst: mismatch at byte %ld\n", at);
		return;
	}
	printf("burst: ok %u of %u\n", n, n);
}

/* One request that must be refused, counted. */
static void
refuse(const char *what, blkif_request_t *r)
{
	int	 st = send_req(r);

	tried++;
	if (st == BLKIF_RSP_ERROR)
		refused++;
	else
		printf("bad: %s: status %d\n", what, st);
}

static void
bad(void)
{
	blkif_request_t	*r;
	int		 st;

	/* The disk's last page and one sector more. */
	r = slot(BLKIF_OP_READ, 1, sectors - 7);
	r->seg[0].gref = data_refs[0];
	r->seg[0].last_sect = 7;
	refuse("past the end", r);
	r = slot(BLKIF_OP_READ, 1, 0);
	r->seg[0].gref = data_refs[0];
	r->seg[0].first_sect = 5;
	r->seg[0].last_sect = 2;
	refuse("first > last", r);
	r = slot(BLKIF_OP_READ, 1, 0);
	r->seg[0].gref = data_refs[0];
	r->seg[0].last_sect = 8;
	refuse("last_sect 8", r);
	/* 12 segments: the twelfth would lie past the slot's array. */
	r = slot(BLKIF_OP_READ, BLKIF_MAX_SEGMENTS_PER_REQUEST + 1, 0);
	refuse("12 segments", r);
	r = slot(BLKIF_OP_READ, 1, 0);
	r->seg[0].gref = NO_REF;
	r->seg[0].last_sect = 7;
	refuse("no such ref", r);
	if (info & VDISK_READONLY) {
		r = slot(BLKIF_OP_WRITE, 1, 0);
		r->seg[0].gref = data_refs[0];
		r->seg[0].last_sect = 7;
		refuse("write, read-only", r);
	}
	if ((st = rw_pages(BLKIF_OP_READ, 0, 1)) != 0) {
		printf("bad: refused %u of %u, good status %d\n", refused,
		    tried, st);
		return;
	}
	printf("bad: refused %u of %u, good ok\n", refused, tried);
}

/* The slot race()'s second thread rewrites, or NULL. */
static blkif_request_t	*race_slot;
static int		 racing;

/* One rewrite of a request's fields, with values good and bad (most
 * of them bad): blkback reading a field twice would see two of them. */
static void
scribble_once(blkif_request_t *r, uint32_t *x)
{
	static const uint8_t ops[] = { BLKIF_OP_READ, BLKIF_OP_WRITE,
	    BLKIF_OP_INDIRECT, BLKIF_OP_DISCARD, 77 };

	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	__atomic_store_n(&r->nr_segments, (uint8_t)(*x & 1 ? 1 : *x >> 8),
	    __ATOMIC_RELAXED);
	__atomic_store_n(&r->operation, *x & 2 ? BLKIF_OP_READ :
	    ops[(*x >> 16) % sizeof(ops)], __ATOMIC_RELAXED);
	__atomic_store_n(&r->sector_number, *x & 4 ? 0 : (uint64_t)*x << 8,
	    __ATOMIC_RELAXED);
	__atomic_store_n(&r->seg[0].first_sect, (uint8_t)(*x >> 3 & 15),
	    __ATOMIC_RELAXED);
	__atomic_store_n(&r->seg[0].last_sect, (uint8_t)(*x >> 7 & 15),
	    __ATOMIC_RELAXED);
}

/* race_slot rewritten without pause, from a second thread. */
static void *
scribble(void *arg)
{
	blkif_request_t	*r;
	uint32_t	 x = 2463534242u;

	(void)arg;
	while (__atomic_load_n(&racing, __ATOMIC_ACQUIRE))
		if ((r = __atomic_load_n(&race_slot, __ATOMIC_ACQUIRE)) !=
		    NULL)
			scribble_once(r, &x);
	return NULL;
}

static void
race(void)
{
	const unsigned	 n = 400;
	blkif_request_t	*r;
	pthread_t	 t;
	uint64_t	 id;
	uint32_t	 x = 88172645u;
	unsigned	 i, j, ok = 0, no = 0, lost = 0;
	int		 st;

	racing = 1;
	id_mask = ~0xffffull;
	if (pthread_create(&t, NULL, scribble, NULL) != 0) {
		printf("race: no thread\n");
		return;
	}
	for (i = 0; i < n; i++) {
		r = slot(BLKIF_OP_READ, 1, i % 64 * 8);
		r->seg[0].gref = data_refs[i % DATA_PAGES];
		r->seg[0].last_sect = 7;
		id = r->id;
		__atomic_store_n(&race_slot, r, __ATOMIC_RELEASE);
		ring.req_prod_pvt++;
		push();
		/* This thread too, while blkback wakes up to the request. */
		for (j = 0; j < 2000; j++)
			scribble_once(r, &x);
		st = answer(id);
		__atomic_store_n(&race_slot, NULL, __ATOMIC_RELEASE);
		if (st == BLKIF_RSP_OKAY)
			ok++;
		else if (st == BLKIF_RSP_ERROR || st == BLKIF_RSP_EOPNOTSUPP)
			no++;
		else
			lost++;
	}
	__atomic_store_n(&racing, 0, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	id_mask = ~0ull;
	printf("race: answered %u of %u (%u ok, %u refused)\n", n - lost, n,
	    ok, no);
	if ((st = rw_pages(BLKIF_OP_READ, 0, 1)) == 0)
		printf("race: good ok\n");
	else
		printf("race: good status %d\n", st);
}

/* The ring kept full of one-page reads for secs seconds. */
static void
hoard(unsigned secs)
{
	struct pollfd	 pfd = { .fd = xenevtchn_fd(xce), .events = POLLIN };
	time_t		 end = time(NULL) + secs;
	blkif_request_t	*r;
	unsigned long	 sent = 0;
	unsigned	 out = 0;
	xenevtchn_port_or_error_t p;

	while (time(NULL) < end) {
		while (!RING_FULL(&ring)) {
			r = slot(BLKIF_OP_READ, 1, sent % 1024 * 8);
			r->seg[0].gref = data_refs[sent % DATA_PAGES];
			r->seg[0].last_sect = 7;
			ring.req_prod_pvt++;
			sent++;
			out++;
		}
		push();
		while (ring.rsp_cons != ring.sring->rsp_prod) {
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
			ring.rsp_cons++;
			out--;
		}
		ring.sring->rsp_event = ring.rsp_cons + 1;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (ring.rsp_cons == ring.sring->rsp_prod &&
		    poll(&pfd, 1, 1000) > 0 &&
		    (p = xenevtchn_pending(xce)) >= 0)
			(void)xenevtchn_unmask(xce, (evtchn_port_t)p);
	}
	/* What is still out answered before the next scenario. */
	if (answers(out) == -1)
		printf("hoard: %u not answered\n", out);
	printf("hoard: %lu requests\n", sent);
}

static void
fe_connected(struct xb_frontend *f)
{
	char	**s;

	/* Features, read as a frontend must: absent is off. */
	if (xb_fe_read_ulong(f, "sectors", (unsigned long)LLONG_MAX,
	    &sectors) == -1)
		sectors = 0;
	if (xb_fe_read_ulong(f, "feature-max-indirect-segments", 65535,
	    &max_indirect) == -1)
		max_indirect = 0;
	if (xb_fe_read_ulong(f, "feature-discard", 1, &discard) == -1)
		discard = 0;
	if (xb_fe_read_ulong(f, "feature-flush-cache", 1, &flush) == -1)
		flush = 0;
	if (xb_fe_read_ulong(f, "info", 0xffff, &info) == -1)
		info = 0;
	printf("ready: %lu sectors, indirect %lu, discard %lu, flush %lu, "
	    "info %lu\n", sectors, max_indirect, discard, flush, info);
	for (s = scenarios; *s != NULL; s++)
		if (strcmp(*s, "rw") == 0)
			rw();
		else if (strcmp(*s, "bad") == 0)
			bad();
		else if (strcmp(*s, "burst") == 0)
			burst();
		else if (strcmp(*s, "race") == 0)
			race();
		else if (strcmp(*s, "hoard") == 0)
			hoard(8);
		else if (strcmp(*s, "index") == 0) {
			ring.sring->req_prod = ring.req_prod_pvt + 5000;
			(void)xenevtchn_notify(xce, port);
			printf("index: sent\n");
		}
	if (!leaked)
		printf("padding: zero\n");
	printf("done\n");
}

static void
fe_disconnect(struct xb_frontend *f)
{
	(void)f;
}

static const struct xb_frontend_ops ops = {
	.connect = fe_connect,
	.connected = fe_connected,
	.disconnect = fe_disconnect,
};

static void
on_term(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	event_base_loopbreak(arg);
}

/* Outside a domain: the pattern's bytes at a disk offset, to stdout. */
static int
print_pattern(const char *off_s, const char *len_s)
{
	uint64_t	 off = strtoull(off_s, NULL, 10);
	uint64_t	 len = strtoull(len_s, NULL, 10), i;

	for (i = 0; i < len; i++)
		if (putchar(pattern(off + i)) == EOF)
			return 1;
	return fflush(stdout) == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	struct xb_frontend	*f;
	struct event		*term;
	unsigned long		 devid = 51712;
	char			 err[256], **a;

	if (argc == 4 && strcmp(argv[1], "pattern") == 0)
		return print_pattern(argv[2], argv[3]);
	a = argv + 1;
	for (; a[0] != NULL && a[1] != NULL && strncmp(a[0], "--", 2) == 0;
	    a += 2)
		if (strcmp(a[0], "--devid") == 0)
			devid = strtoul(a[1], NULL, 10);
		else if (strcmp(a[0], "--order") == 0 &&
		    strtoul(a[1], NULL, 10) <= 4)
			order = (unsigned)strtoul(a[1], NULL, 10);
		else
			break;
	if (*a == NULL) {
		fprintf(stderr, "usage: blk-probe [--devid N] [--order N] "
		    "rw|bad|burst|race|hoard|index...\n"
		    "       blk-probe pattern OFFSET LENGTH\n");
		return 2;
	}
	scenarios = a;
	log_init("blk-probe", 0, 1);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if ((xce = xenevtchn_open(NULL, 0)) == NULL ||
	    (xgs = xengntshr_open(NULL, 0)) == NULL ||
	    (base = event_base_new()) == NULL ||
	    (term = evsignal_new(base, SIGTERM, on_term, base)) == NULL ||
	    event_add(term, NULL) == -1) {
		perror("blk-probe: set-up");
		return 1;
	}
	if ((f = xb_frontend_start(base, "vbd", (unsigned)devid, &ops, NULL,
	    err, sizeof(err))) == NULL) {
		fprintf(stderr, "blk-probe: %s\n", err);
		return 1;
	}
	event_base_dispatch(base);
	xb_frontend_stop(f);
	event_free(term);
	event_base_free(base);
	return 0;
}
