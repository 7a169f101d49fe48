/*
 * net_frame: the walk from an Ethernet header to the TCP or UDP header
 * and its checksum field (net_frame.h).
 */
#include <netinet/in.h>

#include "net_frame.h"

#define ETH_HLEN_	14
#define ETHERTYPE_IP_	0x0800
#define ETHERTYPE_IPV6_	0x86dd
#define ETHERTYPE_VLAN_	0x8100
#define IPV6_HLEN	40
#define IPV6_EXT_HOPS	10	/* extension headers walked, at most */

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Past IPv4's header: its protocol and where it ends, or -1. */
static int
ipv4(const uint8_t *f, size_t len, size_t off, uint8_t *proto, size_t *end)
{
	size_t	 ihl;

	if (len < off + 20 || (f[off] >> 4) != 4)
		return -1;
	ihl = (size_t)(f[off] & 0x0f) * 4;
	/* A fragment other than the first has no transport header. */
	if (ihl < 20 || len < off + ihl || (be16(f + off + 6) & 0x1fff) != 0)
		return -1;
	*proto = f[off + 9];
	*end = off + ihl;
	return 0;
}

/* Past IPv6's header and the extension headers a sum may skip. */
static int
ipv6(const uint8_t *f, size_t len, size_t off, uint8_t *proto, size_t *end)
{
	uint8_t	 next;
	int	 hops;

	if (len < off + IPV6_HLEN || (f[off] >> 4) != 6)
		return -1;
	next = f[off + 6];
	off += IPV6_HLEN;
	for (hops = 0; hops < IPV6_EXT_HOPS; hops++) {
		if (next != IPPROTO_HOPOPTS && next != IPPROTO_ROUTING &&
		    next != IPPROTO_DSTOPTS)
			break;
		if (len < off + 8)
			return -1;
		next = f[off];
		off += ((size_t)f[off + 1] + 1) * 8;
	}
	if (hops == IPV6_EXT_HOPS || len < off)
		return -1;
	*proto = next;
	*end = off;
	return 0;
}

int
net_frame_l4(const uint8_t *f, size_t len, struct net_frame_l4 *out)
{
	size_t	 off = ETH_HLEN_, l4;
	uint16_t type;
	uint8_t	 proto;
	int	 v6;

	if (len < ETH_HLEN_)
		return -1;
	type = be16(f + 12);
	if (type == ETHERTYPE_VLAN_) {
		if (len < ETH_HLEN_ + 4)
			return -1;
		type = be16(f + 16);
		off += 4;
	}
	if (type == ETHERTYPE_IP_)
		v6 = 0;
	else if (type == ETHERTYPE_IPV6_)
		v6 = 1;
	else
		return -1;
	if ((v6 ? ipv6 : ipv4)(f, len, off, &proto, &l4) == -1)
		return -1;
	if (proto == IPPROTO_TCP) {
		if (len < l4 + 20 || (size_t)(f[l4 + 12] >> 4) * 4 < 20)
			return -1;
		out->csum_offset = 16;
		out->hdr_len = (uint16_t)(l4 + (size_t)(f[l4 + 12] >> 4) * 4);
	} else if (proto == IPPROTO_UDP) {
		if (len < l4 + 8)
			return -1;
		out->csum_offset = 6;
		out->hdr_len = (uint16_t)(l4 + 8);
	} else
		return -1;
	if (out->hdr_len > len || l4 > UINT16_MAX)
		return -1;
	out->l4_start = (uint16_t)l4;
	out->proto = proto;
	out->ipv6 = (uint8_t)v6;
	return 0;
}
