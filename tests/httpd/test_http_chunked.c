/*
 * http_chunked: a body with extensions and trailers decoded whole, byte
 * by byte and in pieces of every size up to 9 (the same outcome, *used
 * exact, the next request's bytes left alone); bad framing (400) and a
 * body over the limit (413), both ways.
 */
#include <stdlib.h>
#include <string.h>

#include "http_chunked.h"
#include "unit.h"

#define BIG	((uint64_t)1 << 20)

/* 4 + 5 + 14 + 10 = 33 bytes of data. */
static const char body[] =
    "4;name=val\r\nWiki\r\n"
    "5 ;x\r\npedia\r\n"
    "E; a=b\r\n in\r\n\r\nchunks.\r\n"
    "A\r\n0123456789\r\n"
    "0;last\r\nTrailer: x\r\nOther: y\r\n\r\n";
#define BODY_DATA	33
static const char next[] = "GET /next HTTP/1.1\r\n";

/* One call on a copy of exactly n bytes (the sanitizer build sees a read
 * past them). */
static int
feed(struct http_chunked *c, const char *p, size_t n, uint64_t max,
    size_t *used)
{
	char	*b = malloc(n ? n : 1);
	int	 rc;

	ck_assert_ptr_nonnull(b);
	memcpy(b, p, n);
	*used = (size_t)-1;
	rc = http_chunked_feed(c, b, n, max, used);
	free(b);
	ck_assert_uint_le(*used, n);
	return rc;
}

/*
 * Pieces of at most step bytes until an answer other than MORE; *taken
 * is the sum of *used, and every piece before the last must have been
 * taken whole.
 */
static int
pieces(const char *p, size_t n, size_t step, uint64_t max, size_t *taken)
{
	struct http_chunked	 c;
	size_t			 off = 0, k, used;
	int			 rc = HTTP_CHUNKED_MORE;

	http_chunked_init(&c);
	while (off < n && rc == HTTP_CHUNKED_MORE) {
		k = n - off < step ? n - off : step;
		rc = feed(&c, p + off, k, max, &used);
		if (rc == HTTP_CHUNKED_MORE)
			ck_assert_uint_eq(used, k);
		off += used;
	}
	if (rc >= 400)
		ck_assert_ptr_nonnull(c.why);
	*taken = off;
	return rc;
}

START_TEST(test_whole)
{
	char			 buf[256];
	struct http_chunked	 c;
	size_t			 used;

	strcpy(buf, body);
	strcat(buf, next);
	http_chunked_init(&c);
	ck_assert_int_eq(feed(&c, buf, strlen(buf), BIG, &used),
	    HTTP_CHUNKED_DONE);
	ck_assert_uint_eq(used, sizeof(body) - 1);
	ck_assert_uint_eq(c.total, BODY_DATA);
	/* Done is done: more bytes are not the body's. */
	ck_assert_int_eq(feed(&c, next, sizeof(next) - 1, BIG, &used),
	    HTTP_CHUNKED_DONE);
	ck_assert_uint_eq(used, 0);
}
END_TEST

START_TEST(test_bytewise)
{
	struct http_chunked	 c;
	size_t			 i, used;
	int			 rc;

	http_chunked_init(&c);
	for (i = 0; i + 1 < sizeof(body) - 1; i++) {
		rc = feed(&c, body + i, 1, BIG, &used);
		ck_assert_msg(rc == HTTP_CHUNKED_MORE, "byte %zu: %d", i, rc);
		ck_assert_uint_eq(used, 1);
	}
	ck_assert_int_eq(feed(&c, body + i, 1, BIG, &used),
	    HTTP_CHUNKED_DONE);
	ck_assert_uint_eq(used, 1);
	ck_assert_uint_eq(c.total, BODY_DATA);
	ck_assert_int_eq(feed(&c, next, 1, BIG, &used), HTTP_CHUNKED_DONE);
	ck_assert_uint_eq(used, 0);
}
END_TEST

START_TEST(test_piecewise)
{
	char	 buf[256];
	size_t	 step, taken;

	strcpy(buf, body);
	strcat(buf, next);
	for (step = 1; step <= 9; step++) {
		ck_assert_int_eq(pieces(buf, strlen(buf), step, BIG, &taken),
		    HTTP_CHUNKED_DONE);
		ck_assert_msg(taken == sizeof(body) - 1, "step %zu: %zu taken",
		    step, taken);
	}
}
END_TEST

START_TEST(test_sixteen_digits)
{
	static const char t[] = "0000000000000004\r\nWiki\r\n0\r\n\r\n";
	struct http_chunked	 c;
	size_t			 used;

	http_chunked_init(&c);
	ck_assert_int_eq(feed(&c, t, sizeof(t) - 1, BIG, &used),
	    HTTP_CHUNKED_DONE);
	ck_assert_uint_eq(used, sizeof(t) - 1);
	ck_assert_uint_eq(c.total, 4);
}
END_TEST

struct bad {
	const char	*what, *text;
	size_t		 len;
	uint64_t	 max;
	int		 status;
};
#define B(what, text, max, st)	{ what, text, sizeof(text) - 1, max, st }

