/*
 * nf_rpc: netfront.show and sys.stats (nf_rpc.h).
 */
#include "nf_dev.h"
#include "nf_rpc.h"
#include "xb_frontend.h"

json_t *
nf_rpc_stats(const struct nf_dev *d)
{
	struct nf_stats	 s;

	nf_dev_stats(d, &s);
	return nf_stats_json(&s);
}

static void
show(struct rpc_call *c, json_t *params, void *arg)
{
	const struct nf_dev	*d = arg;
	json_t			*r;

	(void)params;
	r = json_pack("{s:s,s:I,s:s,s:i,s:I,s:b,s:b,s:b,s:b,s:b,s:b,s:o*}",
	    "tap", d->ifname, "devid", (json_int_t)d->opts.devid,
	    "backend", d->fe != NULL ? xb_fe_backend_path(d->fe) : "",
	    "state", d->fe != NULL ? xb_fe_state(d->fe) : 0,
	    "queues", (json_int_t)d->nqueues, "split", d->split,
	    "sg", d->off.sg, "csum4", d->off.csum4, "csum6", d->off.csum6,
	    "gso4", d->off.gso4, "gso6", d->off.gso6,
	    "stats", nf_rpc_stats(d));
	if (r == NULL)
		rpc_fail(c, RPC_E_INTERNAL, "out of memory");
	else
		rpc_reply(c, r);
}

const struct rpc_method nf_rpc_methods[] = {
	{ "show", show },
	{ NULL, NULL }
};
