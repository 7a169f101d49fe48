/*
 * nb_txreq: checking one packet's TX slots (nb_txreq.h).
 */
/* xenctrl.h first: it tells the Xen headers after it this is a tool. */
#include <xenctrl.h>
#include <string.h>

#include "nb_txreq.h"

#define PAGE_BYTES	4096u

static const char *const drop_names[NB_DROP_COUNT] = {
	[NB_DROP_NONE] = "none",
	[NB_DROP_SIZE] = "size",
	[NB_DROP_SLOTS] = "slots",
	[NB_DROP_EXTRA] = "extra",
	[NB_DROP_GRANT] = "grant",
	[NB_DROP_CSUM] = "csum",
	[NB_DROP_NOMEM] = "nomem",
	[NB_DROP_OUTPUT] = "output",
	[NB_DROP_RX_FULL] = "rx-full",
	[NB_DROP_RX_STALL] = "rx-stall",
	[NB_DROP_RX_TOO_BIG] = "rx-too-big",
	[NB_DROP_DOWN] = "down",
};

const char *
nb_drop_name(enum nb_drop d)
{
	return (unsigned)d < NB_DROP_COUNT ? drop_names[d] : "?";
}

void
nb_txreq_init(struct nb_txreq *t)
{
	memset(t, 0, sizeof(*t));
}

/* The first drop reason sticks: later slots are still consumed. */
static void
refuse(struct nb_txreq *t, enum nb_drop why)
{
	if (t->drop == NB_DROP_NONE)
		t->drop = why;
}

static void
extra_slot(struct nb_txreq *t, const netif_tx_request_t *req)
{
	netif_extra_info_t	 x;

	memcpy(&x, req, sizeof(x));
	t->extra[t->slots - 1] = true;
	t->in_extras = (x.flags & XEN_NETIF_EXTRA_FLAG_MORE) != 0;
	switch (x.type) {
	case XEN_NETIF_EXTRA_TYPE_GSO:
		if ((x.u.gso.type != XEN_NETIF_GSO_TYPE_TCPV4 &&
		    x.u.gso.type != XEN_NETIF_GSO_TYPE_TCPV6) ||
		    x.u.gso.size == 0)
			refuse(t, NB_DROP_EXTRA);
		t->gso_type = x.u.gso.type;
		t->gso_size = x.u.gso.size;
		break;
	case XEN_NETIF_EXTRA_TYPE_MCAST_ADD:
	case XEN_NETIF_EXTRA_TYPE_MCAST_DEL:
		/* A group must be a multicast address. */
		if ((x.u.mcast.addr[0] & 1) == 0)
			refuse(t, NB_DROP_EXTRA);
		t->control = true;
		t->mcast_op = x.type;
		memcpy(t->mcast_addr, x.u.mcast.addr, 6);
		break;
	case XEN_NETIF_EXTRA_TYPE_HASH:
		break;
	default:
		refuse(t, NB_DROP_EXTRA);
	}
}

static void
first_slot(struct nb_txreq *t, const netif_tx_request_t *req)
{
	t->len = req->size;
	t->flags = req->flags;
	t->first_offset = req->offset;
	t->in_extras = (req->flags & NETTXF_extra_info) != 0;
	t->more_data = (req->flags & NETTXF_more_data) != 0;
	t->seg[0].gref = req->gref;
	t->seg[0].offset = req->offset;
	t->nseg = 1;
}

static void
fragment_slot(struct nb_txreq *t, const netif_tx_request_t *req)
{
	t->more_data = (req->flags & NETTXF_more_data) != 0;
	if (t->nseg == NB_TX_DATA_SLOTS_MAX) {
		refuse(t, NB_DROP_SLOTS);
		return;
	}
	if ((uint32_t)req->offset + req->size > PAGE_BYTES ||
	    t->frag_bytes + req->size > t->len) {
		refuse(t, NB_DROP_SIZE);
		return;
	}
	t->frag_bytes += req->size;
	t->seg[t->nseg].gref = req->gref;
	t->seg[t->nseg].offset = req->offset;
	t->seg[t->nseg].len = req->size;
	t->nseg++;
}

/* The packet is whole: the first slot's own bytes are what is left. */
static void
finish(struct nb_txreq *t)
{
	uint32_t	 first = t->len - t->frag_bytes;

	if (t->drop != NB_DROP_NONE)
		return;
	/* A multicast request carries no packet, whatever its size. */
	if (t->control) {
		t->len = 0;
		return;
	}
	if (t->len < NB_ETH_HLEN || t->first_offset + first > PAGE_BYTES) {
		refuse(t, NB_DROP_SIZE);
		return;
	}
	t->seg[0].len = (uint16_t)first;
}

enum nb_tx_step
nb_txreq_feed(struct nb_txreq *t, const netif_tx_request_t *req)
{
	if (t->slots == NB_TX_CHAIN_MAX)
		return NB_TX_FATAL;
	t->id[t->slots] = req->id;
	t->extra[t->slots] = false;
	t->slots++;
	if (t->slots == 1)
		first_slot(t, req);
	else if (t->in_extras)
		extra_slot(t, req);
	else
		fragment_slot(t, req);
	if (t->in_extras || t->more_data)
		return t->slots == NB_TX_CHAIN_MAX ? NB_TX_FATAL : NB_TX_NEED;
	finish(t);
	return NB_TX_DONE;
}
