/*
 * The request handlers end to end, in-process: wire bytes in, wire
 * bytes out, through a memory transport, as dom0 and as unprivileged
 * domains (which the socket alone cannot be).  One test per rule.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "unit.h"
#include "xs_control.h"
#include "xs_lu.h"
#include "xs_orphans.h"
#include "xs_server.h"
#include "xs_watch.h"
#include "xs_wire.h"

static struct xs_server	 S;
static struct xt	*d0, *d5, *d6;

#define DO(t, type, args)	xt_do((t), (type), 0, (args))
#define EQ(a, b)		ck_assert_str_eq((a), (b))

static void
setup(void)
{
	static const struct xs_quota	 q = XS_QUOTA_DEFAULTS;

	ck_assert_int_eq(xs_server_init(&S, &q, XS_DEFAULT_MAX_EVENTS), 0);
	d0 = xt_mem(&S, 0);
	d5 = xt_mem(&S, 5);
	d6 = xt_mem(&S, 6);
	/* What a toolstack does for a new domain: a home it owns. */
	EQ(DO(d0, XS_MKDIR, "/local/domain/5|"), "OK|");
	EQ(DO(d0, XS_SET_PERMS, "/local/domain/5|n5|"), "OK|");
	EQ(DO(d0, XS_MKDIR, "/local/domain/6|"), "OK|");
	EQ(DO(d0, XS_SET_PERMS, "/local/domain/6|n6|"), "OK|");
}

static void
teardown(void)
{
	/* Every test leaves the accounting consistent. */
	ck_assert_int_eq(xs_control_check(&S), 0);
	xt_close(d0);
	xt_close(d5);
	xt_close(d6);
	xs_server_fini(&S);
}

/* ---- basic operations ---- */

START_TEST(test_read_write_binary)
{
	EQ(xt_do_raw(d0, XS_WRITE, 0, "/a\0x\0y", 6), "OK|");
	EQ(DO(d0, XS_READ, "/a|"), "x|y");
	EQ(DO(d0, XS_WRITE, "/a|"), "OK|");
	EQ(DO(d0, XS_READ, "/a|"), "");
}
END_TEST

START_TEST(test_write_creates_parents)
{
	EQ(DO(d0, XS_WRITE, "/p/q/r|v"), "OK|");
	EQ(DO(d0, XS_READ, "/p/q|"), "");
	EQ(DO(d0, XS_DIRECTORY, "/p|"), "q|");
	EQ(DO(d0, XS_WRITE, "/p/a|1"), "OK|");
	EQ(DO(d0, XS_WRITE, "/p/z|1"), "OK|");
	EQ(DO(d0, XS_DIRECTORY, "/p|"), "a|q|z|");
	EQ(DO(d0, XS_DIRECTORY, "/p/q/r|"), "");
}
END_TEST

START_TEST(test_initial_tree)
{
	EQ(DO(d0, XS_DIRECTORY, "/|"), "local|tool|");
	EQ(DO(d0, XS_DIRECTORY, "/tool|"), "xenstored|");
	EQ(DO(d0, XS_GET_PERMS, "/|"), "n0|");
	EQ(DO(d0, XS_GET_PERMS, "/local/domain|"), "n0|");
}
END_TEST

START_TEST(test_mkdir)
{
	EQ(DO(d0, XS_WRITE, "/m|keep"), "OK|");
	EQ(DO(d0, XS_MKDIR, "/m|"), "OK|");
	EQ(DO(d0, XS_READ, "/m|"), "keep");
	EQ(DO(d0, XS_MKDIR, "/m/n/o|"), "OK|");
	EQ(DO(d0, XS_READ, "/m/n/o|"), "");
}
END_TEST

START_TEST(test_rm)
{
	EQ(DO(d0, XS_WRITE, "/r/a/b|1"), "OK|");
	EQ(DO(d0, XS_RM, "/r/a|"), "OK|");
	EQ(DO(d0, XS_READ, "/r/a/b|"), "E:ENOENT");
	EQ(DO(d0, XS_DIRECTORY, "/r|"), "");
	/* Missing node under an existing parent: fine.  Missing parent: not. */
	EQ(DO(d0, XS_RM, "/r/gone|"), "OK|");
	EQ(DO(d0, XS_RM, "/r/gone/deeper|"), "E:ENOENT");
	EQ(DO(d0, XS_RM, "/|"), "E:EINVAL");
	EQ(DO(d5, XS_RM, "/|"), "E:EACCES");	/* as C: a guest may not */
}
END_TEST

START_TEST(test_bad_paths_and_args)
{
	EQ(DO(d0, XS_READ, "/nope|"), "E:ENOENT");
	EQ(DO(d0, XS_READ, "/a/|"), "E:EINVAL");
	EQ(DO(d0, XS_READ, "//a|"), "E:EINVAL");
	EQ(DO(d0, XS_READ, "/a b|"), "E:EINVAL");
	EQ(DO(d0, XS_READ, "|"), "E:EINVAL");
	EQ(DO(d0, XS_READ, "/a"), "E:EINVAL");		/* no NUL */
	EQ(DO(d0, XS_READ, "/a|/b|"), "E:EINVAL");	/* two args */
	EQ(DO(d0, XS_WRITE, "/a"), "E:EINVAL");		/* no value part */
	EQ(DO(d0, XS_WRITE, "@releaseDomain|x"), "E:EINVAL");
}
END_TEST

START_TEST(test_perms_get_set)
{
	EQ(DO(d0, XS_WRITE, "/g|"), "OK|");
	EQ(DO(d0, XS_GET_PERMS, "/g|"), "n0|");
	EQ(DO(d0, XS_SET_PERMS, "/g|r5|b7|"), "OK|");
	EQ(DO(d0, XS_GET_PERMS, "/g|"), "r5|b7|");
	EQ(DO(d0, XS_SET_PERMS, "/g|q5|"), "E:EINVAL");
	EQ(DO(d0, XS_SET_PERMS, "/g|"), "E:EINVAL");
	EQ(DO(d0, XS_SET_PERMS, "/nope|r5|"), "E:ENOENT");
	EQ(DO(d0, XS_GET_PERMS, "/nope|"), "E:ENOENT");
}
END_TEST

START_TEST(test_unknown_types)
{
	EQ(DO(d0, 999, "x|"), "E:ENOSYS");
	ck_assert_uint_eq(xt_last_req_id(d0) > 0, 1);
	EQ(DO(d0, 20, "x|"), "E:ENOSYS");		/* RESTRICT, removed */
	EQ(DO(d0, XS_WATCH_EVENT, "x|"), "E:ENOSYS");
	EQ(DO(d0, XS_ERROR, "x|"), "E:ENOSYS");
	EQ(DO(d0, XS_TYPE_COUNT, "|"), "E:ENOSYS");
	/* The connection survives all that. */
	EQ(DO(d0, XS_READ, "/tool|"), "");
}
END_TEST

START_TEST(test_reply_echoes_ids)
{
	uint32_t	 tx = xt_txn(d0);
	const char	*r;

	r = xt_do(d0, XS_READ, tx, "/tool|");
	EQ(r, "");
	ck_assert_uint_eq(xt_last_tx_id(d0), tx);
	r = xt_do(d0, XS_READ, tx, "/nope|");
	EQ(r, "E:ENOENT");
	ck_assert_uint_eq(xt_last_tx_id(d0), tx);
	EQ(xt_do(d0, XS_TRANSACTION_END, tx, "F|"), "OK|");
}
END_TEST

