/* xs_path and xs_perm: path syntax, relative paths, the access rule. */
#include <errno.h>
#include <string.h>

#include "unit.h"
#include "xs_path.h"
#include "xs_perm.h"

static int
canon(unsigned domid, const char *in, char *out)
{
	bool	 rel;

	return xs_path_canon(domid, in, out, &rel);
}

START_TEST(test_valid)
{
	char	 out[XS_PATH_BUF];

	ck_assert_int_eq(canon(0, "/", out), 0);
	ck_assert_str_eq(out, "/");
	ck_assert_int_eq(canon(0, "/a-b_c@d/0/Z9", out), 0);
	ck_assert_str_eq(out, "/a-b_c@d/0/Z9");
}
END_TEST

START_TEST(test_invalid)
{
	char	 out[XS_PATH_BUF];

	ck_assert_int_eq(canon(0, "", out), EINVAL);
	ck_assert_int_eq(canon(0, "/a/", out), EINVAL);
	ck_assert_int_eq(canon(0, "//a", out), EINVAL);
	ck_assert_int_eq(canon(0, "/a//b", out), EINVAL);
	ck_assert_int_eq(canon(0, "/a b", out), EINVAL);
	ck_assert_int_eq(canon(0, "/a.b", out), EINVAL);
	ck_assert_int_eq(canon(0, "/a\xc3\xa9", out), EINVAL);
	ck_assert_int_eq(canon(0, "@releaseDomain", out), EINVAL);
	ck_assert_int_eq(canon(0, "a/", out), EINVAL);
}
END_TEST

START_TEST(test_relative)
{
	char	 out[XS_PATH_BUF];
	bool	 rel;

	ck_assert_int_eq(xs_path_canon(7, "device/vif", out, &rel), 0);
	ck_assert(rel);
	ck_assert_str_eq(out, "/local/domain/7/device/vif");
	ck_assert_int_eq(xs_path_canon(7, "/x", out, &rel), 0);
	ck_assert(!rel);
}
END_TEST

START_TEST(test_lengths)
{
	static char	 in[XS_PATH_BUF + 8];
	char		 out[XS_PATH_BUF];

	/* Absolute: up to XENSTORE_ABS_PATH_MAX bytes. */
	memset(in, 'a', sizeof(in));
	in[0] = '/';
	in[XENSTORE_ABS_PATH_MAX] = '\0';
	ck_assert_int_eq(canon(0, in, out), 0);
	in[XENSTORE_ABS_PATH_MAX] = 'a';
	in[XENSTORE_ABS_PATH_MAX + 1] = '\0';
	ck_assert_int_eq(canon(0, in, out), EINVAL);
	/* Relative: up to XENSTORE_REL_PATH_MAX bytes. */
	memset(in, 'b', sizeof(in));
	in[XENSTORE_REL_PATH_MAX] = '\0';
	ck_assert_int_eq(canon(3, in, out), 0);
	in[XENSTORE_REL_PATH_MAX] = 'b';
	in[XENSTORE_REL_PATH_MAX + 1] = '\0';
	ck_assert_int_eq(canon(3, in, out), EINVAL);
}
END_TEST

START_TEST(test_child_parent)
{
	ck_assert(xs_path_is_child("/a/b", "/a"));
	ck_assert(xs_path_is_child("/a", "/a"));
	ck_assert(xs_path_is_child("/a", "/"));
	ck_assert(!xs_path_is_child("/ab", "/a"));
	ck_assert(!xs_path_is_child("/a", "/a/b"));
	ck_assert(!xs_path_is_child("@releaseDomain", "/"));
	ck_assert(xs_path_is_child("@releaseDomain", "@releaseDomain"));
	ck_assert_uint_eq(xs_path_parent_len("/a/b"), 2);
	ck_assert_uint_eq(xs_path_parent_len("/a"), 1);
	ck_assert_uint_eq(xs_path_parent_len("/"), 0);
	ck_assert_str_eq(xs_path_base("/a/bc"), "bc");
}
END_TEST

START_TEST(test_perm_parse)
{
	struct xs_perm	 p;
	char		 buf[16];

	ck_assert_int_eq(xs_perm_parse("b12", &p), 0);
	ck_assert_uint_eq(p.domid, 12);
	ck_assert_uint_eq(p.mode, XS_PERM_BOTH);
	xs_perm_format(&p, buf, sizeof(buf));
	ck_assert_str_eq(buf, "b12");
	ck_assert_int_eq(xs_perm_parse("r0", &p), 0);
	ck_assert_uint_eq(p.mode, XS_PERM_READ);
	ck_assert_int_eq(xs_perm_parse("x1", &p), EINVAL);
	ck_assert_int_eq(xs_perm_parse("r", &p), EINVAL);
	ck_assert_int_eq(xs_perm_parse("r1a", &p), EINVAL);
	ck_assert_int_eq(xs_perm_parse("r-1", &p), EINVAL);
	ck_assert_int_eq(xs_perm_parse("r65536", &p), EINVAL);
}
END_TEST

START_TEST(test_access)
{
	const struct xs_perm	 p[] = { { 5, XS_PERM_NONE },
				    { 6, XS_PERM_READ }, { 7, XS_PERM_WRITE } };
	struct xs_who		 dom0 = { 0, true, XS_NO_TARGET };
	struct xs_who		 owner = { 5, false, XS_NO_TARGET };
	struct xs_who		 reader = { 6, false, XS_NO_TARGET };
	struct xs_who		 writer = { 7, false, XS_NO_TARGET };
	struct xs_who		 other = { 8, false, XS_NO_TARGET };
	struct xs_who		 dm5 = { 9, false, 5 };
	struct xs_who		 dm6 = { 9, false, 6 };

	ck_assert_uint_eq(xs_perm_access(&dom0, p, 3),
	    XS_PERM_BOTH | XS_PERM_OWNER);
	ck_assert_uint_eq(xs_perm_access(&owner, p, 3),
	    XS_PERM_BOTH | XS_PERM_OWNER);
	ck_assert_uint_eq(xs_perm_access(&reader, p, 3), XS_PERM_READ);
	ck_assert_uint_eq(xs_perm_access(&writer, p, 3), XS_PERM_WRITE);
	ck_assert_uint_eq(xs_perm_access(&other, p, 3), XS_PERM_NONE);
	/* SET_TARGET: the owner's device model is an owner... */
	ck_assert_uint_eq(xs_perm_access(&dm5, p, 3),
	    XS_PERM_BOTH | XS_PERM_OWNER);
	/* ...and inherits what its target was granted. */
	ck_assert_uint_eq(xs_perm_access(&dm6, p, 3), XS_PERM_READ);
	ck_assert(xs_perm_can(&reader, p, 3, XS_PERM_READ));
	ck_assert(!xs_perm_can(&reader, p, 3, XS_PERM_WRITE));
}
END_TEST

START_TEST(test_default_mode)
{
	const struct xs_perm	 p[] = { { 0, XS_PERM_READ } };
	struct xs_who		 any = { 4, false, XS_NO_TARGET };

	ck_assert_uint_eq(xs_perm_access(&any, p, 1), XS_PERM_READ);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("xs_path");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_valid);
	tcase_add_test(tc, test_invalid);
	tcase_add_test(tc, test_relative);
	tcase_add_test(tc, test_lengths);
	tcase_add_test(tc, test_child_parent);
	tcase_add_test(tc, test_perm_parse);
	tcase_add_test(tc, test_access);
	tcase_add_test(tc, test_default_mode);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
