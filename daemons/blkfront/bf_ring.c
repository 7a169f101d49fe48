/*
 * bf_ring: a queue's shared pages, its requests and the backend's
 * answers (bf_ring.h).
 */
/* xenctrl.h first: it tells the Xen headers after it this is a tool. */
#include <xenctrl.h>
#include <stdlib.h>
#include <string.h>

#include "bf_nbd_wire.h"
#include "bf_ring.h"
#include "xb_ring.h"
#include "log.h"

static void *
share(struct bf_queue *q, unsigned domid, unsigned n, uint32_t *refs,
    int writable)
{
	void	*p;

	if ((p = xengntshr_share_pages(q->xgs, domid, n, refs,
	    writable)) == NULL)
		log_warn("queue %u: sharing %u pages with domain %u", q->index,
		    n, domid);
	return p;
}

static void
unshare(struct bf_queue *q, void *p, unsigned n)
{
	if (p != NULL && xengntshr_unshare(q->xgs, p, n) == -1)
		log_warn("queue %u: unsharing %u pages", q->index, n);
}

static int
alloc_tables(struct bf_queue *q)
{
	unsigned	 i;

	if ((q->slots = calloc(q->nslots, sizeof(*q->slots))) == NULL ||
	    (q->free_slots = calloc(q->nslots, sizeof(uint16_t))) == NULL ||
	    (q->ind_refs = calloc(q->nslots, sizeof(uint32_t))) == NULL ||
	    (q->pool_refs = calloc(q->npool, sizeof(uint32_t))) == NULL ||
	    (q->free_pages = calloc(q->npool, sizeof(uint16_t))) == NULL) {
		log_warn("queue %u: tables", q->index);
		return -1;
	}
	for (i = 0; i < q->nslots; i++)
		q->free_slots[i] = (uint16_t)(q->nslots - 1 - i);
	q->nfree_slots = q->nslots;
	for (i = 0; i < q->npool; i++)
		q->free_pages[i] = (uint16_t)(q->npool - 1 - i);
	q->nfree_pages = q->npool;
	return 0;
}

static int
bind_port(struct bf_queue *q, unsigned domid)
{
	xenevtchn_port_or_error_t	 p;

	if ((p = xenevtchn_bind_unbound_port(q->xce, domid)) == -1) {
		log_warn("queue %u: an event channel for domain %u", q->index,
		    domid);
		return -1;
	}
	q->port = (evtchn_port_t)p;
	q->bound = true;
	return 0;
}

int
bf_ring_up(struct bf_queue *q, unsigned domid, unsigned order,
    unsigned indirect, unsigned npool)
{
	blkif_sring_t	*s;
	unsigned	 size;

	q->order = order;
	size = __CONST_RING_SIZE(blkif, BF_PAGE << order);
	q->nslots = size < BF_SLOTS_MAX ? size : BF_SLOTS_MAX;
	q->npool = npool;
	q->max_segs = indirect > BF_DIRECT_SEGS ? indirect : BF_DIRECT_SEGS;
	if (alloc_tables(q) != 0 ||
	    (s = share(q, domid, 1u << order, q->ring_refs, 1)) == NULL)
		goto fail;
	memset(s, 0, BF_PAGE << order);
	SHARED_RING_INIT(s);
	FRONT_RING_INIT(&q->ring, s, BF_PAGE << order);
	/* The backend only reads the segment lists and a write's data;
	 * it writes a read's data. */
	if ((indirect > 0 && (q->ind = share(q, domid, q->nslots,
	    q->ind_refs, 0)) == NULL) ||
	    (q->pool = share(q, domid, npool, q->pool_refs, 1)) == NULL ||
	    bind_port(q, domid) != 0)
		goto fail;
	q->running = true;
	return 0;
fail:
	bf_ring_down(q);
	return -1;
}

void
bf_ring_down(struct bf_queue *q)
{
	q->running = false;
	if (q->bound)
		(void)xenevtchn_unbind(q->xce, q->port);
	q->bound = false;
	unshare(q, q->ring.sring, 1u << q->order);
	unshare(q, q->ind, q->nslots);
	unshare(q, q->pool, q->npool);
	memset(&q->ring, 0, sizeof(q->ring));
	q->ind = q->pool = NULL;
	free(q->slots);
	free(q->free_slots);
	free(q->ind_refs);
	free(q->pool_refs);
	free(q->free_pages);
	q->slots = NULL;
	q->free_slots = q->free_pages = NULL;
	q->ind_refs = q->pool_refs = NULL;
	q->nslots = q->nfree_slots = q->npool = q->nfree_pages = 0;
	q->to_push = false;
}