START_TEST(test_domain_requests)
{
	EQ(DO(d0, XS_GET_DOMAIN_PATH, "7|"), "/local/domain/7|");
	EQ(DO(d5, XS_GET_DOMAIN_PATH, "5|"), "/local/domain/5|");
	EQ(DO(d0, XS_GET_DOMAIN_PATH, "x|"), "E:EINVAL");
	EQ(DO(d0, XS_IS_DOMAIN_INTRODUCED, "0|"), "T|");
	EQ(DO(d0, XS_IS_DOMAIN_INTRODUCED, "5|"), "F|");
	EQ(DO(d5, XS_IS_DOMAIN_INTRODUCED, "0|"), "E:EACCES");
	/* Privilege first, then the transaction id, as C. */
	EQ(xt_do(d5, XS_IS_DOMAIN_INTRODUCED, 4711, "0|"), "E:EACCES");
	EQ(xt_do(d5, XS_RESUME, 4711, "5|"), "E:EACCES");
	EQ(DO(d0, XS_INTRODUCE, "5|1234|7|"), "E:ENOSYS");
	EQ(DO(d0, XS_INTRODUCE, "0|1234|7|"), "E:EINVAL");
	EQ(DO(d0, XS_INTRODUCE, "5|"), "E:EINVAL");
	EQ(DO(d5, XS_INTRODUCE, "5|1234|7|"), "E:EACCES");
	EQ(DO(d0, XS_RELEASE, "5|"), "E:ENOENT");
	EQ(DO(d0, XS_RELEASE, "0|"), "E:EINVAL");
	EQ(DO(d5, XS_RELEASE, "5|"), "E:EACCES");
	EQ(DO(d0, XS_RESUME, "5|"), "E:ENOENT");
}
END_TEST

START_TEST(test_set_target)
{
	struct xt	*dm = xt_mem(&S, 9), *late;

	EQ(DO(d0, XS_WRITE, "/local/domain/5/secret|s"), "OK|");
	EQ(DO(dm, XS_READ, "/local/domain/5/secret|"), "E:EACCES");
	EQ(DO(d5, XS_SET_TARGET, "9|5|"), "E:EACCES");
	EQ(DO(d0, XS_SET_TARGET, "9|x|"), "E:EINVAL");
	/* Ids xenstored does not know are refused, and nothing is kept. */
	EQ(DO(d0, XS_SET_TARGET, "9|77|"), "E:ENOENT");
	EQ(DO(d0, XS_SET_TARGET, "78|5|"), "E:ENOENT");
	late = xt_mem(&S, 78);
	EQ(DO(late, XS_READ, "/local/domain/5/secret|"), "E:EACCES");
	xt_close(late);
	EQ(DO(d0, XS_SET_TARGET, "9|5|"), "OK|");
	EQ(DO(dm, XS_READ, "/local/domain/5/secret|"), "s");
	EQ(DO(dm, XS_WRITE, "/local/domain/5/secret|t"), "OK|");
	EQ(DO(dm, XS_READ, "/local/domain/6|"), "E:EACCES");
	xt_close(dm);
}
END_TEST

/*
 * --priv-domid: that domain is privileged as dom0 is (operations,
 * permissions, quotas), and no other domain is.
 */
START_TEST(test_priv_domid)
{
	EQ(DO(d0, XS_WRITE, "/local/domain/6/secret|s"), "OK|");
	EQ(DO(d5, XS_READ, "/local/domain/6/secret|"), "E:EACCES");
	EQ(DO(d5, XS_IS_DOMAIN_INTRODUCED, "0|"), "E:EACCES");
	S.priv_domid = 5;
	EQ(DO(d5, XS_IS_DOMAIN_INTRODUCED, "0|"), "T|");
	EQ(DO(d5, XS_READ, "/local/domain/6/secret|"), "s");
	EQ(DO(d5, XS_WRITE, "/tool/by-5|x"), "OK|");
	EQ(DO(d5, XS_SET_TARGET, "6|5|"), "OK|");
	EQ(DO(d5, XS_RELEASE, "0|"), "E:EINVAL");	/* past the check */
	/* The others are as they were. */
	EQ(DO(d6, XS_IS_DOMAIN_INTRODUCED, "0|"), "E:EACCES");
	EQ(DO(d6, XS_READ, "/tool/by-5|"), "E:EACCES");
	EQ(DO(d6, XS_CONTROL, "check|"), "E:EACCES");
	S.priv_domid = 0;
	EQ(DO(d5, XS_IS_DOMAIN_INTRODUCED, "0|"), "E:EACCES");
	EQ(DO(d5, XS_READ, "/tool/by-5|"), "E:EACCES");
}
END_TEST

/* Children with 24-byte names: 300 of them overflow one DIRECTORY. */
static void
many_children(void)
{
	char	 buf[64];
	int	 i;

	for (i = 0; i < 300; i++) {
		snprintf(buf, sizeof(buf), "/big/child-%017d|", i);
		EQ(DO(d0, XS_MKDIR, buf), "OK|");
	}
}

START_TEST(test_directory_part)
{
	char		 args[64], *all = calloc(1, 16384), gen[32] = "";
	const char	*r, *names;
	size_t		 off = 0, n;
	int		 rounds = 0;

	many_children();
	EQ(DO(d0, XS_DIRECTORY, "/big|"), "E:E2BIG");
	for (;;) {
		snprintf(args, sizeof(args), "/big|%zu|", off);
		r = DO(d0, XS_DIRECTORY_PART, args);
		ck_assert_ptr_nonnull(names = strchr(r, '|'));
		if (gen[0] == '\0')
			snprintf(gen, sizeof(gen), "%.*s", (int)(names - r), r);
		ck_assert_int_eq(strncmp(r, gen, strlen(gen)), 0);
		names++;
		n = strlen(names);
		rounds++;
		/* The list is finished by an empty string: "||" at the end. */
		if (n >= 1 && names[n - 1] == '|' && (n == 1 ||
		    names[n - 2] == '|')) {
			memcpy(all + off, names, n - 1);
			off += n - 1;
			break;
		}
		memcpy(all + off, names, n);
		off += n;
		ck_assert_int_lt(rounds, 10);
	}
	ck_assert_int_ge(rounds, 2);
	ck_assert_uint_eq(off, 300 * 24);
	ck_assert_int_eq(strncmp(all, "child-00000000000000000|"
	    "child-00000000000000001|", 48), 0);
	EQ(DO(d0, XS_DIRECTORY_PART, "/big|3|"), "E:EINVAL");
	EQ(DO(d0, XS_DIRECTORY_PART, "/big|999999|"), "E:EINVAL");
	EQ(DO(d0, XS_DIRECTORY_PART, "/big|x|"), "E:EINVAL");
	/* A new child changes the generation. */
	EQ(DO(d0, XS_MKDIR, "/big/zzz|"), "OK|");
	r = DO(d0, XS_DIRECTORY_PART, "/big|0|");
	ck_assert_int_ne(strncmp(r, gen, strlen(gen)), 0);
	free(all);
}
END_TEST

START_TEST(test_directory_part_small)
{
	const char	*r;

	EQ(DO(d0, XS_WRITE, "/s/a|"), "OK|");
	EQ(DO(d0, XS_WRITE, "/s/b|"), "OK|");
	r = DO(d0, XS_DIRECTORY_PART, "/s|0|");
	ck_assert_ptr_nonnull(strstr(r, "|a|b||"));
	r = DO(d0, XS_DIRECTORY_PART, "/s|2|");
	ck_assert_ptr_nonnull(strstr(r, "|b||"));
	r = DO(d0, XS_DIRECTORY_PART, "/s|4|");
	ck_assert_str_eq(strchr(r, '|'), "||");
}
END_TEST

START_TEST(test_relative_paths)
{
	EQ(DO(d5, XS_WRITE, "foo|bar"), "OK|");
	EQ(DO(d0, XS_READ, "/local/domain/5/foo|"), "bar");
	EQ(DO(d5, XS_READ, "foo|"), "bar");
	EQ(DO(d0, XS_WRITE, "mine|0"), "OK|");
	EQ(DO(d0, XS_READ, "/local/domain/0/mine|"), "0");
}
END_TEST

/* ---- permissions ---- */

START_TEST(test_unprivileged_reads)
{
	EQ(DO(d0, XS_WRITE, "/local/domain/6/x|6"), "OK|");
	EQ(DO(d5, XS_READ, "/|"), "E:EACCES");
	EQ(DO(d5, XS_DIRECTORY, "/local/domain|"), "E:EACCES");
	EQ(DO(d5, XS_READ, "/local/domain/5/none|"), "E:ENOENT");
	EQ(DO(d5, XS_READ, "/local/domain/6/x|"), "E:EACCES");
	/* Missing below something unreadable: not even that it's missing. */
	EQ(DO(d5, XS_READ, "/nonexistent/x|"), "E:EACCES");
	EQ(DO(d5, XS_READ, "/local/domain/6/none|"), "E:EACCES");
}
END_TEST

