/*
 * blkback's checks of a guest's block requests (daemons/blkback/
 * blk_req.c): the rules of docs/blkback.md, one request at a time, every
 * reason a request is refused for, with no hypervisor.
 */
#include <string.h>

#include <check.h>

#include "unit.h"

#include "blk_req.h"

/* 1 MiB of 512-byte sectors, everything offered. */
static const struct blk_disk disk = {
	.sectors = 2048, .sector_size = 512, .flush = true, .discard = true,
	.max_indirect = 32,
};

static blkif_request_t
rw(uint8_t op, uint64_t sector, unsigned nseg)
{
	blkif_request_t	 r;
	unsigned	 i;

	memset(&r, 0, sizeof(r));
	r.operation = op;
	r.nr_segments = (uint8_t)nseg;
	r.id = 0x1122334455667788ULL;
	r.sector_number = sector;
	for (i = 0; i < nseg && i < BLK_DIRECT_SEGS; i++) {
		r.seg[i].gref = 100 + i;
		r.seg[i].first_sect = 0;
		r.seg[i].last_sect = 7;
	}
	return r;
}

static blkif_request_t
discard(uint64_t sector, uint64_t n)
{
	blkif_request_discard_t	 d;
	blkif_request_t		 r;

	memset(&r, 0, sizeof(r));
	memset(&d, 0, sizeof(d));
	d.operation = BLKIF_OP_DISCARD;
	d.id = 9;
	d.sector_number = sector;
	d.nr_sectors = n;
	memcpy(&r, &d, sizeof(d));
	return r;
}

static blkif_request_t
indirect(uint8_t op, uint64_t sector, uint16_t nseg)
{
	blkif_request_indirect_t ir;
	blkif_request_t		 r;

	memset(&r, 0, sizeof(r));
	memset(&ir, 0, sizeof(ir));
	ir.operation = BLKIF_OP_INDIRECT;
	ir.indirect_op = op;
	ir.nr_segments = nseg;
	ir.id = 77;
	ir.sector_number = sector;
	ir.indirect_grefs[0] = 500;
	memcpy(&r, &ir, sizeof(ir));
	return r;
}

static enum blk_err
verdict(const struct blk_disk *d, blkif_request_t r)
{
	static struct blk_req	 q;

	ck_assert_int_eq(blk_req_parse(&q, d, &r), BLK_STEP_DONE);
	return q.err;
}

/* Three segments, the middle one part of its page: one contiguous range. */
START_TEST(test_read)
{
	static struct blk_req	 q;
	blkif_request_t		 r = rw(BLKIF_OP_READ, 16, 3);

	r.seg[1].first_sect = 2;
	r.seg[1].last_sect = 4;
	ck_assert_int_eq(blk_req_parse(&q, &disk, &r), BLK_STEP_DONE);
	ck_assert_int_eq(q.err, BLK_ERR_NONE);
	ck_assert_int_eq(q.kind, BLK_READ);
	ck_assert(q.id == 0x1122334455667788ULL);
	ck_assert_uint_eq(q.op, BLKIF_OP_READ);
	ck_assert_uint_eq(q.disk_off, 16 * 512);
	ck_assert_uint_eq(q.bytes, 4096 + 1536 + 4096);
	ck_assert_uint_eq(q.nseg, 3);
	ck_assert_uint_eq(q.seg[1].gref, 101);
	ck_assert_uint_eq(q.seg[1].offset, 1024);
	ck_assert_uint_eq(q.seg[1].len, 1536);
	ck_assert_uint_eq(q.seg[1].disk_off, 16 * 512 + 4096);
	ck_assert_uint_eq(q.seg[2].disk_off, 16 * 512 + 4096 + 1536);
	ck_assert_int_eq(blk_err_status(q.err), BLKIF_RSP_OKAY);
}
END_TEST

