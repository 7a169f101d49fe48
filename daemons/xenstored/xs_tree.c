#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xs_path.h"
#include "xs_tree.h"

static void
acct(struct xs_tree *t, const struct xs_node *n, long sign)
{
	if (t->acct != NULL && n->nperms > 0)
		t->acct(t->acct_arg, n->perms[0].domid, sign,
		    sign * xs_node_bytes(n));
}

long
xs_node_bytes(const struct xs_node *n)
{
	return (long)(strlen(n->name) + n->vlen +
	    n->nperms * sizeof(struct xs_perm));
}

static struct xs_node *
node_alloc(const char *name, size_t len)
{
	struct xs_node	*n;

	if ((n = calloc(1, sizeof(*n))) == NULL)
		return NULL;
	if ((n->name = strndup(name, len)) == NULL) {
		free(n);
		return NULL;
	}
	return n;
}

static void
node_free(struct xs_node *n)
{
	free(n->name);
	free(n->value);
	free(n->perms);
	free(n->kids);
	free(n);
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

	for (i = 0; i < n->nkids; i++)
		subtree_free(t, n->kids[i]);
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
	return ((struct xs_node *const *)kids)[i]->name;
}

/* Where name is in p's kids, or where it would be inserted. */
static uint32_t
kid_search(const struct xs_node *p, const char *name, size_t len,
    bool *found)
{
	return xs_path_name_search(p->kids, p->nkids, node_name_at, name, len,
	    found);
}

struct xs_node *
xs_tree_child(const struct xs_node *p, const char *name, size_t len)
{
	bool		 found;
	uint32_t	 i = kid_search(p, name, len, &found);

	return found ? p->kids[i] : NULL;
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

static void
touch(struct xs_tree *t, struct xs_node *n)
{
	n->seq = ++t->seq;
}

static int
kids_insert(struct xs_node *p, uint32_t at, struct xs_node *k)
{
	struct xs_node	**nk;
	uint32_t	  cap;

	if (p->nkids == p->kidcap) {
		cap = p->kidcap ? p->kidcap * 2 : 4;
		if ((nk = reallocarray(p->kids, cap, sizeof(*nk))) == NULL)
			return ENOMEM;
		p->kids = nk;
		p->kidcap = cap;
	}
	memmove(p->kids + at + 1, p->kids + at,
	    (p->nkids - at) * sizeof(*p->kids));
	p->kids[at] = k;
	p->nkids++;
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
		*out = parent->kids[at];
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
	parent->gen = parent->seq;
	*out = n;
	return 0;
}

int
xs_tree_set_value(struct xs_tree *t, struct xs_node *n, const void *v,
    uint32_t len)
{
	uint8_t	*nv = NULL;

	if (len > 0 && (nv = malloc(len)) == NULL)
		return ENOMEM;
	if (len > 0)
		memcpy(nv, v, len);
	acct(t, n, -1);
	free(n->value);
	n->value = nv;
	n->vlen = len;
	acct(t, n, 1);
	touch(t, n);
	return 0;
}

/* With t NULL the node is not yet in a tree: no accounting, no seq. */
int
xs_tree_set_perms(struct xs_tree *t, struct xs_node *n,
    const struct xs_perm *p, uint32_t np)
{
	struct xs_perm	*copy;

	if ((copy = reallocarray(NULL, np, sizeof(*copy))) == NULL)
		return ENOMEM;
	memcpy(copy, p, np * sizeof(*copy));
	if (t != NULL)
		acct(t, n, -1);
	free(n->perms);
	n->perms = copy;
	n->nperms = np;
	if (t != NULL) {
		acct(t, n, 1);
		touch(t, n);
	}
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
		memmove(p->kids + at, p->kids + at + 1,
		    (p->nkids - at - 1) * sizeof(*p->kids));
		p->nkids--;
	}
	subtree_free(t, n);
	touch(t, p);
	p->gen = p->seq;
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
	for (i = 0; i < n->nkids; i++)
		if ((r = xs_tree_walk(n->kids[i], fn, arg)) != 0)
			return r;
	return 0;
}
