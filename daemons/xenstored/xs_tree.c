#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xs_path.h"
#include "xs_tree.h"

static void
acct(struct xs_tree *t, const struct xs_node *n, long sign)
{
	if (t->acct != NULL && n->data != NULL && n->data->nperms > 0)
		t->acct(t->acct_arg, n->data->perms[0].domid, sign,
		    sign * xs_node_bytes(n));
}

static void
touch(struct xs_tree *t, struct xs_node *n)
{
	n->seq = ++t->seq;
}

long
xs_node_bytes(const struct xs_node *n)
{
	return (long)(strlen(n->name) + xs_node_vlen(n) +
	    xs_node_nperms(n) * sizeof(struct xs_perm));
}

static struct xs_node *
node_alloc(const char *name, size_t len)
{
	struct xs_node	*n;

	if ((n = malloc(sizeof(*n) + len + 1)) == NULL)
		return NULL;
	n->parent = NULL;
	n->kids = NULL;
	n->data = NULL;
	n->seq = 0;
	memcpy(n->name, name, len);
	n->name[len] = '\0';
	return n;
}

static void
node_free(struct xs_node *n)
{
	free(n->data);
	free(n->kids);
	free(n);
}

/* Permissions and value in one block; either may come from the old one. */
static struct xs_node_data *
data_new(const struct xs_perm *p, uint32_t np, const void *v, uint32_t vlen)
{
	struct xs_node_data	*d;

	d = malloc(sizeof(*d) + (size_t)np * sizeof(*p) + vlen);
	if (d == NULL)
		return NULL;
	d->vlen = vlen;
	d->nperms = np;
	memcpy(d->perms, p, (size_t)np * sizeof(*p));
	if (vlen > 0)
		memcpy(d->perms + np, v, vlen);
	return d;
}

static void
data_replace(struct xs_tree *t, struct xs_node *n, struct xs_node_data *d)
{
	if (t != NULL)
		acct(t, n, -1);
	free(n->data);
	n->data = d;
	if (t != NULL) {
		acct(t, n, 1);
		touch(t, n);
	}
}

struct xs_tree *
xs_tree_new(xs_tree_acct_fn fn, void *arg)
{
	static const struct xs_perm	 n0 = { 0, XS_PERM_NONE };
	struct xs_tree			*t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->acct = fn;
	t->acct_arg = arg;
	if ((t->root = node_alloc("", 0)) == NULL ||
	    xs_tree_set_perms(t, t->root, &n0, 1) != 0) {
		if (t->root != NULL)
			node_free(t->root);
		free(t);
		return NULL;
	}
	t->nnodes = 1;
	return t;
}

/* Recursion is safe: depth is bounded by the path length limit. */
static void
subtree_free(struct xs_tree *t, struct xs_node *n)
{
	uint32_t	 i;

	for (i = 0; i < xs_node_nkids(n); i++)
		subtree_free(t, n->kids->v[i]);
	acct(t, n, -1);
	t->nnodes--;
	node_free(n);
}

void
xs_tree_free(struct xs_tree *t)
{
	if (t == NULL)
		return;
	subtree_free(t, t->root);
	free(t);
}

static const char *
node_name_at(const void *kids, uint32_t i)
{
	return ((const struct xs_node_kids *)kids)->v[i]->name;
}

/* Where name is in p's kids, or where it would be inserted. */
static uint32_t
kid_search(const struct xs_node *p, const char *name, size_t len,
    bool *found)
{
	if (p->kids == NULL) {
		*found = false;
		return 0;
	}
	return xs_path_name_search(p->kids, p->kids->n, node_name_at, name,
	    len, found);
}

struct xs_node *
xs_tree_child(const struct xs_node *p, const char *name, size_t len)
{
	bool		 found;
	uint32_t	 i = kid_search(p, name, len, &found);

	return found ? p->kids->v[i] : NULL;
}

static struct xs_node *
walk_path(const struct xs_tree *t, const char *path, bool nearest)
{
	struct xs_node	*n = t->root, *k;
	const char	*c = path + 1, *e;

	while (*c != '\0') {
		e = strchrnul(c, '/');
		if ((k = xs_tree_child(n, c, (size_t)(e - c))) == NULL)
			return nearest ? n : NULL;
		n = k;
		c = *e == '/' ? e + 1 : e;
	}
	return n;
}

