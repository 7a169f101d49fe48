/*
 * blk_rpc: blk.list, blk.stats (blk_rpc.h).
 */
/* xenctrl.h first: it tells the Xen headers after it this is a tool. */
#include <xenctrl.h>
#include <stdio.h>

#include "blk_rpc.h"
#include "blk_vbd.h"
#include "rpc_wire.h"

static json_t *
vbd_info(const struct blk_vbd *v)
{
	return json_pack("{s:i, s:i, s:s, s:s, s:b, s:b, s:b, s:I, s:i, "
	    "s:i, s:i, s:b, s:b, s:i}", "domid", (int)v->domid,
	    "devid", (int)v->devid, "type", v->type->name, "path", v->path,
	    "readonly", v->disk.readonly, "connected", v->connected,
	    "broken", v->broken, "sectors", (json_int_t)v->disk.sectors,
	    "sector_size", (int)v->disk.sector_size,
	    "queues", (int)v->nqueues,
	    "ring_pages", v->connected ? 1 << v->ring_order : 0,
	    "flush", v->disk.flush, "discard", v->disk.discard,
	    "max_indirect", (int)v->disk.max_indirect);
}

/* Bucket i holds what took under 16 us << i; the last, the rest. */
static json_t *
latency(const struct blk_vbd *v)
{
	json_t		*o = json_object();
	char		 key[32];
	unsigned	 i;

	for (i = 0; i < BLK_LAT_BUCKETS && o != NULL; i++) {
		if (i + 1 < BLK_LAT_BUCKETS)
			snprintf(key, sizeof(key), "lt_%lluus",
			    (unsigned long long)BLK_LAT_FIRST_US << i);
		else
			snprintf(key, sizeof(key), "slower");
		json_object_set_new(o, key,
		    json_integer((json_int_t)v->st.latency[i]));
	}
	return o;
}

static json_t *
vbd_stats(const struct blk_vbd *v)
{
	json_t	*errors = json_object();
	int	 i;

	for (i = BLK_ERR_NONE + 1; i < BLK_ERR_COUNT && errors != NULL; i++)
		json_object_set_new(errors, blk_err_name((enum blk_err)i),
		    json_integer((json_int_t)v->st.errors[i]));
	return json_pack("{s:i, s:i, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
	    "s:o*, s:o*}", "domid", (int)v->domid, "devid", (int)v->devid,
	    "type", v->type->name,
	    "reads", (json_int_t)v->st.reads,
	    "writes", (json_int_t)v->st.writes,
	    "flushes", (json_int_t)v->st.flushes,
	    "discards", (json_int_t)v->st.discards,
	    "read_bytes", (json_int_t)v->st.read_bytes,
	    "write_bytes", (json_int_t)v->st.write_bytes,
	    "ring_errors", (json_int_t)v->st.ring_errors,
	    "errors", errors, "latency", latency(v));
}

static void
reply_vbds(struct rpc_call *c, struct blkback *bb,
    json_t *(*one)(const struct blk_vbd *))
{
	struct blk_vbd	*v;
	json_t		*a;

	if ((a = json_array()) == NULL) {
		rpc_fail(c, RPC_E_INTERNAL, "out of memory");
		return;
	}
	LIST_FOREACH(v, &bb->vbds, link)
		json_array_append_new(a, one(v));
	rpc_reply(c, json_pack("{s:o}", "vbds", a));
}

static void
m_list(struct rpc_call *c, json_t *params, void *arg)
{
	(void)params;
	reply_vbds(c, arg, vbd_info);
}

static void
m_stats(struct rpc_call *c, json_t *params, void *arg)
{
	(void)params;
	reply_vbds(c, arg, vbd_stats);
}

json_t *
blk_rpc_stats(void *arg)
{
	struct blkback	*bb = arg;
	struct blk_vbd	*v;
	uint64_t	 conn = 0, n = 0, reqs = 0, errors = 0;
	int		 i;

	LIST_FOREACH(v, &bb->vbds, link) {
		n++;
		conn += v->connected;
		reqs += v->st.reads + v->st.writes + v->st.flushes +
		    v->st.discards;
		for (i = 0; i < BLK_ERR_COUNT; i++)
			errors += v->st.errors[i];
	}
	return json_pack("{s:I, s:I, s:I, s:I}", "vbds", (json_int_t)n,
	    "connected", (json_int_t)conn, "requests", (json_int_t)reqs,
	    "errors", (json_int_t)errors);
}

const struct rpc_method blk_rpc_methods[] = {
	{ "list", m_list },
	{ "stats", m_stats },
	{ NULL, NULL }
};