/*
 * A request on a missing node is judged on the deepest existing ancestor
 * with the access the request needs, as C xenstored does: ENOENT (or,
 * for RM with the parent there, OK) only if that access is granted.
 * Found by the differential test (xs_diff.py).
 */
START_TEST(test_missing_node_needs_the_access_asked)
{
	EQ(DO(d0, XS_WRITE, "/r|"), "OK|");
	EQ(DO(d0, XS_SET_PERMS, "/r|n0|r5|"), "OK|");
	EQ(DO(d0, XS_WRITE, "/w|"), "OK|");
	EQ(DO(d0, XS_SET_PERMS, "/w|n0|w5|"), "OK|");
	/* Readable, not writable: reads learn it is missing, writes not. */
	EQ(DO(d5, XS_READ, "/r/z|"), "E:ENOENT");
	EQ(DO(d5, XS_RM, "/r/z|"), "E:EACCES");
	EQ(DO(d5, XS_RM, "/r/z/y|"), "E:EACCES");
	EQ(DO(d5, XS_SET_PERMS, "/r/z|n5|"), "E:EACCES");
	/* Writable, not readable: the other way round. */
	EQ(DO(d5, XS_READ, "/w/z|"), "E:EACCES");
	EQ(DO(d5, XS_GET_PERMS, "/w/z|"), "E:EACCES");
	EQ(DO(d5, XS_RM, "/w/z|"), "OK|");
	EQ(DO(d5, XS_RM, "/w/z/y|"), "E:ENOENT");
	EQ(DO(d5, XS_SET_PERMS, "/w/z|n5|"), "E:ENOENT");
	/* A guest's home is its own: anything goes. */
	EQ(DO(d5, XS_RM, "/local/domain/5/none|"), "OK|");
	EQ(DO(d5, XS_RM, "/local/domain/5/none/x|"), "E:ENOENT");
}
END_TEST

/*
 * Permission is checked before quotas and arguments after the node, as
 * C xenstored does, so a domain learns nothing from the error about a
 * node it may not touch.  Found by the differential test.
 */
START_TEST(test_access_checked_first)
{
	char	 big[2200 + 16];

	snprintf(big, sizeof(big), "/w|%02200d", 0);
	EQ(DO(d0, XS_WRITE, "/w|"), "OK|");
	EQ(DO(d5, XS_WRITE, big), "E:EACCES");
	big[1] = 'q';	/* /q: missing, below unwritable / */
	EQ(DO(d5, XS_WRITE, big), "E:EACCES");
	EQ(DO(d5, XS_DIRECTORY_PART, "/w|x|"), "E:EACCES");
	EQ(DO(d0, XS_DIRECTORY_PART, "/none|x|"), "E:ENOENT");
	EQ(DO(d0, XS_DIRECTORY_PART, "/w|x|"), "E:EINVAL");
	/* UNWATCH of a path no watch could have: no such watch. */
	EQ(DO(d5, XS_UNWATCH, "/w/|t|"), "E:ENOENT");
	EQ(DO(d5, XS_UNWATCH, "@other|t|"), "E:ENOENT");
	EQ(DO(d5, XS_UNWATCH, "@releaseDomain|t|"), "E:ENOENT");
	EQ(DO(d5, XS_UNWATCH, "/w|"), "E:EINVAL");
}
END_TEST

START_TEST(test_new_nodes_inherit_with_creator_as_owner)
{
	EQ(DO(d5, XS_WRITE, "/local/domain/5/a/b|1"), "OK|");
	EQ(DO(d0, XS_GET_PERMS, "/local/domain/5/a/b|"), "n5|");
	EQ(DO(d0, XS_WRITE, "/shared|"), "OK|");
	EQ(DO(d0, XS_SET_PERMS, "/shared|r0|b5|"), "OK|");
	EQ(DO(d5, XS_WRITE, "/shared/x|1"), "OK|");
	EQ(DO(d0, XS_GET_PERMS, "/shared/x|"), "r5|b5|");
	/* dom0 creating keeps the parent's owner. */
	EQ(DO(d0, XS_WRITE, "/local/domain/5/by0|"), "OK|");
	EQ(DO(d0, XS_GET_PERMS, "/local/domain/5/by0|"), "n5|");
}
END_TEST

START_TEST(test_write_permission)
{
	EQ(DO(d0, XS_WRITE, "/w|orig"), "OK|");
	EQ(DO(d5, XS_WRITE, "/w|x"), "E:EACCES");
	EQ(DO(d5, XS_WRITE, "/w/child|x"), "E:EACCES");
	EQ(DO(d5, XS_RM, "/w|"), "E:EACCES");
	EQ(DO(d0, XS_SET_PERMS, "/w|n0|w5|"), "OK|");
	EQ(DO(d5, XS_WRITE, "/w|x"), "OK|");
	EQ(DO(d5, XS_READ, "/w|"), "E:EACCES");
	EQ(DO(d6, XS_WRITE, "/w|y"), "E:EACCES");
	EQ(DO(d0, XS_READ, "/w|"), "x");
	EQ(DO(d5, XS_MKDIR, "/w|"), "OK|");
}
END_TEST

START_TEST(test_set_perms_rules)
{
	EQ(DO(d5, XS_WRITE, "/local/domain/5/n|"), "OK|");
	/* The owner may change the ACL but not give the node away. */
	EQ(DO(d5, XS_SET_PERMS, "/local/domain/5/n|n5|r6|"), "OK|");
	EQ(DO(d6, XS_READ, "/local/domain/5/n|"), "");
	EQ(DO(d5, XS_SET_PERMS, "/local/domain/5/n|n6|"), "E:EPERM");
	/* Write access is not ownership. */
	EQ(DO(d5, XS_SET_PERMS, "/local/domain/5/n|n5|b6|"), "OK|");
	EQ(DO(d6, XS_SET_PERMS, "/local/domain/5/n|n5|b6|"), "E:EACCES");
	EQ(DO(d0, XS_SET_PERMS, "/local/domain/5/n|n6|"), "OK|");
	EQ(DO(d6, XS_GET_PERMS, "/local/domain/5/n|"), "n6|");
}
END_TEST

START_TEST(test_accounting_follows_owner)
{
	EQ(DO(d5, XS_WRITE, "/local/domain/5/acc|12345"), "OK|");
	EQ(DO(d0, XS_CONTROL, "quota|5|"),
	    "nodes 2\nmemory 25\nwatches 0\ntransactions 0\ntransaction-memory 0\n|");
	EQ(DO(d0, XS_SET_PERMS, "/local/domain/5/acc|n6|"), "OK|");
	EQ(DO(d0, XS_CONTROL, "quota|5|"),
	    "nodes 1\nmemory 9\nwatches 0\ntransactions 0\ntransaction-memory 0\n|");
	EQ(DO(d0, XS_CONTROL, "quota|6|"),
	    "nodes 2\nmemory 25\nwatches 0\ntransactions 0\ntransaction-memory 0\n|");
	EQ(DO(d0, XS_RM, "/local/domain/5/acc|"), "OK|");
	EQ(DO(d0, XS_CONTROL, "quota|6|"),
	    "nodes 1\nmemory 9\nwatches 0\ntransactions 0\ntransaction-memory 0\n|");
}
END_TEST

/* ---- write rate ---- */

