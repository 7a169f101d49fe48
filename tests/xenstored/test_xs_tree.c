/* xs_tree: structure, ordering, counters, accounting. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "unit.h"
#include "xs_tree.h"

/* What the accounting hook was told, per domid below 16. */
static long	 nodes[16], bytes[16];

static void
acct(void *arg, unsigned domid, long n, long b)
{
	(void)arg;
	ck_assert_uint_lt(domid, 16);
	nodes[domid] += n;
	bytes[domid] += b;
}

static struct xs_tree *
fresh(void)
{
	memset(nodes, 0, sizeof(nodes));
	memset(bytes, 0, sizeof(bytes));
	return xs_tree_new(acct, NULL);
}

static struct xs_node *
add(struct xs_tree *t, const char *parent, const char *name, unsigned owner)
{
	struct xs_perm	 p = { owner, XS_PERM_NONE };
	struct xs_node	*n;

	ck_assert_int_eq(xs_tree_add(t, xs_tree_lookup(t, parent), name, &p,
	    1, &n), 0);
	return n;
}

START_TEST(test_root)
{
	struct xs_tree	*t = fresh();
	char		 buf[8];

	ck_assert_ptr_eq(xs_tree_lookup(t, "/"), t->root);
	ck_assert_uint_eq(xs_tree_path(t->root, buf, sizeof(buf)), 1);
	ck_assert_str_eq(buf, "/");
	ck_assert_uint_eq(xs_node_nperms(t->root), 1);
	ck_assert_int_eq(nodes[0], 1);
	xs_tree_free(t);
	ck_assert_int_eq(nodes[0], 0);
	ck_assert_int_eq(bytes[0], 0);
}
END_TEST

START_TEST(test_sorted_children)
{
	struct xs_tree	*t = fresh();
	const char	*names[] = { "m", "b", "z", "a", "bb", "ba" };
	const char	*sorted[] = { "a", "b", "ba", "bb", "m", "z" };
	size_t		 i;

	for (i = 0; i < 6; i++)
		add(t, "/", names[i], 0);
	ck_assert_uint_eq(xs_node_nkids(t->root), 6);
	for (i = 0; i < 6; i++)
		ck_assert_str_eq(xs_node_kid(t->root, i)->name, sorted[i]);
	ck_assert_ptr_null(xs_tree_lookup(t, "/c"));
	ck_assert_ptr_nonnull(xs_tree_lookup(t, "/ba"));
	ck_assert_ptr_null(xs_tree_child(t->root, "bbb", 3));
	xs_tree_free(t);
}
END_TEST

START_TEST(test_many_children)
{
	struct xs_tree	*t = fresh();
	char		 name[16], path[32];
	int		 i;

	for (i = 0; i < 3000; i++) {
		snprintf(name, sizeof(name), "%d", i);
		add(t, "/", name, 1);
	}
	for (i = 0; i < 3000; i += 7) {
		snprintf(path, sizeof(path), "/%d", i);
		ck_assert_ptr_nonnull(xs_tree_lookup(t, path));
	}
	ck_assert_int_eq(nodes[1], 3000);
	ck_assert_uint_eq(t->nnodes, 3001);
	xs_tree_free(t);
}
END_TEST

START_TEST(test_value_binary)
{
	struct xs_tree	*t = fresh();
	struct xs_node	*n = add(t, "/", "v", 2);

	ck_assert_int_eq(xs_tree_set_value(t, n, "a\0b", 3), 0);
	ck_assert_uint_eq(xs_node_vlen(n), 3);
	ck_assert_mem_eq(xs_node_value(n), "a\0b", 3);
	/* name "v" + 3 bytes of value + one permission */
	ck_assert_int_eq(bytes[2], 1 + 3 + (long)sizeof(struct xs_perm));
	ck_assert_int_eq(xs_tree_set_value(t, n, NULL, 0), 0);
	ck_assert_int_eq(bytes[2], 1 + (long)sizeof(struct xs_perm));
	xs_tree_free(t);
}
END_TEST

