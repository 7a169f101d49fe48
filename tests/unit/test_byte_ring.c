/* byte_ring: wrap-around, full and empty, and indices a peer broke. */
#include <string.h>

#include <check.h>

#include "unit.h"

#include "byte_ring.h"

static uint8_t		 buf[16];
static uint32_t		 cons, prod;
static struct byte_ring	 R = { buf, sizeof(buf), &cons, &prod };

static void
at(uint32_t index)
{
	memset(buf, 0, sizeof(buf));
	cons = prod = index;
}

START_TEST(test_write_then_read_across_the_wrap)
{
	char	 out[16];

	at(UINT32_MAX - 5);		/* the indices wrap too */
	ck_assert_int_eq(byte_ring_write(&R, "0123456789", 10), 10);
	ck_assert_uint_eq(prod, UINT32_MAX - 5 + 10);
	ck_assert_int_eq(byte_ring_avail(&R), 10);
	ck_assert_int_eq(byte_ring_read(&R, out, 4), 4);
	ck_assert_int_eq(memcmp(out, "0123", 4), 0);
	ck_assert_int_eq(byte_ring_read(&R, out, sizeof(out)), 6);
	ck_assert_int_eq(memcmp(out, "456789", 6), 0);
	ck_assert_int_eq(byte_ring_read(&R, out, sizeof(out)), 0);
	ck_assert_uint_eq(cons, prod);
}
END_TEST

START_TEST(test_full_and_consume_without_copy)
{
	at(3);
	ck_assert_int_eq(byte_ring_write(&R, "abcdefghijklmnopqrst", 20), 16);
	ck_assert_int_eq(byte_ring_write(&R, "x", 1), 0);
	ck_assert_int_eq(byte_ring_read(&R, NULL, 5), 5);
	ck_assert_int_eq(byte_ring_write(&R, "vwxyz!", 6), 5);
	ck_assert_int_eq(byte_ring_avail(&R), 16);
}
END_TEST

/* A producer more than a ring ahead, or behind: refused, nothing moved. */
START_TEST(test_bad_indices)
{
	char	 out[16];

	at(100);
	prod = 100 + 17;
	ck_assert_int_eq(byte_ring_avail(&R), -1);
	ck_assert_int_eq(byte_ring_read(&R, out, sizeof(out)), -1);
	ck_assert_int_eq(byte_ring_write(&R, "a", 1), -1);
	prod = 99;
	ck_assert_int_eq(byte_ring_read(&R, out, sizeof(out)), -1);
	ck_assert_int_eq(byte_ring_write(&R, "a", 1), -1);
	ck_assert_uint_eq(cons, 100);
	ck_assert_uint_eq(prod, 99);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("byte_ring");
	TCase	*tc = tcase_create("byte_ring");

	tcase_add_test(tc, test_write_then_read_across_the_wrap);
	tcase_add_test(tc, test_full_and_consume_without_copy);
	tcase_add_test(tc, test_bad_indices);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