START_TEST(test_write_rate_bucket)
{
	struct xs_quota	 q = XS_QUOTA_DEFAULTS;
	struct xs_doms	*d;
	uint64_t	 t = 5000000000u, w;

	q.write_rate = 10;		/* one per 100 ms */
	q.write_burst = 2;
	ck_assert_ptr_nonnull(d = xs_doms_new(&q));
	ck_assert_uint_eq(xs_dom_write_wait(d, 7, t), 0);	/* starts full */
	ck_assert_uint_eq(xs_dom_write_wait(d, 7, t), 0);
	w = xs_dom_write_wait(d, 7, t);
	ck_assert_uint_gt(w, 99000000u);
	ck_assert_uint_le(w, 100000001u);
	ck_assert_uint_gt(xs_dom_write_wait(d, 7, t + 50000000u), 0);
	ck_assert_uint_eq(xs_dom_write_wait(d, 7, t + 100000000u), 0);
	/* Another domain has its own bucket; a long pause refills to 2. */
	ck_assert_uint_eq(xs_dom_write_wait(d, 8, t), 0);
	t += 10000000000u;
	ck_assert_uint_eq(xs_dom_write_wait(d, 7, t), 0);
	ck_assert_uint_eq(xs_dom_write_wait(d, 7, t), 0);
	ck_assert_uint_gt(xs_dom_write_wait(d, 7, t), 0);
	/* 0 turns it off. */
	q.write_rate = 0;
	xs_doms_set_quota(d, &q);
	for (int i = 0; i < 100; i++)
		ck_assert_uint_eq(xs_dom_write_wait(d, 7, t), 0);
	xs_doms_free(d);
}
END_TEST

/* ---- a domain that goes ---- */

static void
orphans_setup(void)
{
	EQ(DO(d5, XS_WRITE, "/local/domain/5/a/b|1"), "OK|");
	EQ(DO(d0, XS_WRITE, "/tool/of5|x"), "OK|");
	EQ(DO(d0, XS_SET_PERMS, "/tool/of5|n5|r6|"), "OK|");
	EQ(DO(d0, XS_WRITE, "/tool/shared|y"), "OK|");
	EQ(DO(d0, XS_SET_PERMS, "/tool/shared|n0|r5|w6|b5|"), "OK|");
	EQ(DO(d6, XS_SET_TARGET, "6|5|"), "E:EACCES");
	EQ(DO(d0, XS_SET_TARGET, "6|5|"), "OK|");
	EQ(DO(d0, XS_WATCH, "/tool|w|"), "OK|");
	EQ(xt_event(d0), "/tool|w|");
}

START_TEST(test_orphans_deleted)
{
	orphans_setup();
	ck_assert_int_eq(xs_orphans_forget(&S, 5), 4);
	EQ(DO(d0, XS_READ, "/local/domain/5|"), "E:ENOENT");
	EQ(DO(d0, XS_READ, "/tool/of5|"), "E:ENOENT");
	EQ(xt_event(d0), "/tool/of5|w|");	/* deleted as by RM */
	EQ(xt_event(d0), "NONE");
	/* Entries naming 5 are gone; nothing else changed. */
	EQ(DO(d0, XS_GET_PERMS, "/tool/shared|"), "n0|w6|");
	EQ(DO(d0, XS_CONTROL, "quota|5|"), "E:ENOENT");	/* record gone */
	/* 6 no longer acts for 5: a new 5's home is not 6's to read. */
	EQ(DO(d0, XS_WRITE, "/local/domain/5/new|z"), "OK|");
	EQ(DO(d0, XS_SET_PERMS, "/local/domain/5/new|n5|"), "OK|");
	EQ(DO(d6, XS_READ, "/local/domain/5/new|"), "E:EACCES");
}
END_TEST

START_TEST(test_orphans_kept)
{
	orphans_setup();
	S.keep_orphans = true;
	ck_assert_int_eq(xs_orphans_forget(&S, 5), 4);
	EQ(DO(d0, XS_GET_PERMS, "/tool/of5|"), "n0|r6|");
	EQ(DO(d0, XS_GET_PERMS, "/local/domain/5/a/b|"), "n0|");
	EQ(DO(d0, XS_READ, "/local/domain/5/a/b|"), "1");
	EQ(DO(d0, XS_GET_PERMS, "/tool/shared|"), "n0|w6|");
	EQ(xt_event(d0), "NONE");
	ck_assert_int_eq(xs_orphans_forget(&S, 0), 0);	/* never dom0 */
}
END_TEST

/* ---- watches ---- */

START_TEST(test_watch_basics)
{
	EQ(DO(d0, XS_WATCH, "/wa|tok|"), "OK|");
	EQ(xt_event(d0), "/wa|tok|");		/* fires once at once */
	EQ(xt_event(d0), "NONE");
	EQ(DO(d0, XS_WRITE, "/wa|1"), "OK|");
	EQ(xt_event(d0), "/wa|tok|");
	EQ(DO(d0, XS_WRITE, "/wa/deep/er|1"), "OK|");
	EQ(xt_event(d0), "/wa/deep/er|tok|");
	EQ(DO(d0, XS_WRITE, "/wab|1"), "OK|");	/* a sibling, not a child */
	EQ(DO(d0, XS_SET_PERMS, "/wa|n0|r5|"), "OK|");
	EQ(xt_event(d0), "/wa|tok|");
	EQ(xt_event(d0), "NONE");
	EQ(DO(d0, XS_WATCH, "/wa|tok|"), "E:EEXIST");
	EQ(DO(d0, XS_WATCH, "/wa|tok2|"), "OK|");
	EQ(xt_event(d0), "/wa|tok2|");
	EQ(DO(d0, XS_UNWATCH, "/wa|tok|"), "OK|");
	EQ(DO(d0, XS_UNWATCH, "/wa|tok|"), "E:ENOENT");
	EQ(DO(d0, XS_WRITE, "/wa|2"), "OK|");
	EQ(xt_event(d0), "/wa|tok2|");
	EQ(xt_event(d0), "NONE");
	EQ(DO(d0, XS_WATCH, "/wa|"), "E:EINVAL");
	EQ(DO(d0, XS_WATCH, "/wa/|t|"), "E:EINVAL");
}
END_TEST

START_TEST(test_watch_other_connection)
{
	EQ(DO(d6, XS_WATCH, "/local/domain/6|t6|"), "OK|");
	EQ(xt_event(d6), "/local/domain/6|t6|");
	EQ(DO(d0, XS_WRITE, "/local/domain/6/k|v"), "OK|");
	EQ(xt_event(d6), "/local/domain/6/k|t6|");
}
END_TEST

START_TEST(test_watch_rm_order)
{
	uint32_t	 tx;

	EQ(DO(d0, XS_WRITE, "/w/a/b/c|1"), "OK|");
	EQ(DO(d0, XS_WATCH, "/w|above|"), "OK|");
	EQ(DO(d0, XS_WATCH, "/w/a|at|"), "OK|");
	EQ(DO(d0, XS_WATCH, "/w/a/b|below|"), "OK|");
	EQ(DO(d0, XS_WATCH, "/w/a/b/c|deeper|"), "OK|");
	EQ(DO(d0, XS_WATCH, "/other|other|"), "OK|");
	while (strcmp(xt_event(d0), "NONE") != 0)
		continue;
	EQ(DO(d0, XS_WATCH, "/w/a/never|never|"), "OK|");
	EQ(xt_event(d0), "/w/a/never|never|");
	EQ(DO(d0, XS_RM, "/w/a|"), "OK|");
	/*
	 * As C: what went below first, children before parents, each with
	 * its own path; then the watches on the node and above it, in
	 * registration order.  A watch on a node that was not there does
	 * not fire.
	 */
	EQ(xt_event(d0), "/w/a/b/c|deeper|");
	EQ(xt_event(d0), "/w/a/b|below|");
	EQ(xt_event(d0), "/w/a|above|");
	EQ(xt_event(d0), "/w/a|at|");
	EQ(xt_event(d0), "NONE");
	/* The same in a transaction. */
	EQ(DO(d0, XS_WRITE, "/w/a/b/c|1"), "OK|");
	while (strcmp(xt_event(d0), "NONE") != 0)
		continue;
	tx = xt_txn(d0);
	EQ(xt_do(d0, XS_RM, tx, "/w/a|"), "OK|");
	EQ(xt_do(d0, XS_TRANSACTION_END, tx, "T|"), "OK|");
	EQ(xt_event(d0), "/w/a/b/c|deeper|");
	EQ(xt_event(d0), "/w/a/b|below|");
	EQ(xt_event(d0), "/w/a|above|");
	EQ(xt_event(d0), "/w/a|at|");
	EQ(xt_event(d0), "NONE");
}
END_TEST

/*
 * dom0 removing a directory a guest may not read still tells the guest
 * its own node below went: it is judged by that node's permissions.
 */