/* The disk's last sector is in; one more is not, nor a wrapping one. */
START_TEST(test_range)
{
	blkif_request_t	 r = rw(BLKIF_OP_WRITE, 2047, 1);

	r.seg[0].last_sect = 0;
	ck_assert_int_eq(verdict(&disk, r), BLK_ERR_NONE);
	r.seg[0].last_sect = 1;
	ck_assert_int_eq(verdict(&disk, r), BLK_ERR_RANGE);
	r = rw(BLKIF_OP_READ, UINT64_MAX - 3, 1);
	ck_assert_int_eq(verdict(&disk, r), BLK_ERR_RANGE);
	r = rw(BLKIF_OP_READ, 2048, 1);
	ck_assert_int_eq(verdict(&disk, r), BLK_ERR_RANGE);
	ck_assert_int_eq(blk_err_status(BLK_ERR_RANGE), BLKIF_RSP_ERROR);
}
END_TEST

START_TEST(test_segments)
{
	blkif_request_t	 r = rw(BLKIF_OP_READ, 0, 0);

	ck_assert_int_eq(verdict(&disk, r), BLK_ERR_SEGS);
	r = rw(BLKIF_OP_WRITE, 0, 11);
	ck_assert_int_eq(verdict(&disk, r), BLK_ERR_NONE);
	r.nr_segments = 12;
	ck_assert_int_eq(verdict(&disk, r), BLK_ERR_SEGS);
	r.nr_segments = 255;
	ck_assert_int_eq(verdict(&disk, r), BLK_ERR_SEGS);
	/* first_sect past last_sect, last_sect past the page. */
	r = rw(BLKIF_OP_READ, 0, 2);
	r.seg[1].first_sect = 5;
	r.seg[1].last_sect = 4;
	ck_assert_int_eq(verdict(&disk, r), BLK_ERR_SECT);
	r = rw(BLKIF_OP_READ, 0, 1);
	r.seg[0].last_sect = 8;
	ck_assert_int_eq(verdict(&disk, r), BLK_ERR_SECT);
	r.seg[0].first_sect = 255;
	r.seg[0].last_sect = 255;
	ck_assert_int_eq(verdict(&disk, r), BLK_ERR_SECT);
}
END_TEST

START_TEST(test_ops)
{
	struct blk_disk	 d = disk;
	blkif_request_t	 r = rw(7, 0, 1);

	ck_assert_int_eq(verdict(&d, r), BLK_ERR_OP);
	r.operation = BLKIF_OP_RESERVED_1;
	ck_assert_int_eq(verdict(&d, r), BLK_ERR_OP);
	ck_assert_int_eq(blk_err_status(BLK_ERR_OP), BLKIF_RSP_ERROR);
	/* Barriers are never offered: EOPNOTSUPP, as blkif says. */
	r.operation = BLKIF_OP_WRITE_BARRIER;
	ck_assert_int_eq(verdict(&d, r), BLK_ERR_NOTSUP);
	ck_assert_int_eq(blk_err_status(BLK_ERR_NOTSUP), BLKIF_RSP_EOPNOTSUPP);
	d.flush = d.discard = false;
	d.max_indirect = 0;
	ck_assert_int_eq(verdict(&d, rw(BLKIF_OP_FLUSH_DISKCACHE, 0, 0)),
	    BLK_ERR_NOTSUP);
	ck_assert_int_eq(verdict(&d, discard(0, 8)), BLK_ERR_NOTSUP);
	ck_assert_int_eq(verdict(&d, indirect(BLKIF_OP_READ, 0, 20)),
	    BLK_ERR_NOTSUP);
}
END_TEST

/* A pure flush; a flush with data is a write made durable. */
START_TEST(test_flush)
{
	static struct blk_req	 q;
	blkif_request_t		 r = rw(BLKIF_OP_FLUSH_DISKCACHE, 0, 0);

	ck_assert_int_eq(blk_req_parse(&q, &disk, &r), BLK_STEP_DONE);
	ck_assert_int_eq(q.err, BLK_ERR_NONE);
	ck_assert_int_eq(q.kind, BLK_FLUSH);
	ck_assert_uint_eq(q.op, BLKIF_OP_FLUSH_DISKCACHE);
	r = rw(BLKIF_OP_FLUSH_DISKCACHE, 8, 2);
	ck_assert_int_eq(blk_req_parse(&q, &disk, &r), BLK_STEP_DONE);
	ck_assert_int_eq(q.err, BLK_ERR_NONE);
	ck_assert_int_eq(q.kind, BLK_WRITE);
	ck_assert(q.sync);
	ck_assert_uint_eq(q.bytes, 8192);
	r.nr_segments = 12;
	ck_assert_int_eq(verdict(&disk, r), BLK_ERR_SEGS);
}
END_TEST

