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

static bool
watch_may_see(struct xs_watch *w, const struct xs_perm *p, uint32_t np)
{
	struct xs_who	 who = xs_conn_who(w->conn);

	if (p == NULL)
		return who.priv;
	return xs_perm_can(&who, p, np, XS_PERM_READ);
}

void
xs_watch_fire(struct xs_server *srv, const char *path, bool rm,
    const struct xs_perm *p, uint32_t np)
{
	struct xs_watch	*w;

	TAILQ_FOREACH(w, &srv->watches, entry) {
		if (!watch_may_see(w, p, np))
			continue;
		if (xs_path_is_child(path, w->path))
			xs_watch_event(w, path);
		else if (rm && xs_path_is_child(w->path, path))
			xs_watch_event(w, w->path);
	}
}
