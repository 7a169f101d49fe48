#include <errno.h>
#include <string.h>

#include "xs_db.h"
#include "xs_path.h"
#include "xs_server.h"
#include "xs_watch.h"

int
xs_db_get(const struct xs_db *db, const char *path, struct xs_view *v)
{
	struct xs_node	*n;

	if (db->txn != NULL)
		return xs_txn_get(db->txn, path, v);
	if ((n = xs_tree_lookup(db->srv->tree, path)) == NULL)
		return ENOENT;
	xs_view_of_node(n, v);
	return 0;
}

/* Length of the prefix of path naming the depth'th node (root is 0). */
static size_t
prefix_len(const char *path, size_t depth)
{
	size_t	 i;

	if (depth == 0)
		return 1;
	for (i = 1; path[i] != '\0'; i++)
		if (path[i] == '/' && --depth == 0)
			return i;
	return i;
}

int
xs_db_nearest(const struct xs_db *db, const char *path, struct xs_view *v,
    size_t *plen)
{
	const struct xs_node	*n, *c;
	size_t			 d = 0;
	int			 r;

	if (db->txn != NULL) {
		if ((r = xs_txn_nearest(db->txn, path, v)) != 0)
			return r;
		*plen = v->ent != NULL ? strlen(xs_txn_ent_path(v->ent)) : 1;
		return 0;
	}
	n = xs_tree_nearest(db->srv->tree, path);
	for (c = n; c->parent != NULL; c = c->parent)
		d++;
	*plen = prefix_len(path, d);
	xs_view_of_node(n, v);
	return 0;
}

static struct xs_node *
parent_of(const struct xs_db *db, const char *path)
{
	char	 parent[XS_PATH_BUF];
	size_t	 pl = xs_path_parent_len(path);

	memcpy(parent, path, pl);
	parent[pl] = '\0';
	return xs_tree_lookup(db->srv->tree, parent);
}

int
xs_db_create(const struct xs_db *db, const char *path,
    const struct xs_perm *p, uint32_t np)
{
	struct xs_node	*parent, *n;

	if (db->txn != NULL)
		return xs_txn_create(db->txn, path, p, np);
	if ((parent = parent_of(db, path)) == NULL)
		return ENOENT;
	return xs_tree_add(db->srv->tree, parent, xs_path_base(path), p, np,
	    &n);
}

int
xs_db_set_value(const struct xs_db *db, const char *path, const void *val,
    uint32_t len)
{
	struct xs_node	*n;

	if (db->txn != NULL)
		return xs_txn_set_value(db->txn, path, val, len);
	if ((n = xs_tree_lookup(db->srv->tree, path)) == NULL)
		return ENOENT;
	return xs_tree_set_value(db->srv->tree, n, val, len);
}

int
xs_db_set_perms(const struct xs_db *db, const char *path,
    const struct xs_perm *p, uint32_t np)
{
	struct xs_node	*n;

	if (db->txn != NULL)
		return xs_txn_set_perms(db->txn, path, p, np);
	if ((n = xs_tree_lookup(db->srv->tree, path)) == NULL)
		return ENOENT;
	return xs_tree_set_perms(db->srv->tree, n, p, np);
}

int
xs_db_remove(const struct xs_db *db, const char *path)
{
	struct xs_node	*n;

	if (db->txn != NULL)
		return xs_txn_remove(db->txn, path);
	if ((n = xs_tree_lookup(db->srv->tree, path)) == NULL)
		return ENOENT;
	if (n->parent == NULL)
		return EINVAL;
	xs_tree_remove(db->srv->tree, n);
	return 0;
}

void
xs_db_changed(const struct xs_db *db, const char *path, bool rm,
    const struct xs_perm *p, uint32_t np, struct xs_watch_below *below)
{
	if (db->txn != NULL) {
		xs_txn_note(db->txn, path, rm);
		xs_watch_below_free(below);
	} else
		xs_watch_fire(db->srv, path, p, np, below);
}
