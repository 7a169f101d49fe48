/* xs_wire: headers, argument splitting, error names, message limits. */
#include <errno.h>
#include <string.h>

#include "unit.h"
#include "xs_wire.h"

START_TEST(test_hdr_limit)
{
	struct xsd_sockmsg	 h = { XS_READ, 1, 0, XENSTORE_PAYLOAD_MAX };

	ck_assert_int_eq(xs_wire_check_hdr(&h), 0);
	h.len = XENSTORE_PAYLOAD_MAX + 1;
	ck_assert_int_eq(xs_wire_check_hdr(&h), -1);
	h.len = 0xffffffffu;
	ck_assert_int_eq(xs_wire_check_hdr(&h), -1);
}
END_TEST

START_TEST(test_args)
{
	const char	*argv[4];
	const uint8_t	 two[] = "ab\0cd";	/* with the literal's NUL */
	const uint8_t	 open[] = { 'a', 0, 'b' };

	ck_assert_int_eq(xs_wire_args(two, sizeof(two), argv, 4), 2);
	ck_assert_str_eq(argv[0], "ab");
	ck_assert_str_eq(argv[1], "cd");
	ck_assert_int_eq(xs_wire_args(two, 0, argv, 4), 0);
	/* Bytes after the last NUL: not a list of strings. */
	ck_assert_int_eq(xs_wire_args(open, sizeof(open), argv, 4), -1);
	/* More strings than room: the count is still right. */
	ck_assert_int_eq(xs_wire_args((const uint8_t *)"\0\0\0\0\0", 5,
	    argv, 2), 5);
}
END_TEST

START_TEST(test_errnames)
{
	ck_assert_str_eq(xs_wire_errname(ENOENT), "ENOENT");
	ck_assert_str_eq(xs_wire_errname(EAGAIN), "EAGAIN");
	ck_assert_str_eq(xs_wire_errname(E2BIG), "E2BIG");
	ck_assert_str_eq(xs_wire_errname(EPERM), "EPERM");
	ck_assert_str_eq(xs_wire_errname(ETIMEDOUT), "EIO");
}
END_TEST

START_TEST(test_error_msg)
{
	struct xs_msg	*m = xs_msg_error(EACCES, 42, 7);

	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->u.hdr.type, XS_ERROR);
	ck_assert_uint_eq(m->u.hdr.req_id, 42);
	ck_assert_uint_eq(m->u.hdr.tx_id, 7);
	ck_assert_uint_eq(m->u.hdr.len, 7);
	ck_assert_mem_eq(m->u.bytes + XS_HDR_LEN, "EACCES\0", 7);
	xs_msg_free(m);
}
END_TEST

START_TEST(test_payload_cap)
{
	static const char	 big[XENSTORE_PAYLOAD_MAX + 1];
	struct xs_msg		*m = xs_msg_new(XS_READ, 1, 0);

	ck_assert_int_eq(xs_msg_append(m, big, XENSTORE_PAYLOAD_MAX), 0);
	ck_assert_int_eq(xs_msg_append(m, "x", 1), E2BIG);
	ck_assert_uint_eq(m->u.hdr.len, XENSTORE_PAYLOAD_MAX);
	xs_msg_free(m);
}
END_TEST

START_TEST(test_event)
{
	struct xs_msg	*m = xs_msg_event("/a/b", "tok");

	ck_assert(m->event);
	ck_assert_uint_eq(m->u.hdr.type, XS_WATCH_EVENT);
	ck_assert_uint_eq(m->u.hdr.req_id, 0);
	ck_assert_uint_eq(m->u.hdr.len, 9);
	ck_assert_mem_eq(m->u.bytes + XS_HDR_LEN, "/a/b\0tok\0", 9);
	xs_msg_free(m);
}
END_TEST

START_TEST(test_typenames)
{
	ck_assert_str_eq(xs_wire_typename(XS_DIRECTORY_PART),
	    "DIRECTORY_PART");
	ck_assert_str_eq(xs_wire_typename(20), "UNKNOWN");	/* RESTRICT */
	ck_assert_str_eq(xs_wire_typename(999), "UNKNOWN");
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("xs_wire");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_hdr_limit);
	tcase_add_test(tc, test_args);
	tcase_add_test(tc, test_errnames);
	tcase_add_test(tc, test_error_msg);
	tcase_add_test(tc, test_payload_cap);
	tcase_add_test(tc, test_event);
	tcase_add_test(tc, test_typenames);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
