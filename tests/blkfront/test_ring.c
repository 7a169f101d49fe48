/*
 * blkfront's ring (daemons/blkfront/bf_ring.h) on a ring in our own
 * memory, no backend: an io cut into pieces (direct of at most 11
 * segments, indirect of up to max_segs past that, a write's bytes in
 * the pool's pages, a flush and a discard without pages), a read's
 * bytes copied out when answered, its done once after its last piece,
 * an error status kept; and the hostile backend's answers: an id not
 * in flight, an id answered twice, and a rsp_prod past our requests,
 * each breaking the ring (-1) without touching any io.
 */
#include <stdlib.h>
#include <string.h>

/* xenctrl.h first: it tells the Xen headers after it this is a tool. */
#include <xenctrl.h>

#include <check.h>

#include "unit.h"

#include "bf_nbd_wire.h"
#include "bf_ring.h"

#define NSLOTS	8
#define NPOOL	64

static struct bf_queue	 q;
static void		*sring;
static unsigned		 finished;

/* A queue as bf_ring_up leaves it, in plain memory. */
static void
setup(void)
{
	unsigned	 i;

	memset(&q, 0, sizeof(q));
	ck_assert_int_eq(posix_memalign(&sring, BF_PAGE, BF_PAGE), 0);
	memset(sring, 0, BF_PAGE);
	SHARED_RING_INIT((blkif_sring_t *)sring);
	FRONT_RING_INIT(&q.ring, (blkif_sring_t *)sring, BF_PAGE);
	q.nslots = NSLOTS;
	q.npool = NPOOL;
	q.max_segs = 32;
	q.slots = calloc(NSLOTS, sizeof(*q.slots));
	q.free_slots = calloc(NSLOTS, sizeof(uint16_t));
	q.ind = calloc(NSLOTS, BF_PAGE);
	q.ind_refs = calloc(NSLOTS, sizeof(uint32_t));
	q.pool = calloc(NPOOL, BF_PAGE);
	q.pool_refs = calloc(NPOOL, sizeof(uint32_t));
	q.free_pages = calloc(NPOOL, sizeof(uint16_t));
	for (i = 0; i < NSLOTS; i++) {
		q.free_slots[i] = (uint16_t)(NSLOTS - 1 - i);
		q.ind_refs[i] = 1000 + i;
	}
	for (i = 0; i < NPOOL; i++) {
		q.free_pages[i] = (uint16_t)(NPOOL - 1 - i);
		q.pool_refs[i] = 2000 + i;
	}
	q.nfree_slots = NSLOTS;
	q.nfree_pages = NPOOL;
	q.running = true;
	finished = 0;
}

static void
teardown(void)
{
	free(q.slots);
	free(q.free_slots);
	free(q.ind);
	free(q.ind_refs);
	free(q.pool);
	free(q.pool_refs);
	free(q.free_pages);
	free(sring);
}

static void
finish(struct bf_io *io, void *arg)
{
	(void)arg;
	if (io->outstanding == 0)
		finished++;
}

static const blkif_request_t *
req_at(RING_IDX i)
{
	return RING_GET_REQUEST(&q.ring, i);
}

/* The backend's answer for request i, then rsp_prod past it. */
static void
answer(RING_IDX i, uint64_t id, int16_t status)
{
	blkif_response_t	*r = RING_GET_RESPONSE(&q.ring, i);

	r->id = id;
	r->status = status;
	q.ring.sring->rsp_prod = i + 1;
}

static struct bf_io *
new_io(enum bf_op op, uint64_t off, uint32_t len)
{
	struct bf_io	*io = calloc(1, sizeof(*io));
	uint32_t	 i;

	io->op = op;
	io->offset = off;
	io->len = len;
	if (len > 0) {
		io->buf = malloc(len);
		for (i = 0; i < len; i++)
			io->buf[i] = (uint8_t)(i * 7 + 1);
	}
	return io;
}

static void
free_io(struct bf_io *io)
{
	free(io->buf);
	free(io);
}