static const struct bad bads[] = {
	B("bad hex digit", "g\r\nxxxxxxxxxxxxxxxx\r\n0\r\n\r\n", BIG, 400),
	B("hex then garbage", "4x\r\nWiki\r\n0\r\n\r\n", BIG, 400),
	B("0x prefix", "0x4\r\nWiki\r\n0\r\n\r\n", BIG, 400),
	B("negative size", "-4\r\nWiki\r\n0\r\n\r\n", BIG, 400),
	B("no size", "\r\nWiki\r\n0\r\n\r\n", BIG, 400),
	B("17 hex digits", "00000000000000004\r\nWiki\r\n0\r\n\r\n", BIG,
	    400),
	B("size line ending in CR only", "4\rWiki\r\n0\r\n\r\n", BIG, 400),
	B("bare LF after the size", "4\nWiki\r\n0\r\n\r\n", BIG, 400),
	B("bare LF after an extension", "4;a=b\nWiki\r\n0\r\n\r\n", BIG, 400),
	B("control byte in an extension", "4;a\001b\r\nWiki\r\n0\r\n\r\n",
	    BIG, 400),
	B("data longer than its size", "4\r\nWikiX\r\n0\r\n\r\n", BIG, 400),
	B("no CRLF after data", "4\r\nWiki0\r\n\r\n", BIG, 400),
	B("bare LF after data", "4\r\nWiki\n0\r\n\r\n", BIG, 400),
	B("CR and no LF after data", "4\r\nWiki\r0\r\n\r\n", BIG, 400),
	B("bare LF after the last chunk", "0\r\n\n", BIG, 400),
	B("bare LF after a trailer", "0\r\nA: b\n\r\n", BIG, 400),
	B("CR and no LF ending the body", "0\r\n\rX", BIG, 400),
	B("control byte in a trailer", "0\r\nA: \001\r\n\r\n", BIG, 400),
	B("one chunk over max", "b\r\nhello world\r\n0\r\n\r\n", 10, 413),
	B("two chunks over max", "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
	    10, 413),
	B("a huge chunk", "FFFFFFFFFFFFFFFF\r\n", BIG, 413),
};

START_TEST(test_bad)
{
	const struct bad	*t = &bads[_i];
	size_t			 taken;
	int			 a, b;

	a = pieces(t->text, t->len, t->len, t->max, &taken);
	ck_assert_msg(a == t->status, "%s: whole: %d, not %d", t->what, a,
	    t->status);
	b = pieces(t->text, t->len, 1, t->max, &taken);
	ck_assert_msg(b == t->status, "%s: byte by byte: %d, not %d",
	    t->what, b, t->status);
}
END_TEST

/* Exactly max is allowed, one byte over is not. */
START_TEST(test_max_edge)
{
	static const char ten[] = "a\r\n0123456789\r\n0\r\n\r\n";
	static const char eleven[] = "6\r\n012345\r\n5\r\n67890\r\n0\r\n\r\n";
	size_t	 taken;

	ck_assert_int_eq(pieces(ten, sizeof(ten) - 1, 64, 10, &taken),
	    HTTP_CHUNKED_DONE);
	ck_assert_uint_eq(taken, sizeof(ten) - 1);
	ck_assert_int_eq(pieces(eleven, sizeof(eleven) - 1, 64, 10, &taken),
	    413);
	/* Refused at the second size line, before its data. */
	ck_assert_uint_eq(taken, strstr(eleven, "67890") - eleven);
}
END_TEST

/* Data past max is refused at the latest when it passes max, whatever
 * size line announced it. */
START_TEST(test_max_data)
{
	static const char head[] = "1\r\na\r\nFFFFFFFFFFFFFFFF\r\n";
	char			 data[200];
	struct http_chunked	 c;
	size_t			 used;
	int			 rc;

	http_chunked_init(&c);
	rc = feed(&c, head, sizeof(head) - 1, 100, &used);
	ck_assert(rc == HTTP_CHUNKED_MORE || rc == 413);
	if (rc == HTTP_CHUNKED_MORE) {
		memset(data, 'x', sizeof(data));
		rc = feed(&c, data, sizeof(data), 100, &used);
		ck_assert_int_eq(rc, 413);
		ck_assert_uint_gt(c.total, 100);
	}
}
END_TEST

/* Over-long extensions and trailers are refused, not skipped forever. */
START_TEST(test_long_lines)
{
	char	 buf[12000];
	size_t	 taken;

	strcpy(buf, "4;");
	memset(buf + 2, 'e', 5000);
	strcpy(buf + 5002, "\r\nWiki\r\n0\r\n\r\n");
	ck_assert_int_eq(pieces(buf, strlen(buf), 512, BIG, &taken), 400);
	strcpy(buf, "0\r\nT: ");
	memset(buf + 6, 't', 5000);
	strcpy(buf + 5006, "\r\n\r\n");
	ck_assert_int_eq(pieces(buf, strlen(buf), 512, BIG, &taken), 400);
	/* A short one of each is fine. */
	strcpy(buf, "4;e\r\nWiki\r\n0\r\nT: t\r\n\r\n");
	ck_assert_int_eq(pieces(buf, strlen(buf), 512, BIG, &taken),
	    HTTP_CHUNKED_DONE);
}
END_TEST

void	http_test_chunked(Suite *);

void
http_test_chunked(Suite *s)
{
	TCase	*tc = tcase_create("chunked");

	tcase_add_test(tc, test_whole);
	tcase_add_test(tc, test_bytewise);
	tcase_add_test(tc, test_piecewise);
	tcase_add_test(tc, test_sixteen_digits);
	tcase_add_loop_test(tc, test_bad, 0, sizeof(bads) / sizeof(bads[0]));
	tcase_add_test(tc, test_max_edge);
	tcase_add_test(tc, test_max_data);
	tcase_add_test(tc, test_long_lines);
	suite_add_tcase(s, tc);
}
