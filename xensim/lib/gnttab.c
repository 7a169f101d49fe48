/*
 * gnttab.c: xensim's libxengnttab.so.1: xengnttab_* (map what others
 * granted) and xengntshr_* (grant our own pages), same API and symbol
 * versions as Xen's.  xensimd checks every map as Xen would and answers
 * with the granting domain's memfd and the page in it; we map those pages
 * side by side into one reserved range, so a multi-page mapping is
 * contiguous as it is on Xen.  Unmap notifications are registered with
 * xensimd, which fires them even when this process dies.
 */
#include <sys/mman.h>
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xen/grant_table.h>
#include <xengnttab.h>

#include "client.h"

#define PUBLIC		__attribute__((visibility("default")))
#define PAGE		XSIM_PAGE_SIZE
#define NO_NOTIFY	UINT32_MAX

/* One range we mapped: foreign (map ids) or our own shared pages (refs). */
struct gnt_range {
	struct gnt_range	*next;
	uint8_t			*addr;
	uint32_t		 count;
	uint32_t		 nids;
	uint32_t		*ids;	/* map ids, or granted refs */
};

struct xengntdev_handle {
	uint32_t		 id;
	pthread_mutex_t		 lock;
	struct gnt_range	*ranges;
};

static xengnttab_handle *
handle_open(void)
{
	struct xsim_req q = { .op = XSIM_GNT_OPEN };
	struct xsim_rsp r;
	xengnttab_handle *h;
	int fds[XSIM_CALL_MAX_FDS], nfds;

	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	if (xsim_call(&q, -1, &r, fds, &nfds) == -1) {
		free(h);
		return NULL;
	}
	xsim_close_fds(fds, nfds);
	h->id = r.h;
	pthread_mutex_init(&h->lock, NULL);
	return h;
}

static void
handle_close(xengnttab_handle *h)
{
	struct xsim_req q = { .op = XSIM_GNT_CLOSE, .h = h->id };
	struct xsim_rsp r;
	struct gnt_range *g;
	int fds[XSIM_CALL_MAX_FDS], nfds;

	/* xensimd ends the grants and maps (and fires their notifications). */
	if (xsim_call(&q, -1, &r, fds, &nfds) == 0)
		xsim_close_fds(fds, nfds);
	while ((g = h->ranges) != NULL) {
		h->ranges = g->next;
		munmap(g->addr, (size_t)g->count * PAGE);
		free(g->ids);
		free(g);
	}
	pthread_mutex_destroy(&h->lock);
	free(h);
}

static struct gnt_range *
range_new(uint32_t count)
{
	struct gnt_range *g = calloc(1, sizeof(*g));

	if (g == NULL)
		return NULL;
	g->count = count;
	g->ids = calloc(count, sizeof(*g->ids));
	g->addr = mmap(NULL, (size_t)count * PAGE, PROT_NONE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->ids == NULL || g->addr == MAP_FAILED) {
		if (g->addr != MAP_FAILED && g->addr != NULL)
			munmap(g->addr, (size_t)count * PAGE);
		free(g->ids);
		free(g);
		return NULL;
	}
	return g;
}

static void
range_add(xengnttab_handle *h, struct gnt_range *g)
{
	pthread_mutex_lock(&h->lock);
	g->next = h->ranges;
	h->ranges = g;
	pthread_mutex_unlock(&h->lock);
}

static struct gnt_range *
range_take(xengnttab_handle *h, void *addr, uint32_t count)
{
	struct gnt_range **pp, *g = NULL;

	pthread_mutex_lock(&h->lock);
	for (pp = &h->ranges; *pp != NULL; pp = &(*pp)->next)
		if ((*pp)->addr == addr && (*pp)->count == count) {
			g = *pp;
			*pp = g->next;
			break;
		}
	pthread_mutex_unlock(&h->lock);
	return g;
}

