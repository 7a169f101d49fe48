/*
 * nf_tx: frames from the TAP onto the tx ring, and the backend's
 * answers (nf_queue.h).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "nf_queue.h"
#include "xb_ring.h"

#define TX_BUDGET	64	/* frames read a wakeup: rx gets its turn */

static uint8_t *
tx_page(const struct nf_queue *q, uint16_t id)
{
	return q->tx_pages + (size_t)id * NF_PAGE;
}

/* Room for the largest frame: ring slots and free pages. */
static bool
tx_room(const struct nf_queue *q)
{
	RING_IDX	 used = q->tx.req_prod_pvt - q->tx.rsp_cons;

	return NF_RING_SLOTS - used >= NF_TX_ROOM &&
	    q->tx_nfree >= (q->off->sg ? NF_TX_DATA_MAX : 1);
}

/*
 * The pages a frame of len bytes took (the top of the free stack, where
 * readv put it) marked busy, and its slots put on the ring.
 */
static void
tx_post(struct nf_queue *q, const netif_tx_request_t *slot, int nslots,
    unsigned npages)
{
	int	 i;

	for (; npages > 0; npages--)
		q->tx_busy[q->tx_free[--q->tx_nfree]] = true;
	for (i = 0; i < nslots; i++)
		memcpy(RING_GET_REQUEST(&q->tx, q->tx.req_prod_pvt++),
		    &slot[i], sizeof(slot[i]));
}

/* The frame in the pages, its checksum made here (nf_tx_build said). */
static void
tx_sw_csum(struct nf_queue *q, const uint16_t *ids, unsigned npages,
    size_t len, const struct virtio_net_hdr *vh)
{
	struct iovec	 iov[NF_TX_DATA_MAX];
	unsigned	 i;

	for (i = 0; i < npages; i++) {
		iov[i].iov_base = tx_page(q, ids[i]);
		iov[i].iov_len = len - (size_t)i * NF_PAGE < NF_PAGE ?
		    len - (size_t)i * NF_PAGE : NF_PAGE;
	}
	nf_csum_fill(iov, npages, vh->csum_start, vh->csum_offset);
}

/* The frame just read into the pages: checked, cut, posted. */
static void
tx_frame(struct nf_queue *q, const struct virtio_net_hdr *vh,
    const uint16_t *ids, size_t len)
{
	netif_tx_request_t	 slot[NF_TX_SLOTS_MAX];
	grant_ref_t		 refs[NF_TX_DATA_MAX];
	unsigned		 i, npages = (unsigned)((len + NF_PAGE - 1) /
				    NF_PAGE);
	enum nf_drop		 why;
	bool			 sw;
	int			 n;

	for (i = 0; i < npages && i < NF_TX_DATA_MAX; i++)
		refs[i] = q->tx_refs[ids[i]];
	n = nf_tx_build(vh, len, nf_frame_ipv6(tx_page(q, ids[0]),
	    len < NF_PAGE ? len : NF_PAGE), q->off, ids, refs, slot, &sw,
	    &why);
	if (n < 0) {
		q->stats.drops[why]++;
		return;
	}
	if (sw)
		tx_sw_csum(q, ids, npages, len, vh);
	tx_post(q, slot, n, npages);
	q->stats.tx_packets++;
	q->stats.tx_bytes += len;
}

/*
 * One frame from the TAP, straight into the free pages on top of the
 * stack.  1 if a frame was taken (sent or dropped), 0 if none is there.
 */
