/*
 * blk_ring: a vbd's data path.  A round takes requests off one queue's
 * ring (each index read once, each request copied out of the shared page
 * before it is looked at), while the vbd has request slots left; checks
 * them (blk_req.c), copying indirect pages first; copies what writes
 * carry out of the guest's pages into bounce buffers, in one batch of
 * grant copies; and hands them to the backing file (blk_io.c).  What is
 * refused is answered at once.  When the file answers, a batch of
 * completions has its reads copied into the guest's pages in one batch,
 * and is answered.  Nothing of the guest's is ever mapped but its ring.
 *
 * A guest posting faster than the disk is stopped at max-inflight: its
 * further requests wait on its own ring, and the queue is run again
 * when a slot frees.
 */
/* xenctrl.h first: it tells the Xen headers after it this is a tool. */
#include <xenctrl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "log.h"
#include "xb_copy.h"
#include "xb_ring.h"
#include "blk_vbd.h"

#define ROUND	32	/* requests a round takes off one ring */
#define ANSWER_BYTES	(256u << 10)	/* bytes copied, then passed on */

/* One round's requests; blkback runs one thread, one round at a time. */
static struct blk_pending *round_req[ROUND];

/* ---- slots ---------------------------------------------------------- */

static struct blk_pending *
slot_get(struct blk_vbd *v)
{
	struct blk_pending	*p;

	if ((p = TAILQ_FIRST(&v->free)) == NULL)
		return NULL;
	TAILQ_REMOVE(&v->free, p, link);
	v->nfree--;
	p->copy_failed = p->indirect = false;
	(void)clock_gettime(CLOCK_MONOTONIC, &p->start);
	return p;
}

/* The slot keeps its bounce buffer for the next request (blk_ring_free). */
static void
slot_put(struct blk_vbd *v, struct blk_pending *p)
{
	TAILQ_INSERT_TAIL(&v->free, p, link);
	v->nfree++;
}

/* ---- responses ------------------------------------------------------ */

static void
count_latency(struct blk_vbd *v, const struct blk_pending *p)
{
	struct timespec	 now;
	uint64_t	 us, bound = BLK_LAT_FIRST_US;
	unsigned	 i;

	(void)clock_gettime(CLOCK_MONOTONIC, &now);
	us = (uint64_t)(now.tv_sec - p->start.tv_sec) * 1000000u +
	    (uint64_t)(now.tv_nsec / 1000) - (uint64_t)(p->start.tv_nsec / 1000);
	for (i = 0; i < BLK_LAT_BUCKETS - 1 && us >= bound; i++)
		bound <<= 1;
	v->st.latency[i]++;
}

static void
count(struct blk_vbd *v, const struct blk_req *r, enum blk_err err)
{
	if (err != BLK_ERR_NONE) {
		v->st.errors[err]++;
		return;
	}
	switch (r->kind) {
	case BLK_READ:
		v->st.reads++;
		v->st.read_bytes += r->bytes;
		break;
	case BLK_WRITE:
		v->st.writes++;
		v->st.write_bytes += r->bytes;
		v->st.flushes += r->sync;
		break;
	case BLK_FLUSH:
		v->st.flushes++;
		break;
	case BLK_DISCARD:
		v->st.discards++;
		break;
	}
}

/*
 * Built whole on our stack and copied in: the padding of the shared
 * slot is then ours to say (zeros), not whatever memory we had (XSA-216).
 */
static void
respond(struct blk_queue *q, const struct blk_req *r, enum blk_err err)
{
	blkif_response_t	 rsp;

	memset(&rsp, 0, sizeof(rsp));
	rsp.id = r->id;
	rsp.operation = r->op;
	rsp.status = blk_err_status(err);
	memcpy(RING_GET_RESPONSE(&q->ring, q->ring.rsp_prod_pvt), &rsp,
	    sizeof(rsp));
	q->ring.rsp_prod_pvt++;
}

static void
push(struct blk_queue *q)
{
	int	 notify;

	XB_RING_PUSH_RESPONSES(&q->ring, &notify);
	if (notify)
		(void)xenevtchn_notify(q->vbd->bb->xce, q->port);
}

/* Answered, counted, its slot back. */
static void
finish(struct blk_pending *p, enum blk_err err)
{
	struct blk_vbd	*v = p->q->vbd;

	respond(p->q, &p->req, err);
	count(v, &p->req, err);
	count_latency(v, p);
	slot_put(v, p);
}

/* ---- a round of requests ------------------------------------------- */

static void
copy_done(void *tag, int16_t status, void *arg)
{
	struct blk_pending	*p = tag;

	(void)arg;
	if (status != GNTST_okay)
		p->copy_failed = true;
}

/* A request's indirect pages queued for copying into its slot. */
static void
queue_indirect(struct blk_queue *q, struct blk_pending *p)
{
	struct blk_vbd	*v = q->vbd;
	unsigned	 i;

	p->indirect = true;
	for (i = 0; i < p->req.nind; i++)
		if (xb_copy_from(v->bb->copy, (uint16_t)v->domid,
		    p->req.ind_gref[i], 0, (uint8_t *)p->ind + i * BLK_PAGE,
		    BLK_PAGE, p) == -1)
			p->copy_failed = true;
}