START_TEST(test_pieces)
{
	/* 43 pages: an indirect piece of max_segs (more than 11 pages
	 * remain), then a direct one of the 11 left. */
	struct bf_io			*io = new_io(BF_OP_WRITE, 8192,
					    43 * BF_PAGE);
	const blkif_request_indirect_t	*ind;
	const blkif_request_t		*d;
	const struct blkif_request_segment *seg;
	uint64_t			 ind_id;

	ck_assert_int_eq(bf_ring_issue(&q, io), 1);	/* 32 pages */
	ind = (const blkif_request_indirect_t *)req_at(0);
	ck_assert_uint_eq(ind->operation, BLKIF_OP_INDIRECT);
	ck_assert_uint_eq(ind->indirect_op, BLKIF_OP_WRITE);
	ck_assert_uint_eq(ind->nr_segments, 32);
	ck_assert_uint_eq(ind->sector_number, 16);
	ck_assert_uint_eq(ind->indirect_grefs[0], 1000 + ind->id);
	seg = (const struct blkif_request_segment *)(q.ind +
	    ind->id * BF_PAGE);
	ck_assert_uint_eq(seg[0].first_sect, 0);
	ck_assert_uint_eq(seg[0].last_sect, 7);
	/* The write's bytes are in the page the segment names. */
	ck_assert_mem_eq(q.pool + (seg[5].gref - 2000) * BF_PAGE,
	    io->buf + 5 * BF_PAGE, BF_PAGE);
	ck_assert_int_eq(bf_ring_issue(&q, io), 1);	/* 11 direct */
	d = req_at(1);
	ck_assert_uint_eq(d->operation, BLKIF_OP_WRITE);
	ck_assert_uint_eq(d->nr_segments, 11);
	ck_assert_uint_eq(d->sector_number, 16 + 32 * 8);
	ck_assert_int_eq(bf_ring_issue(&q, io), -1);	/* nothing left */
	ck_assert_uint_eq(io->outstanding, 2);
	ck_assert_uint_eq(q.nfree_pages, NPOOL - 43);
	ck_assert_uint_eq(q.stats.indirect, 1);
	/* Answered in another order; done once, after the last.  (An
	 * answer takes its request's place: the ids are kept first.) */
	ind_id = ind->id;
	answer(0, d->id, BLKIF_RSP_ERROR);
	ck_assert_int_eq(bf_ring_responses(&q, finish, NULL), 0);
	ck_assert_uint_eq(finished, 0);
	answer(1, ind_id, BLKIF_RSP_OKAY);
	ck_assert_int_eq(bf_ring_responses(&q, finish, NULL), 0);
	ck_assert_uint_eq(finished, 1);
	ck_assert_uint_eq(io->error, NBD_EIO);
	ck_assert_uint_eq(q.nfree_pages, NPOOL);
	ck_assert_uint_eq(q.nfree_slots, NSLOTS);
	free_io(io);
}
END_TEST

START_TEST(test_read_copied)
{
	struct bf_io			*io = new_io(BF_OP_READ, 0, 3 * 512);
	const blkif_request_t		*r;

	memset(io->buf, 0, io->len);
	ck_assert_int_eq(bf_ring_issue(&q, io), 1);
	r = req_at(0);
	ck_assert_uint_eq(r->operation, BLKIF_OP_READ);
	ck_assert_uint_eq(r->nr_segments, 1);
	ck_assert_uint_eq(r->seg[0].last_sect, 2);
	memset(q.pool + (r->seg[0].gref - 2000) * BF_PAGE, 0x5c, BF_PAGE);
	answer(0, r->id, BLKIF_RSP_OKAY);
	ck_assert_int_eq(bf_ring_responses(&q, finish, NULL), 0);
	ck_assert_uint_eq(finished, 1);
	ck_assert_uint_eq(io->error, 0);
	ck_assert_uint_eq(io->buf[0], 0x5c);
	ck_assert_uint_eq(io->buf[3 * 512 - 1], 0x5c);
	free_io(io);
}
END_TEST