START_TEST(test_discard)
{
	static struct blk_req	 q;
	blkif_request_t		 r = discard(8, 16);

	ck_assert_int_eq(blk_req_parse(&q, &disk, &r), BLK_STEP_DONE);
	ck_assert_int_eq(q.err, BLK_ERR_NONE);
	ck_assert_int_eq(q.kind, BLK_DISCARD);
	ck_assert(q.id == 9);
	ck_assert_uint_eq(q.disk_off, 4096);
	ck_assert_uint_eq(q.bytes, 8192);
	ck_assert_int_eq(verdict(&disk, discard(2040, 8)), BLK_ERR_NONE);
	ck_assert_int_eq(verdict(&disk, discard(2040, 9)), BLK_ERR_RANGE);
	ck_assert_int_eq(verdict(&disk, discard(1, UINT64_MAX)),
	    BLK_ERR_RANGE);
	ck_assert_int_eq(verdict(&disk, discard(UINT64_MAX, 1)),
	    BLK_ERR_RANGE);
	/* Nothing to discard: done at once. */
	ck_assert_int_eq(verdict(&disk, discard(0, 0)), BLK_ERR_NONE);
}
END_TEST

START_TEST(test_readonly)
{
	struct blk_disk	 d = disk;

	d.readonly = true;
	ck_assert_int_eq(verdict(&d, rw(BLKIF_OP_READ, 0, 1)), BLK_ERR_NONE);
	ck_assert_int_eq(verdict(&d, rw(BLKIF_OP_WRITE, 0, 1)),
	    BLK_ERR_RDONLY);
	ck_assert_int_eq(verdict(&d, rw(BLKIF_OP_FLUSH_DISKCACHE, 0, 1)),
	    BLK_ERR_RDONLY);
	ck_assert_int_eq(verdict(&d, rw(BLKIF_OP_FLUSH_DISKCACHE, 0, 0)),
	    BLK_ERR_NONE);
	ck_assert_int_eq(verdict(&d, discard(0, 8)), BLK_ERR_RDONLY);
	ck_assert_int_eq(verdict(&d, indirect(BLKIF_OP_WRITE, 0, 20)),
	    BLK_ERR_RDONLY);
}
END_TEST

/* A disk of 4096-byte sectors: whole ones, in blkif's 512-byte units. */
START_TEST(test_align)
{
	struct blk_disk	 d = disk;
	blkif_request_t	 r = rw(BLKIF_OP_WRITE, 8, 2);

	d.sector_size = 4096;
	ck_assert_int_eq(verdict(&d, r), BLK_ERR_NONE);
	r.sector_number = 4;
	ck_assert_int_eq(verdict(&d, r), BLK_ERR_ALIGN);
	r.sector_number = 8;
	r.seg[1].last_sect = 6;
	ck_assert_int_eq(verdict(&d, r), BLK_ERR_ALIGN);
	ck_assert_int_eq(verdict(&d, discard(8, 8)), BLK_ERR_NONE);
	ck_assert_int_eq(verdict(&d, discard(8, 4)), BLK_ERR_ALIGN);
}
END_TEST

