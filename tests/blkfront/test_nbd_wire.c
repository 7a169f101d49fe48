/*
 * blkfront's NBD wire (daemons/blkfront/bf_nbd_wire.h): the greeting,
 * the client's flags, option headers (a bad magic, a payload too long),
 * GO/INFO payloads (well formed, short, a name longer than the payload,
 * info requests that do not fill it), option replies and export
 * information, and request headers checked against an export: each
 * command served, a bad magic (drop), an unknown command or flag, a
 * request past max-request, unaligned, past the end or wrapping, a
 * write or trim on a read-only export, a flush or trim not offered.
 */
#include <string.h>

#include <check.h>

#include "unit.h"

#include "bf_nbd_wire.h"

static const struct bf_nbd_export ex = {
	.size = 64ull << 20,
	.tflags = NBD_TF_HAS_FLAGS | NBD_TF_SEND_FLUSH | NBD_TF_SEND_FUA |
	    NBD_TF_SEND_TRIM,
	.min_block = 512,
	.max_request = 32 << 20,
};

static void
be(uint8_t *p, uint64_t v, int n)
{
	int	 i;

	for (i = n - 1; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static void
req(uint8_t *h, uint32_t magic, uint16_t flags, uint16_t type,
    uint64_t off, uint32_t len)
{
	be(h, magic, 4);
	be(h + 4, flags, 2);
	be(h + 6, type, 2);
	be(h + 8, 0x1122334455667788ull, 8);
	be(h + 16, off, 8);
	be(h + 24, len, 4);
}

/* The verdict and error for one header against e. */
static enum bf_nbd_verdict
verdict(const struct bf_nbd_export *e, uint32_t magic, uint16_t flags,
    uint16_t type, uint64_t off, uint32_t len, uint32_t *err)
{
	uint8_t			 h[NBD_REQ_HDR_LEN];
	struct bf_nbd_req	 r;

	req(h, magic, flags, type, off, len);
	return bf_nbd_req_parse(h, e, &r, err);
}

START_TEST(test_greeting)
{
	uint8_t		 g[NBD_GREETING_LEN], f[4] = { 0, 0, 0, 3 };
	uint32_t	 flags;

	bf_nbd_greeting(g);
	ck_assert_mem_eq(g, "NBDMAGICIHAVEOPT", 16);
	ck_assert_uint_eq(g[16], 0);
	ck_assert_uint_eq(g[17], NBD_FLAG_FIXED_NEWSTYLE | NBD_FLAG_NO_ZEROES);
	ck_assert_int_eq(bf_nbd_client_flags(f, &flags), 0);
	ck_assert_uint_eq(flags, 3);
	f[3] = 4;	/* a flag we do not know */
	ck_assert_int_eq(bf_nbd_client_flags(f, &flags), -1);
	f[3] = 0;
	f[0] = 0x80;
	ck_assert_int_eq(bf_nbd_client_flags(f, &flags), -1);
}
END_TEST

START_TEST(test_opt_header)
{
	uint8_t			 h[NBD_OPT_HDR_LEN];
	struct bf_nbd_opt	 o;

	memcpy(h, "IHAVEOPT", 8);
	be(h + 8, NBD_OPT_GO, 4);
	be(h + 12, 10, 4);
	ck_assert_int_eq(bf_nbd_opt_parse(h, &o), 0);
	ck_assert_uint_eq(o.option, NBD_OPT_GO);
	ck_assert_uint_eq(o.len, 10);
	be(h + 12, NBD_OPT_DATA_MAX, 4);
	ck_assert_int_eq(bf_nbd_opt_parse(h, &o), 0);
	be(h + 12, NBD_OPT_DATA_MAX + 1, 4);	/* too long: dropped */
	ck_assert_int_eq(bf_nbd_opt_parse(h, &o), -1);
	be(h + 12, 0xffffffffu, 4);
	ck_assert_int_eq(bf_nbd_opt_parse(h, &o), -1);
	be(h + 12, 0, 4);
	memcpy(h, "IHAVEOPS", 8);		/* a bad magic */
	ck_assert_int_eq(bf_nbd_opt_parse(h, &o), -1);
}
END_TEST

START_TEST(test_go_payload)
{
	uint8_t			 p[64];
	struct bf_nbd_go	 g;

	/* Name "xvda", two info requests (block size among them). */
	be(p, 4, 4);
	memcpy(p + 4, "xvda", 4);
	be(p + 8, 2, 2);
	be(p + 10, NBD_INFO_NAME, 2);
	be(p + 12, NBD_INFO_BLOCK_SIZE, 2);
	ck_assert_int_eq(bf_nbd_go_parse(p, 14, &g), 0);
	ck_assert_uint_eq(g.namelen, 4);
	ck_assert_mem_eq(g.name, "xvda", 4);
	ck_assert(g.want_block);
	/* The empty name, no requests. */
	be(p, 0, 4);
	be(p + 4, 0, 2);
	ck_assert_int_eq(bf_nbd_go_parse(p, 6, &g), 0);
	ck_assert_uint_eq(g.namelen, 0);
	ck_assert(!g.want_block);
	/* Short of the count, requests not filling the rest, or more. */
	ck_assert_int_eq(bf_nbd_go_parse(p, 5, &g), -1);
	ck_assert_int_eq(bf_nbd_go_parse(p, 3, &g), -1);
	ck_assert_int_eq(bf_nbd_go_parse(p, 7, &g), -1);
	be(p + 4, 3, 2);
	ck_assert_int_eq(bf_nbd_go_parse(p, 10, &g), -1);
	/* A name longer than the payload, or past NBD_NAME_MAX. */
	be(p, 100, 4);
	ck_assert_int_eq(bf_nbd_go_parse(p, 64, &g), -1);
	be(p, 0xfffffffcu, 4);
	ck_assert_int_eq(bf_nbd_go_parse(p, 64, &g), -1);
}
END_TEST

START_TEST(test_replies)
{
	uint8_t	 h[NBD_REP_HDR_LEN], e[NBD_EXPORT_INFO_LEN];
	uint8_t	 b[NBD_BLOCK_INFO_LEN], n[NBD_EXPORT_NAME_TAIL];
	uint8_t	 r[NBD_SIMPLE_LEN], want[8];

	bf_nbd_rep_hdr(h, NBD_OPT_GO, NBD_REP_ERR_UNSUP, 0);
	be(want, NBD_REPLY_MAGIC, 8);
	ck_assert_mem_eq(h, want, 8);
	ck_assert_uint_eq(h[11], NBD_OPT_GO);
	ck_assert_uint_eq(h[12], 0x80);
	ck_assert_uint_eq(h[15], 1);
	bf_nbd_info_export(e, &ex);
	ck_assert_uint_eq(e[1], NBD_INFO_EXPORT);
	ck_assert_uint_eq(e[6], 4);		/* 64 MiB: 0x04000000 */
	ck_assert_uint_eq(e[11], ex.tflags & 0xff);
	bf_nbd_info_block(b, &ex);
	ck_assert_uint_eq(b[1], NBD_INFO_BLOCK_SIZE);
	ck_assert_uint_eq(b[4] << 8 | b[5], 512);
	ck_assert_uint_eq(b[8] << 8 | b[9], 4096);
	ck_assert_uint_eq(b[10], 2);		/* 32 MiB: 0x02000000 */
	ck_assert_uint_eq(bf_nbd_export_name_reply(n, &ex, true), 10);
	memset(n, 0xff, sizeof(n));
	ck_assert_uint_eq(bf_nbd_export_name_reply(n, &ex, false), 134);
	ck_assert_uint_eq(n[133], 0);
	bf_nbd_simple_reply(r, NBD_EINVAL, 0x0102030405060708ull);
	be(want, NBD_SIMPLE_MAGIC, 4);
	ck_assert_mem_eq(r, want, 4);
	ck_assert_uint_eq(r[7], NBD_EINVAL);
	ck_assert_uint_eq(r[15], 8);
}
END_TEST

START_TEST(test_requests_served)
{
	uint8_t			 h[NBD_REQ_HDR_LEN];
	struct bf_nbd_req	 r;
	uint32_t		 err;

	req(h, NBD_REQUEST_MAGIC, 0, NBD_CMD_READ, 4096, 65536);
	ck_assert_int_eq(bf_nbd_req_parse(h, &ex, &r, &err), BF_NBD_OK);
	ck_assert_uint_eq(r.type, NBD_CMD_READ);
	ck_assert_uint_eq(r.offset, 4096);
	ck_assert_uint_eq(r.len, 65536);
	ck_assert_uint_eq(r.cookie, 0x1122334455667788ull);
	ck_assert_int_eq(verdict(&ex, NBD_REQUEST_MAGIC, NBD_CMD_FLAG_FUA,
	    NBD_CMD_WRITE, 0, 512, &err), BF_NBD_OK);
	ck_assert_int_eq(verdict(&ex, NBD_REQUEST_MAGIC, 0, NBD_CMD_FLUSH, 0,
	    0, &err), BF_NBD_OK);
	ck_assert_int_eq(verdict(&ex, NBD_REQUEST_MAGIC, 0, NBD_CMD_TRIM,
	    1 << 20, 1 << 20, &err), BF_NBD_OK);
	ck_assert_int_eq(verdict(&ex, NBD_REQUEST_MAGIC, 0, NBD_CMD_DISC, 0,
	    0, &err), BF_NBD_OK);
	/* The last sector, and a request of max-request exactly. */
	ck_assert_int_eq(verdict(&ex, NBD_REQUEST_MAGIC, 0, NBD_CMD_READ,
	    ex.size - 512, 512, &err), BF_NBD_OK);
	ck_assert_int_eq(verdict(&ex, NBD_REQUEST_MAGIC, 0, NBD_CMD_READ, 0,
	    32 << 20, &err), BF_NBD_OK);
}
END_TEST

START_TEST(test_requests_refused)
{
	struct bf_nbd_export	 ro = ex, bare = ex;
	uint32_t		 err;

	/* A bad magic: dropped, whatever follows. */
	ck_assert_int_eq(verdict(&ex, 0x25609514u, 0, NBD_CMD_READ, 0, 512,
	    &err), BF_NBD_DROP);
	ck_assert_int_eq(verdict(&ex, 0, 0, NBD_CMD_READ, 0, 512, &err),
	    BF_NBD_DROP);
	/* Past max-request (the write's bytes are skipped by the caller). */
	ck_assert_int_eq(verdict(&ex, NBD_REQUEST_MAGIC, 0, NBD_CMD_READ, 0,
	    (32 << 20) + 512, &err), BF_NBD_ERROR);
	ck_assert_uint_eq(err, NBD_EINVAL);
	ck_assert_int_eq(verdict(&ex, NBD_REQUEST_MAGIC, 0, NBD_CMD_WRITE, 0,
	    0xfffffe00u, &err), BF_NBD_ERROR);
	ck_assert_uint_eq(err, NBD_EINVAL);
	/* Past the end: one sector more, an offset past it, wrapping. */
	ck_assert_int_eq(verdict(&ex, NBD_REQUEST_MAGIC, 0, NBD_CMD_READ,
	    ex.size - 512, 1024, &err), BF_NBD_ERROR);
	ck_assert_uint_eq(err, NBD_EINVAL);
	ck_assert_int_eq(verdict(&ex, NBD_REQUEST_MAGIC, 0, NBD_CMD_WRITE,
	    ex.size, 512, &err), BF_NBD_ERROR);
	ck_assert_uint_eq(err, NBD_ENOSPC);
	ck_assert_int_eq(verdict(&ex, NBD_REQUEST_MAGIC, 0, NBD_CMD_READ,
	    0xfffffffffffffe00ull, 1024, &err), BF_NBD_ERROR);
	ck_assert_int_eq(verdict(&ex, NBD_REQUEST_MAGIC, 0, NBD_CMD_TRIM,
	    ex.size - 512, 4096, &err), BF_NBD_ERROR);
	/* Not whole sectors. */
	ck_assert_int_eq(verdict(&ex, NBD_REQUEST_MAGIC, 0, NBD_CMD_READ, 1,
	    512, &err), BF_NBD_ERROR);
	ck_assert_int_eq(verdict(&ex, NBD_REQUEST_MAGIC, 0, NBD_CMD_WRITE, 0,
	    100, &err), BF_NBD_ERROR);
	/* Unknown commands and flags; FUA on a read. */
	ck_assert_int_eq(verdict(&ex, NBD_REQUEST_MAGIC, 0, 7, 0, 512, &err),
	    BF_NBD_ERROR);
	ck_assert_uint_eq(err, NBD_EINVAL);
	ck_assert_int_eq(verdict(&ex, NBD_REQUEST_MAGIC, 0x8000, NBD_CMD_READ,
	    0, 512, &err), BF_NBD_ERROR);
	ck_assert_int_eq(verdict(&ex, NBD_REQUEST_MAGIC, NBD_CMD_FLAG_FUA,
	    NBD_CMD_READ, 0, 512, &err), BF_NBD_ERROR);
	/* Read-only: reads yes, writes and trims EPERM. */
	ro.tflags = NBD_TF_HAS_FLAGS | NBD_TF_READ_ONLY | NBD_TF_SEND_TRIM;
	ck_assert_int_eq(verdict(&ro, NBD_REQUEST_MAGIC, 0, NBD_CMD_READ, 0,
	    512, &err), BF_NBD_OK);
	ck_assert_int_eq(verdict(&ro, NBD_REQUEST_MAGIC, 0, NBD_CMD_WRITE, 0,
	    512, &err), BF_NBD_ERROR);
	ck_assert_uint_eq(err, NBD_EPERM);
	ck_assert_int_eq(verdict(&ro, NBD_REQUEST_MAGIC, 0, NBD_CMD_TRIM, 0,
	    512, &err), BF_NBD_ERROR);
	ck_assert_uint_eq(err, NBD_EPERM);
	/* Flush, FUA and trim not offered. */
	bare.tflags = NBD_TF_HAS_FLAGS;
	ck_assert_int_eq(verdict(&bare, NBD_REQUEST_MAGIC, 0, NBD_CMD_FLUSH, 0,
	    0, &err), BF_NBD_ERROR);
	ck_assert_int_eq(verdict(&bare, NBD_REQUEST_MAGIC, 0, NBD_CMD_TRIM, 0,
	    512, &err), BF_NBD_ERROR);
	ck_assert_int_eq(verdict(&bare, NBD_REQUEST_MAGIC, NBD_CMD_FLAG_FUA,
	    NBD_CMD_WRITE, 0, 512, &err), BF_NBD_ERROR);
	/* 4096-byte sectors: 512 is not whole. */
	bare.min_block = 4096;
	ck_assert_int_eq(verdict(&bare, NBD_REQUEST_MAGIC, 0, NBD_CMD_READ,
	    512, 4096, &err), BF_NBD_ERROR);
	ck_assert_int_eq(verdict(&bare, NBD_REQUEST_MAGIC, 0, NBD_CMD_READ,
	    4096, 4096, &err), BF_NBD_OK);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("blkfront_nbd");
	TCase	*tc = tcase_create("wire");

	tcase_add_test(tc, test_greeting);
	tcase_add_test(tc, test_opt_header);
	tcase_add_test(tc, test_go_payload);
	tcase_add_test(tc, test_replies);
	tcase_add_test(tc, test_requests_served);
	tcase_add_test(tc, test_requests_refused);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
