/* xs_txn: isolation, node-granular conflicts, commit order. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "unit.h"
#include "xs_tree.h"
#include "xs_txn.h"

static const struct xs_perm	 P0 = { 0, XS_PERM_NONE };
static struct xs_tree		*T;
static char			 fired[1024];

static void
setup(void)
{
	T = xs_tree_new(NULL, NULL);
	fired[0] = '\0';
}

static void
teardown(void)
{
	xs_tree_free(T);
}

/* Committed write, creating parents: what a request outside any txn does. */
static void
put(const char *path, const char *val)
{
	char		 buf[256], *c, *save;
	struct xs_node	*n = T->root, *k;

	snprintf(buf, sizeof(buf), "%s", path);
	for (c = strtok_r(buf, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if ((k = xs_tree_child(n, c, strlen(c))) == NULL)
			ck_assert_int_eq(xs_tree_add(T, n, c, &P0, 1, &k), 0);
		n = k;
	}
	ck_assert_int_eq(xs_tree_set_value(T, n, val, strlen(val)), 0);
}

static const char *
tget(struct xs_txn *t, const char *path)
{
	static char	 buf[256];
	struct xs_view	 v;
	int		 e = xs_txn_get(t, path, &v);

	if (e != 0)
		snprintf(buf, sizeof(buf), "E%d", e);
	else
		snprintf(buf, sizeof(buf), "%.*s", (int)v.vlen, v.value);
	return buf;
}

/*
 * Write in the transaction, creating missing parents the way WRITE does:
 * from the nearest existing ancestor down, without looking at (and so
 * validating) the ancestors above it.
 */
static void
tput(struct xs_txn *t, const char *path, const char *val)
{
	struct xs_view	 v;
	char		 prefix[256];
	size_t		 i;

	if (xs_txn_get(t, path, &v) == ENOENT) {
		ck_assert_int_eq(xs_txn_nearest(t, path, &v), 0);
		i = v.ent != NULL ? strlen(xs_txn_ent_path(v.ent)) : 1;
		for (i++; i <= strlen(path); i++) {
			if (path[i] != '/' && path[i] != '\0')
				continue;
			snprintf(prefix, sizeof(prefix), "%.*s", (int)i, path);
			ck_assert_int_eq(xs_txn_create(t, prefix, &P0, 1), 0);
		}
	}
	ck_assert_int_eq(xs_txn_set_value(t, path, val, strlen(val)), 0);
	xs_txn_note(t, path, false);
}

static const char *
cget(const char *path)
{
	static char	 buf[256];
	struct xs_node	*n = xs_tree_lookup(T, path);

	if (n == NULL)
		return "ENOENT";
	snprintf(buf, sizeof(buf), "%.*s", (int)xs_node_vlen(n), xs_node_value(n));
	return buf;
}

static void
record(void *arg, const char *path, bool rm, const struct xs_perm *p,
    uint32_t np, void *prep)
{
	(void)arg;
	(void)prep;
	(void)p;
	(void)np;
	strcat(fired, rm ? "rm:" : "w:");
	strcat(fired, path);
	strcat(fired, " ");
}

START_TEST(test_own_writes_hidden_until_commit)
{
	struct xs_txn	*t = xs_txn_new(1, T, 0);

	put("/a", "old");
	tput(t, "/a", "new");
	tput(t, "/b/c", "made");
	ck_assert_str_eq(tget(t, "/a"), "new");
	ck_assert_str_eq(tget(t, "/b"), "");
	ck_assert_str_eq(tget(t, "/b/c"), "made");
	ck_assert_str_eq(cget("/a"), "old");
	ck_assert_str_eq(cget("/b"), "ENOENT");
	ck_assert_int_eq(xs_txn_commit(t, NULL, record, NULL), 0);
	ck_assert_str_eq(cget("/a"), "new");
	ck_assert_str_eq(cget("/b/c"), "made");
	ck_assert_str_eq(fired, "w:/a w:/b/c ");
	xs_txn_free(t);
}
END_TEST

START_TEST(test_repeatable_read_then_conflict)
{
	struct xs_txn	*t = xs_txn_new(1, T, 0);

	put("/a", "1");
	ck_assert_str_eq(tget(t, "/a"), "1");
	put("/a", "2");
	ck_assert_str_eq(tget(t, "/a"), "1");
	ck_assert_int_eq(xs_txn_commit(t, NULL, record, NULL), EAGAIN);
	ck_assert_str_eq(fired, "");
	xs_txn_free(t);
}
END_TEST

START_TEST(test_write_write_conflict)
{
	struct xs_txn	*t = xs_txn_new(1, T, 0);

	put("/a", "1");
	tput(t, "/a", "mine");
	put("/a", "theirs");
	ck_assert_int_eq(xs_txn_commit(t, NULL, record, NULL), EAGAIN);
	ck_assert_str_eq(cget("/a"), "theirs");
	xs_txn_free(t);
}
END_TEST

START_TEST(test_absent_then_created_elsewhere)
{
	struct xs_txn	*t = xs_txn_new(1, T, 0);

	put("/d", "");
	ck_assert_str_eq(tget(t, "/d/x"), "E2");	/* ENOENT */
	put("/d/x", "late");
	ck_assert_int_eq(xs_txn_commit(t, NULL, record, NULL), EAGAIN);
	xs_txn_free(t);
}
END_TEST

START_TEST(test_unrelated_domains_do_not_conflict)
{
	struct xs_txn	*t5, *t6;

	put("/local/domain/5/x", "a");
	put("/local/domain/6/x", "b");
	t5 = xs_txn_new(1, T, 0);
	t6 = xs_txn_new(2, T, 0);
	tput(t5, "/local/domain/5/x", "a2");
	tput(t6, "/local/domain/6/y", "new");
	/* A new domain appears: the common ancestors change, nothing read. */
	put("/local/domain/7/x", "c");
	ck_assert_int_eq(xs_txn_commit(t6, NULL, record, NULL), 0);
	ck_assert_int_eq(xs_txn_commit(t5, NULL, record, NULL), 0);
	ck_assert_str_eq(cget("/local/domain/5/x"), "a2");
	ck_assert_str_eq(cget("/local/domain/6/y"), "new");
	xs_txn_free(t5);
	xs_txn_free(t6);
}
END_TEST

START_TEST(test_same_node_second_commit_fails)
{
	struct xs_txn	*a = xs_txn_new(1, T, 0), *b = xs_txn_new(2, T, 0);

	put("/n", "0");
	ck_assert_str_eq(tget(a, "/n"), "0");
	ck_assert_str_eq(tget(b, "/n"), "0");
	tput(a, "/n", "a");
	tput(b, "/n", "b");
	ck_assert_int_eq(xs_txn_commit(a, NULL, record, NULL), 0);
	ck_assert_int_eq(xs_txn_commit(b, NULL, record, NULL), EAGAIN);
	ck_assert_str_eq(cget("/n"), "a");
	xs_txn_free(a);
	xs_txn_free(b);
}
END_TEST

START_TEST(test_remove_and_recreate)
{
	struct xs_txn	*t = xs_txn_new(1, T, 0);
	struct xs_view	 v;

	put("/r/old/deep", "x");
	ck_assert_int_eq(xs_txn_get(t, "/r", &v), 0);
	ck_assert_int_eq(xs_txn_remove(t, "/r"), 0);
	xs_txn_note(t, "/r", true);
	ck_assert_str_eq(tget(t, "/r/old/deep"), "E2");
	tput(t, "/r/new", "y");
	ck_assert_int_eq(xs_txn_get(t, "/r", &v), 0);
	ck_assert_uint_eq(v.nkids, 1);
	ck_assert_str_eq(xs_view_kid(&v, 0), "new");
	ck_assert_str_eq(cget("/r/old/deep"), "x");
	ck_assert_int_eq(xs_txn_commit(t, NULL, record, NULL), 0);
	ck_assert_str_eq(cget("/r/old"), "ENOENT");
	ck_assert_str_eq(cget("/r/new"), "y");
	ck_assert_str_eq(fired, "rm:/r w:/r/new ");
	xs_txn_free(t);
}
END_TEST

/*
 * Remove a directory and write a path that existed under it, in one
 * transaction (libxl re-adding a device): the commit succeeds.  Only
 * what the transaction read is validated below the removed node.
 */
START_TEST(test_remove_and_rewrite_unread_child)
{
	struct xs_txn	*t = xs_txn_new(1, T, 0);

	put("/h/a", "init");
	ck_assert_int_eq(xs_txn_remove(t, "/h"), 0);
	xs_txn_note(t, "/h", true);
	tput(t, "/h/a", "v");
	ck_assert_int_eq(xs_txn_commit(t, NULL, record, NULL), 0);
	ck_assert_str_eq(cget("/h/a"), "v");
	xs_txn_free(t);
}
END_TEST

/* The same path read before the removal is validated: a change conflicts. */
START_TEST(test_remove_and_rewrite_read_child_conflicts)
{
	struct xs_txn	*t = xs_txn_new(1, T, 0);

	put("/h/a", "init");
	ck_assert_str_eq(tget(t, "/h/a"), "init");
	ck_assert_int_eq(xs_txn_remove(t, "/h"), 0);
	tput(t, "/h/a", "v");
	put("/h/a", "changed meanwhile");
	ck_assert_int_eq(xs_txn_commit(t, NULL, record, NULL), EAGAIN);
	ck_assert_str_eq(cget("/h/a"), "changed meanwhile");
	xs_txn_free(t);
}
END_TEST

START_TEST(test_directory_sees_own_changes)
{
	struct xs_txn	*t = xs_txn_new(1, T, 0);
	struct xs_view	 v;

	put("/dir/a", "");
	put("/dir/c", "");
	tput(t, "/dir/b", "");
	ck_assert_int_eq(xs_txn_remove(t, "/dir/c"), 0);
	ck_assert_int_eq(xs_txn_get(t, "/dir", &v), 0);
	ck_assert_uint_eq(v.nkids, 2);
	ck_assert_str_eq(xs_view_kid(&v, 0), "a");
	ck_assert_str_eq(xs_view_kid(&v, 1), "b");
	xs_txn_free(t);		/* abort: nothing applied */
	ck_assert_str_eq(cget("/dir/c"), "");
	ck_assert_str_eq(cget("/dir/b"), "ENOENT");
}
END_TEST

START_TEST(test_txn_node_quota)
{
	struct xs_txn	*t = xs_txn_new(1, T, 3);
	struct xs_view	 v;

	put("/q/a", "");
	put("/q/b", "");
	put("/q/c", "");
	ck_assert_int_eq(xs_txn_get(t, "/q/a", &v), 0);
	ck_assert_int_eq(xs_txn_get(t, "/q/b", &v), 0);
	ck_assert_int_eq(xs_txn_get(t, "/q/c", &v), 0);
	ck_assert_int_eq(xs_txn_get(t, "/q", &v), ENOSPC);
	ck_assert_uint_eq(xs_txn_nentries(t), 3);
	xs_txn_free(t);
}
END_TEST

START_TEST(test_events_in_first_change_order)
{
	struct xs_txn	*t = xs_txn_new(1, T, 0);

	tput(t, "/z", "1");
	tput(t, "/a", "1");
	tput(t, "/z", "2");
	ck_assert_int_eq(xs_txn_commit(t, NULL, record, NULL), 0);
	ck_assert_str_eq(fired, "w:/z w:/a ");
	xs_txn_free(t);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("xs_txn");
	TCase	*tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_own_writes_hidden_until_commit);
	tcase_add_test(tc, test_repeatable_read_then_conflict);
	tcase_add_test(tc, test_write_write_conflict);
	tcase_add_test(tc, test_absent_then_created_elsewhere);
	tcase_add_test(tc, test_unrelated_domains_do_not_conflict);
	tcase_add_test(tc, test_same_node_second_commit_fails);
	tcase_add_test(tc, test_remove_and_recreate);
	tcase_add_test(tc, test_remove_and_rewrite_unread_child);
	tcase_add_test(tc, test_remove_and_rewrite_read_child_conflicts);
	tcase_add_test(tc, test_directory_sees_own_changes);
	tcase_add_test(tc, test_txn_node_quota);
	tcase_add_test(tc, test_events_in_first_change_order);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