/* The pages named, then the copied segments checked as direct ones. */
START_TEST(test_indirect)
{
	static struct blk_req		 q;
	struct blkif_request_segment	 s[BLK_SEGS_PER_PAGE];
	blkif_request_t			 r = indirect(BLKIF_OP_WRITE, 64, 20);
	unsigned			 i;

	memset(s, 0, sizeof(s));
	for (i = 0; i < 20; i++) {
		s[i].gref = 1000 + i;
		s[i].last_sect = 7;
	}
	ck_assert_int_eq(blk_req_parse(&q, &disk, &r), BLK_STEP_INDIRECT);
	ck_assert_uint_eq(q.nind, 1);
	ck_assert_uint_eq(q.ind_gref[0], 500);
	ck_assert_uint_eq(q.ind_segs, 20);
	/* Answered as what it does. */
	ck_assert_uint_eq(q.op, BLKIF_OP_WRITE);
	ck_assert(q.id == 77);
	blk_req_indirect(&q, &disk, s);
	ck_assert_int_eq(q.err, BLK_ERR_NONE);
	ck_assert_int_eq(q.kind, BLK_WRITE);
	ck_assert_uint_eq(q.nseg, 20);
	ck_assert_uint_eq(q.bytes, 20 * 4096);
	ck_assert_uint_eq(q.seg[19].gref, 1019);
	ck_assert_uint_eq(q.seg[19].disk_off, 64 * 512 + 19 * 4096);
	/* A bad segment among them. */
	s[13].first_sect = 8;
	s[13].last_sect = 9;
	ck_assert_int_eq(blk_req_parse(&q, &disk, &r), BLK_STEP_INDIRECT);
	blk_req_indirect(&q, &disk, s);
	ck_assert_int_eq(q.err, BLK_ERR_SECT);
	/* Past the disk's end. */
	s[13].first_sect = 0;
	s[13].last_sect = 7;
	r = indirect(BLKIF_OP_READ, 2048 - 8 * 19, 20);
	ck_assert_int_eq(blk_req_parse(&q, &disk, &r), BLK_STEP_INDIRECT);
	blk_req_indirect(&q, &disk, s);
	ck_assert_int_eq(q.err, BLK_ERR_RANGE);
}
END_TEST

START_TEST(test_indirect_refused)
{
	ck_assert_int_eq(verdict(&disk, indirect(BLKIF_OP_READ, 0, 0)),
	    BLK_ERR_SEGS);
	ck_assert_int_eq(verdict(&disk, indirect(BLKIF_OP_READ, 0, 33)),
	    BLK_ERR_SEGS);
	ck_assert_int_eq(verdict(&disk, indirect(BLKIF_OP_READ, 0, 65535)),
	    BLK_ERR_SEGS);
	ck_assert_int_eq(verdict(&disk,
	    indirect(BLKIF_OP_FLUSH_DISKCACHE, 0, 4)), BLK_ERR_INDIRECT);
	ck_assert_int_eq(verdict(&disk, indirect(BLKIF_OP_INDIRECT, 0, 4)),
	    BLK_ERR_INDIRECT);
}
END_TEST

/* Every reason has its counter's name. */
START_TEST(test_names)
{
	int	 i;

	for (i = 0; i < BLK_ERR_COUNT; i++)
		ck_assert_str_ne(blk_err_name((enum blk_err)i), "?");
	ck_assert_str_eq(blk_err_name(BLK_ERR_COUNT), "?");
	ck_assert_str_eq(blk_err_name(BLK_ERR_RDONLY), "read-only");
	ck_assert_int_eq(blk_err_status(BLK_ERR_GRANT), BLKIF_RSP_ERROR);
	ck_assert_int_eq(blk_err_status(BLK_ERR_IO), BLKIF_RSP_ERROR);
	ck_assert_int_eq(blk_err_status(BLK_ERR_NOMEM), BLKIF_RSP_ERROR);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("blk_req");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_read);
	tcase_add_test(tc, test_range);
	tcase_add_test(tc, test_segments);
	tcase_add_test(tc, test_ops);
	tcase_add_test(tc, test_flush);
	tcase_add_test(tc, test_discard);
	tcase_add_test(tc, test_readonly);
	tcase_add_test(tc, test_align);
	tcase_add_test(tc, test_indirect);
	tcase_add_test(tc, test_indirect_refused);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
