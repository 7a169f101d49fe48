/*
 * fuzz_blkback: libFuzzer over what blkback reads of a guest's ring
 * before it copies a byte or touches a sector: the request checker
 * (daemons/blkback/blk_req.c), indirect segments included.
 *
 * An input is a 6-byte disk (flags: bit 0 read-only, 1 flush offered,
 * 2 discard offered, 3 4096-byte sectors; max-indirect-segments; the
 * disk's size in 512-byte sectors, 32-bit little-endian), then requests
 * as a guest writes them (blkif_request_t, 112 bytes each); a request
 * the checker calls indirect takes its indirect page's segments from the
 * bytes after it (8 each, the page zero-filled where the input ends).
 * Beyond the sanitizers it aborts when a request the checker passes
 * breaks a promise the data path relies on: no segment for a read or a
 * write, a segment empty, not whole 512-byte sectors or crossing its
 * page, segments not laid end to end on the disk or not summing to the
 * request's bytes, a range past the disk's end or not whole sectors of
 * a 4096-byte disk, a write or discard on a read-only disk, more than
 * the segments offered; or when a refusal has no name or status.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blk_req.h"

static void
check_rw(const struct blk_req *r, const struct blk_disk *d, unsigned max)
{
	uint64_t	 pos = r->disk_off;
	unsigned	 i;

	if (r->nseg == 0 || r->nseg > max || r->bytes == 0)
		abort();
	for (i = 0; i < r->nseg; i++) {
		if (r->seg[i].len == 0 || r->seg[i].len % BLK_SECTOR != 0 ||
		    r->seg[i].offset % BLK_SECTOR != 0 ||
		    (uint32_t)r->seg[i].offset + r->seg[i].len > BLK_PAGE ||
		    r->seg[i].disk_off != pos)
			abort();
		pos += r->seg[i].len;
	}
	if (pos - r->disk_off != r->bytes)
		abort();
	if (r->kind == BLK_WRITE && d->readonly)
		abort();
}

static void
check(const struct blk_req *r, const struct blk_disk *d)
{
	unsigned	 max = d->max_indirect > BLK_DIRECT_SEGS ?
			    d->max_indirect : BLK_DIRECT_SEGS;

	if (r->err != BLK_ERR_NONE) {
		if ((unsigned)r->err >= BLK_ERR_COUNT ||
		    blk_err_status(r->err) == BLKIF_RSP_OKAY ||
		    strcmp(blk_err_name(r->err), "?") == 0)
			abort();
		return;
	}
	if (r->disk_off % BLK_SECTOR != 0 || r->bytes % BLK_SECTOR != 0 ||
	    r->disk_off > d->sectors * BLK_SECTOR ||
	    r->bytes > d->sectors * BLK_SECTOR - r->disk_off ||
	    r->disk_off % d->sector_size != 0 ||
	    r->bytes % d->sector_size != 0)
		abort();
	switch (r->kind) {
	case BLK_READ:
	case BLK_WRITE:
		check_rw(r, d, max);
		break;
	case BLK_FLUSH:
		if (!d->flush || r->bytes != 0)
			abort();
		break;
	case BLK_DISCARD:
		if (!d->discard || d->readonly)
			abort();
		break;
	}
	if (r->sync && (!d->flush || r->kind != BLK_WRITE))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct blk_req			 r;
	static struct blkif_request_segment	 segs[BLK_IND_PAGES_MAX *
						    BLK_SEGS_PER_PAGE];
	struct blk_disk				 d;
	blkif_request_t				 req;
	uint32_t				 sectors;
	size_t					 at = 6, n;

	if (size < at)
		return 0;
	memset(&d, 0, sizeof(d));
	d.readonly = data[0] & 1;
	d.flush = (data[0] & 2) != 0;
	d.discard = (data[0] & 4) != 0;
	d.sector_size = data[0] & 8 ? 4096 : 512;
	d.max_indirect = data[1];	/* up to 255, under BLK_INDIRECT_MAX */
	memcpy(&sectors, data + 2, sizeof(sectors));
	/* A disk of whole sectors, as blk_io measures it. */
	d.sectors = sectors - sectors % (d.sector_size / BLK_SECTOR);
	while (at + sizeof(req) <= size) {
		memcpy(&req, data + at, sizeof(req));
		at += sizeof(req);
		if (blk_req_parse(&r, &d, &req) == BLK_STEP_INDIRECT) {
			if (r.nind == 0 || r.nind > BLK_IND_PAGES_MAX ||
			    r.ind_segs == 0 || r.ind_segs > d.max_indirect)
				abort();
			memset(segs, 0, sizeof(segs));
			n = r.ind_segs * sizeof(segs[0]);
			if (n > size - at)
				n = size - at;
			memcpy(segs, data + at, n);
			at += n;
			blk_req_indirect(&r, &d, segs);
			if (r.nind != 0)
				abort();
		}
		check(&r, &d);
	}
	return 0;
}