/* Put page i of the range onto page `page` of memfd fd. */
static int
range_place(struct gnt_range *g, uint32_t i, int fd, uint32_t page, int prot)
{
	void *want = g->addr + (size_t)i * PAGE;

	return mmap(want, PAGE, prot, MAP_SHARED | MAP_FIXED, fd,
	    (off_t)page * PAGE) == want ? 0 : -1;
}

/* Ends the foreign maps recorded in g; the pages are already unmapped. */
static void
unmap_ids(xengnttab_handle *h, struct gnt_range *g)
{
	for (uint32_t i = 0; i < g->nids; i++)
		xsim_call_simple(XSIM_GNT_UNMAP, h->id, g->ids[i], 0, 0, 0);
}

static void *
map_refs(xengnttab_handle *h, uint32_t count, const uint32_t *domids,
    uint32_t domid, const uint32_t *refs, int prot, uint32_t *first_id)
{
	struct xsim_req q = { .op = XSIM_GNT_MAP, .h = h->id,
	    .c = (prot & PROT_WRITE) != 0 };
	struct xsim_rsp r;
	struct gnt_range *g;
	int fds[XSIM_CALL_MAX_FDS], nfds, saved;
	uint32_t done, n, i;

	if (count == 0 || (g = range_new(count)) == NULL) {
		errno = count == 0 ? EINVAL : ENOMEM;
		return NULL;
	}
	for (done = 0; done < count; done += n) {
		n = count - done > XSIM_MAX_BATCH ? XSIM_MAX_BATCH : count - done;
		q.count = n;
		for (i = 0; i < n; i++) {
			q.doms[i] = domids ? domids[done + i] : domid;
			q.refs[i] = refs[done + i];
		}
		if (xsim_call(&q, -1, &r, fds, &nfds) == -1)
			goto fail;
		g->ids[g->nids++] = r.a;
		for (i = 0; i < n && nfds == (int)n; i++)
			if (range_place(g, done + i, fds[i], r.pages[i], prot) == -1)
				break;
		xsim_close_fds(fds, nfds);
		if (i != n) {
			errno = EPROTO;
			goto fail;
		}
	}
	if (first_id != NULL)
		*first_id = g->ids[0];
	range_add(h, g);
	return g->addr;
fail:
	saved = errno;
	unmap_ids(h, g);
	munmap(g->addr, (size_t)count * PAGE);
	free(g->ids);
	free(g);
	errno = saved;
	return NULL;
}

PUBLIC xengnttab_handle *
xengnttab_open(struct xentoollog_logger *logger, unsigned open_flags)
{
	(void)logger;
	(void)open_flags;
	return handle_open();
}

PUBLIC int
xengnttab_close(xengnttab_handle *xgt)
{
	if (xgt != NULL)
		handle_close(xgt);
	return 0;
}

PUBLIC int
xengnttab_fd(xengnttab_handle *xgt)
{
	(void)xgt;
	errno = EOPNOTSUPP;	/* there is no gntdev device to hand out */
	return -1;
}

PUBLIC int
xengnttab_set_max_grants(xengnttab_handle *xgt, uint32_t nr_grants)
{
	(void)xgt;
	(void)nr_grants;
	return 0;
}

PUBLIC void *
xengnttab_map_grant_ref(xengnttab_handle *xgt, uint32_t domid, uint32_t ref,
    int prot)
{
	return map_refs(xgt, 1, NULL, domid, &ref, prot, NULL);
}

PUBLIC void *
xengnttab_map_grant_refs(xengnttab_handle *xgt, uint32_t count,
    uint32_t *domids, uint32_t *refs, int prot)
{
	return map_refs(xgt, count, domids, 0, refs, prot, NULL);
}

PUBLIC void *
xengnttab_map_domain_grant_refs(xengnttab_handle *xgt, uint32_t count,
    uint32_t domid, uint32_t *refs, int prot)
{
	return map_refs(xgt, count, NULL, domid, refs, prot, NULL);
}

