/*
 * blk_vbd: one guest block device (a vbd) as blkback serves it, and the
 * daemon-wide state its queues share.  Owns the device's life through
 * the xenbus handshake (common/xb_backend.h), for each backend type
 * served ("vbd", "qdisk": two handshakes, one code): the backing file
 * named by the toolstack's "params" opened and the disk's features and
 * size written at probe; the frontend's rings mapped and event channels
 * bound at connect, its requests' slots (a bounded pool) made; all given
 * back at disconnect, the requests still in the backing file waited for
 * first.  And the per-vbd counters.  The data path is blk_ring.c.
 */
#ifndef BLK_VBD_H
#define BLK_VBD_H

#include <sys/queue.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "blk_config.h"
#include "blk_io.h"
#include "blk_req.h"
#include "xb_ports.h"

#include <xenevtchn.h>
#include <xengnttab.h>

struct event;
struct event_base;
struct evloop;
struct xb_backend;
struct xb_copy;
struct xb_dev;

/* Latency buckets: under 16 us << i, the last one everything slower. */
#define BLK_LAT_BUCKETS		16
#define BLK_LAT_FIRST_US	16u

struct blk_stats {
	uint64_t	 reads, writes, flushes, discards;
	uint64_t	 read_bytes, write_bytes;
	uint64_t	 errors[BLK_ERR_COUNT];
	uint64_t	 ring_errors;		/* fatal: the vbd was shut */
	uint64_t	 latency[BLK_LAT_BUCKETS];
};

/* One request taken off a ring, until it is answered. */
struct blk_pending {
	struct blk_queue		*q;
	struct blk_req			 req;
	struct blk_io_op		 op;
	void				*buf;		/* kept by the slot */
	size_t				 bufcap;	/* buf's bytes */
	bool				 copy_failed;
	bool				 indirect;	/* its pages copied */
	struct timespec			 start;
	TAILQ_ENTRY(blk_pending)	 link;
	/* An indirect request's segments, copied out of its pages. */
	struct blkif_request_segment	 ind[BLK_IND_PAGES_MAX *
					    BLK_SEGS_PER_PAGE];
};
TAILQ_HEAD(blk_pendings, blk_pending);

struct blk_queue {
	struct blk_vbd		*vbd;
	unsigned		 index;
	blkif_back_ring_t	 ring;
	void			*sring;
	unsigned		 npages;
	evtchn_port_t		 port;
	bool			 bound;
	bool			 waiting;	/* stopped at the in-flight cap */
	struct event		*again;		/* a round left work */
};

struct blk_type;

struct blk_vbd {
	LIST_ENTRY(blk_vbd)	 link;
	struct blkback		*bb;
	const struct blk_type	*type;
	struct xb_dev		*dev;
	unsigned		 domid, devid;
	char			*path;
	struct blk_io		*io;
	struct blk_disk		 disk;
	bool			 cdrom;
	bool			 connected;
	bool			 broken;	/* a ring error: until reconnect */
	unsigned		 nqueues;
	unsigned		 ring_order;
	struct blk_queue	 q[BLK_QUEUES_MAX];
	/* Request slots: max-inflight of them, made at connect. */
	struct blk_pending	*pool;
	struct blk_pendings	 free;
	unsigned		 npool, nfree;
	struct blk_pendings	 done;		/* the backing file answered */
	struct blk_stats	 st;
};
LIST_HEAD(blk_vbds, blk_vbd);

/* A backend type served: its handshake. */
struct blk_type {
	struct blkback		*bb;
	const char		*name;		/* "vbd", "qdisk" */
	struct xb_backend	*xb;
};

/* The daemon's state that every vbd shares. */
struct blkback {
	struct event_base	*base;
	struct evloop		*loop;
	xenevtchn_handle	*xce;
	xengnttab_handle	*xgt;
	struct xb_copy		*copy;
	const struct blk_config	*cfg;
	struct blk_type		 types[2];
	struct blk_vbds		 vbds;
	struct xb_ports		 ports;		/* ours, to their queues */
};

/* Serves the configured types; 0, or -1 (logged). */
int	 blkback_start(struct blkback *);
void	 blkback_stop(struct blkback *);
void	 blkback_reconfigure(struct blkback *, const struct blk_config *);

/* The frontend broke its ring: counted, logged, the vbd shut until it
 * connects again. */
void	 blk_vbd_fail(struct blk_vbd *, const char *why);

/* blk_ring.c: a queue's ring read, its requests checked, copied and
 * handed to the backing file; what the file answered copied back and
 * answered. */
void	 blk_ring_run(struct blk_queue *);
void	 blk_ring_done(struct blk_io_op *, void *vbd);
void	 blk_ring_batch_end(void *vbd);
/* The slots' bounce buffers let go (the vbd disconnecting). */
void	 blk_ring_free(struct blk_vbd *);

#endif /* BLK_VBD_H */
