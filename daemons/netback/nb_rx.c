/*
 * nb_rx: what a guest receives.  Packets for it wait in its queue's rxq
 * until the guest posts receive buffers (RX requests, one granted page
 * each), then are copied into them in one batch of grant copies and
 * answered: one response a page, NETRXF_more_data between them, and a
 * GSO extra slot after the first when the packet is a TCP segment the
 * guest is to see whole.
 *
 * A guest that posts no buffers must not make netback hold memory for
 * it without end (XSA-392): what waits is capped at rx-queue-bytes
 * (past it packets are dropped, or, for a TAP, the TAP is no longer
 * read and the kernel's own queue drops), and if the guest posts none
 * for rx-stall-ms while packets wait, they are dropped and the queue is
 * stalled, dropping at once, until the guest posts a buffer again.
 */
/* xenctrl.h first: it tells the Xen headers after it this is a tool. */
#include <xenctrl.h>
#include <string.h>

#include <event2/event.h>

#include "log.h"
#include "xb_copy.h"
#include "xb_ring.h"
#include "nb_tap.h"
#include "nb_vif.h"

#define RX_BATCH	64
#define PAGE_BYTES	4096u

static struct nb_pkt	*sent[RX_BATCH];

/* Ring slots the packet takes in this guest, or 0: it cannot take it. */
static unsigned
slots_for(const struct nb_vif *v, const struct nb_pkt *p)
{
	unsigned	 pages = (p->len + PAGE_BYTES - 1) / PAGE_BYTES;
	uint8_t		 gso = nb_pkt_gso_type(p);

	if (pages > 1 && !v->fe_sg)
		return 0;
	if (gso == XEN_NETIF_GSO_TYPE_TCPV4 && !v->fe_gso4)
		return 0;
	if (gso == XEN_NETIF_GSO_TYPE_TCPV6 && !v->fe_gso6)
		return 0;
	if ((p->vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) && !v->fe_csum)
		return 0;
	return pages + (gso != XEN_NETIF_GSO_TYPE_NONE);
}

/* A spread of flows over the queues: the IPv4 or IPv6 addresses. */
static unsigned
pick_queue(const struct nb_vif *v, const struct nb_pkt *p)
{
	uint32_t	 h = 2166136261u;
	uint32_t	 i, end = p->len < 54 ? p->len : 54;

	if (v->nqueues <= 1)
		return 0;
	for (i = 26; i < end; i++)
		h = (h ^ p->data[i]) * 16777619u;
	return h % v->nqueues;
}

bool
nb_rx_wants(const struct nb_vif *v, const uint8_t *dst)
{
	static const uint8_t	 bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff };
	unsigned		 i;

	if (!(dst[0] & 1) || !v->fe_mcast_ctrl ||
	    memcmp(dst, bcast, 6) == 0)
		return true;
	for (i = 0; i < v->nmcast; i++)
		if (memcmp(v->mcast[i], dst, 6) == 0)
			return true;
	return false;
}

void
nb_rx_queue(struct nb_vif *v, struct nb_queue *q, struct nb_pkt *p)
{
	enum nb_drop	 why = NB_DROP_NONE;

	if (!v->connected || v->broken)
		why = NB_DROP_DOWN;
	else if (slots_for(v, p) == 0)
		why = NB_DROP_RX_TOO_BIG;
	else {
		if (q == NULL)
			q = &v->q[pick_queue(v, p)];
		if (q->stalled)
			why = NB_DROP_RX_STALL;
		else if (q->rxq_bytes + p->len >
		    (size_t)v->nb->cfg->rx_queue_bytes)
			why = NB_DROP_RX_FULL;
	}
	if (why != NB_DROP_NONE) {
		nb_vif_drop(v, why);
		nb_pkt_free(p);
		return;
	}
	TAILQ_INSERT_TAIL(&q->rxq, p, link);
	q->rxq_bytes += p->len;
	event_active(q->rx_kick, EV_TIMEOUT, 0);
}

static void
copy_failed(void *tag, int16_t status, void *arg)
{
	struct nb_queue		*q = arg;
	netif_rx_response_t	*rsp;

	if (status == GNTST_okay)
		return;
	rsp = RING_GET_RESPONSE(&q->rx, (RING_IDX)(uintptr_t)tag);
	rsp->status = NETIF_RSP_ERROR;
}

/* The GSO extra slot, in the response ring after the first. */
static void
gso_slot(struct nb_queue *q, const struct nb_pkt *p)
{
	netif_extra_info_t	*x;

	x = (netif_extra_info_t *)RING_GET_RESPONSE(&q->rx,
	    q->rx.rsp_prod_pvt);
	memset(x, 0, sizeof(*x));
	x->type = XEN_NETIF_EXTRA_TYPE_GSO;
	x->u.gso.type = nb_pkt_gso_type(p);
	x->u.gso.size = p->vh.gso_size;
	q->rx.req_cons++;
	q->rx.rsp_prod_pvt++;
}

/* One packet into the guest's next buffers: copies queued, responses
 * written (failed copies are marked by copy_failed after the flush). */