/* A slot and its id, taken. */
static struct bf_slot *
take_slot(struct bf_queue *q, uint64_t *id)
{
	uint16_t	 i = q->free_slots[--q->nfree_slots];

	*id = i;
	return &q->slots[i];
}

/* The segments of a read or write piece of len bytes at io->buf + off:
 * pages taken from the pool, a write's bytes copied in. */
static void
fill_segments(struct bf_queue *q, struct bf_slot *s, struct bf_io *io,
    struct blkif_request_segment *seg)
{
	uint32_t	 done, n;
	uint16_t	 i, pg;

	for (i = 0, done = 0; done < s->len; i++, done += n) {
		n = s->len - done < BF_PAGE ? s->len - done : BF_PAGE;
		pg = q->free_pages[--q->nfree_pages];
		s->pages[i] = pg;
		if (io->op == BF_OP_WRITE)
			memcpy(q->pool + (size_t)pg * BF_PAGE,
			    io->buf + s->off + done, n);
		memset(&seg[i], 0, sizeof(seg[i]));
		seg[i].gref = q->pool_refs[pg];
		seg[i].first_sect = 0;
		seg[i].last_sect = (uint8_t)(n / BF_SECTOR - 1);
	}
	s->npages = i;
}

static void
put_request(struct bf_queue *q, const void *r)
{
	memcpy(RING_GET_REQUEST(&q->ring, q->ring.req_prod_pvt), r,
	    sizeof(blkif_request_t));
	q->ring.req_prod_pvt++;
	q->to_push = true;
}

static void
issue_rw(struct bf_queue *q, struct bf_io *io, uint32_t len)
{
	union {
		blkif_request_t			 d;
		blkif_request_indirect_t	 i;
	}		 r;
	struct bf_slot	*s;
	uint64_t	 id;
	uint8_t		 op = io->op == BF_OP_READ ? BLKIF_OP_READ :
			    BLKIF_OP_WRITE;
	bool		 indirect = len > BF_DIRECT_SEGS * BF_PAGE;

	memset(&r, 0, sizeof(r));
	s = take_slot(q, &id);
	s->io = io;
	s->op = io->op;
	s->flush = false;
	s->off = io->issued;
	s->len = len;
	if (!indirect) {
		fill_segments(q, s, io, r.d.seg);
		r.d.operation = op;
		r.d.nr_segments = (uint8_t)s->npages;
		r.d.id = id;
		r.d.sector_number = (io->offset + s->off) / BF_SECTOR;
	} else {
		fill_segments(q, s, io, (struct blkif_request_segment *)
		    (q->ind + id * BF_PAGE));
		r.i.operation = BLKIF_OP_INDIRECT;
		r.i.indirect_op = op;
		r.i.nr_segments = s->npages;
		r.i.id = id;
		r.i.sector_number = (io->offset + s->off) / BF_SECTOR;
		r.i.indirect_grefs[0] = q->ind_refs[id];
		q->stats.indirect++;
	}
	put_request(q, &r);
	io->issued += len;
	io->outstanding++;
	q->stats.reqs[io->op]++;
	q->stats.bytes[io->op] += len;
}

/* A flush (an NBD FLUSH, or a FUA write's) or a discard: no pages. */
static void
issue_bare(struct bf_queue *q, struct bf_io *io, bool flush)
{
	union {
		blkif_request_t			 d;
		blkif_request_discard_t		 t;
	}		 r;
	struct bf_slot	*s;
	uint64_t	 id;

	memset(&r, 0, sizeof(r));
	s = take_slot(q, &id);
	s->io = io;
	s->op = flush ? BF_OP_FLUSH : BF_OP_DISCARD;
	s->flush = io->flush_next;
	s->off = s->len = 0;
	s->npages = 0;
	if (flush) {
		r.d.operation = BLKIF_OP_FLUSH_DISKCACHE;
		r.d.id = id;
	} else {
		r.t.operation = BLKIF_OP_DISCARD;
		r.t.id = id;
		r.t.sector_number = io->offset / BF_SECTOR;
		r.t.nr_sectors = io->len / BF_SECTOR;
		q->stats.bytes[BF_OP_DISCARD] += io->len;
	}
	put_request(q, &r);
	if (io->flush_next)
		io->flush_next = false;
	else
		io->sent = true;
	io->outstanding++;
	q->stats.reqs[s->op]++;
}

