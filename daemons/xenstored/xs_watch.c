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

void
xs_watch_fire(struct xs_server *srv, const char *path, bool rm,
    const struct xs_perm *p, uint32_t np)
{
	struct fire_parent	 fp = { srv->tree, path, false, NULL };
	struct xs_watch		*w;

	TAILQ_FOREACH(w, &srv->watches, entry) {
		const char	*ev = NULL;

		if (xs_path_is_child(path, w->path))
			ev = path;
		else if (rm && xs_path_is_child(w->path, path))
			ev = w->path;
		if (ev != NULL && watch_may_see(w, p, np, &fp))
			xs_watch_event(w, ev);
	}
}
