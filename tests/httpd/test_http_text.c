/*
 * http_text: text past the capacity is dropped, never written past the
 * buffer; a full text is cut back to a line's end and ends with its tail.
 */
#include <stdlib.h>
#include <string.h>

#include "http_text.h"
#include "unit.h"

START_TEST(test_fits)
{
	struct http_text	 t;

	ck_assert_int_eq(http_text_init(&t, 64), 0);
	http_text_put(&t, "a %d\n", 1);
	http_text_put(&t, "b %s\n", "two");
	ck_assert(!t.full);
	ck_assert_uint_eq(t.len, 10);
	ck_assert_int_eq(memcmp(t.p, "a 1\nb two\n", 10), 0);
	http_text_end_cut(&t, "CUT\n");		/* not full: no change */
	ck_assert_uint_eq(t.len, 10);
	free(t.p);
}
END_TEST

START_TEST(test_cut_at_line)
{
	struct http_text	 t;
	size_t			 cap = HTTP_TEXT_TAIL + 100;
	int			 i;

	ck_assert_int_eq(http_text_init(&t, cap), 0);
	for (i = 0; i < 100; i++)
		http_text_put(&t, "line %03d\n", i);	/* 9 bytes each */
	ck_assert(t.full);
	ck_assert_uint_lt(t.len, cap);
	http_text_end_cut(&t, "# cut\n");
	ck_assert(!t.full);
	ck_assert_uint_le(t.len, cap);
	/* Whole lines, then the tail. */
	ck_assert_uint_eq((t.len - 6) % 9, 0);
	ck_assert_int_eq(memcmp(t.p + t.len - 6, "# cut\n", 6), 0);
	ck_assert_int_eq(memcmp(t.p, "line 000\n", 9), 0);
	free(t.p);
}
END_TEST

START_TEST(test_one_long_line)
{
	struct http_text	 t;
	char			 big[400];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(http_text_init(&t, 200), 0);
	http_text_put(&t, "%s", big);
	ck_assert(t.full);
	ck_assert_uint_eq(t.len, 0);
	http_text_end_cut(&t, "(cut)\n");
	ck_assert_uint_eq(t.len, 6);
	ck_assert_int_eq(memcmp(t.p, "(cut)\n", 6), 0);
	free(t.p);
}
END_TEST

void	http_test_text(Suite *);

void
http_test_text(Suite *s)
{
	TCase	*tc = tcase_create("text");

	tcase_add_test(tc, test_fits);
	tcase_add_test(tc, test_cut_at_line);
	tcase_add_test(tc, test_one_long_line);
	suite_add_tcase(s, tc);
}