START_TEST(test_bare)
{
	struct bf_io			*f = new_io(BF_OP_FLUSH, 0, 0);
	struct bf_io			*t = new_io(BF_OP_DISCARD, 4096, 8192);
	const blkif_request_discard_t	*d;

	memset(t->buf, 0, t->len);
	ck_assert_int_eq(bf_ring_issue(&q, f), 1);
	ck_assert_uint_eq(req_at(0)->operation, BLKIF_OP_FLUSH_DISKCACHE);
	ck_assert_uint_eq(req_at(0)->nr_segments, 0);
	ck_assert_int_eq(bf_ring_issue(&q, f), -1);
	ck_assert_int_eq(bf_ring_issue(&q, t), 1);
	d = (const blkif_request_discard_t *)req_at(1);
	ck_assert_uint_eq(d->operation, BLKIF_OP_DISCARD);
	ck_assert_uint_eq(d->sector_number, 8);
	ck_assert_uint_eq(d->nr_sectors, 16);
	ck_assert_uint_eq(q.nfree_pages, NPOOL);
	answer(0, req_at(0)->id, BLKIF_RSP_EOPNOTSUPP);
	ck_assert_int_eq(bf_ring_responses(&q, finish, NULL), 0);
	ck_assert_uint_eq(f->error, NBD_ENOTSUP);
	ck_assert_uint_eq(q.stats.notsup, 1);
	free_io(f);
	/* t stays in flight: the fixture goes without answering it. */
	free_io(t);
}
END_TEST

START_TEST(test_no_room)
{
	struct bf_io	*io[NSLOTS + 1];
	unsigned	 i;

	for (i = 0; i <= NSLOTS; i++)
		io[i] = new_io(BF_OP_READ, 0, 512);
	for (i = 0; i < NSLOTS; i++)
		ck_assert_int_eq(bf_ring_issue(&q, io[i]), 1);
	ck_assert_int_eq(bf_ring_issue(&q, io[NSLOTS]), 0);	/* slots */
	ck_assert_uint_eq(bf_ring_inflight(&q), NSLOTS);
	for (i = 0; i <= NSLOTS; i++)
		free_io(io[i]);
}
END_TEST

START_TEST(test_hostile_id)
{
	struct bf_io	*io = new_io(BF_OP_READ, 0, 512);

	ck_assert_int_eq(bf_ring_issue(&q, io), 1);
	/* An id we never used, then one out of the table. */
	answer(0, (req_at(0)->id + 1) % NSLOTS, BLKIF_RSP_OKAY);
	ck_assert_int_eq(bf_ring_responses(&q, finish, NULL), -1);
	ck_assert_uint_eq(finished, 0);
	q.ring.rsp_cons = 0;
	answer(0, 1ull << 40, BLKIF_RSP_OKAY);
	ck_assert_int_eq(bf_ring_responses(&q, finish, NULL), -1);
	ck_assert_uint_eq(io->outstanding, 1);
	free_io(io);
}
END_TEST

START_TEST(test_hostile_twice)
{
	struct bf_io	*io = new_io(BF_OP_READ, 0, 512);
	struct bf_io	*io2 = new_io(BF_OP_READ, 512, 512);
	uint64_t	 id;

	ck_assert_int_eq(bf_ring_issue(&q, io), 1);
	ck_assert_int_eq(bf_ring_issue(&q, io2), 1);
	id = req_at(0)->id;
	answer(0, id, BLKIF_RSP_OKAY);
	answer(1, id, BLKIF_RSP_OKAY);		/* the same id again */
	ck_assert_int_eq(bf_ring_responses(&q, finish, NULL), -1);
	ck_assert_uint_eq(finished, 1);
	ck_assert_uint_eq(io2->outstanding, 1);
	free_io(io);
	free_io(io2);
}
END_TEST

START_TEST(test_hostile_index)
{
	struct bf_io	*io = new_io(BF_OP_READ, 0, 512);

	ck_assert_int_eq(bf_ring_issue(&q, io), 1);
	/* Two answers claimed for one request: refused before any is
	 * read. */
	answer(0, req_at(0)->id, BLKIF_RSP_OKAY);
	q.ring.sring->rsp_prod = 2;
	ck_assert_int_eq(bf_ring_responses(&q, finish, NULL), -1);
	ck_assert_uint_eq(finished, 0);
	q.ring.sring->rsp_prod = 0x80000000u;
	ck_assert_int_eq(bf_ring_responses(&q, finish, NULL), -1);
	free_io(io);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("blkfront_ring");
	TCase	*tc = tcase_create("ring");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_pieces);
	tcase_add_test(tc, test_read_copied);
	tcase_add_test(tc, test_bare);
	tcase_add_test(tc, test_no_room);
	tcase_add_test(tc, test_hostile_id);
	tcase_add_test(tc, test_hostile_twice);
	tcase_add_test(tc, test_hostile_index);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
