/*
 * The domain requests: GET_DOMAIN_PATH, IS_DOMAIN_INTRODUCED,
 * SET_TARGET, and the ring ones (INTRODUCE, RELEASE, RESUME), which
 * xs_ring carries out.  Without event channels (a plain host) there are no
 * rings: INTRODUCE answers ENOSYS and RELEASE/RESUME ENOENT.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "xs_conn.h"
#include "xs_domain.h"
#include "xs_ops.h"
#include "xs_path.h"
#include "xs_ring.h"
#include "xs_server.h"

/* A real domain id (not a DOMID_* special), from argument i. */
static int
arg_domid(const struct xs_req *r, int i, unsigned *domid)
{
	if (xs_domid_parse(r->argv[i], domid) != 0 || *domid > XS_DOMID_MAX)
		return EINVAL;
	return 0;
}

int
xs_op_get_domain_path(struct xs_req *r, struct xs_msg *m)
{
	char		 path[64];
	unsigned	 domid;

	if (xs_req_nargs(r, 1) != 0 ||
	    xs_domid_parse(r->argv[0], &domid) != 0)
		return EINVAL;
	xs_path_home(domid, path, sizeof(path));
	return xs_msg_appendstr(m, path);
}

int
xs_op_is_introduced(struct xs_req *r, struct xs_msg *m)
{
	const struct xs_dom	*d;
	unsigned		 domid;

	if (xs_req_nargs(r, 1) != 0 ||
	    xs_domid_parse(r->argv[0], &domid) != 0)
		return EINVAL;
	d = xs_dom_find(r->conn->srv->doms, domid);
	return xs_msg_appendstr(m, domid == 0 || (d != NULL &&
	    d->introduced) ? "T" : "F");
}

/* INTRODUCE domid mfn port: the mfn is unused, the ring is grant ref 1. */
int
xs_op_introduce(struct xs_req *r, struct xs_msg *m)
{
	struct xs_rings	*rs = r->conn->srv->rings;
	unsigned	 domid;
	char		*end;
	unsigned long	 port;
	int		 err;

	if (r->argc < 3 || arg_domid(r, 0, &domid) != 0 || domid == 0)
		return EINVAL;
	port = strtoul(r->argv[2], &end, 10);
	if (*r->argv[2] == '\0' || *end != '\0' || port == 0 ||
	    port > UINT32_MAX)
		return EINVAL;
	if (rs == NULL) {
		log_warnx("INTRODUCE of domain %u refused: no event channels "
		    "here", domid);
		return ENOSYS;
	}
	/* Introducing a live domain again is not an error, as on C xenstored. */
	if ((err = xs_ring_introduce(rs, domid, (unsigned)port)) != 0 &&
	    err != EEXIST)
		return err;
	return xs_reply_ok(m);
}

static int
ring_op(struct xs_req *r, struct xs_msg *m,
    int (*fn)(struct xs_rings *, unsigned))
{
	unsigned	 domid;
	int		 err;

	if (xs_req_nargs(r, 1) != 0 || arg_domid(r, 0, &domid) != 0 ||
	    domid == 0)
		return EINVAL;
	if (r->conn->srv->rings == NULL)
		return ENOENT;
	if ((err = fn(r->conn->srv->rings, domid)) != 0)
		return err;
	return xs_reply_ok(m);
}

int
xs_op_release(struct xs_req *r, struct xs_msg *m)
{
	return ring_op(r, m, xs_ring_release);
}

int
xs_op_resume(struct xs_req *r, struct xs_msg *m)
{
	return ring_op(r, m, xs_ring_resume);
}

/*
 * A domain xenstored knows now: introduced (dom0 always), or talking to it
 * through a connection of its own (the in-process domains of tests).
 */
static bool
dom_known(struct xs_server *srv, unsigned domid)
{
	const struct xs_dom	*d = xs_dom_find(srv->doms, domid);
	const struct xs_conn	*c;

	if (domid == 0 || (d != NULL && d->introduced))
		return true;
	TAILQ_FOREACH(c, &srv->conns, entry)
		if (c->domid == domid && !c->dead)
			return true;
	return false;
}

int
xs_op_set_target(struct xs_req *r, struct xs_msg *m)
{
	struct xs_dom	*d;
	unsigned	 domid, target;

	if (xs_req_nargs(r, 2) != 0 || arg_domid(r, 0, &domid) != 0 ||
	    arg_domid(r, 1, &target) != 0 || domid == 0 || domid == target)
		return EINVAL;
	/*
	 * Both must exist, as on Xen: a relation recorded for an unknown id
	 * would hand the next domain given that id another's rights.
	 */
	if (!dom_known(r->conn->srv, domid) || !dom_known(r->conn->srv,
	    target))
		return ENOENT;
	if ((d = xs_dom_get(r->conn->srv->doms, domid)) == NULL)
		return ENOMEM;
	d->target = (int)target;
	log_info("domain %u now acts for domain %u", domid, target);
	return xs_reply_ok(m);
}