struct xs_node *
xs_tree_lookup(const struct xs_tree *t, const char *path)
{
	return walk_path(t, path, false);
}

struct xs_node *
xs_tree_nearest(const struct xs_tree *t, const char *path)
{
	return walk_path(t, path, true);
}

static int
kids_insert(struct xs_node *p, uint32_t at, struct xs_node *k)
{
	struct xs_node_kids	*nk;
	uint32_t		 n = xs_node_nkids(p), cap;

	if (p->kids == NULL || n == p->kids->cap) {
		/* Small lists grow by 2, big ones by half: less slack. */
		cap = n < 4 ? n + 2 : n + n / 2;
		nk = realloc(p->kids, sizeof(*nk) + (size_t)cap * sizeof(k));
		if (nk == NULL)
			return ENOMEM;
		nk->n = n;
		nk->cap = cap;
		p->kids = nk;
	}
	memmove(p->kids->v + at + 1, p->kids->v + at,
	    (n - at) * sizeof(k));
	p->kids->v[at] = k;
	p->kids->n++;
	return 0;
}

int
xs_tree_add(struct xs_tree *t, struct xs_node *parent, const char *name,
    const struct xs_perm *perms, uint32_t nperms, struct xs_node **out)
{
	struct xs_node	*n;
	bool		 found;
	uint32_t	 at;

	at = kid_search(parent, name, strlen(name), &found);
	if (found) {
		*out = parent->kids->v[at];
		return 0;
	}
	if ((n = node_alloc(name, strlen(name))) == NULL)
		return ENOMEM;
	n->parent = parent;
	if (xs_tree_set_perms(NULL, n, perms, nperms) != 0 ||
	    kids_insert(parent, at, n) != 0) {
		node_free(n);
		return ENOMEM;
	}
	t->nnodes++;
	acct(t, n, 1);
	touch(t, n);
	touch(t, parent);
	*out = n;
	return 0;
}

int
xs_tree_set_value(struct xs_tree *t, struct xs_node *n, const void *v,
    uint32_t len)
{
	struct xs_node_data	*d;

	d = data_new(xs_node_perms(n), xs_node_nperms(n), v, len);
	if (d == NULL)
		return ENOMEM;
	data_replace(t, n, d);
	return 0;
}

/* With t NULL the node is not yet in a tree: no accounting, no seq. */
int
xs_tree_set_perms(struct xs_tree *t, struct xs_node *n,
    const struct xs_perm *p, uint32_t np)
{
	struct xs_node_data	*d;

	if (n->data != NULL)
		d = data_new(p, np, xs_node_value(n), xs_node_vlen(n));
	else
		d = data_new(p, np, NULL, 0);
	if (d == NULL)
		return ENOMEM;
	data_replace(t, n, d);
	return 0;
}

void
xs_tree_remove(struct xs_tree *t, struct xs_node *n)
{
	struct xs_node	*p = n->parent;
	bool		 found;
	uint32_t	 at;

	at = kid_search(p, n->name, strlen(n->name), &found);
	if (found) {
		memmove(p->kids->v + at, p->kids->v + at + 1,
		    (p->kids->n - at - 1) * sizeof(n));
		if (--p->kids->n == 0) {
			free(p->kids);
			p->kids = NULL;
		}
	}
	subtree_free(t, n);
	touch(t, p);
}

size_t
xs_tree_path(const struct xs_node *n, char *buf, size_t len)
{
	size_t	 need = 0, at, l;
	const struct xs_node *c;

	if (n->parent == NULL) {
		if (len > 1)
			memcpy(buf, "/", 2);
		return 1;
	}
	for (c = n; c->parent != NULL; c = c->parent)
		need += 1 + strlen(c->name);
	if (need + 1 > len)
		return need;
	buf[need] = '\0';
	at = need;
	for (c = n; c->parent != NULL; c = c->parent) {
		l = strlen(c->name);
		at -= l;
		memcpy(buf + at, c->name, l);
		buf[--at] = '/';
	}
	return need;
}

int
xs_tree_walk(struct xs_node *n, xs_tree_walk_fn fn, void *arg)
{
	uint32_t	 i;
	int		 r;

	if ((r = fn(n, arg)) != 0)
		return r;
	for (i = 0; i < xs_node_nkids(n); i++)
		if ((r = xs_tree_walk(n->kids->v[i], fn, arg)) != 0)
			return r;
	return 0;
}
