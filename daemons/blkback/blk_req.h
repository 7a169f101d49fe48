/*
 * blk_req: one block request, as a frontend posts it on its ring
 * (xen/io/blkif.h), checked before a byte is copied or a sector touched.
 * Pure: no rings, grants or I/O, so that the fuzzer and the unit tests
 * drive the very code the daemon runs.  Owns the rules a request must
 * keep and what it turns into: a contiguous range of the disk and the
 * granted page pieces it is copied from or into.
 *
 *  - read and write carry 1..11 segments; flush carries none (a pure
 *    flush) or 1..11 (a write to make durable, as Linux's blkfront sends
 *    a FUA write); discard carries none, its range in the request;
 *  - an indirect request (BLKIF_OP_INDIRECT) is a read or a write whose
 *    1..max-indirect-segments segments are in pages the frontend grants:
 *    blk_req_parse() names those pages, the caller copies them (never
 *    maps them: the frontend cannot change them under the checker) and
 *    hands the copy to blk_req_indirect();
 *  - a segment is first_sect..last_sect of its page, in 512-byte units
 *    (blkif's sectors are 512 bytes whatever the disk's own sector), so
 *    first <= last <= 7;
 *  - the request's sectors lie inside the disk, with no overflow, and
 *    on a disk of 4096-byte sectors start and length are whole ones;
 *  - a read-only disk refuses writes, flushes carrying data and
 *    discards; an operation not offered is answered EOPNOTSUPP.
 */
#ifndef BLK_REQ_H
#define BLK_REQ_H

#include <stdbool.h>
#include <stdint.h>

/* xenctrl.h first: it tells the Xen headers after it this is a tool. */
#include <xenctrl.h>
#include <xen/io/blkif.h>

#define BLK_SECTOR		512u	/* blkif's unit, whatever the disk's */
#define BLK_PAGE		4096u
#define BLK_SECTS_PER_PAGE	(BLK_PAGE / BLK_SECTOR)
#define BLK_DIRECT_SEGS		BLKIF_MAX_SEGMENTS_PER_REQUEST
/* Indirect segments a page holds, and the most we ever offer: Linux's
 * blkback offers as many, and it bounds a request at 1 MiB. */
#define BLK_SEGS_PER_PAGE	(BLK_PAGE / sizeof(struct blkif_request_segment))
#define BLK_INDIRECT_MAX	256
#define BLK_SEGS_MAX		BLK_INDIRECT_MAX
#define BLK_IND_PAGES_MAX	\
	((BLK_INDIRECT_MAX + BLK_SEGS_PER_PAGE - 1) / BLK_SEGS_PER_PAGE)

/* Why a request was refused or failed; also the per-vbd counters'
 * names. */
enum blk_err {
	BLK_ERR_NONE,
	BLK_ERR_OP,		/* an operation blkif does not have */
	BLK_ERR_NOTSUP,		/* one not offered: EOPNOTSUPP */
	BLK_ERR_SEGS,		/* segment count out of range */
	BLK_ERR_SECT,		/* first_sect > last_sect, or past the page */
	BLK_ERR_RANGE,		/* sectors past the disk's end */
	BLK_ERR_ALIGN,		/* not whole sectors of a 4096-byte disk */
	BLK_ERR_RDONLY,		/* a write or discard on a read-only disk */
	BLK_ERR_INDIRECT,	/* an indirect request that is not r/w */
	BLK_ERR_GRANT,		/* a grant copy failed */
	BLK_ERR_IO,		/* the backing file or device failed */
	BLK_ERR_NOMEM,
	BLK_ERR_COUNT
};

const char	*blk_err_name(enum blk_err);

/* What the request does once checked. */
enum blk_kind {
	BLK_READ,
	BLK_WRITE,
	BLK_FLUSH,		/* nothing but fdatasync */
	BLK_DISCARD
};

/* The disk as the checker sees it. */
struct blk_disk {
	uint64_t	 sectors;	/* 512-byte units */
	uint32_t	 sector_size;	/* the disk's: 512 or 4096 */
	bool		 readonly;
	bool		 flush;		/* feature-flush-cache offered */
	bool		 discard;	/* feature-discard offered */
	unsigned	 max_indirect;	/* 0: BLKIF_OP_INDIRECT not offered */
};

/* One piece of a granted page and where its bytes lie on the disk. */
struct blk_seg {
	uint32_t	 gref;
	uint16_t	 offset;	/* bytes into the page */
	uint16_t	 len;		/* bytes */
	uint64_t	 disk_off;	/* bytes from the disk's start */
};

enum blk_step {
	BLK_STEP_DONE,		/* the verdict is in */
	BLK_STEP_INDIRECT	/* copy ind_gref[0..nind) then call again */
};

struct blk_req {
	/* For the response, whatever the verdict. */
	uint64_t	 id;
	uint8_t		 op;		/* the operation answered */
	/* The verdict. */
	enum blk_err	 err;		/* BLK_ERR_NONE: do it */
	enum blk_kind	 kind;
	bool		 sync;		/* fdatasync once the write is done */
	uint64_t	 disk_off;	/* the range, in bytes */
	uint64_t	 bytes;
	unsigned	 nseg;
	struct blk_seg	 seg[BLK_SEGS_MAX];
	/* An indirect request's pages, for the caller to copy. */
	unsigned	 nind;
	uint32_t	 ind_gref[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
	unsigned	 ind_segs;	/* segments they hold */
	uint64_t	 sector;	/* where it starts, in 512-byte units */
};

/* BLKIF_RSP_* for a verdict. */
int16_t		 blk_err_status(enum blk_err);

/* The request (copied out of the ring already). */
enum blk_step	 blk_req_parse(struct blk_req *, const struct blk_disk *,
		    const blkif_request_t *);
/*
 * An indirect request's segments, req->ind_segs of them, as copied out of
 * its pages (the first ind_segs entries of the nind pages laid end to
 * end).  The verdict is then in.
 */
void		 blk_req_indirect(struct blk_req *, const struct blk_disk *,
		    const struct blkif_request_segment *);

#endif /* BLK_REQ_H */