START_TEST(test_counters)
{
	struct xs_tree	*t = fresh();
	struct xs_node	*a = add(t, "/", "a", 0), *b;
	uint64_t	 aseq = a->seq;

	b = add(t, "/a", "b", 0);
	ck_assert_uint_gt(a->seq, aseq);
	aseq = a->seq;
	/* A child's value is the child's business, not the parent's. */
	ck_assert_int_eq(xs_tree_set_value(t, b, "x", 1), 0);
	ck_assert_uint_eq(a->seq, aseq);
	ck_assert_uint_gt(b->seq, aseq);
	/* Its own value changes seq, and seq is the generation count. */
	ck_assert_int_eq(xs_tree_set_value(t, a, "y", 1), 0);
	ck_assert_uint_gt(a->seq, aseq);
	aseq = a->seq;
	xs_tree_remove(t, b);
	ck_assert_uint_gt(a->seq, aseq);
	ck_assert_uint_eq(xs_node_nkids(a), 0);
	/* The value survives a permissions change: they share a block. */
	ck_assert_int_eq(xs_tree_set_perms(t, a, xs_node_perms(t->root), 1), 0);
	ck_assert_uint_eq(xs_node_vlen(a), 1);
	ck_assert_mem_eq(xs_node_value(a), "y", 1);
	xs_tree_free(t);
}
END_TEST

START_TEST(test_remove_subtree)
{
	struct xs_tree	*t = fresh();

	add(t, "/", "a", 3);
	add(t, "/a", "b", 3);
	add(t, "/a/b", "c", 4);
	add(t, "/", "keep", 3);
	ck_assert_int_eq(nodes[3], 3);
	ck_assert_int_eq(nodes[4], 1);
	xs_tree_remove(t, xs_tree_lookup(t, "/a"));
	ck_assert_int_eq(nodes[3], 1);
	ck_assert_int_eq(nodes[4], 0);
	ck_assert_int_eq(bytes[4], 0);
	ck_assert_ptr_null(xs_tree_lookup(t, "/a/b/c"));
	ck_assert_uint_eq(xs_node_nkids(t->root), 1);
	ck_assert_uint_eq(t->nnodes, 2);
	xs_tree_free(t);
}
END_TEST

START_TEST(test_owner_change_moves_accounting)
{
	struct xs_tree	*t = fresh();
	struct xs_node	*n = add(t, "/", "n", 5);
	struct xs_perm	 p[2] = { { 6, XS_PERM_READ }, { 5, XS_PERM_BOTH } };
	long		 b5;

	ck_assert_int_eq(xs_tree_set_value(t, n, "hello", 5), 0);
	b5 = bytes[5];
	ck_assert_int_eq(nodes[5], 1);
	ck_assert_int_eq(xs_tree_set_perms(t, n, p, 2), 0);
	ck_assert_int_eq(nodes[5], 0);
	ck_assert_int_eq(bytes[5], 0);
	ck_assert_int_eq(nodes[6], 1);
	ck_assert_int_eq(bytes[6], b5 + (long)sizeof(struct xs_perm));
	xs_tree_free(t);
}
END_TEST

START_TEST(test_path_and_nearest)
{
	struct xs_tree	*t = fresh();
	struct xs_node	*c;
	char		 buf[64];

	add(t, "/", "local", 0);
	add(t, "/local", "domain", 0);
	c = add(t, "/local/domain", "7", 7);
	xs_tree_path(c, buf, sizeof(buf));
	ck_assert_str_eq(buf, "/local/domain/7");
	ck_assert_ptr_eq(xs_tree_nearest(t, "/local/domain/7/x/y"), c);
	ck_assert_ptr_eq(xs_tree_nearest(t, "/nope"), t->root);
	/* Too small a buffer: the length needed, nothing written past. */
	ck_assert_uint_eq(xs_tree_path(c, buf, 4), 15);
	xs_tree_free(t);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("xs_tree");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_root);
	tcase_add_test(tc, test_sorted_children);
	tcase_add_test(tc, test_many_children);
	tcase_add_test(tc, test_value_binary);
	tcase_add_test(tc, test_counters);
	tcase_add_test(tc, test_remove_subtree);
	tcase_add_test(tc, test_owner_change_moves_accounting);
	tcase_add_test(tc, test_path_and_nearest);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
