/*
 * The store filter a confined daemon's broker applies (xs_filter.h):
 * patterns, $self, relative paths, the request types that are
 * reads, writes or neither, and malformed paths.  Each rule checked
 * here is one a daemon depends on (rpc_vchan's, consoled's).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <check.h>
#include <xen/io/xs_wire.h>

#include "unit.h"

#include "rpc_vchan.h"
#include "xs_filter.h"

/* The payload as a sender sends it: the path and its NUL. */
static int
check_path(const struct xs_filter *f, uint32_t type, const char *path)
{
	return xs_filter_check(f, type, path, strlen(path) + 1);
}

static void
service_filter(struct xs_filter *f)
{
	xs_filter_init(f);
	ck_assert_int_eq(rpc_vchan_service_rules(f), 0);
	xs_filter_self(f, 7);
}

START_TEST(test_service_subtree)
{
	struct xs_filter	 f;

	service_filter(&f);
	ck_assert_int_eq(check_path(&f, XS_MKDIR,
	    "/local/domain/7/data/shoal"), 0);
	ck_assert_int_eq(check_path(&f, XS_RM,
	    "/local/domain/7/data/shoal/dns/inbox/ab12"), 0);
	ck_assert_int_eq(check_path(&f, XS_SET_PERMS,
	    "/local/domain/7/data/rpc/ab12/ring-ref"), 0);
	ck_assert_int_eq(check_path(&f, XS_WATCH,
	    "/local/domain/7/data/shoal/dns/inbox"), 0);
	/* Another domain's, a sibling's name, and above the subtree. */
	ck_assert_int_eq(check_path(&f, XS_WRITE,
	    "/local/domain/8/data/shoal/x"), EACCES);
	ck_assert_int_eq(check_path(&f, XS_WRITE,
	    "/local/domain/7/data/shoalx"), EACCES);
	ck_assert_int_eq(check_path(&f, XS_WRITE,
	    "/local/domain/70/data/shoal"), EACCES);
	ck_assert_int_eq(check_path(&f, XS_RM, "/local/domain/7/data"),
	    EACCES);
	ck_assert_int_eq(check_path(&f, XS_WRITE, "/local/domain/7/name"),
	    EACCES);
	ck_assert_int_eq(check_path(&f, XS_READ, "/local/domain/7/device"),
	    EACCES);
}
END_TEST

/*
 * libxenvchan reads "domid", relative: the store resolves it in the
 * connection's domain, and it is matched as it is.
 */
START_TEST(test_relative_and_read_only)
{
	struct xs_filter	 f;

	service_filter(&f);
	ck_assert_int_eq(check_path(&f, XS_READ, "domid"), 0);
	ck_assert_int_eq(check_path(&f, XS_WRITE, "domid"), EACCES);
	ck_assert_int_eq(check_path(&f, XS_READ, "name"), EACCES);
	ck_assert_int_eq(check_path(&f, XS_READ, "domid/x"), EACCES);
	/* Not the absolute spelling: that names one domain, maybe not ours. */
	ck_assert_int_eq(check_path(&f, XS_READ, "/local/domain/0/domid"),
	    EACCES);
	ck_assert_int_eq(check_path(&f, XS_READ, "/tool/xenstored/domid"),
	    0);
	ck_assert_int_eq(check_path(&f, XS_RM, "/tool/xenstored/domid"),
	    EACCES);
	/* The service's subtree is reached by its absolute path only. */
	ck_assert_int_eq(check_path(&f, XS_WRITE, "data/shoal/x"), EACCES);
}
END_TEST

