/*
 * nb_rpc: net.list, net.stats (nb_rpc.h).
 */
/* xenctrl.h first: it tells the Xen headers after it this is a tool. */
#include <xenctrl.h>
#include "nb_rpc.h"
#include "nb_vif.h"
#include "rpc_wire.h"

static json_t *
vif_info(const struct nb_vif *v)
{
	return json_pack("{s:i, s:i, s:s, s:b, s:b, s:i, s:b, s:b, s:b, "
	    "s:b}", "domid", (int)v->domid, "devid", (int)v->devid,
	    "ifname", v->ntaps > 0 ? v->ifname : "switch",
	    "connected", v->connected, "broken", v->broken,
	    "queues", (int)v->nqueues, "sg", v->fe_sg,
	    "gso", v->fe_gso4 || v->fe_gso6, "csum", v->fe_csum,
	    "multicast", v->fe_mcast_ctrl);
}

static json_t *
vif_stats(const struct nb_vif *v)
{
	json_t	*drops = json_object();
	int	 i;

	for (i = NB_DROP_NONE + 1; i < NB_DROP_COUNT && drops != NULL; i++)
		json_object_set_new(drops, nb_drop_name((enum nb_drop)i),
		    json_integer((json_int_t)v->st.drops[i]));
	return json_pack("{s:i, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
	    "s:o*}", "domid", (int)v->domid, "devid", (int)v->devid,
	    "tx_packets", (json_int_t)v->st.tx_packets,
	    "tx_bytes", (json_int_t)v->st.tx_bytes,
	    "tx_gso", (json_int_t)v->st.tx_gso,
	    "rx_packets", (json_int_t)v->st.rx_packets,
	    "rx_bytes", (json_int_t)v->st.rx_bytes,
	    "rx_gso", (json_int_t)v->st.rx_gso,
	    "stalls", (json_int_t)v->st.stalls,
	    "ring_errors", (json_int_t)v->st.ring_errors, "drops", drops);
}

static void
reply_vifs(struct rpc_call *c, struct netback *nb,
    json_t *(*one)(const struct nb_vif *))
{
	struct nb_vif	*v;
	json_t		*a;

	if ((a = json_array()) == NULL) {
		rpc_fail(c, RPC_E_INTERNAL, "out of memory");
		return;
	}
	LIST_FOREACH(v, &nb->vifs, link)
		json_array_append_new(a, one(v));
	rpc_reply(c, json_pack("{s:o}", "vifs", a));
}

static void
m_list(struct rpc_call *c, json_t *params, void *arg)
{
	(void)params;
	reply_vifs(c, arg, vif_info);
}

static void
m_stats(struct rpc_call *c, json_t *params, void *arg)
{
	(void)params;
	reply_vifs(c, arg, vif_stats);
}

json_t *
nb_rpc_stats(void *arg)
{
	struct netback	*nb = arg;
	struct nb_vif	*v;
	uint64_t	 conn = 0, n = 0, drops = 0;
	int		 i;

	LIST_FOREACH(v, &nb->vifs, link) {
		n++;
		conn += v->connected;
		for (i = 0; i < NB_DROP_COUNT; i++)
			drops += v->st.drops[i];
	}
	return json_pack("{s:I, s:I, s:I}", "vifs", (json_int_t)n,
	    "connected", (json_int_t)conn, "drops", (json_int_t)drops);
}

const struct rpc_method nb_rpc_methods[] = {
	{ "list", m_list },
	{ "stats", m_stats },
	{ NULL, NULL }
};