/* The next requests off the ring, parsed; their count. */
static unsigned
take(struct blk_queue *q, RING_IDX rp)
{
	struct blk_vbd		*v = q->vbd;
	struct blk_pending	*p;
	blkif_request_t		 req;
	unsigned		 n = 0;

	while (n < ROUND && q->ring.req_cons != rp &&
	    (p = slot_get(v)) != NULL) {
		RING_COPY_REQUEST(&q->ring, q->ring.req_cons, &req);
		q->ring.req_cons++;
		p->q = q;
		if (blk_req_parse(&p->req, &v->disk, &req) ==
		    BLK_STEP_INDIRECT)
			queue_indirect(q, p);
		round_req[n++] = p;
	}
	return n;
}

/*
 * A slot's bounce buffer, kept from its last request when large enough:
 * an aligned allocation a request (and for 1 MiB, an mmap and its page
 * faults) is what reuse saves.  Still bounded as before: a slot holds at
 * most one buffer of at most one request's largest size.  What a reused
 * buffer held is never seen: a read fills it whole or fails, a write's
 * segments cover it whole or fail.
 */
static int
slot_buf(struct blk_pending *p, size_t len)
{
	if (p->buf != NULL && p->bufcap >= len)
		return 0;
	free(p->buf);
	p->bufcap = 0;
	if ((p->buf = blk_io_buf(len)) == NULL)
		return -1;
	p->bufcap = len;
	return 0;
}

void
blk_ring_free(struct blk_vbd *v)
{
	unsigned	 i;

	for (i = 0; i < v->npool; i++) {
		free(v->pool[i].buf);
		v->pool[i].buf = NULL;
		v->pool[i].bufcap = 0;
	}
}

/* A checked request's bounce buffer, and a write's bytes queued in. */
static void
prepare(struct blk_queue *q, struct blk_pending *p)
{
	struct blk_vbd	*v = q->vbd;
	struct blk_req	*r = &p->req;
	unsigned	 i;

	if (p->indirect) {
		if (p->copy_failed)
			r->err = BLK_ERR_GRANT;
		else
			blk_req_indirect(r, &v->disk, p->ind);
	}
	if (r->err != BLK_ERR_NONE ||
	    (r->kind != BLK_READ && r->kind != BLK_WRITE))
		return;
	if (slot_buf(p, (size_t)r->bytes) == -1) {
		r->err = BLK_ERR_NOMEM;
		return;
	}
	if (r->kind != BLK_WRITE)
		return;
	for (i = 0; i < r->nseg; i++)
		if (xb_copy_from(v->bb->copy, (uint16_t)v->domid,
		    r->seg[i].gref, r->seg[i].offset, (uint8_t *)p->buf +
		    (r->seg[i].disk_off - r->disk_off), r->seg[i].len,
		    p) == -1)
			p->copy_failed = true;
}

static enum blk_io_kind
io_kind(enum blk_kind k)
{
	switch (k) {
	case BLK_READ:
		return BLK_IO_READ;
	case BLK_WRITE:
		return BLK_IO_WRITE;
	case BLK_FLUSH:
		return BLK_IO_FLUSH;
	case BLK_DISCARD:
		break;
	}
	return BLK_IO_DISCARD;
}

/* To the backing file, or answered now; true if answered. */
static bool
start(struct blk_pending *p)
{
	struct blk_vbd	*v = p->q->vbd;
	struct blk_req	*r = &p->req;

	if (r->err == BLK_ERR_NONE && p->copy_failed)
		r->err = BLK_ERR_GRANT;
	if (r->err != BLK_ERR_NONE ||
	    (r->kind == BLK_DISCARD && r->bytes == 0)) {
		finish(p, r->err);
		return true;
	}
	p->op.kind = io_kind(r->kind);
	p->op.sync = r->sync;
	p->op.off = r->disk_off;
	p->op.len = r->bytes;
	p->op.buf = p->buf;
	p->op.arg = p;
	if (blk_io_submit(v->io, &p->op) == -1) {
		/* Slots are as many as the file's depth: not for want of
		 * room, the ring itself failed. */
		log_warn("vbd %u/%u: submit", v->domid, v->devid);
		finish(p, BLK_ERR_IO);
		return true;
	}
	return false;
}

static void
run_round(struct blk_queue *q, unsigned n)
{
	struct blkback	*bb = q->vbd->bb;
	struct blk_req	*r;
	bool		 answered = false;
	uint64_t	 bytes = 0;
	unsigned	 i, first = 0;

	/* Indirect pages first: their segments say what to copy next. */
	(void)xb_copy_flush(bb->copy, copy_done, NULL);
	/*
	 * Submitted together, but no later than each ANSWER_BYTES of
	 * writes copied in: the disk need not wait for a whole round of
	 * 1 MiB copies before it has the first.
	 */
	blk_io_plug(q->vbd->io);
	for (i = 0; i < n; i++) {
		prepare(q, round_req[i]);
		r = &round_req[i]->req;
		if (r->err == BLK_ERR_NONE && r->kind == BLK_WRITE)
			bytes += r->bytes;
		if (bytes < ANSWER_BYTES && i + 1 < n)
			continue;
		(void)xb_copy_flush(bb->copy, copy_done, NULL);
		for (; first <= i; first++)
			answered |= start(round_req[first]);
		blk_io_unplug(q->vbd->io);
		blk_io_plug(q->vbd->io);
		bytes = 0;
	}
	blk_io_unplug(q->vbd->io);
	if (answered)
		push(q);
}

