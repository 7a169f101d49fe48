/*
 * nf_txslot: a TAP frame cut into tx requests (nf_wire.h).
 */
#include <string.h>

#include "nf_wire.h"

#define ETH_HLEN_	14
#define ETH_P_IPV6_	0x86dd
#define ETH_P_8021Q_	0x8100

_Static_assert(sizeof(netif_extra_info_t) <= sizeof(netif_tx_request_t),
    "an extra fits a tx slot");

bool
nf_frame_ipv6(const uint8_t *frame, size_t len)
{
	size_t	 at = 12;
	unsigned type;

	if (len < at + 2)
		return false;
	type = (unsigned)frame[at] << 8 | frame[at + 1];
	if (type == ETH_P_8021Q_ && len >= at + 6) {
		at += 4;
		type = (unsigned)frame[at] << 8 | frame[at + 1];
	}
	return type == ETH_P_IPV6_;
}

/* The GSO extra for vh, or -1: a kind the backend did not offer. */
static int
gso_extra(const struct virtio_net_hdr *vh, const struct nf_tx_offload *o,
    netif_extra_info_t *x)
{
	memset(x, 0, sizeof(*x));
	x->type = XEN_NETIF_EXTRA_TYPE_GSO;
	x->u.gso.size = vh->gso_size;
	/* ECN's CWR handling is a feature we never offered the kernel. */
	switch (vh->gso_type) {
	case VIRTIO_NET_HDR_GSO_TCPV4:
		if (!o->gso4)
			return -1;
		x->u.gso.type = XEN_NETIF_GSO_TYPE_TCPV4;
		break;
	case VIRTIO_NET_HDR_GSO_TCPV6:
		if (!o->gso6)
			return -1;
		x->u.gso.type = XEN_NETIF_GSO_TYPE_TCPV6;
		break;
	default:
		return -1;
	}
	/* A segment needs a size, and its checksum left to the segmenter. */
	if (vh->gso_size == 0 ||
	    !(vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return -1;
	return 0;
}

/*
 * The first request's flags for vh's checksum state: left blank for a
 * backend that takes it, else made here (*sw).  -1 with why.
 */
static int
csum_flags(const struct virtio_net_hdr *vh, size_t len, bool ipv6,
    const struct nf_tx_offload *o, uint16_t *flags, bool *sw,
    enum nf_drop *why)
{
	*sw = false;
	if (vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		if ((size_t)vh->csum_start + vh->csum_offset + 2 > len) {
			*why = NF_DROP_TX_CSUM;
			return -1;
		}
		if (ipv6 ? o->csum6 : o->csum4)
			*flags |= NETTXF_csum_blank | NETTXF_data_validated;
		else if (vh->gso_type != VIRTIO_NET_HDR_GSO_NONE) {
			*why = NF_DROP_TX_GSO;	/* segments need the blank */
			return -1;
		} else {
			*sw = true;
			*flags |= NETTXF_data_validated;
		}
	} else if (vh->flags & VIRTIO_NET_HDR_F_DATA_VALID)
		*flags |= NETTXF_data_validated;
	return 0;
}

int
nf_tx_build(const struct virtio_net_hdr *vh, size_t len, bool ipv6,
    const struct nf_tx_offload *o, const uint16_t *ids,
    const grant_ref_t *refs, netif_tx_request_t *out, bool *sw_csum,
    enum nf_drop *why)
{
	unsigned	 npages, i, n = 0;
	uint16_t	 flags = 0;
	size_t		 left;

	*why = NF_DROP_NONE;
	if (len < ETH_HLEN_) {
		*why = NF_DROP_TX_SHORT;
		return -1;
	}
	npages = (unsigned)((len + NF_PAGE - 1) / NF_PAGE);
	if (len > NF_FRAME_MAX || (npages > 1 && !o->sg)) {
		*why = NF_DROP_TX_TOO_BIG;
		return -1;
	}
	if (csum_flags(vh, len, ipv6, o, &flags, sw_csum, why) != 0)
		return -1;
	if (vh->gso_type != VIRTIO_NET_HDR_GSO_NONE)
		flags |= NETTXF_extra_info;
	/* The first request says the whole length (netif.h). */
	for (i = 0, left = len; i < npages; i++) {
		netif_tx_request_t *r = &out[n++];

		memset(r, 0, sizeof(*r));
		r->gref = refs[i];
		r->id = ids[i];
		r->size = (uint16_t)(i == 0 ? len :
		    left < NF_PAGE ? left : NF_PAGE);
		r->flags = i == 0 ? flags : 0;
		if (i + 1 < npages)
			r->flags |= NETTXF_more_data;
		left -= left < NF_PAGE ? left : NF_PAGE;
		if (i == 0 && (flags & NETTXF_extra_info)) {
			netif_extra_info_t	 x;

			if (gso_extra(vh, o, &x) != 0) {
				*why = NF_DROP_TX_GSO;
				return -1;
			}
			memset(&out[n], 0, sizeof(out[n]));
			memcpy(&out[n++], &x, sizeof(x));
		}
	}
	return (int)n;
}