START_TEST(test_watch_rm_judged_by_own_node)
{
	EQ(DO(d0, XS_WRITE, "/dir/g5|x"), "OK|");
	EQ(DO(d0, XS_SET_PERMS, "/dir/g5|n5|"), "OK|");
	EQ(DO(d5, XS_WATCH, "/dir/g5|mine|"), "OK|");
	EQ(xt_event(d5), "/dir/g5|mine|");
	EQ(DO(d6, XS_WATCH, "/dir/g5|not-mine|"), "OK|");
	EQ(xt_event(d6), "/dir/g5|not-mine|");
	EQ(DO(d0, XS_RM, "/dir|"), "OK|");
	EQ(xt_event(d5), "/dir/g5|mine|");
	EQ(xt_event(d5), "NONE");
	EQ(xt_event(d6), "NONE");
}
END_TEST

START_TEST(test_watch_needs_read_permission)
{
	EQ(DO(d5, XS_WATCH, "/local/domain/6|spy|"), "OK|");
	EQ(xt_event(d5), "/local/domain/6|spy|");
	EQ(DO(d0, XS_WRITE, "/local/domain/6/x|1"), "OK|");
	EQ(xt_event(d5), "NONE");
	EQ(DO(d0, XS_SET_PERMS, "/local/domain/6/x|n6|r5|"), "OK|");
	EQ(xt_event(d5), "/local/domain/6/x|spy|");
	EQ(DO(d0, XS_RM, "/local/domain/6/x|"), "OK|");
	EQ(xt_event(d5), "/local/domain/6/x|spy|");
	/* A node it may not read, in a directory it may: told, as on Xen. */
	EQ(DO(d0, XS_WRITE, "/local/domain/6/dir|"), "OK|");
	EQ(DO(d0, XS_SET_PERMS, "/local/domain/6/dir|n6|r5|"), "OK|");
	EQ(xt_event(d5), "/local/domain/6/dir|spy|");
	EQ(DO(d0, XS_WRITE, "/local/domain/6/dir/hidden|1"), "OK|");
	EQ(DO(d0, XS_SET_PERMS, "/local/domain/6/dir/hidden|n6|"), "OK|");
	EQ(xt_event(d5), "/local/domain/6/dir/hidden|spy|");
	EQ(xt_event(d5), "/local/domain/6/dir/hidden|spy|");
	EQ(DO(d5, XS_READ, "/local/domain/6/dir/hidden|"), "E:EACCES");
	EQ(DO(d0, XS_RM, "/local/domain/6/dir/hidden|"), "OK|");
	EQ(xt_event(d5), "/local/domain/6/dir/hidden|spy|");
	/* Neither it nor its parent readable: nothing. */
	EQ(DO(d0, XS_WRITE, "/local/domain/6/y/z|1"), "OK|");
	EQ(xt_event(d5), "NONE");
}
END_TEST

START_TEST(test_watch_special_paths)
{
	EQ(DO(d5, XS_WATCH, "@releaseDomain|r|"), "E:EACCES");
	EQ(DO(d5, XS_WATCH, "@introduceDomain|i|"), "E:EACCES");
	EQ(DO(d0, XS_WATCH, "@bogus|b|"), "E:EINVAL");
	EQ(DO(d0, XS_WATCH, "@releaseDomain|r|"), "OK|");
	EQ(xt_event(d0), "@releaseDomain|r|");
	EQ(DO(d0, XS_WRITE, "/anything|1"), "OK|");
	EQ(xt_event(d0), "NONE");
	EQ(DO(d0, XS_UNWATCH, "@releaseDomain|r|"), "OK|");
}
END_TEST

/* Same connection, same token, same event: sent once, as C does. */
/*
 * The special names' permissions: dom0 grants d5 read on @releaseDomain
 * (as a toolstack does for a console or driver domain); d5 may then see
 * them and watch it, d6 still not; only the owner changes them.
 */
START_TEST(test_special_perms)
{
	EQ(DO(d0, XS_GET_PERMS, "@releaseDomain|"), "n0|");
	EQ(DO(d5, XS_GET_PERMS, "@releaseDomain|"), "E:EACCES");
	EQ(DO(d5, XS_WATCH, "@releaseDomain|r|"), "E:EACCES");
	EQ(DO(d0, XS_GET_PERMS, "@other|"), "E:EINVAL");
	EQ(DO(d0, XS_SET_PERMS, "@other|n0|"), "E:EINVAL");
	EQ(DO(d5, XS_SET_PERMS, "@releaseDomain|n5|"), "E:EACCES");
	EQ(DO(d0, XS_SET_PERMS, "@releaseDomain|n0|r5|"), "OK|");
	EQ(DO(d5, XS_GET_PERMS, "@releaseDomain|"), "n0|r5|");
	EQ(DO(d5, XS_WATCH, "@releaseDomain|r|"), "OK|");
	EQ(xt_event(d5), "@releaseDomain|r|");
	EQ(DO(d6, XS_WATCH, "@releaseDomain|r|"), "E:EACCES");
	/* Read is not ownership: d5 may not change them. */
	EQ(DO(d5, XS_SET_PERMS, "@releaseDomain|n5|"), "E:EACCES");
	/* @introduceDomain is its own. */
	EQ(DO(d5, XS_WATCH, "@introduceDomain|i|"), "E:EACCES");
	/* Events follow the permissions as they are when they fire. */
	xs_watch_fire_special(&S, XS_SPECIAL_RELEASE);
	EQ(xt_event(d5), "@releaseDomain|r|");
	EQ(DO(d0, XS_SET_PERMS, "@releaseDomain|n0|"), "OK|");
	xs_watch_fire_special(&S, XS_SPECIAL_RELEASE);
	EQ(xt_event(d5), "NONE");
	/* A domain given ownership may pass read on, not ownership. */
	EQ(DO(d0, XS_SET_PERMS, "@introduceDomain|n6|"), "OK|");
	EQ(DO(d6, XS_SET_PERMS, "@introduceDomain|n6|r5|"), "OK|");
	EQ(DO(d6, XS_SET_PERMS, "@introduceDomain|n5|"), "E:EPERM");
	EQ(DO(d5, XS_WATCH, "@introduceDomain|i|"), "OK|");
	EQ(xt_event(d5), "@introduceDomain|i|");
}
END_TEST

START_TEST(test_watch_same_token_once)
{
	EQ(DO(d5, XS_WATCH, "/local/domain/5/a|t|"), "OK|");
	EQ(xt_event(d5), "/local/domain/5/a|t|");
	EQ(DO(d5, XS_WATCH, "/local/domain/5|t|"), "OK|");
	EQ(xt_event(d5), "/local/domain/5|t|");
	EQ(DO(d5, XS_WRITE, "a|x"), "OK|");
	EQ(xt_event(d5), "/local/domain/5/a|t|");
	EQ(xt_event(d5), "NONE");
	/* Different tokens are different events. */
	EQ(DO(d5, XS_WATCH, "/local/domain/5|u|"), "OK|");
	EQ(xt_event(d5), "/local/domain/5|u|");
	EQ(DO(d5, XS_WRITE, "a|y"), "OK|");
	EQ(xt_event(d5), "/local/domain/5/a|t|");
	EQ(xt_event(d5), "/local/domain/5/a|u|");
	EQ(xt_event(d5), "NONE");
}
END_TEST

START_TEST(test_watch_relative)
{
	EQ(DO(d5, XS_WATCH, "dev|rel|"), "OK|");
	EQ(xt_event(d5), "dev|rel|");
	EQ(DO(d0, XS_WRITE, "/local/domain/5/dev/x|1"), "OK|");
	EQ(xt_event(d5), "dev/x|rel|");
	EQ(DO(d0, XS_RM, "/local/domain/5|"), "OK|");
	EQ(xt_event(d5), "dev|rel|");
	EQ(DO(d5, XS_UNWATCH, "dev|rel|"), "OK|");
}
END_TEST

START_TEST(test_reset_watches)
{
	uint32_t	 tx;

	EQ(DO(d0, XS_WATCH, "/rw|t|"), "OK|");
	EQ(xt_event(d0), "/rw|t|");
	tx = xt_txn(d0);
	EQ(DO(d0, XS_RESET_WATCHES, "|"), "OK|");
	EQ(DO(d0, XS_WRITE, "/rw|1"), "OK|");
	EQ(xt_event(d0), "NONE");
	EQ(xt_do(d0, XS_READ, tx, "/rw|"), "E:ENOENT");	/* txn gone too */
}
END_TEST