static void
place(struct nb_queue *q, const struct nb_pkt *p)
{
	struct nb_vif		*v = q->vif;
	netif_rx_request_t	 req;
	netif_rx_response_t	*rsp;
	uint32_t		 off = 0, chunk;
	RING_IDX		 i;
	bool			 gso = nb_pkt_gso_type(p) !=
				    XEN_NETIF_GSO_TYPE_NONE;

	do {
		i = q->rx.rsp_prod_pvt;
		RING_COPY_REQUEST(&q->rx, q->rx.req_cons, &req);
		q->rx.req_cons++;
		q->rx.rsp_prod_pvt++;
		chunk = p->len - off < PAGE_BYTES ? p->len - off : PAGE_BYTES;
		rsp = RING_GET_RESPONSE(&q->rx, i);
		rsp->id = req.id;
		rsp->offset = 0;
		rsp->status = (int16_t)chunk;
		rsp->flags = off + chunk < p->len ? NETRXF_more_data : 0;
		if (xb_copy_to(v->nb->copy, p->data + off,
		    (uint16_t)v->domid, req.gref, 0, (uint16_t)chunk,
		    (void *)(uintptr_t)i) == -1)
			rsp->status = NETIF_RSP_ERROR;
		if (off == 0) {
			rsp->flags |= nb_pkt_rx_flags(p);
			if (gso) {
				rsp->flags |= NETRXF_extra_info;
				gso_slot(q, p);
			}
		}
		off += chunk;
	} while (off < p->len);
}

/* Nothing waits: the stall clock stops.  Else it runs from the last
 * buffer the guest gave us. */
static void
stall_clock(struct nb_queue *q, bool progressed)
{
	struct timeval	 tv;
	int		 ms = q->vif->nb->cfg->rx_stall_ms;

	if (TAILQ_EMPTY(&q->rxq)) {
		evtimer_del(q->stall);
		return;
	}
	if (progressed || !evtimer_pending(q->stall, NULL)) {
		tv.tv_sec = ms / 1000;
		tv.tv_usec = (ms % 1000) * 1000;
		evtimer_add(q->stall, &tv);
	}
}

/* Ask to be told when the guest posts a buffer past seen; true if it
 * already did (too few for the packet that waits is not news). */
static bool
want_buffers(struct nb_queue *q, RING_IDX seen)
{
	q->rx.sring->req_event = seen + 1;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return __atomic_load_n(&q->rx.sring->req_prod, __ATOMIC_RELAXED) !=
	    seen;
}

static void
push(struct nb_queue *q, unsigned n)
{
	struct nb_vif	*v = q->vif;
	int		 notify;
	unsigned	 i;

	(void)xb_copy_flush(v->nb->copy, copy_failed, q);
	XB_RING_PUSH_RESPONSES(&q->rx, &notify);
	if (notify)
		(void)xenevtchn_notify(v->nb->xce, q->port_rx);
	for (i = 0; i < n; i++) {
		v->st.rx_packets++;
		v->st.rx_bytes += sent[i]->len;
		v->st.rx_gso += nb_pkt_gso_type(sent[i]) !=
		    XEN_NETIF_GSO_TYPE_NONE;
		nb_pkt_free(sent[i]);
	}
}

void
nb_rx_run(struct nb_queue *q)
{
	struct nb_vif	*v = q->vif;
	struct nb_pkt	*p;
	RING_IDX	 rp, cons0 = q->rx.req_cons;
	unsigned	 n = 0, need;

	if (!v->connected || v->broken)
		return;
	if (XB_RING_REQ_PROD(&q->rx, &rp) == -1) {
		nb_vif_fail(v, "RX ring: req_prod beyond the ring");
		return;
	}
	if (rp != q->rx.req_cons)
		q->stalled = false;
	while (n < RX_BATCH && (p = TAILQ_FIRST(&q->rxq)) != NULL) {
		need = slots_for(v, p);
		if (rp - q->rx.req_cons < need)
			break;
		TAILQ_REMOVE(&q->rxq, p, link);
		q->rxq_bytes -= p->len;
		place(q, p);
		sent[n++] = p;
	}
	push(q, n);
	stall_clock(q, q->rx.req_cons != cons0);
	if (q->tap_paused && q->rxq_bytes <
	    (size_t)v->nb->cfg->rx_queue_bytes / 2)
		nb_tap_resume(q);
	if (n == RX_BATCH || (!TAILQ_EMPTY(&q->rxq) && want_buffers(q, rp)))
		event_active(q->rx_kick, EV_TIMEOUT, 0);
}

void
nb_rx_flush(struct nb_queue *q)
{
	nb_pktq_free(&q->rxq);
	q->rxq_bytes = 0;
	if (q->stall != NULL)
		evtimer_del(q->stall);
}

/* rx-stall-ms with packets waiting and no buffer posted. */
void
nb_rx_stalled(struct nb_queue *q)
{
	struct nb_vif	*v = q->vif;
	struct nb_pkt	*p;

	while ((p = TAILQ_FIRST(&q->rxq)) != NULL) {
		TAILQ_REMOVE(&q->rxq, p, link);
		nb_vif_drop(v, NB_DROP_RX_STALL);
		nb_pkt_free(p);
	}
	q->rxq_bytes = 0;
	q->stalled = true;
	v->st.stalls++;
	log_warnx("vif%u.%u queue %u: no receive buffers for %d ms, its "
	    "packets dropped until it posts some", v->domid, v->devid,
	    q->index, v->nb->cfg->rx_stall_ms);
	(void)want_buffers(q, q->rx.req_cons);
	if (q->tap_paused)
		nb_tap_resume(q);
}
