/*
 * nb_pkt: frames and their offload header (nb_pkt.h).
 */
/* xenctrl.h first: it tells the Xen headers after it this is a tool. */
#include <xenctrl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "net_frame.h"
#include "nb_pkt.h"

struct nb_pkt *
nb_pkt_new(uint32_t len)
{
	struct nb_pkt	*p;

	if ((p = malloc(sizeof(*p) + len)) == NULL)
		return NULL;
	memset(&p->vh, 0, sizeof(p->vh));
	p->len = len;
	return p;
}

struct nb_pkt *
nb_pkt_clone(const struct nb_pkt *src)
{
	struct nb_pkt	*p;

	if ((p = nb_pkt_new(src->len)) == NULL)
		return NULL;
	p->vh = src->vh;
	memcpy(p->data, src->data, src->len);
	return p;
}

void
nb_pkt_free(struct nb_pkt *p)
{
	free(p);
}

void
nb_pktq_free(struct nb_pktq *q)
{
	struct nb_pkt	*p;

	while ((p = TAILQ_FIRST(q)) != NULL) {
		TAILQ_REMOVE(q, p, link);
		nb_pkt_free(p);
	}
}

enum nb_drop
nb_pkt_from_guest(struct nb_pkt *p, const struct nb_txreq *t)
{
	struct net_frame_l4	 l4;
	bool			 found;

	memset(&p->vh, 0, sizeof(p->vh));
	found = net_frame_l4(p->data, p->len, &l4) == 0;
	if (t->flags & NETTXF_csum_blank) {
		/* The guest left the pseudo-header's sum in the field:
		 * whoever sends it on finishes the sum from l4_start. */
		if (!found)
			return NB_DROP_CSUM;
		p->vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		p->vh.csum_start = l4.l4_start;
		p->vh.csum_offset = l4.csum_offset;
	} else if (t->flags & NETTXF_data_validated)
		p->vh.flags = VIRTIO_NET_HDR_F_DATA_VALID;
	if (t->gso_type != XEN_NETIF_GSO_TYPE_NONE) {
		/* Segmentation needs a TCP header and a partial sum. */
		if (!found || l4.proto != IPPROTO_TCP ||
		    !(t->flags & NETTXF_csum_blank))
			return NB_DROP_CSUM;
		p->vh.gso_type = t->gso_type == XEN_NETIF_GSO_TYPE_TCPV4 ?
		    VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_TCPV6;
		p->vh.gso_size = t->gso_size;
		p->vh.hdr_len = l4.hdr_len;
	}
	return NB_DROP_NONE;
}

uint16_t
nb_pkt_rx_flags(const struct nb_pkt *p)
{
	if (p->vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
		return NETRXF_csum_blank | NETRXF_data_validated;
	if (p->vh.flags & VIRTIO_NET_HDR_F_DATA_VALID)
		return NETRXF_data_validated;
	return 0;
}

uint8_t
nb_pkt_gso_type(const struct nb_pkt *p)
{
	switch (p->vh.gso_type & ~VIRTIO_NET_HDR_GSO_ECN) {
	case VIRTIO_NET_HDR_GSO_TCPV4:
		return XEN_NETIF_GSO_TYPE_TCPV4;
	case VIRTIO_NET_HDR_GSO_TCPV6:
		return XEN_NETIF_GSO_TYPE_TCPV6;
	}
	return XEN_NETIF_GSO_TYPE_NONE;
}
