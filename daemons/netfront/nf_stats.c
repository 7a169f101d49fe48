/*
 * nf_stats: netfront's counters (nf_stats.h).
 */
#include "nf_stats.h"

static const char *const drop_names[NF_DROP_MAX] = {
	[NF_DROP_NONE] = "none",
	[NF_DROP_TX_SHORT] = "tx_short",
	[NF_DROP_TX_TOO_BIG] = "tx_too_big",
	[NF_DROP_TX_GSO] = "tx_gso",
	[NF_DROP_TX_CSUM] = "tx_csum",
	[NF_DROP_TX_BACKEND] = "tx_backend_error",
	[NF_DROP_RX_ERROR] = "rx_backend_error",
	[NF_DROP_RX_BAD_SLOT] = "rx_bad_slot",
	[NF_DROP_RX_BAD_EXTRA] = "rx_bad_extra",
	[NF_DROP_RX_TOO_LONG] = "rx_too_long",
	[NF_DROP_RX_EMPTY] = "rx_empty",
	[NF_DROP_RX_CSUM] = "rx_csum",
	[NF_DROP_RX_TAP] = "rx_tap",
};

const char *
nf_drop_name(enum nf_drop d)
{
	return (unsigned)d < NF_DROP_MAX ? drop_names[d] : "unknown";
}

void
nf_stats_add(struct nf_stats *sum, const struct nf_stats *s)
{
	unsigned	 i;

	sum->tx_packets += s->tx_packets;
	sum->tx_bytes += s->tx_bytes;
	sum->rx_packets += s->rx_packets;
	sum->rx_bytes += s->rx_bytes;
	sum->broken += s->broken;
	for (i = 0; i < NF_DROP_MAX; i++)
		sum->drops[i] += s->drops[i];
}

json_t *
nf_stats_json(const struct nf_stats *s)
{
	json_t		*drops;
	unsigned	 i;

	if ((drops = json_object()) == NULL)
		return NULL;
	for (i = 1; i < NF_DROP_MAX; i++)
		json_object_set_new(drops, drop_names[i],
		    json_integer((json_int_t)s->drops[i]));
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:o}",
	    "tx_packets", (json_int_t)s->tx_packets,
	    "tx_bytes", (json_int_t)s->tx_bytes,
	    "rx_packets", (json_int_t)s->rx_packets,
	    "rx_bytes", (json_int_t)s->rx_bytes,
	    "broken_queues", (json_int_t)s->broken, "drops", drops);
}
