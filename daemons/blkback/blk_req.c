/*
 * blk_req: checking one block request (blk_req.h).
 */
/* xenctrl.h first: it tells the Xen headers after it this is a tool. */
#include <xenctrl.h>
#include <string.h>

#include "blk_req.h"

static const char *const err_names[BLK_ERR_COUNT] = {
	[BLK_ERR_NONE] = "none",
	[BLK_ERR_OP] = "op",
	[BLK_ERR_NOTSUP] = "notsup",
	[BLK_ERR_SEGS] = "segments",
	[BLK_ERR_SECT] = "sect",
	[BLK_ERR_RANGE] = "range",
	[BLK_ERR_ALIGN] = "align",
	[BLK_ERR_RDONLY] = "read-only",
	[BLK_ERR_INDIRECT] = "indirect",
	[BLK_ERR_GRANT] = "grant",
	[BLK_ERR_IO] = "io",
	[BLK_ERR_NOMEM] = "nomem",
};

const char *
blk_err_name(enum blk_err e)
{
	return (unsigned)e < BLK_ERR_COUNT ? err_names[e] : "?";
}

int16_t
blk_err_status(enum blk_err e)
{
	if (e == BLK_ERR_NONE)
		return BLKIF_RSP_OKAY;
	return e == BLK_ERR_NOTSUP ? BLKIF_RSP_EOPNOTSUPP : BLKIF_RSP_ERROR;
}

/* The first reason sticks. */
static void
refuse(struct blk_req *r, enum blk_err why)
{
	if (r->err == BLK_ERR_NONE)
		r->err = why;
}

/*
 * The segments laid end to end from the request's first sector; each
 * one's disk offset is relative until the range is known to be sane.
 */
static void
add_segs(struct blk_req *r, const struct blkif_request_segment *s,
    unsigned n)
{
	struct blk_seg	*g;
	unsigned	 i, first, last;

	for (i = 0; i < n; i++) {
		first = s[i].first_sect;
		last = s[i].last_sect;
		if (first > last || last >= BLK_SECTS_PER_PAGE) {
			refuse(r, BLK_ERR_SECT);
			return;
		}
		g = &r->seg[r->nseg++];
		g->gref = s[i].gref;
		g->offset = (uint16_t)(first * BLK_SECTOR);
		g->len = (uint16_t)((last - first + 1) * BLK_SECTOR);
		g->disk_off = r->bytes;
		r->bytes += g->len;
	}
}

/* The range inside the disk and, on a 4096-byte disk, whole sectors. */
static void
check_range(struct blk_req *r, const struct blk_disk *d)
{
	uint64_t	 n = r->bytes / BLK_SECTOR;
	unsigned	 i;

	if (r->err != BLK_ERR_NONE)
		return;
	if (r->sector > d->sectors || n > d->sectors - r->sector) {
		refuse(r, BLK_ERR_RANGE);
		return;
	}
	r->disk_off = r->sector * BLK_SECTOR;
	if (d->sector_size > BLK_SECTOR &&
	    (r->disk_off % d->sector_size != 0 ||
	    r->bytes % d->sector_size != 0)) {
		refuse(r, BLK_ERR_ALIGN);
		return;
	}
	for (i = 0; i < r->nseg; i++)
		r->seg[i].disk_off += r->disk_off;
}

/* A read, a write, or a flush carrying data: 1..11 direct segments. */
static void
direct(struct blk_req *r, const struct blk_disk *d,
    const blkif_request_t *req)
{
	if (r->kind != BLK_READ && d->readonly) {
		refuse(r, BLK_ERR_RDONLY);
		return;
	}
	if (req->nr_segments == 0 || req->nr_segments > BLK_DIRECT_SEGS) {
		refuse(r, BLK_ERR_SEGS);
		return;
	}
	r->sector = req->sector_number;
	add_segs(r, req->seg, req->nr_segments);
	check_range(r, d);
}

static void
flush(struct blk_req *r, const struct blk_disk *d,
    const blkif_request_t *req)
{
	if (!d->flush) {
		refuse(r, BLK_ERR_NOTSUP);
		return;
	}
	if (req->nr_segments == 0) {
		r->kind = BLK_FLUSH;
		return;
	}
	r->kind = BLK_WRITE;
	r->sync = true;
	direct(r, d, req);
}

