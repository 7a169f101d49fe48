#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xs_conn.h"
#include "xs_path.h"
#include "xs_server.h"
#include "xs_watch.h"

static void
watch_free(struct xs_server *srv, struct xs_watch *w)
{
	struct xs_dom	*d = xs_dom_find(srv->doms, w->conn->domid);

	if (d != NULL)
		d->watches--;
	TAILQ_REMOVE(&srv->watches, w, entry);
	free(w->path);
	free(w->token);
	free(w);
}

static struct xs_watch *
watch_find(struct xs_server *srv, struct xs_conn *c, const char *path,
    const char *token)
{
	struct xs_watch	*w;

	TAILQ_FOREACH(w, &srv->watches, entry)
		if (w->conn == c && strcmp(w->path, path) == 0 &&
		    strcmp(w->token, token) == 0)
			return w;
	return NULL;
}

int
xs_watch_add(struct xs_server *srv, struct xs_conn *c, const char *path,
    size_t relcut, const char *token, struct xs_watch **out)
{
	struct xs_dom	*d;
	struct xs_watch	*w;

	if (watch_find(srv, c, path, token) != NULL)
		return EEXIST;
	if ((d = xs_dom_get(srv->doms, c->domid)) == NULL)
		return ENOMEM;
	if (!xs_conn_who(c).priv && srv->quota.watches > 0 &&
	    d->watches >= srv->quota.watches)
		return E2BIG;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return ENOMEM;
	if ((w->path = strdup(path)) == NULL ||
	    (w->token = strdup(token)) == NULL) {
		free(w->path);
		free(w);
		return ENOMEM;
	}
	w->conn = c;
	w->relcut = relcut;
	d->watches++;
	TAILQ_INSERT_TAIL(&srv->watches, w, entry);
	*out = w;
	return 0;
}

int
xs_watch_del(struct xs_server *srv, struct xs_conn *c, const char *path,
    const char *token)
{
	struct xs_watch	*w;

	if ((w = watch_find(srv, c, path, token)) == NULL)
		return ENOENT;
	watch_free(srv, w);
	return 0;
}

void
xs_watch_drop_conn(struct xs_server *srv, struct xs_conn *c)
{
	struct xs_watch	*w, *next;

	for (w = TAILQ_FIRST(&srv->watches); w != NULL; w = next) {
		next = TAILQ_NEXT(w, entry);
		if (w->conn == c)
			watch_free(srv, w);
	}
}

void
xs_watch_event(struct xs_watch *w, const char *path)
{
	/* A relative watch below its home sees paths relative to it. */
	if (w->relcut > 0 && strlen(path) > w->relcut)
		path += w->relcut;
	xs_conn_event(w->conn, path, w->token);
}

/* The changed node's parent, looked up once per event and only if needed. */
struct fire_parent {
	const struct xs_tree	*tree;
	const char		*path;
	bool			 looked;
	const struct xs_node	*node;
};

static const struct xs_node *
fire_parent(struct fire_parent *fp)
{
	char	 parent[XS_PATH_BUF];
	size_t	 pl;

	if (fp->looked)
		return fp->node;
	fp->looked = true;
	if (fp->path[0] != '/' || fp->path[1] == '\0')
		return NULL;
	pl = xs_path_parent_len(fp->path);
	memcpy(parent, fp->path, pl);
	parent[pl] = '\0';
	fp->node = xs_tree_lookup(fp->tree, parent);
	return fp->node;
}

/*
 * As Xen since XSA-115: a watcher hears of a change to a node it may read
 * or whose parent it may read (so a guest sees a child come and go in a
 * directory it may list, whoever owns the child).  Special paths are for
 * the privileged.
 */
static bool
watch_may_see(struct xs_watch *w, const struct xs_perm *p, uint32_t np,
    struct fire_parent *fp)
{
	struct xs_who		 who = xs_conn_who(w->conn);
	const struct xs_node	*parent;

	if (p == NULL)
		return who.priv;
	if (xs_perm_can(&who, p, np, XS_PERM_READ))
		return true;
	return (parent = fire_parent(fp)) != NULL && xs_perm_can(&who,
	    xs_node_perms(parent), xs_node_nperms(parent), XS_PERM_READ);
}

/*
 * Two watches of one connection with the same token that fire for the
 * same change with the same path would send the same bytes twice; as C
 * xenstored, it gets them once.  The watches that fired for this change
 * are few, so they are simply searched.
 */
