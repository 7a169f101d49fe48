/*
 * http_date: the three forms of one instant give the same time, the
 * IMF-fixdate written reads back, and what is not a date is -1.
 */
#include <stdlib.h>
#include <string.h>

#include "http_date.h"
#include "unit.h"

#define RFC_EXAMPLE	((time_t)784111777)	/* 1994-11-06 08:49:37 */

/* In a buffer of the text's exact size. */
static time_t
parse(const char *s)
{
	size_t	 len = strlen(s);
	char	*b = malloc(len ? len : 1);
	time_t	 t;

	ck_assert_ptr_nonnull(b);
	memcpy(b, s, len);
	t = http_date_parse(b, len);
	free(b);
	return t;
}

START_TEST(test_three_forms)
{
	ck_assert_int_eq(parse("Sun, 06 Nov 1994 08:49:37 GMT"), RFC_EXAMPLE);
	/* Two-digit years: 2094 is more than 50 years ahead (until 2044),
	 * so 1994. */
	ck_assert_int_eq(parse("Sunday, 06-Nov-94 08:49:37 GMT"),
	    RFC_EXAMPLE);
	ck_assert_int_eq(parse("Sun Nov  6 08:49:37 1994"), RFC_EXAMPLE);
	/* A leap day, each form. */
	ck_assert_int_eq(parse("Tue, 29 Feb 2000 12:00:00 GMT"), 951825600);
	ck_assert_int_eq(parse("Tuesday, 29-Feb-00 12:00:00 GMT"), 951825600);
	ck_assert_int_eq(parse("Tue Feb 29 12:00:00 2000"), 951825600);
	ck_assert_int_eq(parse("Thu, 01 Jan 1970 00:00:00 GMT"), 0);
	ck_assert_int_eq(parse("Fri, 31 Dec 1999 23:59:59 GMT"), 946684799);
}
END_TEST

START_TEST(test_format)
{
	static const time_t	 t[] = {
		0, RFC_EXAMPLE, 951825600, 1709208000, 2147483647,
		4107542399LL,		/* 2100-02-28 23:59:59 */
		253402300799LL,		/* 9999-12-31 23:59:59 */
	};
	char			 out[HTTP_DATE_LEN + 2];
	size_t			 i;

	memset(out, 'x', sizeof(out));
	http_date_format(RFC_EXAMPLE, out);
	ck_assert_str_eq(out, "Sun, 06 Nov 1994 08:49:37 GMT");
	ck_assert_int_eq(out[HTTP_DATE_LEN + 1], 'x');
	http_date_format(0, out);
	ck_assert_str_eq(out, "Thu, 01 Jan 1970 00:00:00 GMT");
	http_date_format(951825600, out);
	ck_assert_str_eq(out, "Tue, 29 Feb 2000 12:00:00 GMT");
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		http_date_format(t[i], out);
		ck_assert_uint_eq(strlen(out), HTTP_DATE_LEN);
		ck_assert_msg(parse(out) == t[i], "%s: %lld, not %lld", out,
		    (long long)parse(out), (long long)t[i]);
	}
}
END_TEST

START_TEST(test_garbage)
{
	static const char	*bad[] = {
		"",
		"garbage",
		"0",
		"784111777",
		"1994-11-06T08:49:37Z",
		"Sun, 06 Nov 1994 08:49:37 UTC",
		"Sun, 06 Nov 1994 08:49:37 GMT ",
		" Sun, 06 Nov 1994 08:49:37 GMT",
		"Sun, 6 Nov 1994 08:49:37 GMT",
		"Sun, 06 nov 1994 08:49:37 GMT",
		"Sun, 06 Nov 94 08:49:37 GMT",
		"Sun, 06 Nov 19x4 08:49:37 GMT",
		"Sun, 00 Nov 1994 08:49:37 GMT",
		"Sun, 32 Nov 1994 08:49:37 GMT",
		"Sun, 06 Nov 1994 24:00:00 GMT",
		"Sun, 06 Nov 1994 08:60:00 GMT",
		"Sun, 06 Nov 1994 08:49:61 GMT",
		"Sun, 06 Nov 1994 08-49-37 GMT",
		"Sun, 06 Nov 1994 8:49:37 GMT",
		"Sun,06 Nov 1994 08:49:37 GMT ",
		"Sonday, 06-Nov-94 08:49:37 GMT",
		"Sunday, 06-Nov-1994 08:49:37 GMT",
		"Sunday, 06 Nov 94 08:49:37 GMT",
		"Sunday, 06-Nov-9x 08:49:37 GMT",
		"Sun Nov 6 08:49:37 1994",
		"Sun Xyz  6 08:49:37 1994",
		"Sun Nov  6 08:49:37 199x",
		"Sun Nov  x 08:49:37 1994",
	};
	size_t			 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(parse(bad[i]) == -1, "\"%s\": %lld", bad[i],
		    (long long)parse(bad[i]));
}
END_TEST

void	http_test_date(Suite *);

void
http_test_date(Suite *s)
{
	TCase	*tc = tcase_create("date");

	tcase_add_test(tc, test_three_forms);
	tcase_add_test(tc, test_format);
	tcase_add_test(tc, test_garbage);
	suite_add_tcase(s, tc);
}