int
bf_ring_issue(struct bf_queue *q, struct bf_io *io)
{
	uint32_t	 len, max;

	if (!q->running || q->nfree_slots == 0 || RING_FULL(&q->ring))
		return 0;
	if (io->flush_next) {
		issue_bare(q, io, true);
		return 1;
	}
	if (io->op == BF_OP_FLUSH || io->op == BF_OP_DISCARD) {
		if (io->sent)
			return -1;
		issue_bare(q, io, io->op == BF_OP_FLUSH);
		return 1;
	}
	if (io->issued == io->len)
		return -1;
	len = io->len - io->issued;
	max = (len > BF_DIRECT_SEGS * BF_PAGE ? q->max_segs :
	    BF_DIRECT_SEGS) * BF_PAGE;
	if (len > max)
		len = max;
	if ((len + BF_PAGE - 1) / BF_PAGE > q->nfree_pages)
		return 0;
	issue_rw(q, io, len);
	return 1;
}

void
bf_ring_push(struct bf_queue *q)
{
	int	 notify;

	if (!q->to_push || !q->running)
		return;
	q->to_push = false;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&q->ring, notify);
	if (notify && xenevtchn_notify(q->xce, q->port) == -1)
		log_warn("queue %u: notifying port %u", q->index, q->port);
}

static uint32_t
nbd_error(int16_t status)
{
	if (status == BLKIF_RSP_OKAY)
		return 0;
	return status == BLKIF_RSP_EOPNOTSUPP ? NBD_ENOTSUP : NBD_EIO;
}

/* The slot answered (or failed with err): its pages back, a read's
 * bytes copied out of them, its io told when its last piece is done. */
static void
settle(struct bf_queue *q, uint16_t id, uint32_t err,
    void (*finish)(struct bf_io *, void *), void *arg)
{
	static struct iovec	 zc[BF_INDIRECT_SEGS_MAX];
	struct bf_slot		*s = &q->slots[id];
	struct bf_io		*io = s->io;
	uint32_t		 done, n;
	uint16_t		 i;
	bool			 copy, whole;

	copy = err == 0 && s->op == BF_OP_READ && !io->cancelled;
	/* The whole io in this piece: its bytes can go from the pages. */
	whole = copy && io->want_pages && io->error == 0 && s->off == 0 &&
	    s->len == io->len && io->outstanding == 1;
	for (i = 0, done = 0; i < s->npages; i++, done += n) {
		n = s->len - done < BF_PAGE ? s->len - done : BF_PAGE;
		if (whole) {
			zc[i].iov_base = q->pool + (size_t)s->pages[i] *
			    BF_PAGE;
			zc[i].iov_len = n;
		} else if (copy)
			memcpy(io->buf + s->off + done,
			    q->pool + (size_t)s->pages[i] * BF_PAGE, n);
		q->free_pages[q->nfree_pages++] = s->pages[i];
	}
	s->io = NULL;
	s->npages = 0;
	q->free_slots[q->nfree_slots++] = id;
	if (err != 0 && io->error == 0)
		io->error = err;
	io->outstanding--;
	/* Its pages are free again but nothing is issued before finish()
	 * returns (a kick comes after the responses): done() reads them
	 * as the backend left them. */
	if (whole) {
		io->pages = zc;
		io->npages = i;
	}
	finish(io, arg);
}

int
bf_ring_responses(struct bf_queue *q, void (*finish)(struct bf_io *,
    void *), void *arg)
{
	blkif_response_t	 r;
	RING_IDX		 rp;
	int			 more;

	if (!q->running)
		return 0;
	do {
		if (XB_RING_RSP_PROD(&q->ring, &rp) != 0) {
			log_warnx("queue %u: rsp_prod %u past our requests",
			    q->index, rp);
			return -1;
		}
		for (; q->ring.rsp_cons != rp; q->ring.rsp_cons++) {
			memcpy(&r, RING_GET_RESPONSE(&q->ring,
			    q->ring.rsp_cons), sizeof(r));
			if (r.id >= q->nslots || q->slots[r.id].io == NULL) {
				log_warnx("queue %u: an answer for id %llu, "
				    "not in flight", q->index,
				    (unsigned long long)r.id);
				return -1;
			}
			if (r.status != BLKIF_RSP_OKAY) {
				q->stats.errors++;
				q->stats.notsup += r.status ==
				    BLKIF_RSP_EOPNOTSUPP;
			}
			settle(q, (uint16_t)r.id, nbd_error(r.status), finish,
			    arg);
		}
		RING_FINAL_CHECK_FOR_RESPONSES(&q->ring, more);
	} while (more);
	return 0;
}

void
bf_ring_fail(struct bf_queue *q, uint32_t err,
    void (*finish)(struct bf_io *, void *), void *arg)
{
	unsigned	 i;

	for (i = 0; i < q->nslots; i++)
		if (q->slots[i].io != NULL)
			settle(q, (uint16_t)i, err, finish, arg);
}

unsigned
bf_ring_inflight(const struct bf_queue *q)
{
	return q->nslots - q->nfree_slots;
}
