/*
 * nf_rxslot: rx responses walked into a frame, and its virtio_net_hdr
 * (nf_wire.h).  Every field read here was written by the backend.
 */
#include <netinet/in.h>
#include <string.h>

#include "net_frame.h"
#include "nf_wire.h"

#define RING_MASK	(NF_RING_SLOTS - 1)
#define CHAIN_MAX	NF_RX_CHAIN_MAX

_Static_assert(sizeof(netif_extra_info_t) == sizeof(netif_rx_response_t),
    "an extra is an rx slot");
_Static_assert(CHAIN_MAX < NF_RING_SLOTS, "a chain fits the ring");

static void
drop(struct nf_rx_frame *f, enum nf_drop why)
{
	if (f->drop == NF_DROP_NONE)	/* the first reason is the one */
		f->drop = why;
}

/*
 * A data slot: its id must be the request's we put in that slot (the
 * backend answers in the request's slot, netif.h), its bytes within
 * the page.
 */
static void
data_slot(const netif_rx_response_t *r, RING_IDX idx, unsigned k,
    struct nf_rx_frame *f)
{
	if (r->status < 0) {
		drop(f, NF_DROP_RX_ERROR);
		return;
	}
	if (r->id != (idx & RING_MASK) ||
	    (unsigned)r->offset + (unsigned)r->status > NF_PAGE) {
		drop(f, NF_DROP_RX_BAD_SLOT);
		return;
	}
	if (r->status == 0)
		return;
	if (f->nfrags == NF_RX_FRAGS_MAX) {
		drop(f, NF_DROP_RX_TOO_LONG);
		return;
	}
	f->frag[f->nfrags].slot = (uint16_t)k;
	f->frag[f->nfrags].offset = r->offset;
	f->frag[f->nfrags].len = (uint16_t)r->status;
	f->nfrags++;
	f->len += (size_t)r->status;
}

/* An extra: GSO is taken, the others we never asked for are skipped. */
static void
extra_slot(const netif_rx_response_t *r, struct nf_rx_frame *f)
{
	netif_extra_info_t	 x;

	memcpy(&x, r, sizeof(x));
	switch (x.type) {
	case XEN_NETIF_EXTRA_TYPE_GSO:
		if ((x.u.gso.type != XEN_NETIF_GSO_TYPE_TCPV4 &&
		    x.u.gso.type != XEN_NETIF_GSO_TYPE_TCPV6) ||
		    x.u.gso.size == 0) {
			drop(f, NF_DROP_RX_BAD_EXTRA);
			return;
		}
		f->gso_type = x.u.gso.type;
		f->gso_size = x.u.gso.size;
		break;
	case XEN_NETIF_EXTRA_TYPE_MCAST_ADD:
	case XEN_NETIF_EXTRA_TYPE_MCAST_DEL:
	case XEN_NETIF_EXTRA_TYPE_HASH:
		break;
	default:
		drop(f, NF_DROP_RX_BAD_EXTRA);
		break;
	}
}

int
nf_rx_parse(const netif_rx_response_t *rsp, unsigned avail, RING_IDX cons,
    struct nf_rx_frame *f)
{
	unsigned	 k = 0, nextra = 0;
	bool		 more;

	memset(f, 0, sizeof(*f));
	if (avail == 0)
		return 0;
	f->flags = rsp[0].flags;
	data_slot(&rsp[0], cons, 0, f);
	if (f->flags & NETRXF_gso_prefix)	/* never asked for */
		drop(f, NF_DROP_RX_BAD_EXTRA);
	more = (f->flags & NETRXF_extra_info) != 0;
	while (more) {
		if (++k >= avail)
			return 0;
		extra_slot(&rsp[k], f);
		more = (((const netif_extra_info_t *)(const void *)&rsp[k])->
		    flags & XEN_NETIF_EXTRA_FLAG_MORE) != 0;
		if (more && ++nextra >= NF_RX_EXTRAS_MAX) {
			drop(f, NF_DROP_RX_BAD_EXTRA);
			break;
		}
	}
	more = (f->flags & NETRXF_more_data) != 0;
	while (more) {
		if (++k >= avail)
			return 0;
		data_slot(&rsp[k], cons + k, k, f);
		more = (rsp[k].flags & NETRXF_more_data) != 0;
		if (more && k + 1 >= CHAIN_MAX) {
			drop(f, NF_DROP_RX_TOO_LONG);
			break;
		}
	}
	f->nslots = k + 1;
	if (f->drop == NF_DROP_NONE && f->len == 0)
		f->drop = NF_DROP_RX_EMPTY;
	return 1;
}

/* Where the checksum goes, for a frame whose checksum was left blank. */
static int
rx_csum(const uint8_t *frame, size_t len, struct virtio_net_hdr *vh,
    struct net_frame_l4 *l4)
{
	if (net_frame_l4(frame, len, l4) != 0)
		return -1;
	vh->flags |= VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->csum_start = l4->l4_start;
	vh->csum_offset = l4->csum_offset;
	return 0;
}

int
nf_rx_vnet(const struct nf_rx_frame *f, const uint8_t *frame, size_t len,
    struct virtio_net_hdr *vh, enum nf_drop *why)
{
	struct net_frame_l4	 l4;
	bool			 blank = (f->flags & NETRXF_csum_blank) != 0;

	memset(vh, 0, sizeof(*vh));
	*why = NF_DROP_NONE;
	/* A segment's checksum is the segmenter's to make: it is blank. */
	if ((blank || f->gso_type != XEN_NETIF_GSO_TYPE_NONE) &&
	    rx_csum(frame, len, vh, &l4) != 0) {
		*why = NF_DROP_RX_CSUM;
		return -1;
	}
	if (!blank && (f->flags & NETRXF_data_validated))
		vh->flags |= VIRTIO_NET_HDR_F_DATA_VALID;
	if (f->gso_type == XEN_NETIF_GSO_TYPE_NONE)
		return 0;
	if (l4.proto != IPPROTO_TCP || (l4.ipv6 != 0) !=
	    (f->gso_type == XEN_NETIF_GSO_TYPE_TCPV6)) {
		*why = NF_DROP_RX_BAD_EXTRA;
		return -1;
	}
	vh->gso_type = l4.ipv6 ? VIRTIO_NET_HDR_GSO_TCPV6 :
	    VIRTIO_NET_HDR_GSO_TCPV4;
	vh->gso_size = f->gso_size;
	vh->hdr_len = l4.hdr_len;
	return 0;
}