PUBLIC void *
xengnttab_map_grant_ref_notify(xengnttab_handle *xgt, uint32_t domid,
    uint32_t ref, int prot, uint32_t notify_offset, evtchn_port_t notify_port)
{
	uint32_t id;
	void *addr = map_refs(xgt, 1, NULL, domid, &ref, prot, &id);

	if (addr == NULL)
		return NULL;
	if (xsim_call_simple(XSIM_GNT_SET_NOTIFY, xgt->id, id, 0, notify_offset,
	    notify_port) == -1) {
		xengnttab_unmap(xgt, addr, 1);
		return NULL;
	}
	return addr;
}

PUBLIC int
xengnttab_unmap(xengnttab_handle *xgt, void *start_address, uint32_t count)
{
	struct gnt_range *g = range_take(xgt, start_address, count);

	if (g == NULL) {
		errno = EINVAL;
		return -1;
	}
	munmap(g->addr, (size_t)g->count * PAGE);
	unmap_ids(xgt, g);
	free(g->ids);
	free(g);
	return 0;
}

/*
 * Grant copies.  Each domain's grant table has a copy xensimd keeps for
 * copiers (proto.h, struct xsim_gt_entry): the library makes Xen's
 * checks on it (the grant is valid, offered to us, writable if the copy
 * writes it) and copies through its own view of the granting domain's
 * arena, both mapped once (XSIM_GNT_ARENA) and kept: a backend copying
 * every packet makes no call at all once it has them.  A view whose
 * domain died (its header says so) is let go and asked for again, which
 * fails for a domain that is gone; the least recently used of
 * ARENAS_CACHED is let go for a new one.  Refs past XSIM_GT_REFS are not
 * in the copy: a batch with one is checked by xensimd (XSIM_GNT_COPY).
 */
#define ARENAS_CACHED	16
#define ARENA_SPAN	((size_t)1 << 32)	/* 2^20 pages reserved */

struct arena_view {
	uint32_t	 domid;
	uint8_t		*base;		/* NULL: a free slot */
	const uint8_t	*table;
	uint64_t	 used;		/* a clock, for the LRU */
};

static pthread_mutex_t	 arenas_lock = PTHREAD_MUTEX_INITIALIZER;
static struct arena_view arenas[ARENAS_CACHED];
static uint64_t		 arenas_clock;

static void
view_drop(struct arena_view *v)
{
	if (v->base != NULL) {
		munmap(v->base, ARENA_SPAN);
		munmap((void *)v->table, XSIM_GT_BYTES);
	}
	memset(v, 0, sizeof(*v));
}

static bool
view_dead(const struct arena_view *v)
{
	return __atomic_load_n(&((const struct xsim_gt_header *)v->table)->dead,
	    __ATOMIC_ACQUIRE) != 0;
}

/* Both maps of a fetched arena into v.  0, or -1 (errno). */
static int
view_map(struct arena_view *v, uint32_t domid, const int *fds)
{
	void *base, *table;

	base = mmap(NULL, ARENA_SPAN, PROT_READ | PROT_WRITE, MAP_SHARED,
	    fds[0], 0);
	if (base == MAP_FAILED)
		return -1;
	table = mmap(NULL, XSIM_GT_BYTES, PROT_READ, MAP_SHARED, fds[1], 0);
	if (table == MAP_FAILED) {
		munmap(base, ARENA_SPAN);
		return -1;
	}
	*v = (struct arena_view){ .domid = domid, .base = base,
	    .table = table, .used = ++arenas_clock };
	return 0;
}

/* domid's arena asked for and mapped into v (xensimd's request and
 * reply are large: kept off the path that finds a view). */
static struct arena_view *
arena_fetch(struct arena_view *v, uint32_t domid)
{
	struct xsim_req q = { .op = XSIM_GNT_ARENA, .a = domid };
	struct xsim_rsp r;
	int fds[XSIM_CALL_MAX_FDS], nfds, rc;

	if (xsim_call(&q, -1, &r, fds, &nfds) == -1)
		return NULL;
	view_drop(v);
	rc = nfds == 2 ? view_map(v, domid, fds) : -1;
	xsim_close_fds(fds, nfds);
	if (rc == -1 && nfds != 2)
		errno = EPROTO;
	return rc == 0 ? v : NULL;
}

