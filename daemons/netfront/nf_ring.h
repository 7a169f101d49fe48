/*
 * nf_ring: the frontend's read of a ring's response index, the mirror
 * of common/xb_ring.h.  Xen's macros read rsp_prod from the shared page
 * each time they are used, and the backend may change it between two
 * reads.  This reads it once, fences, and checks it: a backend cannot
 * have answered more requests than we made (it is playing games with
 * the index, and the queue stops).  Responses are then copied out of
 * the page with RING_COPY_RESPONSE, never used in place.
 */
#ifndef SHOAL_NF_RING_H
#define SHOAL_NF_RING_H

#include <xen/io/ring.h>

/*
 * The responses the backend has produced, read once: sets *rp_out and
 * evaluates to 0, or to -1 (more than our outstanding requests).
 */
#define NF_RING_RSP_PROD(ring, rp_out) __extension__ ({			\
	RING_IDX nf_rp_ = __atomic_load_n(&(ring)->sring->rsp_prod,	\
	    __ATOMIC_RELAXED);						\
	__atomic_thread_fence(__ATOMIC_ACQUIRE);			\
	*(rp_out) = nf_rp_;						\
	(nf_rp_ - (ring)->rsp_cons >					\
	    (ring)->req_prod_pvt - (ring)->rsp_cons) ? -1 : 0;		\
})

#endif /* SHOAL_NF_RING_H */
