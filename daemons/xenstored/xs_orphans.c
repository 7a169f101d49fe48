#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xs_orphans.h"
#include "xs_path.h"
#include "xs_server.h"
#include "xs_tree.h"
#include "xs_watch.h"

struct forget {
	struct xs_server	*srv;
	unsigned		 domid;
	long			 orphans;
	long			 dropped;	/* non-owner entries removed */
};

/* perms without the entries naming domid; the owner becomes dom0. */
static int
perms_without(const struct xs_node *n, unsigned domid, struct xs_perm *out,
    uint32_t *nout)
{
	const struct xs_perm	*p = xs_node_perms(n);
	uint32_t		 i, k = 0;

	for (i = 0; i < xs_node_nperms(n); i++) {
		if (i == 0) {
			out[k] = p[0];
			if (p[0].domid == domid)
				out[k].domid = 0;
			k++;
		} else if (p[i].domid != domid)
			out[k++] = p[i];
	}
	*nout = k;
	return k != xs_node_nperms(n) || p[0].domid == domid;
}

static void
delete_orphan(struct forget *f, struct xs_node *n)
{
	char		 path[XS_PATH_BUF];
	struct xs_perm	*keep;
	struct xs_watch_below *below;
	uint32_t	 np = xs_node_nperms(n);

	xs_tree_path(n, path, sizeof(path));
	below = xs_watch_below(f->srv, path);
	/* Watchers are judged by the node's permissions before it went. */
	keep = reallocarray(NULL, np, sizeof(*keep));
	if (keep != NULL)
		memcpy(keep, xs_node_perms(n), np * sizeof(*keep));
	xs_tree_remove(f->srv->tree, n);
	xs_watch_fire(f->srv, path, keep, keep != NULL ? np : 0, below);
	free(keep);
}

/* Recursion is bounded by the path length limit, as in xs_tree. */
static void
forget_node(struct forget *f, struct xs_node *n)
{
	struct xs_perm	 buf[64], *p = buf;
	uint32_t	 np, i;

	size_t		 before = f->srv->tree->nnodes;

	if (n->parent != NULL && xs_node_perms(n)[0].domid == f->domid &&
	    !f->srv->keep_orphans) {
		delete_orphan(f, n);
		f->orphans += (long)(before - f->srv->tree->nnodes);
		return;
	}
	if (xs_node_nperms(n) > 64)
		p = reallocarray(NULL, xs_node_nperms(n), sizeof(*p));
	if (p != NULL && perms_without(n, f->domid, p, &np)) {
		if (xs_node_perms(n)[0].domid == f->domid)
			f->orphans++;
		else
			f->dropped++;
		/* On ENOMEM the entry stays; logged, nothing else to do. */
		if (xs_tree_set_perms(f->srv->tree, n, p, np) != 0)
			log_warnx("domain %u: out of memory dropping its "
			    "permissions", f->domid);
	}
	if (p != buf)
		free(p);
	/* Deleting kid i moves the next one to i. */
	for (i = 0; i < xs_node_nkids(n);) {
		struct xs_node	*k = xs_node_kid(n, i);

		forget_node(f, k);
		if (i < xs_node_nkids(n) && xs_node_kid(n, i) == k)
			i++;
	}
}

long
xs_orphans_forget(struct xs_server *srv, unsigned domid)
{
	struct forget	 f = { srv, domid, 0, 0 };

	if (domid == 0)
		return 0;
	forget_node(&f, srv->tree->root);
	xs_dom_forget(srv->doms, domid);
	if (f.orphans > 0 || f.dropped > 0)
		log_info("domain %u: %ld node%s it owned %s, %ld permission "
		    "entr%s naming it dropped", domid, f.orphans,
		    f.orphans == 1 ? "" : "s",
		    srv->keep_orphans ? "given to dom0" : "deleted", f.dropped,
		    f.dropped == 1 ? "y" : "ies");
	return f.orphans;
}
