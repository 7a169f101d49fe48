/*
 * nb_tx: what a guest sends.  Its TX ring's requests are read (each
 * index once, each request copied out before it is looked at), checked
 * a packet at a time (nb_txreq.c), copied out of the guest's pages in
 * one batch of grant copies, answered, and sent on: to the vif's TAP or
 * into the switch.  A round takes at most TX_BATCH packets and leaves
 * the rest for the next turn of the loop, so one busy guest cannot keep
 * the others waiting.
 */
/* xenctrl.h first: it tells the Xen headers after it this is a tool. */
#include <xenctrl.h>
#include <errno.h>
#include <string.h>

#include <event2/event.h>

#include "log.h"
#include "xb_copy.h"
#include "xb_ring.h"
#include "nb_switch.h"
#include "nb_tap.h"
#include "nb_vif.h"

#define TX_BATCH	64

struct tx_pending {
	struct nb_txreq	 req;
	struct nb_pkt	*pkt;
	bool		 copy_failed;
};

/* One round's packets; netback runs one thread, one round at a time. */
static struct tx_pending pending[TX_BATCH];

/*
 * The next packet's slots fed to the checker, from req_cons up to rp.
 * req_cons moves past them only when the packet is whole: a chain the
 * frontend has not finished posting is read again next time.
 */
static enum nb_tx_step
take_packet(struct nb_queue *q, RING_IDX rp, struct nb_txreq *t)
{
	RING_IDX		 cons = q->tx.req_cons;
	netif_tx_request_t	 req;
	enum nb_tx_step		 step = NB_TX_NEED;

	nb_txreq_init(t);
	while (step == NB_TX_NEED && cons != rp) {
		RING_COPY_REQUEST(&q->tx, cons, &req);
		cons++;
		step = nb_txreq_feed(t, &req);
	}
	if (step == NB_TX_DONE)
		q->tx.req_cons = cons;
	return step;
}

static void
copy_done(void *tag, int16_t status, void *arg)
{
	struct tx_pending	*p = tag;

	(void)arg;
	if (status != GNTST_okay)
		p->copy_failed = true;
}

/* The packet's bytes queued for copying out of the guest's pages. */
static void
queue_copies(struct nb_queue *q, struct tx_pending *p)
{
	struct netback	*nb = q->vif->nb;
	struct nb_txreq	*t = &p->req;
	uint32_t	 pos = 0;
	unsigned	 i;

	if (t->drop != NB_DROP_NONE || t->control)
		return;
	if ((p->pkt = nb_pkt_new(t->len)) == NULL) {
		t->drop = NB_DROP_NOMEM;
		return;
	}
	for (i = 0; i < t->nseg; i++) {
		if (t->seg[i].len == 0)
			continue;
		if (xb_copy_from(nb->copy, (uint16_t)q->vif->domid,
		    t->seg[i].gref, t->seg[i].offset, p->pkt->data + pos,
		    t->seg[i].len, p) == -1) {
			/* The checker passed it: only a full batch fails. */
			t->drop = errno == ENOSPC ? NB_DROP_NOMEM : NB_DROP_SIZE;
			break;
		}
		pos += t->seg[i].len;
	}
}

static void
respond(struct nb_queue *q, const struct nb_txreq *t, int16_t status)
{
	netif_tx_response_t	*rsp;
	unsigned		 i;

	for (i = 0; i < t->slots; i++) {
		rsp = RING_GET_RESPONSE(&q->tx, q->tx.rsp_prod_pvt);
		rsp->id = t->id[i];
		rsp->status = t->extra[i] ? NETIF_RSP_NULL : status;
		q->tx.rsp_prod_pvt++;
	}
}