START_TEST(test_watch_quota)
{
	EQ(DO(d0, XS_CONTROL, "quota|watches|2|"), "OK|");
	EQ(DO(d5, XS_WATCH, "a|1|"), "OK|");
	EQ(DO(d5, XS_WATCH, "b|2|"), "OK|");
	EQ(DO(d5, XS_WATCH, "c|3|"), "E:E2BIG");
	EQ(DO(d0, XS_WATCH, "/a|1|"), "OK|");
	EQ(DO(d0, XS_WATCH, "/b|2|"), "OK|");
	EQ(DO(d0, XS_WATCH, "/c|3|"), "OK|");
	EQ(DO(d5, XS_UNWATCH, "a|1|"), "OK|");
	EQ(DO(d5, XS_WATCH, "c|3|"), "OK|");
}
END_TEST

/* ---- transactions ---- */

START_TEST(test_txn_errors)
{
	uint32_t	 t = xt_txn(d0);

	/* An unknown tx_id is ENOENT whatever the request, as on C. */
	EQ(xt_do(d0, XS_TRANSACTION_START, 5, "|"), "E:ENOENT");
	EQ(xt_do(d0, XS_TRANSACTION_START, t, "|"), "E:EBUSY");
	EQ(xt_do(d0, XS_TRANSACTION_END, 12345, "T|"), "E:ENOENT");
	EQ(xt_do(d0, XS_READ, 12345, "/tool|"), "E:ENOENT");
	EQ(xt_do(d0, XS_IS_DOMAIN_INTRODUCED, 12345, "0|"), "E:ENOENT");
	EQ(xt_do(d0, XS_GET_DOMAIN_PATH, 12345, "0|"), "E:ENOENT");
	EQ(xt_do(d0, XS_IS_DOMAIN_INTRODUCED, t, "0|"), "T|");
	/* ...but for WATCH and UNWATCH, which ignore it. */
	EQ(xt_do(d0, XS_WATCH, 12345, "/tool|tk|"), "OK|");
	EQ(xt_do(d0, XS_UNWATCH, 12345, "/tool|tk|"), "OK|");
	EQ(xt_do(d0, XS_TRANSACTION_END, t, "X|"), "E:EINVAL");
}
END_TEST

START_TEST(test_txn_isolation_and_events)
{
	uint32_t	 tx;

	EQ(DO(d0, XS_WRITE, "/t|old"), "OK|");
	EQ(DO(d6, XS_WATCH, "/local/domain/6|w|"), "OK|");
	EQ(xt_event(d6), "/local/domain/6|w|");
	tx = xt_txn(d0);
	ck_assert_uint_ne(tx, 0);
	EQ(xt_do(d0, XS_WRITE, tx, "/t|new"), "OK|");
	EQ(xt_do(d0, XS_WRITE, tx, "/local/domain/6/t|in"), "OK|");
	EQ(xt_do(d0, XS_READ, tx, "/t|"), "new");
	EQ(DO(d0, XS_READ, "/t|"), "old");
	EQ(DO(d0, XS_READ, "/local/domain/6/t|"), "E:ENOENT");
	EQ(xt_event(d6), "NONE");
	EQ(xt_do(d0, XS_TRANSACTION_END, tx, "T|"), "OK|");
	EQ(DO(d0, XS_READ, "/t|"), "new");
	EQ(xt_event(d6), "/local/domain/6/t|w|");
	/* The id is finished with. */
	EQ(xt_do(d0, XS_READ, tx, "/t|"), "E:ENOENT");
}
END_TEST

START_TEST(test_txn_conflict_and_abort)
{
	uint32_t	 tx;

	EQ(DO(d0, XS_WRITE, "/c|0"), "OK|");
	tx = xt_txn(d0);
	EQ(xt_do(d0, XS_READ, tx, "/c|"), "0");
	EQ(DO(d6, XS_READ, "/c|"), "E:EACCES");
	EQ(DO(d0, XS_WRITE, "/c|1"), "OK|");
	EQ(xt_do(d0, XS_WRITE, tx, "/c|2"), "OK|");
	EQ(xt_do(d0, XS_TRANSACTION_END, tx, "T|"), "E:EAGAIN");
	EQ(DO(d0, XS_READ, "/c|"), "1");
	tx = xt_txn(d0);
	EQ(xt_do(d0, XS_WRITE, tx, "/c|3"), "OK|");
	EQ(xt_do(d0, XS_TRANSACTION_END, tx, "F|"), "OK|");
	EQ(DO(d0, XS_READ, "/c|"), "1");
}
END_TEST

START_TEST(test_txn_domains_in_parallel)
{
	uint32_t	 t5 = xt_txn(d5), t6 = xt_txn(d6);

	EQ(xt_do(d5, XS_WRITE, t5, "state|1"), "OK|");
	EQ(xt_do(d6, XS_WRITE, t6, "state|1"), "OK|");
	EQ(DO(d0, XS_MKDIR, "/local/domain/7|"), "OK|");
	EQ(xt_do(d6, XS_TRANSACTION_END, t6, "T|"), "OK|");
	EQ(xt_do(d5, XS_TRANSACTION_END, t5, "T|"), "OK|");
}
END_TEST

START_TEST(test_txn_quota)
{
	EQ(DO(d0, XS_CONTROL, "quota|transactions|2|"), "OK|");
	ck_assert_uint_ne(xt_txn(d5), 0);
	ck_assert_uint_ne(xt_txn(d5), 0);
	EQ(DO(d5, XS_TRANSACTION_START, "|"), "E:ENOSPC");
	ck_assert_uint_ne(xt_txn(d0), 0);
	ck_assert_uint_ne(xt_txn(d0), 0);
	ck_assert_uint_ne(xt_txn(d0), 0);
}
END_TEST

START_TEST(test_txn_nodes_quota)
{
	uint32_t	 tx;

	EQ(DO(d0, XS_CONTROL, "quota|transaction-nodes|3|"), "OK|");
	tx = xt_txn(d5);
	EQ(xt_do(d5, XS_WRITE, tx, "a|"), "OK|");	/* home + a */
	EQ(xt_do(d5, XS_WRITE, tx, "b|"), "OK|");
	EQ(xt_do(d5, XS_WRITE, tx, "c|"), "E:ENOSPC");
}
END_TEST

/* ---- quotas ---- */

START_TEST(test_node_quota)
{
	EQ(DO(d0, XS_CONTROL, "quota|nodes|3|"), "OK|");
	EQ(DO(d5, XS_WRITE, "a|"), "OK|");		/* 2 with the home */
	EQ(DO(d5, XS_WRITE, "b/c|"), "E:ENOSPC");	/* would be 4 */
	EQ(DO(d5, XS_WRITE, "b|"), "OK|");
	EQ(DO(d5, XS_WRITE, "c|"), "E:ENOSPC");
	EQ(DO(d5, XS_WRITE, "a|still writable"), "OK|");
	EQ(DO(d0, XS_WRITE, "/local/domain/5/x/y/z|"), "OK|");
	EQ(DO(d6, XS_WRITE, "a|"), "OK|");		/* others unaffected */
}
END_TEST

START_TEST(test_node_size_quota)
{
	char	 *big = malloc(2049 + 8);

	memcpy(big, "v\0", 2);
	memset(big + 2, 'x', 2049);
	EQ(xt_do_raw(d5, XS_WRITE, 0, big, 2 + 2048), "OK|");
	EQ(xt_do_raw(d5, XS_WRITE, 0, big, 2 + 2049), "E:ENOSPC");
	EQ(xt_do_raw(d0, XS_WRITE, 0, "/b\0", 3), "OK|");
	memcpy(big, "/b\0", 3);
	memset(big + 3, 'y', 2049);
	EQ(xt_do_raw(d0, XS_WRITE, 0, big, 3 + 2049), "OK|");
	free(big);
}
END_TEST