void
blk_ring_run(struct blk_queue *q)
{
	struct blk_vbd	*v = q->vbd;
	RING_IDX	 rp;
	unsigned	 n;
	int		 more;

	if (!v->connected || v->broken)
		return;
	if (XB_RING_REQ_PROD(&q->ring, &rp) == -1) {
		blk_vbd_fail(v, "ring: req_prod beyond the ring");
		return;
	}
	n = take(q, rp);
	run_round(q, n);
	if (q->ring.req_cons != rp) {
		/* Out of slots: run again when one frees. */
		if (v->nfree == 0)
			q->waiting = true;
		else
			event_active(q->again, EV_TIMEOUT, 0);
		return;
	}
	RING_FINAL_CHECK_FOR_REQUESTS(&q->ring, more);
	if (more)
		event_active(q->again, EV_TIMEOUT, 0);
}

/* ---- what the backing file answered -------------------------------- */

void
blk_ring_done(struct blk_io_op *op, void *arg)
{
	struct blk_vbd		*v = arg;
	struct blk_pending	*p = op->arg;

	TAILQ_INSERT_TAIL(&v->done, p, link);
}

/*
 * A read's bytes queued for copying into the guest's pages.  A batch of
 * completions can hold more segments than the copy batch: it is made
 * when full, and filled again.
 */
static void
queue_read(struct blk_vbd *v, struct blk_pending *p)
{
	struct blk_req	*r = &p->req;
	struct blk_seg	*s;
	unsigned	 i;
	int		 rc;

	if (p->op.result != 0 || r->kind != BLK_READ)
		return;
	for (i = 0; i < r->nseg; i++) {
		s = &r->seg[i];
		while ((rc = xb_copy_to(v->bb->copy, (uint8_t *)p->buf +
		    (s->disk_off - r->disk_off), (uint16_t)v->domid, s->gref,
		    s->offset, s->len, p)) == -1 && errno == ENOSPC)
			(void)xb_copy_flush(v->bb->copy, copy_done, NULL);
		if (rc == -1)
			p->copy_failed = true;
	}
}

/* Answered up to stop (NULL: all), one push a queue that had answers. */
static void
answer_done(struct blk_vbd *v, struct blk_pending *stop)
{
	struct blk_pending	*p;
	bool			 touched[BLK_QUEUES_MAX] = { false };
	unsigned		 i;

	while ((p = TAILQ_FIRST(&v->done)) != stop) {
		TAILQ_REMOVE(&v->done, p, link);
		touched[p->q->index] = true;
		if (p->op.result != 0)
			log_debug("vbd %u/%u: %s at %llu: %s", v->domid,
			    v->devid, p->req.kind == BLK_READ ? "read" :
			    "write", (unsigned long long)p->op.off,
			    strerror(-p->op.result));
		finish(p, p->op.result != 0 ? BLK_ERR_IO :
		    p->copy_failed ? BLK_ERR_GRANT : BLK_ERR_NONE);
	}
	for (i = 0; i < v->nqueues; i++)
		if (touched[i])
			push(&v->q[i]);
}

void
blk_ring_batch_end(void *arg)
{
	struct blk_vbd		*v = arg;
	struct blk_pending	*p, *next;
	uint64_t		 bytes;
	unsigned		 i;

	/* Disconnecting (or shut): the guest's pages are not touched. */
	if (!v->connected || v->broken) {
		while ((p = TAILQ_FIRST(&v->done)) != NULL) {
			TAILQ_REMOVE(&v->done, p, link);
			slot_put(v, p);
		}
		return;
	}
	/*
	 * Reads are answered as soon as ANSWER_BYTES of them are copied,
	 * not after the whole batch: with large reads a batch is several
	 * copies of 1 MiB, and the first answers would wait for them all
	 * while the frontend could be sending the next requests.
	 */
	bytes = 0;
	for (p = TAILQ_FIRST(&v->done); p != NULL; p = next) {
		next = TAILQ_NEXT(p, link);
		queue_read(v, p);
		if (p->op.result == 0 && p->req.kind == BLK_READ)
			bytes += p->req.bytes;
		if (bytes >= ANSWER_BYTES && next != NULL) {
			(void)xb_copy_flush(v->bb->copy, copy_done, NULL);
			answer_done(v, next);
			bytes = 0;
		}
	}
	(void)xb_copy_flush(v->bb->copy, copy_done, NULL);
	answer_done(v, NULL);
	for (i = 0; i < v->nqueues; i++)
		if (v->q[i].waiting) {
			v->q[i].waiting = false;
			event_active(v->q[i].again, EV_TIMEOUT, 0);
		}
}
