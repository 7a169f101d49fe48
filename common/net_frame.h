/*
 * net_frame: what both network ends need to know of an Ethernet frame's
 * headers to turn a Xen ring's offload flags into a virtio_net_hdr and
 * back.  A ring says only "checksum blank" (the guest left the TCP or UDP
 * checksum holding the pseudo-header's sum); a TAP wants where the sum
 * starts and where it goes.  Owns that walk: Ethernet, one 802.1Q tag,
 * IPv4 (its header length checked) or IPv6 (hop-by-hop, routing and
 * destination options skipped; a fragment has no transport header to
 * sum), then TCP (offset 16) or UDP (offset 6).  Every length is checked
 * against the frame's: the bytes come from another domain.
 */
#ifndef SHOAL_NET_FRAME_H
#define SHOAL_NET_FRAME_H

#include <stddef.h>
#include <stdint.h>

struct net_frame_l4 {
	uint16_t	 l4_start;	/* the TCP or UDP header's offset */
	uint16_t	 csum_offset;	/* its checksum's, from l4_start */
	uint16_t	 hdr_len;	/* l4_start plus the TCP/UDP header */
	uint8_t		 proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	uint8_t		 ipv6;		/* 0: IPv4 */
};

/* 0 with out filled, or -1: not TCP or UDP over IP, or cut short. */
int	 net_frame_l4(const uint8_t *frame, size_t len,
	    struct net_frame_l4 *out);

#endif /* SHOAL_NET_FRAME_H */
