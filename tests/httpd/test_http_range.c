/*
 * http_range: each shape of range-spec against a file of 1024 bytes,
 * several ranges, the ranges limit, other units, an empty file, and what
 * http_range.h says is answered 416 (malformed ones included).
 */
#include <stdlib.h>
#include <string.h>

#include "http_range.h"
#include "unit.h"

#define SIZE	1024
#define MAXR	4

static struct http_range	 out[MAXR + 1];
static unsigned			 n;

/* In a buffer of the value's exact size; out[MAXR] is a sentinel that
 * must never be written with max MAXR. */
static enum http_range_result
range(const char *v, uint64_t size, unsigned max)
{
	char			*b = malloc(strlen(v) ? strlen(v) : 1);
	enum http_range_result	 rc;

	ck_assert_ptr_nonnull(b);
	memcpy(b, v, strlen(v));
	memset(out, 0xee, sizeof(out));
	n = 12345;
	rc = http_range_parse(b, strlen(v), size, out, max, &n);
	free(b);
	ck_assert_uint_eq(out[MAXR].first, 0xeeeeeeeeeeeeeeeeULL);
	return rc;
}

static void
one(const char *v, uint64_t first, uint64_t last)
{
	enum http_range_result	 rc = range(v, SIZE, MAXR);

	ck_assert_msg(rc == HTTP_RANGE_OK, "%s: %d", v, rc);
	ck_assert_msg(n == 1, "%s: %u ranges", v, n);
	ck_assert_msg(out[0].first == first && out[0].last == last,
	    "%s: %llu-%llu, not %llu-%llu", v,
	    (unsigned long long)out[0].first, (unsigned long long)out[0].last,
	    (unsigned long long)first, (unsigned long long)last);
}

static void
result(const char *v, uint64_t size, enum http_range_result want)
{
	enum http_range_result	 rc = range(v, size, MAXR);

	ck_assert_msg(rc == want, "%s (size %llu): %d, not %d", v,
	    (unsigned long long)size, rc, want);
}

START_TEST(test_shapes)
{
	one("bytes=0-99", 0, 99);
	one("bytes=100-", 100, 1023);
	one("bytes=-100", 924, 1023);
	one("bytes=0-0", 0, 0);
	one("bytes=1023-", 1023, 1023);
	one("bytes=1023-1023", 1023, 1023);
	/* Past the end: clamped. */
	one("bytes=0-5000", 0, 1023);
	one("bytes=-5000", 0, 1023);
	one("bytes=-1024", 0, 1023);
	one("bytes=-1", 1023, 1023);
	/* Blanks around the dash, as nginx and lighttpd take them. */
	one("bytes=0 - 99", 0, 99);
	one("bytes= 7-8 ", 7, 8);
	/* The unit is case-insensitive. */
	one("Bytes=1-2", 1, 2);
}
END_TEST

START_TEST(test_unsatisfiable)
{
	result("bytes=1024-", SIZE, HTTP_RANGE_UNSAT);
	result("bytes=1024-2000", SIZE, HTTP_RANGE_UNSAT);
	result("bytes=-0", SIZE, HTTP_RANGE_UNSAT);
	result("bytes=2000-3000,1024-", SIZE, HTTP_RANGE_UNSAT);
	/* Malformed: 416 by the header's choice, not ignored. */
	result("bytes=5-2", SIZE, HTTP_RANGE_UNSAT);
	result("bytes=", SIZE, HTTP_RANGE_UNSAT);
	result("bytes=-", SIZE, HTTP_RANGE_UNSAT);
	result("bytes=abc", SIZE, HTTP_RANGE_UNSAT);
	result("bytes=1-2-3", SIZE, HTTP_RANGE_UNSAT);
	result("bytes=0-1,x", SIZE, HTTP_RANGE_UNSAT);
	result("bytes=0x1-2", SIZE, HTTP_RANGE_UNSAT);
	result("bytes=99999999999999999999999-", SIZE, HTTP_RANGE_UNSAT);
	result("bytes=-99999999999999999999999", SIZE, HTTP_RANGE_UNSAT);
	ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(test_several)
{
	ck_assert_int_eq(range("bytes=0-99,200-299", SIZE, MAXR),
	    HTTP_RANGE_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(out[0].first, 0);
	ck_assert_uint_eq(out[0].last, 99);
	ck_assert_uint_eq(out[1].first, 200);
	ck_assert_uint_eq(out[1].last, 299);

	/* Exactly max, blanks and empty elements between them. */
	ck_assert_int_eq(range("bytes=,0-1, 2-3 ,, -4,1000-", SIZE, MAXR),
	    HTTP_RANGE_OK);
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(out[2].first, 1020);
	ck_assert_uint_eq(out[2].last, 1023);
	ck_assert_uint_eq(out[3].first, 1000);
	ck_assert_uint_eq(out[3].last, 1023);

	/* Unsatisfiable ones among others are dropped. */
	ck_assert_int_eq(range("bytes=2000-3000,5-6,-0", SIZE, MAXR),
	    HTTP_RANGE_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(out[0].first, 5);
	ck_assert_uint_eq(out[0].last, 6);
}
END_TEST

START_TEST(test_ignored)
{
	/* One over the limit: the whole file instead. */
	result("bytes=0-1,2-3,4-5,6-7,8-9", SIZE, HTTP_RANGE_IGNORE);
	ck_assert_int_eq(range("bytes=0-1,2-3", SIZE, 1), HTTP_RANGE_IGNORE);
	ck_assert_int_eq(range("bytes=0-1", SIZE, 1), HTTP_RANGE_OK);
	/* Other units. */
	result("items=0-1", SIZE, HTTP_RANGE_IGNORE);
	result("bytes0-1", SIZE, HTTP_RANGE_IGNORE);
	result("byte=0-1", SIZE, HTTP_RANGE_IGNORE);
	result("", SIZE, HTTP_RANGE_IGNORE);
	/* An empty file is sent whole, whatever was asked. */
	result("bytes=0-99", 0, HTTP_RANGE_IGNORE);
	result("bytes=-1", 0, HTTP_RANGE_IGNORE);
	result("bytes=0-", 0, HTTP_RANGE_IGNORE);
}
END_TEST

/* Sizes at the far end of 64 bits. */
START_TEST(test_large)
{
	ck_assert_int_eq(range("bytes=18446744073709551600-", UINT64_MAX,
	    MAXR), HTTP_RANGE_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(out[0].first, UINT64_MAX - 15);
	ck_assert_uint_eq(out[0].last, UINT64_MAX - 1);
	ck_assert_int_eq(range("bytes=-10", UINT64_MAX, MAXR),
	    HTTP_RANGE_OK);
	ck_assert_uint_eq(out[0].first, UINT64_MAX - 10);
}
END_TEST

void	http_test_range(Suite *);

void
http_test_range(Suite *s)
{
	TCase	*tc = tcase_create("range");

	tcase_add_test(tc, test_shapes);
	tcase_add_test(tc, test_unsatisfiable);
	tcase_add_test(tc, test_several);
	tcase_add_test(tc, test_ignored);
	tcase_add_test(tc, test_large);
	suite_add_tcase(s, tc);
}