START_TEST(test_perms_quota)
{
	EQ(DO(d5, XS_WRITE, "p|"), "OK|");
	EQ(DO(d5, XS_SET_PERMS, "p|n5|r1|r2|r3|r4|"), "OK|");
	EQ(DO(d5, XS_SET_PERMS, "p|n5|r1|r2|r3|r4|r6|"), "E:ENOSPC");
	/* Counted first, as C: even with a path that is no path. */
	EQ(DO(d5, XS_SET_PERMS, "bad//path|n5|r1|r2|r3|r4|r6|"), "E:ENOSPC");
	EQ(DO(d0, XS_SET_PERMS, "/local/domain/5/p|n5|r1|r2|r3|r4|r6|"),
	    "OK|");
}
END_TEST

START_TEST(test_memory_quota)
{
	EQ(DO(d0, XS_CONTROL, "quota|memory|100|"), "OK|");
	EQ(DO(d5, XS_WRITE, "m|0123456789012345678901234567890123456789"),
	    "OK|");
	EQ(DO(d5, XS_WRITE, "n|0123456789012345678901234567890123456789"),
	    "E:ENOMEM");
	EQ(DO(d5, XS_WRITE, "m|short"), "OK|");
	EQ(DO(d0, XS_CONTROL, "quota-soft|memory|10|"), "OK|");
	EQ(DO(d5, XS_WRITE, "m|a bit longer"), "OK|");	/* only warns */
}
END_TEST

/*
 * A transaction's overlay is charged to the domain's memory quota while
 * it is open: with ten transactions a guest could otherwise hold ten
 * times what it may own.  A write that would cross the quota fails with
 * ENOMEM, as outside a transaction; once a domain is over (the quota was
 * lowered, or reads loaded more), every request in its transactions fails
 * with ENOSPC.  Ending a transaction gives its bytes back.
 */
START_TEST(test_txn_memory_quota)
{
	char		 req[64 + 1024], big[1024];
	const char	*r;
	uint32_t	 tx1, tx2;
	int		 i, ok = 0;

	memset(big, 'x', 1023);
	big[1023] = '\0';
	EQ(DO(d0, XS_CONTROL, "quota|memory|20000|"), "OK|");
	tx1 = xt_txn(d5);
	tx2 = xt_txn(d5);
	for (i = 0; i < 100; i++) {
		snprintf(req, 64, "t1/%d|", i);
		memcpy(req + strlen(req), big, sizeof(big));
		r = xt_do(d5, XS_WRITE, tx1, req);
		if (strcmp(r, "OK|") != 0) {
			EQ(r, "E:ENOMEM");
			break;
		}
		ok++;
	}
	/* Some 1,100 bytes a node: about 17 fit in 20,000. */
	ck_assert_int_ge(ok, 14);
	ck_assert_int_le(ok, 18);
	/* The domain's plain writes share the quota; others have theirs. */
	snprintf(req, 64, "plain|");
	memcpy(req + strlen(req), big, sizeof(big));
	EQ(DO(d5, XS_WRITE, req), "E:ENOMEM");
	EQ(DO(d6, XS_WRITE, "ok|0123456789"), "OK|");
	/* Over the quota: nothing more in any of its transactions. */
	EQ(DO(d0, XS_CONTROL, "quota|memory|5000|"), "OK|");
	EQ(xt_do(d5, XS_READ, tx2, "/local/domain/5|"), "E:ENOSPC");
	EQ(xt_do(d5, XS_READ, tx1, "t1/0|"), "E:ENOSPC");
	r = DO(d0, XS_CONTROL, "quota|5|");
	ck_assert_ptr_nonnull(strstr(r, "transactions 2\n"));
	ck_assert_ptr_null(strstr(r, "transaction-memory 0\n"));
	/* Aborting gives it all back. */
	EQ(xt_do(d5, XS_TRANSACTION_END, tx1, "F|"), "OK|");
	EQ(xt_do(d5, XS_READ, tx2, "/local/domain/5|"), "");
	EQ(DO(d5, XS_WRITE, "plain|0123456789"), "OK|");
	EQ(xt_do(d5, XS_TRANSACTION_END, tx2, "F|"), "OK|");
	r = DO(d0, XS_CONTROL, "quota|5|");
	ck_assert_ptr_nonnull(strstr(r, "transactions 0\n"
	    "transaction-memory 0\n"));
}
END_TEST

START_TEST(test_outstanding_quota)
{
	static const char	 read_a[] =
	    "\x02\0\0\0\x01\0\0\0\0\0\0\0\x02\0\0\0" "a";
	int			 i;

	xt_stall(d5, true);
	/* 25 READs in one go; the client takes none of the replies. */
	for (i = 0; i < 25; i++)
		EQ(xt_bytes(d5, read_a, sizeof(read_a)), "NONE");
	/* Replies to 20 are waiting; the other 5 are not even read. */
	ck_assert_uint_eq(xt_pending_input(d5), 5 * sizeof(read_a));
	xt_stall(d5, false);
	ck_assert_uint_eq(xt_pending_input(d5), 0);
	for (i = 0; i < 25; i++)
		EQ(xt_bytes(d5, "", 0), "E:ENOENT");
	EQ(xt_bytes(d5, "", 0), "NONE");
}
END_TEST

START_TEST(test_event_queue_bounded)
{
	char	 buf[64];
	int	 i, n = 0;

	xs_server_set_limits(&S, &S.quota, 8);
	EQ(DO(d5, XS_WATCH, "ev|t|"), "OK|");
	xt_stall(d5, true);
	for (i = 0; i < 50; i++) {
		snprintf(buf, sizeof(buf), "/local/domain/5/ev|%d", i);
		EQ(DO(d0, XS_WRITE, buf), "OK|");
	}
	xt_stall(d5, false);
	while (strcmp(xt_event(d5), "NONE") != 0)
		n++;
	ck_assert_int_le(n, 9);	/* the one at registration, then 8 */
	ck_assert_uint_ge(S.events_dropped, 42);
	EQ(DO(d5, XS_READ, "ev|"), "49");
}
END_TEST

/* ---- protocol violations ---- */

START_TEST(test_oversized_payload_drops)
{
	const uint8_t	 hdr[16] = { 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
			    0x01, 0x10, 0, 0 };	/* len 4097 */

	EQ(DO(d5, XS_WATCH, "x|t|"), "OK|");
	EQ(xt_event(d5), "x|t|");
	EQ(xt_bytes(d5, hdr, sizeof(hdr)), "DEAD");
	/* Its watch went with it: firing must not touch the freed conn. */
	EQ(DO(d0, XS_WRITE, "/local/domain/5/x|1"), "OK|");
}
END_TEST

START_TEST(test_max_payload_accepted)
{
	char	 *p = malloc(XENSTORE_PAYLOAD_MAX);

	memset(p, 'z', XENSTORE_PAYLOAD_MAX);
	memcpy(p, "/max\0", 5);
	EQ(xt_do_raw(d0, XS_WRITE, 0, p, XENSTORE_PAYLOAD_MAX), "OK|");
	free(p);
}
END_TEST

/*
 * Hostile input: thousands of well-framed requests of every type with
 * random payloads (random NULs, paths, perms, transaction ids).  Nothing
 * may crash or leak (ASan runs this), the connection must survive (every
 * request framed correctly gets a reply), and the accounting must still
 * add up (teardown checks).
 */
static void
random_payload(unsigned *seed, char *p, size_t *len)
{
	static const char	*words[] = { "/", "/r", "/r/a", "r", "a", "@",
				    "n5", "b0", "r6", "T", "F", "0", "5",
				    "//", "/r/", "check", "quota", "x" };
	size_t			 n = 0, i, k = (size_t)rand_r(seed) % 5;

	for (i = 0; i < k; i++) {
		const char *w = words[rand_r(seed) % 18];
		memcpy(p + n, w, strlen(w));
		n += strlen(w);
		if (rand_r(seed) % 4 != 0)
			p[n++] = '\0';
	}
	*len = n;
}

