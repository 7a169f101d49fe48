/*
 * fuzz_netback: libFuzzer over what netback reads of a guest's TX ring
 * before it copies a byte: the packet checker (nb_txreq.c), and the
 * walk to a frame's checksum (net_frame.c) that turns the guest's flags
 * into a TAP's offload header (nb_pkt.c).
 *
 * An input is a count N, then N 12-byte TX requests as a guest writes
 * them (netif_tx_request_t: gref, offset, flags, id, size,
 * little-endian), fed slot by slot to the checker packet after packet,
 * then a frame: each packet whole is given the frame's bytes (as many
 * as the packet says, cut at the input's end) for the offload
 * translation to walk.  Beyond the sanitizers it aborts when a
 * packet the checker passes breaks a promise the copy path relies on:
 * its segments' bytes not summing to its length, a segment crossing its
 * page, more than 18 segments, fewer bytes than an Ethernet header, a
 * chain past 64 slots not called fatal; or when a checksum place or
 * header length falls outside the frame.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net_frame.h"
#include "nb_pkt.h"
#include "nb_txreq.h"

static void
check_packet(const struct nb_txreq *t)
{
	uint32_t	 sum = 0;
	unsigned	 i;

	if (t->slots == 0 || t->slots > NB_TX_CHAIN_MAX)
		abort();
	if (t->drop != NB_DROP_NONE || t->control)
		return;
	if (t->nseg == 0 || t->nseg > NB_TX_DATA_SLOTS_MAX ||
	    t->len < NB_ETH_HLEN)
		abort();
	for (i = 0; i < t->nseg; i++) {
		if ((uint32_t)t->seg[i].offset + t->seg[i].len > 4096)
			abort();
		sum += t->seg[i].len;
	}
	if (sum != t->len)
		abort();
}

static void
check_offload(const struct nb_txreq *t, const uint8_t *data, size_t size)
{
	struct nb_pkt		*p;
	struct net_frame_l4	 l4;
	uint32_t		 len = t->len < size ? t->len : (uint32_t)size;

	if (t->drop != NB_DROP_NONE || t->control || len < NB_ETH_HLEN)
		return;
	if ((p = nb_pkt_new(len)) == NULL)
		abort();
	memcpy(p->data, data, len);
	if (nb_pkt_from_guest(p, t) == NB_DROP_NONE &&
	    (p->vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    (uint32_t)p->vh.csum_start + p->vh.csum_offset + 2 > p->len)
		abort();
	if (net_frame_l4(p->data, p->len, &l4) == 0 &&
	    (l4.hdr_len > p->len || l4.hdr_len < l4.l4_start ||
	    (uint32_t)l4.l4_start + l4.csum_offset + 2 > p->len))
		abort();
	nb_pkt_free(p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nb_txreq		*t;
	netif_tx_request_t	 req;
	enum nb_tx_step		 step = NB_TX_DONE;
	size_t			 at, end, n;

	if (size == 0)
		return 0;
	n = data[0];
	end = 1 + n * sizeof(req) < size ? 1 + n * sizeof(req) : size;
	if ((t = malloc(sizeof(*t))) == NULL)
		abort();
	for (at = 1; at + sizeof(req) <= end; at += sizeof(req)) {
		if (step != NB_TX_NEED)
			nb_txreq_init(t);
		memcpy(&req, data + at, sizeof(req));
		step = nb_txreq_feed(t, &req);
		if (step == NB_TX_FATAL) {
			if (t->slots != NB_TX_CHAIN_MAX)
				abort();
			step = NB_TX_DONE;
			continue;
		}
		if (step == NB_TX_DONE) {
			check_packet(t);
			check_offload(t, data + end, size - end);
		}
	}
	free(t);
	return 0;
}
