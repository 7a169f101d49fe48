/*
 * nf_rx: the rx ring kept full, and the backend's frames onto the TAP
 * (nf_queue.h).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "nf_queue.h"
#include "xb_ring.h"

#define RING_MASK	(NF_RING_SLOTS - 1)

void
nf_rx_refill(struct nf_queue *q)
{
	netif_rx_request_t	*req;
	RING_IDX		 idx;
	int			 notify;

	if (q->broken || q->rx.sring == NULL)
		return;
	while ((idx = q->rx.req_prod_pvt) - q->rx.rsp_cons < NF_RING_SLOTS) {
		req = RING_GET_REQUEST(&q->rx, idx);
		req->id = (uint16_t)(idx & RING_MASK);
		req->pad = 0;
		req->gref = q->rx_refs[idx & RING_MASK];
		q->rx.req_prod_pvt++;
	}
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&q->rx, notify);
	if (notify)
		nf_queue_notify(q, q->port_rx);
}

/*
 * What the offload header is decided on, the frame's first bytes (its
 * Ethernet, IP and TCP or UDP headers), copied out of the shared pages:
 * the backend cannot change them after.  The rest is written to the TAP
 * from where it lies: the bytes are the backend's to choose anyway, and
 * the kernel checks the offload header against the frame it gets.
 */
/* iov: [head copied] [each fragment's rest in its page]; the count. */
static unsigned
rx_iov(struct nf_queue *q, const struct nf_rx_frame *f, struct iovec *iov,
    size_t *head, size_t *len)
{
	const uint8_t	*page;
	size_t		 n;
	unsigned	 i, niov = 1;

	*head = *len = 0;
	for (i = 0; i < f->nfrags; i++) {
		page = q->rx_pages + (size_t)((q->rx.rsp_cons +
		    f->frag[i].slot) & RING_MASK) * NF_PAGE +
		    f->frag[i].offset;
		n = NF_RX_HEAD - *head < f->frag[i].len ?
		    NF_RX_HEAD - *head : f->frag[i].len;
		memcpy(q->rx_buf + *head, page, n);
		*head += n;
		if (n < f->frag[i].len) {
			iov[niov].iov_base = (void *)(uintptr_t)(page + n);
			iov[niov].iov_len = f->frag[i].len - n;
			niov++;
		}
		*len += f->frag[i].len;
	}
	iov[0].iov_base = q->rx_buf;
	iov[0].iov_len = *head;
	return niov;
}

static void
rx_deliver(struct nf_queue *q, const struct nf_rx_frame *f)
{
	struct virtio_net_hdr	 vh;
	struct iovec		 iov[2 + NF_RX_FRAGS_MAX];
	enum nf_drop		 why;
	size_t			 head, len;
	unsigned		 niov;

	if (f->drop != NF_DROP_NONE) {
		q->stats.drops[f->drop]++;
		return;
	}
	niov = rx_iov(q, f, iov + 1, &head, &len);
	if (nf_rx_vnet(f, q->rx_buf, head, &vh, &why) != 0) {
		q->stats.drops[why]++;
		return;
	}
	iov[0].iov_base = &vh;
	iov[0].iov_len = sizeof(vh);
	if (writev(q->tapfd, iov, (int)niov + 1) == -1) {
		log_debug("queue %u: writing the TAP: %s", q->index,
		    strerror(errno));
		q->stats.drops[NF_DROP_RX_TAP]++;
		return;
	}
	q->stats.rx_packets++;
	q->stats.rx_bytes += len;
}

/*
 * The frames whole between rsp_cons and rp delivered (at most a ring's
 * worth: rp was checked).  1 if the last one is not all there yet, 0
 * if all were taken.
 */
static int
rx_frames(struct nf_queue *q, RING_IDX rp)
{
	netif_rx_response_t	 rsp[NF_RX_CHAIN_MAX];
	struct nf_rx_frame	 f;
	unsigned		 n, k;

	while (q->rx.rsp_cons != rp) {
		n = rp - q->rx.rsp_cons;
		if (n > NF_RX_CHAIN_MAX)
			n = NF_RX_CHAIN_MAX;
		for (k = 0; k < n; k++)
			RING_COPY_RESPONSE(&q->rx, q->rx.rsp_cons + k, &rsp[k]);
		if (nf_rx_parse(rsp, n, q->rx.rsp_cons, &f) == 0)
			return 1;
		rx_deliver(q, &f);
		q->rx.rsp_cons += f.nslots;
	}
	return 0;
}

void
nf_rx_responses(struct nf_queue *q)
{
	RING_IDX	 rp;
	int		 more;

	if (q->broken || q->rx.sring == NULL)
		return;
	for (;;) {
		if (XB_RING_RSP_PROD(&q->rx, &rp) != 0) {
			nf_queue_break(q, "rx: more answers than requests");
			return;
		}
		more = rx_frames(q, rp);
		nf_rx_refill(q);
		if (more) {
			/* Part of a frame: wake us when anything follows. */
			q->rx.sring->rsp_event = rp + 1;
			__atomic_thread_fence(__ATOMIC_SEQ_CST);
			if (__atomic_load_n(&q->rx.sring->rsp_prod,
			    __ATOMIC_RELAXED) != rp)
				continue;
			return;
		}
		RING_FINAL_CHECK_FOR_RESPONSES(&q->rx, more);
		if (!more)
			return;
	}
}