START_TEST(test_hostile_random)
{
	struct xt	*c[3] = { d0, d5, d6 };
	char		 p[256];
	const char	*r;
	unsigned	 seed = 12345;
	size_t		 len;
	uint32_t	 type, tx;
	int		 i;

	for (i = 0; i < 3000; i++) {
		struct xt *t = c[rand_r(&seed) % 3];

		type = (uint32_t)rand_r(&seed) % (XS_TYPE_COUNT + 2);
		if (type == XS_TRANSACTION_END || type == XS_RESET_WATCHES)
			type = rand_r(&seed) % 2 ? type : XS_WRITE;
		tx = rand_r(&seed) % 3 == 0 ? (uint32_t)rand_r(&seed) % 4 : 0;
		random_payload(&seed, p, &len);
		r = xt_do_raw(t, type, tx, p, len);
		ck_assert_str_ne(r, "DEAD");
		ck_assert_str_ne(r, "NONE");
		while (strcmp(xt_event(t), "NONE") != 0)
			continue;
	}
	EQ(DO(d0, XS_CONTROL, "check|"), "OK|");
}
END_TEST

/* ---- CONTROL ---- */

START_TEST(test_control)
{
	const char	*r;

	EQ(DO(d5, XS_CONTROL, "check|"), "E:EACCES");
	EQ(DO(d0, XS_CONTROL, "check|"), "OK|");
	EQ(DO(d0, XS_CONTROL, "nonsense|"), "E:EINVAL");
	EQ(DO(d0, XS_CONTROL, "live-update|-s|"), "E:ENOSYS");	/* no process */
	EQ(DO(d0, XS_CONTROL, "log|on|"), "OK|");
	EQ(DO(d0, XS_CONTROL, "log|off|"), "OK|");
	EQ(DO(d0, XS_CONTROL, "log|maybe|"), "E:EINVAL");
	EQ(DO(d0, XS_CONTROL, "print|hello|"), "OK|");
	r = DO(d0, XS_CONTROL, "help|");
	ck_assert_ptr_nonnull(strstr(r, "quota-soft"));
	ck_assert_ptr_nonnull(strstr(r, "memreport"));
	r = DO(d0, XS_CONTROL, "quota|");
	ck_assert_ptr_nonnull(strstr(r, "nodes              1000\n"));
	ck_assert_ptr_nonnull(strstr(r, "memory             2621440\n"));
	EQ(DO(d0, XS_CONTROL, "quota-soft|"), "memory             2097152\n|");
	EQ(DO(d0, XS_CONTROL, "quota|bogus|1|"), "E:EINVAL");
	EQ(DO(d0, XS_CONTROL, "quota|nodes|-1|"), "E:EINVAL");
	EQ(DO(d0, XS_CONTROL, "quota|4711|"), "E:ENOENT");
	r = DO(d0, XS_CONTROL, "memreport|");
	ck_assert_ptr_nonnull(strstr(r, "connections 3\n"));
}
END_TEST

/*
 * A xenstore domain's live update: the binary comes as -b SIZE and -d
 * chunks that hold NULs of their own, taken by length; every length that
 * does not add up is refused, and -a forgets the transfer.
 */
START_TEST(test_live_update_binary_chunks)
{
	static const char	 chunk1[] = "live-update\0-d\0005\0ab\0cd";
	static const char	 bad_len[] = "live-update\0-d\0004\0abc";
	static const char	 too_many[] = "live-update\0-d\0004\0wxyz";
	static const char	 chunk2[] = "live-update\0-d\0003\0xyz";
	char			*argv[] = { "xenstored", NULL };

	ck_assert_ptr_nonnull(S.lu = xs_lu_new(NULL, 1, argv));
	EQ(DO(d5, XS_CONTROL, "live-update|-b|8|"), "E:EACCES");
	EQ(xt_do_raw(d0, XS_CONTROL, 0, chunk2, sizeof(chunk2)), "E:EINVAL");
	EQ(DO(d0, XS_CONTROL, "live-update|-b|0|"), "E:EINVAL");
	EQ(DO(d0, XS_CONTROL, "live-update|-b|4x|"), "E:EINVAL");
	EQ(DO(d0, XS_CONTROL, "live-update|-b|999999999999|"), "E:EINVAL");
	EQ(DO(d0, XS_CONTROL, "live-update|-b|8|"), "OK|");
	EQ(xt_do_raw(d0, XS_CONTROL, 0, chunk1, sizeof(chunk1)), "OK|");
	EQ(xt_do_raw(d0, XS_CONTROL, 0, bad_len, sizeof(bad_len)), "E:EINVAL");
	EQ(xt_do_raw(d0, XS_CONTROL, 0, too_many, sizeof(too_many)),
	    "E:EINVAL");
	EQ(xt_do_raw(d0, XS_CONTROL, 0, chunk2, sizeof(chunk2)), "OK|");
	EQ(DO(d0, XS_CONTROL, "live-update|-a|"), "OK|");
	EQ(xt_do_raw(d0, XS_CONTROL, 0, chunk2, sizeof(chunk2)), "E:EINVAL");
	/* More words than a request keeps is refused, not read past. */
	EQ(DO(d0, XS_CONTROL, "live-update|-s|-F|-F|-F|-F|-F|-F|-F|-F|-F|-F|"
	    "-F|-F|-F|-F|-F|-F|-F|"), "E:EINVAL");
	xs_lu_free(S.lu);
	S.lu = NULL;
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("xs_ops");
	TCase	*tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_read_write_binary);
	tcase_add_test(tc, test_live_update_binary_chunks);
	tcase_add_test(tc, test_write_creates_parents);
	tcase_add_test(tc, test_initial_tree);
	tcase_add_test(tc, test_mkdir);
	tcase_add_test(tc, test_rm);
	tcase_add_test(tc, test_bad_paths_and_args);
	tcase_add_test(tc, test_perms_get_set);
	tcase_add_test(tc, test_unknown_types);
	tcase_add_test(tc, test_reply_echoes_ids);
	tcase_add_test(tc, test_domain_requests);
	tcase_add_test(tc, test_set_target);
	tcase_add_test(tc, test_special_perms);
	tcase_add_test(tc, test_priv_domid);
	tcase_add_test(tc, test_directory_part);
	tcase_add_test(tc, test_directory_part_small);
	tcase_add_test(tc, test_relative_paths);
	tcase_add_test(tc, test_unprivileged_reads);
	tcase_add_test(tc, test_missing_node_needs_the_access_asked);
	tcase_add_test(tc, test_access_checked_first);
	tcase_add_test(tc, test_new_nodes_inherit_with_creator_as_owner);
	tcase_add_test(tc, test_write_permission);
	tcase_add_test(tc, test_set_perms_rules);
	tcase_add_test(tc, test_accounting_follows_owner);
	tcase_add_test(tc, test_orphans_deleted);
	tcase_add_test(tc, test_write_rate_bucket);
	tcase_add_test(tc, test_orphans_kept);
	tcase_add_test(tc, test_watch_basics);
	tcase_add_test(tc, test_watch_other_connection);
	tcase_add_test(tc, test_watch_rm_order);
	tcase_add_test(tc, test_watch_needs_read_permission);
	tcase_add_test(tc, test_watch_special_paths);
	tcase_add_test(tc, test_watch_same_token_once);
	tcase_add_test(tc, test_watch_rm_judged_by_own_node);
	tcase_add_test(tc, test_watch_relative);
	tcase_add_test(tc, test_reset_watches);
	tcase_add_test(tc, test_watch_quota);
	tcase_add_test(tc, test_txn_errors);
	tcase_add_test(tc, test_txn_isolation_and_events);
	tcase_add_test(tc, test_txn_conflict_and_abort);
	tcase_add_test(tc, test_txn_domains_in_parallel);
	tcase_add_test(tc, test_txn_quota);
	tcase_add_test(tc, test_txn_nodes_quota);
	tcase_add_test(tc, test_node_quota);
	tcase_add_test(tc, test_node_size_quota);
	tcase_add_test(tc, test_perms_quota);
	tcase_add_test(tc, test_memory_quota);
	tcase_add_test(tc, test_txn_memory_quota);
	tcase_add_test(tc, test_outstanding_quota);
	tcase_add_test(tc, test_event_queue_bounded);
	tcase_add_test(tc, test_oversized_payload_drops);
	tcase_add_test(tc, test_max_payload_accepted);
	tcase_add_test(tc, test_hostile_random);
	tcase_add_test(tc, test_control);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