/* A multicast group joined or left (feature-dynamic-multicast-control). */
static int
multicast(struct nb_vif *v, const struct nb_txreq *t)
{
	unsigned	 i;

	if (!v->nb->cfg->mcast_ctrl)
		return -1;
	for (i = 0; i < v->nmcast; i++)
		if (memcmp(v->mcast[i], t->mcast_addr, 6) == 0)
			break;
	if (t->mcast_op == XEN_NETIF_EXTRA_TYPE_MCAST_DEL) {
		if (i < v->nmcast)
			memmove(v->mcast[i], v->mcast[i + 1],
			    (v->nmcast - i - 1) * 6);
		v->nmcast -= i < v->nmcast;
		return 0;
	}
	if (i < v->nmcast)
		return 0;
	if (v->nmcast == NB_MCAST_MAX)
		return -1;
	memcpy(v->mcast[v->nmcast++], t->mcast_addr, 6);
	return 0;
}

static void
deliver(struct nb_queue *q, struct nb_pkt *pkt)
{
	struct nb_vif	*v = q->vif;

	v->st.tx_packets++;
	v->st.tx_bytes += pkt->len;
	v->st.tx_gso += pkt->vh.gso_type != VIRTIO_NET_HDR_GSO_NONE;
	if (v->port != NULL)
		nb_switch_input(v->port, pkt);
	else
		nb_tap_write(q, pkt);
}

/* The round's packets answered, then sent on. */
static void
finish(struct nb_queue *q, unsigned n)
{
	struct nb_vif		*v = q->vif;
	struct tx_pending	*p;
	int			 notify;
	unsigned		 i;

	(void)xb_copy_flush(v->nb->copy, copy_done, NULL);
	for (i = 0; i < n; i++) {
		p = &pending[i];
		if (p->copy_failed)
			p->req.drop = NB_DROP_GRANT;
		if (p->req.drop == NB_DROP_NONE && p->req.control &&
		    multicast(v, &p->req) == -1)
			p->req.drop = NB_DROP_EXTRA;
		if (p->req.drop == NB_DROP_NONE && p->pkt != NULL)
			p->req.drop = nb_pkt_from_guest(p->pkt, &p->req);
		respond(q, &p->req, p->req.drop == NB_DROP_NONE ?
		    NETIF_RSP_OKAY : NETIF_RSP_ERROR);
	}
	XB_RING_PUSH_RESPONSES(&q->tx, &notify);
	if (notify)
		(void)xenevtchn_notify(v->nb->xce, q->port_tx);
	for (i = 0; i < n; i++) {
		p = &pending[i];
		if (p->req.drop != NB_DROP_NONE) {
			nb_vif_drop(v, p->req.drop);
			nb_pkt_free(p->pkt);
		} else if (p->pkt != NULL)
			deliver(q, p->pkt);
		p->pkt = NULL;
	}
}

/*
 * Ask to be told of requests past seen; true if some came meanwhile.
 * As RING_FINAL_CHECK_FOR_REQUESTS, but past what we have seen rather
 * than what we consumed: a half-posted chain is not work to spin on.
 */
static bool
more_after(struct nb_queue *q, RING_IDX seen)
{
	q->tx.sring->req_event = seen + 1;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return __atomic_load_n(&q->tx.sring->req_prod, __ATOMIC_RELAXED) !=
	    seen;
}

void
nb_tx_run(struct nb_queue *q)
{
	struct nb_vif	*v = q->vif;
	RING_IDX	 rp;
	enum nb_tx_step	 step = NB_TX_DONE;
	unsigned	 n = 0;

	if (!v->connected || v->broken)
		return;
	if (XB_RING_REQ_PROD(&q->tx, &rp) == -1) {
		nb_vif_fail(v, "TX ring: req_prod beyond the ring");
		return;
	}
	while (n < TX_BATCH && q->tx.req_cons != rp) {
		step = take_packet(q, rp, &pending[n].req);
		if (step != NB_TX_DONE)
			break;
		pending[n].copy_failed = false;
		pending[n].pkt = NULL;
		queue_copies(q, &pending[n]);
		n++;
	}
	finish(q, n);
	if (step == NB_TX_FATAL) {
		nb_vif_fail(v, "TX ring: a packet of more than 64 slots");
		return;
	}
	if (n == TX_BATCH || more_after(q, rp))
		event_active(q->tx_again, EV_TIMEOUT, 0);
}
