/*
 * nb_pkt: a frame inside netback, between a ring and a TAP or the
 * switch: its bytes in one piece and a virtio_net_hdr saying what is
 * still to be done to it (a checksum to fill, TCP segmentation), the
 * form a TAP with IFF_VNET_HDR reads and writes.  Owns the translation
 * both ways between that header and a Xen ring's flags: NETTXF_* and a
 * GSO extra from a guest, NETRXF_* and a GSO extra to one.
 */
#ifndef NB_PKT_H
#define NB_PKT_H

#include <sys/queue.h>
#include <stdbool.h>
#include <stdint.h>

#include <linux/virtio_net.h>

#include "nb_txreq.h"

struct nb_pkt {
	TAILQ_ENTRY(nb_pkt)	 link;
	struct virtio_net_hdr	 vh;
	uint32_t		 len;
	uint8_t			 data[];
};
TAILQ_HEAD(nb_pktq, nb_pkt);

#define NB_FRAME_MAX	(65535u + 4u)	/* an SG frame, and a VLAN tag */

struct nb_pkt	*nb_pkt_new(uint32_t len);	/* vh zeroed */
struct nb_pkt	*nb_pkt_clone(const struct nb_pkt *);
void		 nb_pkt_free(struct nb_pkt *);
void		 nb_pktq_free(struct nb_pktq *);

/*
 * From a guest's TX request: vh set from its flags and GSO extra, the
 * checksum's place found in the frame.  NB_DROP_NONE, or NB_DROP_CSUM
 * (blank checksum on a frame that is not TCP or UDP over IP).
 */
enum nb_drop	 nb_pkt_from_guest(struct nb_pkt *, const struct nb_txreq *);

/* To a guest: the first RX response's NETRXF_* flags, and its GSO type
 * (XEN_NETIF_GSO_TYPE_NONE: no extra slot). */
uint16_t	 nb_pkt_rx_flags(const struct nb_pkt *);
uint8_t		 nb_pkt_gso_type(const struct nb_pkt *);

#endif /* NB_PKT_H */