struct fired {
	struct xs_watch	**v;
	size_t		  n, cap;
};

/* f holds watches that fired with the changed path itself. */
static bool
fired_already(const struct fired *f, const struct xs_watch *w)
{
	size_t	 i;

	for (i = 0; i < f->n; i++)
		if (f->v[i]->conn == w->conn && f->v[i]->relcut == w->relcut &&
		    strcmp(f->v[i]->token, w->token) == 0)
			return true;
	return false;
}

static void
fired_add(struct fired *f, struct xs_watch *w)
{
	struct xs_watch	**nv;

	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 8;
		if ((nv = reallocarray(f->v, f->cap, sizeof(*nv))) == NULL)
			return;	/* out of memory: one event too many, or too few */
		f->v = nv;
	}
	f->v[f->n++] = w;
}

struct xs_watch_below {
	struct fired	 w;
};

/*
 * C's order for what a removal took: depth first, children before their
 * parent (siblings here in name order, where C goes by creation), and
 * watches on one node in registration order.
 */
static int
cmp_post_order(const char *x, const char *y)
{
	size_t	 i = 0;

	while (x[i] != '\0' && x[i] == y[i])
		i++;
	if (x[i] == '\0' && y[i] == '\0')
		return 0;
	if (x[i] == '\0')		/* y is below x: y first */
		return y[i] == '/' ? 1 : -1;
	if (y[i] == '\0')
		return x[i] == '/' ? -1 : 1;
	if (x[i] == '/')		/* x's component ended first */
		return -1;
	if (y[i] == '/')
		return 1;
	return (unsigned char)x[i] < (unsigned char)y[i] ? -1 : 1;
}

static void
sort_post_order(struct xs_watch **v, size_t n)
{
	struct xs_watch	*w;
	size_t		 i, j;

	/* Insertion sort: stable, and a removal fires few watches. */
	for (i = 1; i < n; i++) {
		w = v[i];
		for (j = i; j > 0 && cmp_post_order(v[j - 1]->path,
		    w->path) > 0; j--)
			v[j] = v[j - 1];
		v[j] = w;
	}
}

struct xs_watch_below *
xs_watch_below(struct xs_server *srv, const char *path)
{
	struct xs_watch_below	*b;
	struct xs_watch		*w;
	const struct xs_node	*n;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	TAILQ_FOREACH(w, &srv->watches, entry) {
		struct fire_parent	 fp = { srv->tree, w->path, false, NULL };

		if (strcmp(w->path, path) == 0 ||
		    !xs_path_is_child(w->path, path) ||
		    (n = xs_tree_lookup(srv->tree, w->path)) == NULL ||
		    !watch_may_see(w, xs_node_perms(n), xs_node_nperms(n), &fp))
			continue;
		fired_add(&b->w, w);
	}
	if (b->w.n == 0) {
		xs_watch_below_free(b);
		return NULL;
	}
	sort_post_order(b->w.v, b->w.n);
	return b;
}

void
xs_watch_fire_special(struct xs_server *srv, int which)
{
	const struct xs_special	*s = &srv->specials.v[which];

	xs_watch_fire(srv, s->name, s->perms, s->nperms, NULL);
}

void
xs_watch_below_free(struct xs_watch_below *b)
{
	if (b != NULL)
		free(b->w.v);
	free(b);
}

void
xs_watch_fire(struct xs_server *srv, const char *path,
    const struct xs_perm *p, uint32_t np, struct xs_watch_below *below)
{
	struct fire_parent	 fp = { srv->tree, path, false, NULL };
	struct fired		 f = { NULL, 0, 0 };
	struct xs_watch		*w;
	size_t			 i;

	/* As C: what went below first, then the removed node itself. */
	for (i = 0; below != NULL && i < below->w.n; i++)
		xs_watch_event(below->w.v[i], below->w.v[i]->path);
	xs_watch_below_free(below);
	TAILQ_FOREACH(w, &srv->watches, entry) {
		if (!xs_path_is_child(path, w->path) ||
		    !watch_may_see(w, p, np, &fp))
			continue;
		/* Two watches, one connection, one token: the same bytes. */
		if (fired_already(&f, w))
			continue;
		fired_add(&f, w);
		xs_watch_event(w, path);
	}
	free(f.v);
}
