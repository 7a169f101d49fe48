/*
 * The domain requests: GET_DOMAIN_PATH, IS_DOMAIN_INTRODUCED,
 * SET_TARGET, and the ring ones (INTRODUCE, RELEASE, RESUME) which phase
 * 1 parses and permission-checks but cannot carry out: without grant
 * mapping there is no ring to talk to, so INTRODUCE answers ENOSYS and
 * RELEASE/RESUME answer ENOENT (no domain is ever introduced yet).
 */
#include <errno.h>
#include <stdio.h>

#include "log.h"
#include "xs_conn.h"
#include "xs_domain.h"
#include "xs_ops.h"
#include "xs_path.h"
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

int
xs_op_introduce(struct xs_req *r, struct xs_msg *m)
{
	unsigned	 domid;

	(void)m;
	if (!r->who.priv)
		return EACCES;
	if (r->argc < 3 || arg_domid(r, 0, &domid) != 0 || domid == 0)
		return EINVAL;
	log_warnx("INTRODUCE of domain %u refused: domain rings are phase 2",
	    domid);
	return ENOSYS;
}

/* Nothing is introduced before phase 2, so there is nothing to act on. */
static int
introduced_only(struct xs_req *r)
{
	const struct xs_dom	*d;
	unsigned		 domid;

	if (!r->who.priv)
		return EACCES;
	if (xs_req_nargs(r, 1) != 0 || arg_domid(r, 0, &domid) != 0 ||
	    domid == 0)
		return EINVAL;
	d = xs_dom_find(r->conn->srv->doms, domid);
	return d != NULL && d->introduced ? ENOSYS : ENOENT;
}

int
xs_op_release(struct xs_req *r, struct xs_msg *m)
{
	(void)m;
	return introduced_only(r);
}

int
xs_op_resume(struct xs_req *r, struct xs_msg *m)
{
	(void)m;
	return introduced_only(r);
}

int
xs_op_set_target(struct xs_req *r, struct xs_msg *m)
{
	struct xs_dom	*d;
	unsigned	 domid, target;

	if (!r->who.priv)
		return EACCES;
	if (xs_req_nargs(r, 2) != 0 || arg_domid(r, 0, &domid) != 0 ||
	    arg_domid(r, 1, &target) != 0 || domid == 0 || domid == target)
		return EINVAL;
	if ((d = xs_dom_get(r->conn->srv->doms, domid)) == NULL)
		return ENOMEM;
	d->target = (int)target;
	log_info("domain %u now acts for domain %u", domid, target);
	return xs_reply_ok(m);
}