/* Our view of domid's arena; NULL (errno: ESRCH for a domain gone).
 * Called with arenas_lock held. */
static struct arena_view *
arena_view(uint32_t domid)
{
	static struct arena_view *last;
	struct arena_view *v, *lru = &arenas[0];

	/* A batch is mostly one guest's pages: its view first. */
	if (last != NULL && last->base != NULL && last->domid == domid &&
	    !view_dead(last))
		return last;
	for (v = arenas; v < arenas + ARENAS_CACHED; v++) {
		if (v->base != NULL && v->domid == domid) {
			if (!view_dead(v)) {
				v->used = ++arenas_clock;
				return last = v;
			}
			view_drop(v);
		}
		if (v->used < lru->used)
			lru = v;
	}
	return last = arena_fetch(lru, domid);
}

/*
 * Xen's checks of one foreign side against the table, and where its
 * bytes are.  GNTST_okay with *at set, or the status.
 */
static int16_t
foreign_at(uint32_t self, uint32_t domid, uint32_t ref, uint16_t off,
    bool write, uint8_t **at)
{
	struct arena_view *v;
	const struct xsim_gt_entry *e;
	uint32_t flags, page;

	if ((v = arena_view(domid)) == NULL)
		return errno == ESRCH ? GNTST_bad_domain : GNTST_general_error;
	e = (const struct xsim_gt_entry *)(v->table + XSIM_PAGE_SIZE) + ref;
	flags = __atomic_load_n(&e->flags, __ATOMIC_ACQUIRE);
	if (!(flags & XSIM_GT_VALID))
		return GNTST_bad_gntref;
	if (e->grantee != self || (write && !(flags &
	    XSIM_GT_WRITABLE)))
		return GNTST_permission_denied;
	page = e->page;
	if ((size_t)page * PAGE >= ARENA_SPAN)
		return GNTST_general_error;
	*at = v->base + (size_t)page * PAGE + off;
	return GNTST_okay;
}

static bool
seg_fits(const xengnttab_grant_copy_segment_t *s)
{
	return (!(s->flags & GNTCOPY_source_gref) ||
	    s->source.foreign.offset + s->len <= PAGE) &&
	    (!(s->flags & GNTCOPY_dest_gref) ||
	    s->dest.foreign.offset + s->len <= PAGE);
}

static bool
seg_in_table(const xengnttab_grant_copy_segment_t *s)
{
	return (!(s->flags & GNTCOPY_source_gref) ||
	    s->source.foreign.ref < XSIM_GT_REFS) &&
	    (!(s->flags & GNTCOPY_dest_gref) ||
	    s->dest.foreign.ref < XSIM_GT_REFS);
}

/* One segment, checked against the tables and copied. */
static int16_t
copy_local(uint32_t self, xengnttab_grant_copy_segment_t *s)
{
	uint8_t *src = s->source.virt, *dst = s->dest.virt;
	int16_t st = GNTST_okay;

	if (!seg_fits(s))
		return GNTST_bad_copy_arg;
	if (s->flags & GNTCOPY_source_gref)
		st = foreign_at(self, s->source.foreign.domid,
		    s->source.foreign.ref, s->source.foreign.offset, false,
		    &src);
	if (st == GNTST_okay && (s->flags & GNTCOPY_dest_gref))
		st = foreign_at(self, s->dest.foreign.domid, s->dest.foreign.ref,
		    s->dest.foreign.offset, true, &dst);
	if (st == GNTST_okay)
		memmove(dst, src, s->len);
	return st;
}

/*
 * A batch xensimd checks (refs past the table's copy): one entry per
 * foreign side of each segment, in one call, then each copied through
 * the arena views.
 */
