/*
 * bf_ring: one queue of a vbd: its shared ring (one page or 2^order),
 * its event channel, the indirect pages (one a ring slot) and the pool
 * of data pages, all shared with the backend once at connect and taken
 * back at disconnect, so that what a device holds is bounded from the
 * start.  Owns turning a piece of a bf_io into a blkif request (direct
 * up to 11 segments, indirect past that when offered, flush, discard),
 * the data copied into the pool's pages for a write and out of them for
 * a read, and reading the backend's responses as hostile: the index
 * read once and fenced, no more answers than requests, each answer's id
 * one of ours in flight (anything else breaks the queue).
 */
#ifndef SHOAL_BF_RING_H
#define SHOAL_BF_RING_H

#include <stdbool.h>
#include <stdint.h>

/* xenctrl.h first: it tells the Xen headers after it this is a tool. */
#include <xenctrl.h>
#include <xenevtchn.h>
#include <xengnttab.h>
#include <xen/io/blkif.h>

#include "bf_io.h"

#define BF_PAGE			4096u
#define BF_SECTOR		512u
#define BF_RING_ORDER_MAX	4	/* 16 pages */
#define BF_DIRECT_SEGS		BLKIF_MAX_SEGMENTS_PER_REQUEST	/* 11 */
#define BF_INDIRECT_SEGS_MAX	256	/* 1 MiB: one indirect page */
#define BF_SLOTS_MAX		128	/* requests in flight a queue */

/* Counters by kind: requests and bytes put on the ring. */
struct bf_qstats {
	uint64_t	 reqs[BF_OP_MAX];
	uint64_t	 bytes[BF_OP_MAX];
	uint64_t	 indirect;	/* reads and writes sent indirect */
	uint64_t	 errors;	/* answered other than OKAY */
	uint64_t	 notsup;	/* of which EOPNOTSUPP */
};

/* A request on the ring: which piece of which io. */
struct bf_slot {
	struct bf_io	*io;		/* NULL: free */
	enum bf_op	 op;
	bool		 flush;		/* the FUA flush of a write */
	uint32_t	 off, len;	/* within io->buf */
	uint16_t	 npages;
	uint16_t	 pages[BF_INDIRECT_SEGS_MAX];
};

struct bf_queue {
	unsigned		 index;
	xenevtchn_handle	*xce;
	xengntshr_handle	*xgs;
	blkif_front_ring_t	 ring;
	unsigned		 order;
	uint32_t		 ring_refs[1u << BF_RING_ORDER_MAX];
	evtchn_port_t		 port;
	bool			 bound;
	bool			 running;	/* connected and not broken */
	/* Slots: ids are their indices. */
	unsigned		 nslots;
	struct bf_slot		*slots;
	uint16_t		*free_slots;
	unsigned		 nfree_slots;
	/* One indirect page a slot, the backend's to read. */
	unsigned		 max_segs;	/* a piece's, 11 or more */
	uint8_t			*ind;
	uint32_t		*ind_refs;
	/* The data pages. */
	unsigned		 npool;
	uint8_t			*pool;
	uint32_t		*pool_refs;
	uint16_t		*free_pages;
	unsigned		 nfree_pages;
	bool			 to_push;	/* requests not yet pushed */
	struct bf_qstats	 stats;
};

/*
 * The ring (2^order pages), the indirect pages if indirect > 0, and
 * npool data pages shared with domid, the port bound.  0, or -1
 * (logged; what was made is taken back).
 */
int	 bf_ring_up(struct bf_queue *, unsigned domid, unsigned order,
	    unsigned indirect, unsigned npool);
/* Everything taken back; the ios of requests in flight are the
 * caller's to finish (bf_ring_fail first). */
void	 bf_ring_down(struct bf_queue *);
/*
 * One more piece of io on the ring: 1 if put, 0 if the queue has no
 * room for it now (a slot or pages), -1 if io has nothing left to put.
 */
int	 bf_ring_issue(struct bf_queue *, struct bf_io *);
/* What was put pushed, and the backend told if it asked. */
void	 bf_ring_push(struct bf_queue *);
/*
 * The responses read, each io's piece finished through finish() when
 * its last piece is answered.  0, or -1: the backend broke the ring
 * (stop using it).
 */
int	 bf_ring_responses(struct bf_queue *, void (*finish)(struct bf_io *,
	    void *), void *arg);
/* Every request in flight failed with err (the ring is going). */
void	 bf_ring_fail(struct bf_queue *, uint32_t err,
	    void (*finish)(struct bf_io *, void *), void *arg);
/* Slots in flight. */
unsigned bf_ring_inflight(const struct bf_queue *);

#endif /* SHOAL_BF_RING_H */
