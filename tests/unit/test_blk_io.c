/*
 * blkback's backing file through io_uring (daemons/blkback/blk_io.c), on
 * a temporary file and a real libevent loop: a write read back, a write
 * made durable and a flush, a discard that reads back as zeros, the
 * bound on operations in flight, a read-only file refusing a write, and
 * what a file is measured as.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <event2/event.h>

#include "unit.h"

#include "blk_io.h"

#define DISK	(1u << 20)

static char		 path[64];
static unsigned		 ndone, nbatches;

static void
done(struct blk_io_op *op, void *arg)
{
	(void)op;
	(void)arg;
	ndone++;
}

static void
batch_end(void *arg)
{
	(void)arg;
	nbatches++;
}

static const struct blk_io_ops ops = { done, batch_end };

static void
setup(void)
{
	int	 fd;

	strcpy(path, "/tmp/shoal-blkio.XXXXXX");
	ck_assert_int_ne(fd = mkstemp(path), -1);
	ck_assert_int_eq(ftruncate(fd, DISK), 0);
	close(fd);
	ndone = nbatches = 0;
}

static void
teardown(void)
{
	unlink(path);
}

static struct blk_io *
open_disk(struct event_base *base, bool ro, unsigned depth)
{
	struct blk_io_params	 p = { .path = path, .readonly = ro,
				    .depth = depth };
	struct blk_io		*io;
	char			 err[256];

	io = blk_io_open(base, &p, &ops, NULL, err, sizeof(err));
	ck_assert_msg(io != NULL, "%s", err);
	return io;
}

/* One op submitted and waited for on the loop; its result. */
static int
run(struct event_base *base, struct blk_io *io, struct blk_io_op *op)
{
	unsigned	 want = ndone + 1;

	ck_assert_int_eq(blk_io_submit(io, op), 0);
	while (ndone < want)
		ck_assert_int_ne(event_base_loop(base, EVLOOP_ONCE), -1);
	return op->result;
}

static struct blk_io_op
op_of(enum blk_io_kind k, uint64_t off, uint64_t len, void *buf)
{
	struct blk_io_op	 op;

	memset(&op, 0, sizeof(op));
	op.kind = k;
	op.off = off;
	op.len = len;
	op.buf = buf;
	return op;
}

START_TEST(test_write_read)
{
	struct event_base	*base = event_base_new();
	struct blk_io		*io = open_disk(base, false, 4);
	uint8_t			*w = blk_io_buf(8192), *r = blk_io_buf(8192);
	struct blk_io_op	 op;
	unsigned		 i;

	ck_assert_uint_eq(blk_io_size(io), DISK);
	ck_assert_uint_eq(blk_io_sector_size(io), 512);
	ck_assert(!blk_io_is_device(io));
	ck_assert_uint_eq(blk_io_depth(io), 4);
	for (i = 0; i < 8192; i++)
		w[i] = (uint8_t)(i * 7 + 1);
	op = op_of(BLK_IO_WRITE, 4096, 8192, w);
	ck_assert_int_eq(run(base, io, &op), 0);
	ck_assert_uint_ge(nbatches, 1);
	/* A write made durable: its fdatasync after it, one completion. */
	op = op_of(BLK_IO_WRITE, 65536, 512, w);
	op.sync = true;
	ck_assert_int_eq(run(base, io, &op), 0);
	ck_assert_uint_eq(ndone, 2);
	op = op_of(BLK_IO_FLUSH, 0, 0, NULL);
	ck_assert_int_eq(run(base, io, &op), 0);
	memset(r, 0, 8192);
	op = op_of(BLK_IO_READ, 4096, 8192, r);
	ck_assert_int_eq(run(base, io, &op), 0);
	ck_assert_mem_eq(r, w, 8192);
	op = op_of(BLK_IO_READ, 65536, 512, r);
	ck_assert_int_eq(run(base, io, &op), 0);
	ck_assert_mem_eq(r, w, 512);
	ck_assert_uint_eq(blk_io_inflight(io), 0);
	/* Past the end of the file: short, an error. */
	op = op_of(BLK_IO_READ, DISK - 512, 1024, r);
	ck_assert_int_eq(run(base, io, &op), -EIO);
	blk_io_close(io);
	free(w);
	free(r);
	event_base_free(base);
}
END_TEST

