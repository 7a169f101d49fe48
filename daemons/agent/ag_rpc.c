#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ag_fleet.h"
#include "ag_rpc.h"
#include "rpc_wire.h"

/* A call waiting for the toolstack; call is NULL once the caller left. */
struct pending {
	struct rpc_call	*call;
};

static void
gone(struct rpc_call *c, void *arg)
{
	struct pending	*p = arg;

	(void)c;
	p->call = NULL;
}

static void
answered(void *arg, int err, const char *msg, uint32_t domid,
    const char *name, bool warm)
{
	struct pending	*p = arg;

	if (p->call != NULL) {
		if (err != 0)
			rpc_fail(p->call, RPC_E_FAILED, "%s", msg);
		else
			rpc_reply(p->call, json_pack("{s:i, s:s, s:b}",
			    "domid", (int)domid, "name", name, "warm", warm));
	}
	free(p);
}

static struct pending *
pending(struct rpc_call *c)
{
	struct pending	*p = calloc(1, sizeof(*p));

	if (p == NULL) {
		rpc_fail(c, RPC_E_INTERNAL, "out of memory");
		return NULL;
	}
	p->call = c;
	rpc_call_on_cancel(c, gone, p);
	return p;
}

/* Why a call could not begin, in the caller's words. */
static void
refused(struct rpc_call *c, uint32_t domid)
{
	switch (errno) {
	case ESRCH:
		rpc_fail(c, RPC_E_FAILED, "domain %u was not made by this "
		    "agent", domid);
		break;
	case EBUSY:
		rpc_fail(c, RPC_E_FAILED, "domain %u is being built, started "
		    "or destroyed", domid);
		break;
	case EALREADY:
		rpc_fail(c, RPC_E_FAILED, "domain %u is %s already", domid,
		    strcmp(rpc_call_method(c), "domain.pause") == 0 ?
		    "paused" : "running");
		break;
	case ENOTSUP:
		rpc_fail(c, RPC_E_FAILED, "this toolstack cannot pause a "
		    "running domain");
		break;
	case ENOSPC:
		rpc_fail(c, RPC_E_FAILED, "the agent keeps at most %d domains",
		    AG_DOMS_MAX);
		break;
	default:
		rpc_fail(c, RPC_E_FAILED, "%s", strerror(errno));
	}
}

static void
m_create(struct rpc_call *c, json_t *params, void *arg)
{
	const char	*token = json_string_value(json_object_get(params,
			    "token"));
	struct pending	*p;

	if ((p = pending(c)) == NULL)
		return;
	if (ag_fleet_create(arg, token, answered, p) != 0) {
		rpc_call_on_cancel(c, NULL, NULL);
		refused(c, 0);
		free(p);
	}
}

typedef int	(*by_domid_fn)(struct ag_fleet *, uint32_t, ag_fleet_fn,
		    void *);

static void
on_domid(struct rpc_call *c, json_t *params, void *arg, by_domid_fn fn)
{
	uint32_t	 domid = (uint32_t)json_integer_value(
			    json_object_get(params, "domid"));
	struct pending	*p;

	if ((p = pending(c)) == NULL)
		return;
	if (fn(arg, domid, answered, p) != 0) {
		rpc_call_on_cancel(c, NULL, NULL);
		refused(c, domid);
		free(p);
	}
}

static void
m_destroy(struct rpc_call *c, json_t *params, void *arg)
{
	on_domid(c, params, arg, ag_fleet_destroy);
}

static void
m_unpause(struct rpc_call *c, json_t *params, void *arg)
{
	on_domid(c, params, arg, ag_fleet_unpause);
}

static void
m_pause(struct rpc_call *c, json_t *params, void *arg)
{
	on_domid(c, params, arg, ag_fleet_pause);
}

static void
m_list(struct rpc_call *c, json_t *params, void *arg)
{
	json_t	*r = ag_fleet_json(arg);

	(void)params;
	if (r == NULL)
		rpc_fail(c, RPC_E_INTERNAL, "out of memory");
	else
		rpc_reply(c, r);
}

const struct rpc_method ag_rpc_methods[] = {
	{ "create", m_create },
	{ "destroy", m_destroy },
	{ "pause", m_pause },
	{ "unpause", m_unpause },
	{ "list", m_list },
	{ NULL, NULL },
};

json_t *
ag_rpc_stats(void *fleet)
{
	return ag_fleet_stats(fleet);
}
