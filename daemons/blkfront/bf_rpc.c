/*
 * bf_rpc: blkfront.show and sys.stats (bf_rpc.h).
 */
/* xenctrl.h first: it tells the Xen headers after it this is a tool. */
#include <xenctrl.h>
#include "bf_dev.h"
#include "bf_nbd.h"
#include "bf_rpc.h"
#include "xb_frontend.h"

static json_t *
requests(const struct bf_qstats *s)
{
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
	    "read", (json_int_t)s->reqs[BF_OP_READ],
	    "write", (json_int_t)s->reqs[BF_OP_WRITE],
	    "flush", (json_int_t)s->reqs[BF_OP_FLUSH],
	    "discard", (json_int_t)s->reqs[BF_OP_DISCARD],
	    "indirect", (json_int_t)s->indirect,
	    "errors", (json_int_t)s->errors,
	    "notsup", (json_int_t)s->notsup,
	    "read_bytes", (json_int_t)s->bytes[BF_OP_READ],
	    "write_bytes", (json_int_t)s->bytes[BF_OP_WRITE],
	    "discard_bytes", (json_int_t)s->bytes[BF_OP_DISCARD]);
}

static json_t *
per_queue(const struct bf_dev *d)
{
	json_t		*a = json_array(), *o;
	unsigned	 i;

	for (i = 0; i < d->nqueues && a != NULL; i++) {
		if ((o = requests(&d->q[i].stats)) != NULL)
			json_object_set_new(o, "inflight", json_integer(
			    (json_int_t)bf_ring_inflight(&d->q[i])));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *
nbd_json(const struct bf_nbd *n)
{
	const struct bf_nbd_stats	*s = bf_nbd_stats(n);
	json_t				*errs = json_object();
	unsigned			 i;

	for (i = 0; i < BF_NE_MAX && errs != NULL; i++)
		json_object_set_new(errs, bf_nbd_err_name(i),
		    json_integer((json_int_t)s->errors[i]));
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:{s:I,s:I,s:I,s:I,s:I},"
	    "s:I,s:I,s:o*}",
	    "accepted", (json_int_t)s->accepted,
	    "refused", (json_int_t)s->refused,
	    "dropped", (json_int_t)s->dropped,
	    "bad_magic", (json_int_t)s->bad_magic,
	    "open", (json_int_t)s->open,
	    "commands", "read", (json_int_t)s->cmds[0],
	    "write", (json_int_t)s->cmds[1], "disc", (json_int_t)s->cmds[2],
	    "flush", (json_int_t)s->cmds[3], "trim", (json_int_t)s->cmds[4],
	    "bytes_read", (json_int_t)s->bytes_read,
	    "bytes_written", (json_int_t)s->bytes_written, "errors", errs);
}

json_t *
bf_rpc_stats(const struct bf_rpc_ctx *x)
{
	struct bf_qstats	 s;

	bf_dev_stats(x->dev, &s);
	return json_pack("{s:o*,s:I,s:o*}", "requests", requests(&s),
	    "ring_errors", (json_int_t)x->dev->ring_errors,
	    "nbd", x->nbd != NULL ? nbd_json(x->nbd) : NULL);
}

static void
show(struct rpc_call *c, json_t *params, void *arg)
{
	const struct bf_rpc_ctx	*x = arg;
	const struct bf_dev	*d = x->dev;
	struct bf_qstats	 s;
	json_t			*r;

	(void)params;
	bf_dev_stats(d, &s);
	r = json_pack("{s:i,s:s,s:s,s:i,s:I,s:i,s:b,s:b,s:b,s:i,s:i,s:i,"
	    "s:o*,s:o*,s:I,s:i,s:o*}",
	    "devid", d->cfg->devid,
	    "backend", d->fe != NULL ? xb_fe_backend_path(d->fe) : "",
	    "state", bf_dev_state(d),
	    "xenbus_state", d->fe != NULL ? xb_fe_state(d->fe) : 0,
	    "sectors", (json_int_t)d->disk.sectors,
	    "sector_size", (int)d->disk.sector_size,
	    "read_only", d->disk.ro, "flush", d->disk.flush,
	    "discard", d->disk.discard, "indirect", (int)d->disk.indirect,
	    "queues", (int)d->nqueues,
	    "ring_pages", d->connected ? 1 << d->order : 0,
	    "requests", requests(&s), "per_queue", per_queue(d),
	    "ring_errors", (json_int_t)d->ring_errors,
	    "pending", (int)d->npending,
	    "nbd", x->nbd != NULL ? nbd_json(x->nbd) : NULL);
	if (r == NULL)
		rpc_fail(c, RPC_E_INTERNAL, "out of memory");
	else
		rpc_reply(c, r);
}

const struct rpc_method bf_rpc_methods[] = {
	{ "show", show },
	{ NULL, NULL }
};
