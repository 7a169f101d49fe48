#include <errno.h>
#include <string.h>

#include <event2/event.h>

#include "xs_conn.h"
#include "xs_server.h"
#include "xs_watch.h"

static int
add_node(struct xs_server *srv, const char *parent, const char *name)
{
	static const struct xs_perm	 n0 = { 0, XS_PERM_NONE };
	struct xs_node			*p, *n;

	if ((p = xs_tree_lookup(srv->tree, parent)) == NULL)
		return ENOENT;
	return xs_tree_add(srv->tree, p, name, &n0, 1, &n);
}

int
xs_server_init(struct xs_server *srv, const struct xs_quota *q,
    int max_events)
{
	memset(srv, 0, sizeof(*srv));
	TAILQ_INIT(&srv->conns);
	TAILQ_INIT(&srv->watches);
	srv->quota = *q;
	srv->max_events = max_events;
	if (xs_specials_init(&srv->specials) != 0 ||
	    (srv->doms = xs_doms_new(q)) == NULL ||
	    (srv->tree = xs_tree_new(xs_doms_acct, srv->doms)) == NULL ||
	    add_node(srv, "/", "local") != 0 ||
	    add_node(srv, "/local", "domain") != 0 ||
	    add_node(srv, "/", "tool") != 0 ||
	    add_node(srv, "/tool", "xenstored") != 0) {
		xs_server_fini(srv);
		return ENOMEM;
	}
	return 0;
}

bool
xs_server_privileged(const struct xs_server *srv, unsigned domid)
{
	return domid == 0 || domid == srv->priv_domid;
}

static void
reap(evutil_socket_t fd, short what, void *arg)
{
	struct xs_server	*srv = arg;
	struct xs_conn		*c, *next;

	(void)fd;
	(void)what;
	for (c = TAILQ_FIRST(&srv->conns); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (c->dead)
			xs_conn_free(c);
	}
}

/* Timers and deferred work need the loop: the reaper, the throttles. */
int
xs_server_attach(struct xs_server *srv, struct event_base *base)
{
	srv->base = base;
	srv->reaper = event_new(base, -1, 0, reap, srv);
	return srv->reaper != NULL ? 0 : -1;
}

void
xs_server_reap_soon(struct xs_server *srv)
{
	if (srv->reaper != NULL)
		event_active(srv->reaper, 0, 0);
}

void
xs_server_fini(struct xs_server *srv)
{
	struct xs_conn	*c;

	if (srv->reaper != NULL)
		event_free(srv->reaper);
	srv->reaper = NULL;

	while ((c = TAILQ_FIRST(&srv->conns)) != NULL)
		xs_conn_free(c);
	xs_tree_free(srv->tree);
	xs_doms_free(srv->doms);
	xs_specials_fini(&srv->specials);
	srv->tree = NULL;
	srv->doms = NULL;
}

void
xs_server_set_limits(struct xs_server *srv, const struct xs_quota *q,
    int max_events)
{
	srv->quota = *q;
	srv->max_events = max_events;
	xs_doms_set_quota(srv->doms, q);
}

static bool
txid_used(const struct xs_server *srv, uint32_t id)
{
	const struct xs_conn	*c;

	TAILQ_FOREACH(c, &srv->conns, entry)
		if (xs_conn_txn_find(c, id) != NULL)
			return true;
	return false;
}

uint32_t
xs_server_txid(struct xs_server *srv)
{
	do {
		if (++srv->next_txid == 0)
			srv->next_txid = 1;
	} while (txid_used(srv, srv->next_txid));
	return srv->next_txid;
}