static int
tx_read_one(struct nf_queue *q)
{
	struct virtio_net_hdr	 vh;
	struct iovec		 iov[1 + NF_TX_DATA_MAX];
	uint16_t		 ids[NF_TX_DATA_MAX];
	unsigned		 i, npages = q->off->sg ? NF_TX_DATA_MAX : 1;
	ssize_t			 n;

	iov[0].iov_base = &vh;
	iov[0].iov_len = sizeof(vh);
	for (i = 0; i < npages; i++) {
		ids[i] = q->tx_free[q->tx_nfree - 1 - i];
		iov[1 + i].iov_base = tx_page(q, ids[i]);
		iov[1 + i].iov_len = NF_PAGE;
	}
	if ((n = readv(q->tapfd, iov, (int)npages + 1)) == -1) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		/* The kernel refused to cut a frame to our buffer. */
		log_debug("queue %u: reading the TAP: %s", q->index,
		    strerror(errno));
		q->stats.drops[NF_DROP_TX_TOO_BIG]++;
		return errno == EINVAL || errno == EFAULT ? 1 : 0;
	}
	if ((size_t)n < sizeof(vh))
		q->stats.drops[NF_DROP_TX_SHORT]++;
	else if ((size_t)n - sizeof(vh) > (size_t)npages * NF_PAGE)
		q->stats.drops[NF_DROP_TX_TOO_BIG]++;	/* cut short */
	else
		tx_frame(q, &vh, ids, (size_t)n - sizeof(vh));
	return 1;
}

static void
tx_push(struct nf_queue *q)
{
	int	 notify;

	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&q->tx, notify);
	if (notify)
		nf_queue_notify(q, q->port_tx);
}

static void
on_tap(evutil_socket_t fd, short what, void *arg)
{
	struct nf_queue	*q = arg;
	unsigned	 budget = TX_BUDGET;

	(void)fd;
	(void)what;
	while (budget-- > 0 && !q->broken && tx_room(q) &&
	    tx_read_one(q) == 1)
		;
	tx_push(q);
	/* Full: the backend's answers start reading again. */
	if (!tx_room(q))
		nf_tx_stop(q);
}

int
nf_tx_start(struct nf_queue *q)
{
	q->running = true;
	if (q->tap_reading || q->broken || !tx_room(q))
		return 0;
	if (q->tap_ev == NULL && (q->tap_ev = event_new(q->base, q->tapfd,
	    EV_READ | EV_PERSIST, on_tap, q)) == NULL)
		return -1;
	if (event_add(q->tap_ev, NULL) == -1)
		return -1;
	q->tap_reading = true;
	return 0;
}

void
nf_tx_stop(struct nf_queue *q)
{
	if (!q->tap_reading)
		return;
	(void)event_del(q->tap_ev);
	q->tap_reading = false;
}

/* One answer: its page back, unless the id is not one we lent. */
static int
tx_answer(struct nf_queue *q, const netif_tx_response_t *r)
{
	/* An extra's slot is answered with a null status and no id. */
	if (r->status == NETIF_RSP_NULL)
		return 0;
	if (r->id >= NF_RING_SLOTS || !q->tx_busy[r->id])
		return -1;
	q->tx_busy[r->id] = false;
	q->tx_free[q->tx_nfree++] = r->id;
	if (r->status != NETIF_RSP_OKAY)
		q->stats.drops[NF_DROP_TX_BACKEND]++;
	return 0;
}

void
nf_tx_responses(struct nf_queue *q)
{
	netif_tx_response_t	 r;
	RING_IDX		 rp, i;
	int			 more;

	if (q->broken || q->tx.sring == NULL)
		return;
	do {
		if (XB_RING_RSP_PROD(&q->tx, &rp) != 0) {
			nf_queue_break(q, "tx: more answers than requests");
			return;
		}
		for (i = q->tx.rsp_cons; i != rp; i++) {
			RING_COPY_RESPONSE(&q->tx, i, &r);
			if (tx_answer(q, &r) != 0) {
				nf_queue_break(q,
				    "tx: an answer to no request");
				return;
			}
		}
		q->tx.rsp_cons = rp;
		RING_FINAL_CHECK_FOR_RESPONSES(&q->tx, more);
	} while (more);
	if (q->running && !q->tap_reading && tx_room(q) &&
	    nf_tx_start(q) == -1)
		log_warnx("queue %u: cannot read the TAP again", q->index);
}