START_TEST(test_discard)
{
	struct event_base	*base = event_base_new();
	struct blk_io		*io = open_disk(base, false, 4);
	uint8_t			*w = blk_io_buf(16384), *r = blk_io_buf(16384);
	uint8_t			 zero[8192];
	struct blk_io_op	 op;

	if (!blk_io_can_discard(io)) {
		blk_io_close(io);
		event_base_free(base);
		free(w);
		free(r);
		return;		/* a file system without holes */
	}
	memset(w, 0xa5, 16384);
	memset(zero, 0, sizeof(zero));
	op = op_of(BLK_IO_WRITE, 0, 16384, w);
	ck_assert_int_eq(run(base, io, &op), 0);
	op = op_of(BLK_IO_DISCARD, 4096, 8192, NULL);
	ck_assert_int_eq(run(base, io, &op), 0);
	op = op_of(BLK_IO_READ, 0, 16384, r);
	ck_assert_int_eq(run(base, io, &op), 0);
	ck_assert_mem_eq(r, w, 4096);
	ck_assert_mem_eq(r + 4096, zero, 8192);
	ck_assert_mem_eq(r + 12288, w, 4096);
	/* The file keeps its size. */
	blk_io_close(io);
	io = open_disk(base, false, 4);
	ck_assert_uint_eq(blk_io_size(io), DISK);
	blk_io_close(io);
	free(w);
	free(r);
	event_base_free(base);
}
END_TEST

/* depth in flight, not one more; all of them done after a drain. */
START_TEST(test_depth)
{
	struct event_base	*base = event_base_new();
	struct blk_io		*io = open_disk(base, false, 2);
	uint8_t			*b = blk_io_buf(3 * 4096);
	struct blk_io_op	 op[3];
	unsigned		 i;

	for (i = 0; i < 3; i++)
		op[i] = op_of(BLK_IO_WRITE, i * 4096, 4096, b + i * 4096);
	ck_assert_int_eq(blk_io_submit(io, &op[0]), 0);
	ck_assert_int_eq(blk_io_submit(io, &op[1]), 0);
	ck_assert(blk_io_full(io));
	ck_assert_int_eq(blk_io_submit(io, &op[2]), -1);
	ck_assert_int_eq(errno, EAGAIN);
	blk_io_drain(io);
	ck_assert_uint_eq(ndone, 2);
	ck_assert_uint_eq(blk_io_inflight(io), 0);
	ck_assert_int_eq(op[0].result, 0);
	ck_assert_int_eq(op[1].result, 0);
	blk_io_close(io);
	free(b);
	event_base_free(base);
}
END_TEST

START_TEST(test_readonly)
{
	struct event_base	*base = event_base_new();
	struct blk_io		*io = open_disk(base, true, 2);
	uint8_t			*b = blk_io_buf(4096);
	struct blk_io_op	 op;

	ck_assert(!blk_io_can_discard(io));
	op = op_of(BLK_IO_WRITE, 0, 4096, b);
	ck_assert_int_eq(run(base, io, &op), -EBADF);
	op = op_of(BLK_IO_READ, 0, 4096, b);
	ck_assert_int_eq(run(base, io, &op), 0);
	blk_io_close(io);
	free(b);
	event_base_free(base);
}
END_TEST

/* 4096-byte sectors: the size in whole ones; no file, no disk. */
START_TEST(test_measure)
{
	struct event_base	*base = event_base_new();
	struct blk_io_params	 p = { .path = path, .depth = 1,
				    .sector_size = 4096 };
	struct blk_io		*io;
	char			 err[256];
	int			 fd;

	ck_assert_int_ne(fd = open(path, O_WRONLY), -1);
	ck_assert_int_eq(ftruncate(fd, DISK + 1000), 0);
	close(fd);
	io = blk_io_open(base, &p, &ops, NULL, err, sizeof(err));
	ck_assert_msg(io != NULL, "%s", err);
	ck_assert_uint_eq(blk_io_sector_size(io), 4096);
	ck_assert_uint_eq(blk_io_size(io), DISK);
	blk_io_close(io);
	p.path = "/nonexistent/disk.img";
	ck_assert_ptr_null(blk_io_open(base, &p, &ops, NULL, err,
	    sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/disk.img"));
	p.path = "/dev/null";
	ck_assert_ptr_null(blk_io_open(base, &p, &ops, NULL, err,
	    sizeof(err)));
	event_base_free(base);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("blk_io");
	TCase	*tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_write_read);
	tcase_add_test(tc, test_discard);
	tcase_add_test(tc, test_depth);
	tcase_add_test(tc, test_readonly);
	tcase_add_test(tc, test_measure);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