static void
copy_batch(xengnttab_grant_copy_segment_t *segs, uint32_t n)
{
	struct xsim_req q = { .op = XSIM_GNT_COPY };
	struct xsim_rsp r;
	uint32_t i, e = 0, at[XSIM_MAX_BATCH][2];
	bool fits[XSIM_MAX_BATCH];
	int fds[XSIM_CALL_MAX_FDS], nfds;
	struct arena_view *v;
	int16_t st;

	for (i = 0; i < n; i++) {
		xengnttab_grant_copy_segment_t *s = &segs[i];

		at[i][0] = at[i][1] = UINT32_MAX;
		if (!(fits[i] = seg_fits(s)))
			continue;
		if (s->flags & GNTCOPY_source_gref) {
			q.doms[e] = s->source.foreign.domid;
			q.refs[e] = s->source.foreign.ref;
			q.data[e] = 0;
			at[i][0] = e++;
		}
		if (s->flags & GNTCOPY_dest_gref) {
			q.doms[e] = s->dest.foreign.domid;
			q.refs[e] = s->dest.foreign.ref;
			q.data[e] = 1;
			at[i][1] = e++;
		}
	}
	q.count = e;
	q.datalen = e;
	if (e > 0 && xsim_call(&q, -1, &r, fds, &nfds) == -1) {
		for (i = 0; i < n; i++)
			segs[i].status = fits[i] ? GNTST_general_error :
			    GNTST_bad_copy_arg;
		return;
	}
	if (e > 0)
		xsim_close_fds(fds, nfds);
	for (i = 0; i < n; i++) {
		xengnttab_grant_copy_segment_t *s = &segs[i];
		uint8_t *src = s->source.virt, *dst = s->dest.virt;
		uint32_t k;

		st = fits[i] ? GNTST_okay : GNTST_bad_copy_arg;
		for (k = 0; k < 2 && st == GNTST_okay; k++) {
			if (at[i][k] == UINT32_MAX)
				continue;
			st = (int16_t)r.refs[at[i][k]];
			if (st != GNTST_okay)
				break;
			v = arena_view(q.doms[at[i][k]]);
			if (v == NULL || (size_t)r.pages[at[i][k]] * PAGE >=
			    ARENA_SPAN)
				st = GNTST_general_error;
			else if (k == 0)
				src = v->base + (size_t)r.pages[at[i][k]] *
				    PAGE + s->source.foreign.offset;
			else
				dst = v->base + (size_t)r.pages[at[i][k]] *
				    PAGE + s->dest.foreign.offset;
		}
		if (st == GNTST_okay)
			memmove(dst, src, s->len);
		s->status = st;
	}
}

/* Foreign sides of a segment: one entry each in a check. */
static uint32_t
entries(const xengnttab_grant_copy_segment_t *s)
{
	return !!(s->flags & GNTCOPY_source_gref) +
	    !!(s->flags & GNTCOPY_dest_gref);
}

/* Each segment succeeds or fails alone, with its status, as on Xen. */
PUBLIC int
xengnttab_grant_copy(xengnttab_handle *xgt, uint32_t count,
    xengnttab_grant_copy_segment_t *segs)
{
	uint32_t i, n, e, self = xsim_domid();

	(void)xgt;
	pthread_mutex_lock(&arenas_lock);
	for (i = 0; i < count; i += n) {
		if (seg_in_table(&segs[i])) {
			segs[i].status = copy_local(self, &segs[i]);
			n = 1;
			continue;
		}
		/* As many as their entries fit in one request. */
		for (n = 0, e = 0; i + n < count && n < XSIM_MAX_BATCH &&
		    e + entries(&segs[i + n]) <= XSIM_MAX_BATCH; n++)
			e += entries(&segs[i + n]);
		copy_batch(segs + i, n);
	}
	pthread_mutex_unlock(&arenas_lock);
	return 0;
}

