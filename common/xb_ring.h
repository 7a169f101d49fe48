/*
 * xb_ring: the reads of a ring's shared indices that the other end
 * writes (xen/io/ring.h): a backend's of req_prod (netback, blkback), a
 * frontend's of rsp_prod (netfront, blkfront).  Xen's macros
 * read req_prod from the shared page each time they are used; a hostile
 * frontend can change it between two reads.  These read it once, fence,
 * and check it: a frontend that claims more unconsumed requests than the
 * ring holds is playing games with the index (the ring is bad, and the
 * backend stops reading it).  Requests are then copied out of the shared
 * page with RING_COPY_REQUEST, never used in place.  The frontend's
 * mirror: a backend cannot have answered more requests than were made.
 */
#ifndef SHOAL_XB_RING_H
#define SHOAL_XB_RING_H

#include <xen/io/ring.h>

/*
 * The requests the frontend has produced, read once: sets *rp_out to its
 * req_prod and evaluates to 0, or to -1 (bad index).  The fence orders
 * the requests read after it after the index.
 */
#define XB_RING_REQ_PROD(ring, rp_out) __extension__ ({			\
	RING_IDX xb_rp_ = __atomic_load_n(&(ring)->sring->req_prod,	\
	    __ATOMIC_RELAXED);						\
	__atomic_thread_fence(__ATOMIC_ACQUIRE);			\
	*(rp_out) = xb_rp_;						\
	(xb_rp_ - (ring)->req_cons > RING_SIZE(ring)) ? -1 : 0;		\
})

/*
 * Responses pushed (RING_PUSH_RESPONSES_AND_CHECK_NOTIFY), and whether
 * the frontend asked to be told: the frontend's req_event read once.
 */
#define XB_RING_PUSH_RESPONSES(ring, notify_out)			\
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(ring, *(notify_out))

/*
 * The responses the backend has produced, read once: sets *rp_out to its
 * rsp_prod and evaluates to 0, or to -1 (more than the frontend has
 * outstanding: bad index).  The fence orders the responses read after it
 * after the index.
 */
#define XB_RING_RSP_PROD(ring, rp_out) __extension__ ({			\
	RING_IDX xb_rp_ = __atomic_load_n(&(ring)->sring->rsp_prod,	\
	    __ATOMIC_RELAXED);						\
	__atomic_thread_fence(__ATOMIC_ACQUIRE);			\
	*(rp_out) = xb_rp_;						\
	(xb_rp_ - (ring)->rsp_cons >					\
	    (ring)->req_prod_pvt - (ring)->rsp_cons) ? -1 : 0;		\
})

#endif /* SHOAL_XB_RING_H */
