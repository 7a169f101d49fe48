/*
 * nf_queue: a queue's shared pages and event channels, made at connect
 * and taken back at disconnect (nf_queue.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "log.h"
#include "nf_queue.h"
#include "xb_frontend.h"

_Static_assert(__CONST_RING_SIZE(netif_tx, NF_PAGE) == NF_RING_SLOTS,
    "a tx ring on a page has NF_RING_SLOTS slots");
_Static_assert(__CONST_RING_SIZE(netif_rx, NF_PAGE) == NF_RING_SLOTS,
    "an rx ring on a page has NF_RING_SLOTS slots");

/* One ring page, initialised, granted writable (both ends write it). */
static void *
share_ring(xengntshr_handle *xgs, unsigned domid, uint32_t *ref)
{
	void	*p;

	if ((p = xengntshr_share_pages(xgs, domid, 1, ref, 1)) == NULL)
		return NULL;
	memset(p, 0, NF_PAGE);
	return p;
}

int
nf_queue_share(struct nf_queue *q, xengntshr_handle *xgs, unsigned domid)
{
	netif_tx_sring_t	*txs;
	netif_rx_sring_t	*rxs;
	unsigned		 i;

	if ((q->rx_buf == NULL && (q->rx_buf = malloc(NF_RX_HEAD)) == NULL) ||
	    (txs = share_ring(xgs, domid, &q->tx_ring_ref)) == NULL)
		goto fail;
	SHARED_RING_INIT(txs);
	FRONT_RING_INIT(&q->tx, txs, NF_PAGE);
	if ((rxs = share_ring(xgs, domid, &q->rx_ring_ref)) == NULL)
		goto fail;
	SHARED_RING_INIT(rxs);
	FRONT_RING_INIT(&q->rx, rxs, NF_PAGE);
	if ((q->tx_pages = xengntshr_share_pages(xgs, domid, NF_RING_SLOTS,
	    q->tx_refs, 0)) == NULL ||
	    (q->rx_pages = xengntshr_share_pages(xgs, domid, NF_RING_SLOTS,
	    q->rx_refs, 1)) == NULL)
		goto fail;
	for (i = 0; i < NF_RING_SLOTS; i++) {
		q->tx_free[i] = (uint16_t)(NF_RING_SLOTS - 1 - i);
		q->tx_busy[i] = false;
	}
	q->tx_nfree = NF_RING_SLOTS;
	return 0;
fail:
	log_warn("queue %u: sharing pages with domain %u", q->index, domid);
	nf_queue_teardown(q, xgs);
	return -1;
}

static int
bind_one(struct nf_queue *q, unsigned domid, evtchn_port_t *port)
{
	xenevtchn_port_or_error_t	 p;

	if ((p = xenevtchn_bind_unbound_port(q->xce, domid)) == -1) {
		log_warn("queue %u: an event channel for domain %u", q->index,
		    domid);
		return -1;
	}
	*port = (evtchn_port_t)p;
	return 0;
}

int
nf_queue_bind(struct nf_queue *q, unsigned domid, bool split)
{
	if (bind_one(q, domid, &q->port_tx) != 0)
		return -1;
	q->bound_tx = true;
	if (!split) {
		q->port_rx = q->port_tx;
		return 0;
	}
	if (bind_one(q, domid, &q->port_rx) != 0)
		return -1;
	q->bound_rx = true;
	return 0;
}

void
nf_queue_keys(const struct nf_queue *q, struct xb_keys *k,
    const char *prefix, bool split)
{
	char	 key[64];

	snprintf(key, sizeof(key), "%stx-ring-ref", prefix);
	xb_keys_set(k, key, "%u", q->tx_ring_ref);
	snprintf(key, sizeof(key), "%srx-ring-ref", prefix);
	xb_keys_set(k, key, "%u", q->rx_ring_ref);
	if (!split) {
		snprintf(key, sizeof(key), "%sevent-channel", prefix);
		xb_keys_set(k, key, "%u", q->port_tx);
		return;
	}
	snprintf(key, sizeof(key), "%sevent-channel-tx", prefix);
	xb_keys_set(k, key, "%u", q->port_tx);
	snprintf(key, sizeof(key), "%sevent-channel-rx", prefix);
	xb_keys_set(k, key, "%u", q->port_rx);
}

static void
unshare(xengntshr_handle *xgs, void *p, uint32_t n)
{
	if (p != NULL && xengntshr_unshare(xgs, p, n) == -1)
		log_warn("unsharing %u pages", n);
}

void
nf_queue_teardown(struct nf_queue *q, xengntshr_handle *xgs)
{
	nf_tx_stop(q);
	q->running = false;
	if (q->bound_rx)
		(void)xenevtchn_unbind(q->xce, q->port_rx);
	if (q->bound_tx)
		(void)xenevtchn_unbind(q->xce, q->port_tx);
	q->bound_tx = q->bound_rx = false;
	unshare(xgs, q->tx.sring, 1);
	unshare(xgs, q->rx.sring, 1);
	unshare(xgs, q->tx_pages, NF_RING_SLOTS);
	unshare(xgs, q->rx_pages, NF_RING_SLOTS);
	memset(&q->tx, 0, sizeof(q->tx));
	memset(&q->rx, 0, sizeof(q->rx));
	q->tx_pages = q->rx_pages = NULL;
	q->tx_nfree = 0;
	q->broken = false;
}

void
nf_queue_break(struct nf_queue *q, const char *why)
{
	if (q->broken)
		return;
	log_warnx("queue %u: %s: the queue stops", q->index, why);
	q->broken = true;
	q->stats.broken++;
	nf_tx_stop(q);
}

void
nf_queue_notify(struct nf_queue *q, evtchn_port_t port)
{
	if (xenevtchn_notify(q->xce, port) == -1)
		log_warn("queue %u: notifying port %u", q->index, port);
}
