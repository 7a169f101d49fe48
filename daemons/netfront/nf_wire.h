/*
 * nf_wire: netfront's translation between frames and ring slots, as
 * pure functions (no rings, no grants, no descriptors) so that the unit
 * tests exercise the very code the daemon runs.  Owns:
 *
 *  - a frame read from the TAP, with its virtio_net_hdr, cut into tx
 *    requests (netif.h's "guest transmit" wire format): one request a
 *    page, the first carrying the whole length and the offload flags,
 *    a GSO extra slot after it when the kernel handed us a TCP segment
 *    larger than the MTU;
 *  - rx responses (hostile: the backend wrote them) walked into one
 *    frame's fragments, extras and verdict, and the virtio_net_hdr the
 *    TAP wants for it;
 *  - the Internet checksum made in software, for a frame whose family
 *    the backend does not take with its checksum left blank.
 *
 * Every reason to drop a frame is an enum nf_drop, counted by nf_stats.
 */
#ifndef SHOAL_NF_WIRE_H
#define SHOAL_NF_WIRE_H

#include <sys/uio.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* xenctrl.h first: it tells the Xen headers after it this is a tool. */
#include <xenctrl.h>
#include <xen/io/netif.h>
#include <linux/virtio_net.h>

#define NF_PAGE		4096u
#define NF_RING_SLOTS	256u	/* both rings, on one page each */
#define NF_FRAME_MAX	XEN_NETIF_MAX_TX_SIZE
/* A frame of ours: one slot a page, and the GSO extra. */
#define NF_TX_DATA_MAX	((NF_FRAME_MAX + NF_PAGE - 1) / NF_PAGE)
#define NF_TX_SLOTS_MAX	(NF_TX_DATA_MAX + 1)
/* The TAP is read only with room for the most a backend promises to
 * take for one packet, and its extra. */
#define NF_TX_ROOM	(XEN_NETIF_NR_SLOTS_MIN + 1)
/* What we take from a backend for one frame. */
#define NF_RX_FRAGS_MAX	XEN_NETIF_NR_SLOTS_MIN
#define NF_RX_EXTRAS_MAX	(XEN_NETIF_EXTRA_TYPE_MAX - 1)
/* A received frame's head, copied out of the backend's reach: what its
 * offload header is decided on (nf_rx.c). */
#define NF_RX_HEAD	512
/* The longest chain walked: a first slot, its extras, its fragments. */
#define NF_RX_CHAIN_MAX	(1 + NF_RX_EXTRAS_MAX + NF_RX_FRAGS_MAX)

enum nf_drop {
	NF_DROP_NONE = 0,
	NF_DROP_TX_SHORT,	/* not even an Ethernet header */
	NF_DROP_TX_TOO_BIG,	/* more than the ring (or one page) takes */
	NF_DROP_TX_GSO,		/* a segmentation the backend did not offer */
	NF_DROP_TX_CSUM,	/* a checksum position outside the frame */
	NF_DROP_TX_BACKEND,	/* the backend answered an error */
	NF_DROP_RX_ERROR,	/* the backend's status was an error */
	NF_DROP_RX_BAD_SLOT,	/* id not the slot's, or past its page */
	NF_DROP_RX_BAD_EXTRA,	/* an extra of no known type, or bad GSO */
	NF_DROP_RX_TOO_LONG,	/* more fragments than we take */
	NF_DROP_RX_EMPTY,	/* no bytes */
	NF_DROP_RX_CSUM,	/* checksum blank, but not TCP/UDP over IP */
	NF_DROP_RX_TAP,		/* the TAP refused it */
	NF_DROP_MAX
};

/* What the backend takes from us, as negotiated. */
struct nf_tx_offload {
	bool	 sg;		/* a frame over several slots */
	bool	 csum4, csum6;	/* checksum left blank, by IP version */
	bool	 gso4, gso6;	/* TCP segmentation, by IP version */
};

/*
 * Whether an Ethernet frame (its first len bytes, one 802.1Q tag
 * allowed) carries IPv6.
 */
bool	 nf_frame_ipv6(const uint8_t *frame, size_t len);

/*
 * The slots for a frame of len bytes laid out from the start of pages
 * whose ids and grant refs are ids[i], refs[i] (one a page, as many as
 * the frame needs).  out gets at most NF_TX_SLOTS_MAX slots (an extra
 * is a netif_extra_info_t over its slot).  The count, or -1 with why.
 * *sw_csum: the caller makes the checksum (nf_csum_fill) first.
 */
int	 nf_tx_build(const struct virtio_net_hdr *, size_t len, bool ipv6,
	    const struct nf_tx_offload *, const uint16_t *ids,
	    const grant_ref_t *refs, netif_tx_request_t *out, bool *sw_csum,
	    enum nf_drop *why);

struct nf_rx_frag {
	uint16_t	 slot;		/* from the first slot of the frame */
	uint16_t	 offset, len;	/* within that slot's page */
};

struct nf_rx_frame {
	unsigned		 nslots;	/* taken, whatever the end */
	unsigned		 nfrags;
	struct nf_rx_frag	 frag[NF_RX_FRAGS_MAX];
	size_t			 len;
	uint16_t		 flags;		/* the first slot's NETRXF_* */
	uint8_t			 gso_type;	/* XEN_NETIF_GSO_TYPE_* */
	uint16_t		 gso_size;
	enum nf_drop		 drop;		/* NONE: deliver it */
};

/*
 * One frame's responses, copied out of the ring: rsp[k] is the one at
 * ring index cons + k, avail of them.  1 with f filled (f->drop says
 * whether to deliver it), or 0 if its slots are not all there yet.
 */
int	 nf_rx_parse(const netif_rx_response_t *rsp, unsigned avail,
	    RING_IDX cons, struct nf_rx_frame *f);

/*
 * The virtio_net_hdr for a received frame (its bytes assembled in frame),
 * from its flags and GSO extra.  0, or -1 with why.
 */
int	 nf_rx_vnet(const struct nf_rx_frame *, const uint8_t *frame,
	    size_t len, struct virtio_net_hdr *, enum nf_drop *why);

/*
 * The checksum of the bytes from start to the end of the frame spread
 * over iov, put at start + offset: what the kernel left undone in a
 * frame marked VIRTIO_NET_HDR_F_NEEDS_CSUM (the field holds the
 * pseudo-header's sum).  The caller has checked both are in the frame.
 */
void	 nf_csum_fill(const struct iovec *, unsigned niov, size_t start,
	    size_t offset);

#endif /* SHOAL_NF_WIRE_H */