START_TEST(test_types)
{
	struct xs_filter	 f;
	static const uint32_t	 refused[] = { XS_INTRODUCE, XS_RELEASE,
				    XS_CONTROL, XS_SET_TARGET, XS_RESUME,
				    XS_RESET_WATCHES, XS_IS_DOMAIN_INTRODUCED,
				    XS_WATCH_EVENT, XS_ERROR, 9999 };
	size_t			 i;

	service_filter(&f);
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		ck_assert_int_eq(check_path(&f, refused[i],
		    "/local/domain/7/data/shoal"), EACCES);
	/* No node: a transaction, and the domain path of a domid. */
	ck_assert_int_eq(xs_filter_check(&f, XS_TRANSACTION_START, "", 1), 0);
	ck_assert_int_eq(xs_filter_check(&f, XS_TRANSACTION_END, "T", 2), 0);
	ck_assert_int_eq(check_path(&f, XS_GET_DOMAIN_PATH, "3"), 0);
}
END_TEST

START_TEST(test_malformed)
{
	struct xs_filter	 f;
	const char		 unterminated[] = { '/', 'a' };

	service_filter(&f);
	ck_assert_int_eq(xs_filter_check(&f, XS_READ, unterminated,
	    sizeof(unterminated)), EINVAL);
	ck_assert_int_eq(xs_filter_check(&f, XS_READ, "", 0), EINVAL);
	ck_assert_int_eq(check_path(&f, XS_READ, ""), EINVAL);
	ck_assert_int_eq(check_path(&f, XS_WRITE,
	    "/local/domain/7/data/shoal//x"), EINVAL);
	ck_assert_int_eq(check_path(&f, XS_WRITE,
	    "/local/domain/7/data/shoal/"), EINVAL);
	ck_assert_int_eq(check_path(&f, XS_WRITE,
	    "/local/domain/7/data/shoal/../../0/name"), EINVAL);
	/* A value after the path is the write's, not the path's. */
	ck_assert_int_eq(xs_filter_check(&f, XS_WRITE,
	    "/local/domain/7/data/shoal/x\0/local/domain/0", 41), 0);
}
END_TEST

/* consoled's: any domain's console, only its tty written, the watches. */
START_TEST(test_wildcards_and_special_watches)
{
	struct xs_filter	 f;

	xs_filter_init(&f);
	ck_assert_int_eq(xs_filter_add(&f, "@introduceDomain",
	    XS_FILTER_READ), 0);
	ck_assert_int_eq(xs_filter_add(&f, "/local/domain/*/console/**",
	    XS_FILTER_READ), 0);
	ck_assert_int_eq(xs_filter_add(&f, "/local/domain/*/console/tty",
	    XS_FILTER_WRITE), 0);
	xs_filter_self(&f, 0);
	ck_assert_int_eq(check_path(&f, XS_WATCH, "@introduceDomain"), 0);
	ck_assert_int_eq(check_path(&f, XS_WATCH, "@releaseDomain"), EACCES);
	ck_assert_int_eq(check_path(&f, XS_READ,
	    "/local/domain/12/console/ring-ref"), 0);
	ck_assert_int_eq(check_path(&f, XS_WRITE,
	    "/local/domain/12/console/tty"), 0);
	ck_assert_int_eq(check_path(&f, XS_WRITE,
	    "/local/domain/12/console/ring-ref"), EACCES);
	ck_assert_int_eq(check_path(&f, XS_READ,
	    "/local/domain/12/device/vif"), EACCES);
	/* "*" is one whole segment, never none. */
	ck_assert_int_eq(check_path(&f, XS_READ, "/local/domain/console"),
	    EACCES);
}
END_TEST

START_TEST(test_full_table)
{
	struct xs_filter	 f;
	size_t			 i;

	xs_filter_init(&f);
	for (i = 0; i < XS_FILTER_MAX; i++)
		ck_assert_int_eq(xs_filter_add(&f, "/a", XS_FILTER_READ), 0);
	ck_assert_int_eq(xs_filter_add(&f, "/a", XS_FILTER_READ), -1);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("xs_filter");
	TCase	*tc = tcase_create("xs_filter");

	tcase_add_test(tc, test_service_subtree);
	tcase_add_test(tc, test_relative_and_read_only);
	tcase_add_test(tc, test_types);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_wildcards_and_special_watches);
	tcase_add_test(tc, test_full_table);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