static void
discard(struct blk_req *r, const struct blk_disk *d,
    const blkif_request_t *req)
{
	blkif_request_discard_t	 dr;

	memcpy(&dr, req, sizeof(dr));
	r->kind = BLK_DISCARD;
	if (!d->discard) {
		refuse(r, BLK_ERR_NOTSUP);
		return;
	}
	if (d->readonly) {
		refuse(r, BLK_ERR_RDONLY);
		return;
	}
	r->sector = dr.sector_number;
	if (dr.nr_sectors > d->sectors) {
		refuse(r, BLK_ERR_RANGE);
		return;
	}
	r->bytes = dr.nr_sectors * BLK_SECTOR;
	check_range(r, d);
}

/* The first step of an indirect request: which pages hold its segments. */
static enum blk_step
indirect(struct blk_req *r, const struct blk_disk *d,
    const blkif_request_t *req)
{
	blkif_request_indirect_t ir;
	unsigned		 i;

	memcpy(&ir, req, sizeof(ir));
	if (d->max_indirect == 0) {
		refuse(r, BLK_ERR_NOTSUP);
		return BLK_STEP_DONE;
	}
	if (ir.indirect_op != BLKIF_OP_READ &&
	    ir.indirect_op != BLKIF_OP_WRITE) {
		refuse(r, BLK_ERR_INDIRECT);
		return BLK_STEP_DONE;
	}
	/* Answered as what it does, as the frontend's shadow expects. */
	r->op = ir.indirect_op;
	r->kind = ir.indirect_op == BLKIF_OP_READ ? BLK_READ : BLK_WRITE;
	if (r->kind == BLK_WRITE && d->readonly) {
		refuse(r, BLK_ERR_RDONLY);
		return BLK_STEP_DONE;
	}
	if (ir.nr_segments == 0 || ir.nr_segments > d->max_indirect ||
	    ir.nr_segments > BLK_SEGS_MAX) {
		refuse(r, BLK_ERR_SEGS);
		return BLK_STEP_DONE;
	}
	r->sector = ir.sector_number;
	r->ind_segs = ir.nr_segments;
	r->nind = (ir.nr_segments + BLK_SEGS_PER_PAGE - 1) /
	    BLK_SEGS_PER_PAGE;
	for (i = 0; i < r->nind; i++)
		r->ind_gref[i] = ir.indirect_grefs[i];
	return BLK_STEP_INDIRECT;
}

enum blk_step
blk_req_parse(struct blk_req *r, const struct blk_disk *d,
    const blkif_request_t *req)
{
	r->id = req->id;
	r->op = req->operation;
	r->err = BLK_ERR_NONE;
	r->kind = BLK_READ;
	r->sync = false;
	r->disk_off = r->bytes = 0;
	r->nseg = r->nind = r->ind_segs = 0;
	r->sector = 0;
	switch (req->operation) {
	case BLKIF_OP_READ:
		direct(r, d, req);
		break;
	case BLKIF_OP_WRITE:
		r->kind = BLK_WRITE;
		direct(r, d, req);
		break;
	case BLKIF_OP_FLUSH_DISKCACHE:
		flush(r, d, req);
		break;
	case BLKIF_OP_DISCARD:
		discard(r, d, req);
		break;
	case BLKIF_OP_INDIRECT:
		return indirect(r, d, req);
	case BLKIF_OP_WRITE_BARRIER:
		/* Not offered (feature-barrier): flush-cache is. */
		refuse(r, BLK_ERR_NOTSUP);
		break;
	default:
		refuse(r, BLK_ERR_OP);
	}
	return BLK_STEP_DONE;
}

void
blk_req_indirect(struct blk_req *r, const struct blk_disk *d,
    const struct blkif_request_segment *segs)
{
	if (r->err != BLK_ERR_NONE || r->nind == 0)
		return;
	r->nind = 0;
	add_segs(r, segs, r->ind_segs);
	check_range(r, d);
}
