/*
 * xb_copy: grant copies gathered and made in one hypercall
 * (xengnttab_grant_copy), for the backends that never map a frontend's
 * pages: netback's feature-rx-copy both ways, blkback's data.  Owns the
 * batch and the checks Xen would otherwise refuse late: a segment must
 * not be empty nor cross the granted page (offset + length <= 4096).
 * Each segment carries the caller's tag; after the copy the caller is
 * told each one's status (GNTST_okay, or Xen's error for that segment
 * alone: a bad grant fails its own copy, not the batch).
 */
#ifndef SHOAL_XB_COPY_H
#define SHOAL_XB_COPY_H

#include <stdint.h>

#include <xengnttab.h>

#define XB_PAGE_SIZE	4096u

struct xb_copy;

/* A batch of at most max segments; NULL without memory. */
struct xb_copy	*xb_copy_new(xengnttab_handle *, unsigned max);
void		 xb_copy_free(struct xb_copy *);
unsigned	 xb_copy_queued(const struct xb_copy *);

/*
 * One segment queued: from the frontend's granted page (domid, ref, at
 * offset) into ours, or from ours into its page.  0, or -1: the batch is
 * full (flush first: errno ENOSPC) or the segment is bad (EINVAL).
 */
int	 xb_copy_from(struct xb_copy *, uint16_t domid, uint32_t ref,
	    uint16_t offset, void *dst, uint16_t len, void *tag);
int	 xb_copy_to(struct xb_copy *, const void *src, uint16_t domid,
	    uint32_t ref, uint16_t offset, uint16_t len, void *tag);

typedef void	(*xb_copy_done_fn)(void *tag, int16_t status, void *arg);

/*
 * The queued copies made, each told to done (in the order queued), the
 * batch emptied.  The segments that failed, or -1 if the call itself
 * failed (then each is told GNTST_general_error).
 */
int	 xb_copy_flush(struct xb_copy *, xb_copy_done_fn, void *arg);

#endif /* SHOAL_XB_COPY_H */