PUBLIC xengntshr_handle *
xengntshr_open(struct xentoollog_logger *logger, unsigned open_flags)
{
	(void)logger;
	(void)open_flags;
	return handle_open();
}

PUBLIC int
xengntshr_close(xengntshr_handle *xgs)
{
	if (xgs != NULL)
		handle_close(xgs);
	return 0;
}

PUBLIC int
xengntshr_fd(xengntshr_handle *xgs)
{
	(void)xgs;
	errno = EOPNOTSUPP;
	return -1;
}

static void
unshare_refs(xengntshr_handle *xgs, const uint32_t *refs, uint32_t n)
{
	struct xsim_req q = { .op = XSIM_GNT_UNSHARE, .h = xgs->id };
	struct xsim_rsp r;
	int fds[XSIM_CALL_MAX_FDS], nfds;
	uint32_t done, k;

	for (done = 0; done < n; done += k) {
		k = n - done > XSIM_MAX_BATCH ? XSIM_MAX_BATCH : n - done;
		q.count = k;
		memcpy(q.refs, refs + done, k * sizeof(*refs));
		if (xsim_call(&q, -1, &r, fds, &nfds) == 0)
			xsim_close_fds(fds, nfds);
	}
}

PUBLIC void *
xengntshr_share_pages(xengntshr_handle *xgs, uint32_t domid, int count,
    uint32_t *refs, int writable)
{
	struct xsim_req q = { .op = XSIM_GNT_SHARE, .h = xgs->id, .a = domid,
	    .c = writable != 0 };
	struct xsim_rsp r;
	struct gnt_range *g;
	int fds[XSIM_CALL_MAX_FDS], nfds, prot = PROT_READ | PROT_WRITE;
	uint32_t done, n, i;

	if (count <= 0 || (g = range_new(count)) == NULL) {
		errno = count <= 0 ? EINVAL : ENOMEM;
		return NULL;
	}
	for (done = 0; done < (uint32_t)count; done += n) {
		n = count - done > XSIM_MAX_BATCH ? XSIM_MAX_BATCH : count - done;
		q.count = n;
		if (xsim_call(&q, -1, &r, fds, &nfds) == -1)
			goto fail;
		for (i = 0; i < n; i++)
			g->ids[g->nids++] = refs[done + i] = r.refs[i];
		for (i = 0; i < n && nfds == 1; i++)
			if (range_place(g, done + i, fds[0], r.pages[i], prot) == -1)
				break;
		xsim_close_fds(fds, nfds);
		if (i != n) {
			errno = EPROTO;
			goto fail;
		}
	}
	range_add(xgs, g);
	return g->addr;
fail:
	unshare_refs(xgs, g->ids, g->nids);
	munmap(g->addr, (size_t)count * PAGE);
	free(g->ids);
	free(g);
	return NULL;
}

PUBLIC void *
xengntshr_share_page_notify(xengntshr_handle *xgs, uint32_t domid,
    uint32_t *ref, int writable, uint32_t notify_offset,
    evtchn_port_t notify_port)
{
	void *addr = xengntshr_share_pages(xgs, domid, 1, ref, writable);

	if (addr == NULL)
		return NULL;
	if (xsim_call_simple(XSIM_GNT_SET_NOTIFY, xgs->id, *ref, 1, notify_offset,
	    notify_port) == -1) {
		xengntshr_unshare(xgs, addr, 1);
		return NULL;
	}
	return addr;
}

/* Ends the grants; a page still mapped by the grantee lives until unmapped. */
PUBLIC int
xengntshr_unshare(xengntshr_handle *xgs, void *start_address, uint32_t count)
{
	struct gnt_range *g = range_take(xgs, start_address, count);

	if (g == NULL) {
		errno = EINVAL;
		return -1;
	}
	munmap(g->addr, (size_t)g->count * PAGE);
	unshare_refs(xgs, g->ids, g->nids);
	free(g->ids);
	free(g);
	return 0;
}
