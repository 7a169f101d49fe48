/*
 * xb_copy: batched grant copies (xb_copy.h).
 */
#include <errno.h>
#include <stdlib.h>

/* xenctrl.h first: it tells the Xen headers after it this is a tool. */
#include <xenctrl.h>
#include <xen/grant_table.h>

#include "xb_copy.h"

struct xb_copy {
	xengnttab_handle		*xgt;
	unsigned			 max, n;
	xengnttab_grant_copy_segment_t	*segs;
	void				**tags;
};

struct xb_copy *
xb_copy_new(xengnttab_handle *xgt, unsigned max)
{
	struct xb_copy	*c;

	if (max == 0 || (c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->xgt = xgt;
	c->max = max;
	if ((c->segs = calloc(max, sizeof(*c->segs))) == NULL ||
	    (c->tags = calloc(max, sizeof(*c->tags))) == NULL) {
		xb_copy_free(c);
		return NULL;
	}
	return c;
}

void
xb_copy_free(struct xb_copy *c)
{
	if (c == NULL)
		return;
	free(c->segs);
	free(c->tags);
	free(c);
}

unsigned
xb_copy_queued(const struct xb_copy *c)
{
	return c->n;
}

/* The next segment, if there is room and the granted part is sane. */
static xengnttab_grant_copy_segment_t *
next(struct xb_copy *c, uint16_t offset, uint16_t len, void *tag)
{
	xengnttab_grant_copy_segment_t	*s;

	if (c->n == c->max) {
		errno = ENOSPC;
		return NULL;
	}
	if (len == 0 || (unsigned)offset + len > XB_PAGE_SIZE) {
		errno = EINVAL;
		return NULL;
	}
	s = &c->segs[c->n];
	c->tags[c->n++] = tag;
	*s = (xengnttab_grant_copy_segment_t){ .len = len };
	return s;
}

int
xb_copy_from(struct xb_copy *c, uint16_t domid, uint32_t ref,
    uint16_t offset, void *dst, uint16_t len, void *tag)
{
	xengnttab_grant_copy_segment_t	*s = next(c, offset, len, tag);

	if (s == NULL)
		return -1;
	s->flags = GNTCOPY_source_gref;
	s->source.foreign.ref = ref;
	s->source.foreign.offset = offset;
	s->source.foreign.domid = domid;
	s->dest.virt = dst;
	return 0;
}

int
xb_copy_to(struct xb_copy *c, const void *src, uint16_t domid, uint32_t ref,
    uint16_t offset, uint16_t len, void *tag)
{
	xengnttab_grant_copy_segment_t	*s = next(c, offset, len, tag);

	if (s == NULL)
		return -1;
	s->flags = GNTCOPY_dest_gref;
	s->source.virt = (void *)(uintptr_t)src;
	s->dest.foreign.ref = ref;
	s->dest.foreign.offset = offset;
	s->dest.foreign.domid = domid;
	return 0;
}

int
xb_copy_flush(struct xb_copy *c, xb_copy_done_fn done, void *arg)
{
	unsigned	 i, n = c->n;
	int		 failed = 0, rc;

	if (n == 0)
		return 0;
	c->n = 0;
	rc = xengnttab_grant_copy(c->xgt, n, c->segs);
	for (i = 0; i < n; i++) {
		if (rc != 0)
			c->segs[i].status = GNTST_general_error;
		if (c->segs[i].status != GNTST_okay)
			failed++;
		if (done != NULL)
			done(c->tags[i], c->segs[i].status, arg);
	}
	return rc != 0 ? -1 : failed;
}
