/*
 * grant.c: grant tables.  A domain's grantable memory is one memfd (its
 * arena); a grant names a page of it, the domain allowed to map it, and
 * whether writably.  Mapping a grant sends the mapper the arena fd and the
 * page number, after the checks Xen makes: the grant exists, is offered to
 * the mapper's domain, and allows writing if the mapper asks to.
 *
 * A page stays allocated while anyone maps it, even after its owner ended
 * the grant, as on Xen.  Unmap notifications (clear a byte, send on a
 * port) are kept here, not in the client, so that they fire when the
 * client dies: that is how a vchan peer learns it is gone.
 */
#include <sys/mman.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xen/grant_table.h>

#include "log.h"
#include "xensimd.h"

#define ARENA_GROW	64	/* pages */
#define GRANTS_INITIAL	64

/* The table's copy that copiers read (proto.h), sparse in a memfd. */
static int
table_init(struct dom *d)
{
	struct xsim_gt_header	*h;

	d->gt = MAP_FAILED;
	if ((d->gt_fd = memfd_create("xensim-gt", MFD_CLOEXEC)) == -1 ||
	    ftruncate(d->gt_fd, (off_t)XSIM_GT_BYTES) == -1 ||
	    (d->gt = mmap(NULL, XSIM_GT_BYTES, PROT_READ | PROT_WRITE,
	    MAP_SHARED, d->gt_fd, 0)) == MAP_FAILED)
		return -1;
	h = (struct xsim_gt_header *)d->gt;
	h->serial = d->arena.serial;
	h->domid = d->domid;
	return 0;
}

/* The copiers' entry for ref, from the table itself. */
static void
table_mirror(struct dom *d, uint32_t ref)
{
	struct xsim_gt_entry	*e;
	const struct grant	*g = &d->grants[ref];

	if (ref >= XSIM_GT_REFS || d->gt == MAP_FAILED)
		return;
	e = (struct xsim_gt_entry *)(d->gt + XSIM_PAGE_SIZE) + ref;
	__atomic_store_n(&e->flags, 0, __ATOMIC_RELEASE);
	if (!g->used || g->unshared)
		return;
	e->grantee = g->grantee;
	e->page = g->page;
	__atomic_store_n(&e->flags, XSIM_GT_VALID |
	    (g->writable ? XSIM_GT_WRITABLE : 0), __ATOMIC_RELEASE);
}

int
gnt_dom_init(struct dom *d)
{
	static uint64_t	 serials;

	d->arena.serial = ++serials;
	d->arena.fd = memfd_create("xensim-grant", MFD_CLOEXEC);
	if (d->arena.fd == -1 || table_init(d) == -1)
		return -1;
	if ((d->grants = calloc(GRANTS_INITIAL, sizeof(*d->grants))) == NULL)
		return -1;
	d->ngrants = GRANTS_INITIAL;
	return 0;
}

void
gnt_dom_fini(struct dom *d)
{
	if (d->arena.fd != -1)
		close(d->arena.fd);
	if (d->gt != MAP_FAILED && d->gt != NULL) {
		__atomic_store_n(&((struct xsim_gt_header *)d->gt)->dead, 1,
		    __ATOMIC_RELEASE);
		munmap(d->gt, XSIM_GT_BYTES);
	}
	if (d->gt_fd != -1)
		close(d->gt_fd);
	free(d->arena.free);
	free(d->grants);
}

static int
arena_grow(struct arena *a)
{
	uint32_t n = a->npages + ARENA_GROW, *nf, i;

	if ((nf = reallocarray(a->free, n, sizeof(*nf))) == NULL)
		return ENOMEM;
	a->free = nf;
	if (ftruncate(a->fd, (off_t)n * XSIM_PAGE_SIZE) == -1)
		return errno;
	/* Lowest page on top: makes the first pages of a domain predictable. */
	for (i = n; i > a->npages; i--)
		a->free[a->nfree++] = i - 1;
	a->npages = n;
	return 0;
}

int
gnt_alloc_page(struct dom *d, uint32_t *page)
{
	int err;

	if (d->arena.nfree == 0 && (err = arena_grow(&d->arena)) != 0)
		return err;
	*page = d->arena.free[--d->arena.nfree];
	d->arena.inuse++;
	return 0;
}

/* A freed page reads as zeroes when reused and gives its memory back. */
static void
page_free(struct dom *d, uint32_t page)
{
	if (fallocate(d->arena.fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
	    (off_t)page * XSIM_PAGE_SIZE, XSIM_PAGE_SIZE) == -1)
		log_warn("dom%u: releasing page %u", d->domid, page);
	d->arena.free[d->arena.nfree++] = page;
	d->arena.inuse--;
}

static int
ref_alloc(struct dom *d, uint32_t *ref)
{
	struct grant *ng;
	uint32_t r, n;

	for (r = XSIM_GREF_FIRST_FREE; r < d->ngrants; r++)
		if (!d->grants[r].used)
			goto found;
	n = d->ngrants * 2;
	if ((ng = reallocarray(d->grants, n, sizeof(*ng))) == NULL)
		return ENOMEM;
	memset(ng + d->ngrants, 0, (n - d->ngrants) * sizeof(*ng));
	d->grants = ng;
	r = d->ngrants;
	d->ngrants = n;
found:
	*ref = r;
	return 0;
}

int
gnt_grant(struct dom *d, uint32_t grantee, bool writable, uint32_t page,
    struct xsim_conn *owner, uint32_t h, uint32_t ref)
{
	if (ref >= d->ngrants || d->grants[ref].used)
		return EINVAL;
	d->grants[ref] = (struct grant){ .used = true, .writable = writable,
	    .grantee = grantee, .page = page, .owner = owner, .owner_h = h };
	table_mirror(d, ref);
	return 0;
}

static struct grant *
grant_get(struct dom *d, uint32_t ref)
{
	if (d == NULL || ref >= d->ngrants || !d->grants[ref].used)
		return NULL;
	return &d->grants[ref];
}

/*
 * Clear the byte, send on the port: what an unmap notification asks for.
 * Either may be absent (-1 in Xen's API, so UINT32_MAX here).
 */
static void
notify_fire(struct dom *pagedom, uint32_t page, uint32_t off,
    uint32_t senddom, uint32_t port)
{
	const uint8_t zero = 0;

	if (off != UINT32_MAX && pwrite(pagedom->arena.fd, &zero, 1,
	    (off_t)page * XSIM_PAGE_SIZE + off) != 1)
		log_warn("dom%u: unmap notify byte", pagedom->domid);
	if (port != UINT32_MAX)
		evt_send(senddom, port);
}

static void
grant_end(struct dom *d, uint32_t ref)
{
	struct grant *g = &d->grants[ref];

	if (g->notify) {
		g->notify = false;
		notify_fire(d, g->page, g->notify_off, d->domid, g->notify_port);
	}
	if (g->maps > 0) {
		g->unshared = true;	/* the last unmap frees it */
		g->owner = NULL;
		table_mirror(d, ref);
		return;
	}
	page_free(d, g->page);
	memset(g, 0, sizeof(*g));
	table_mirror(d, ref);
}

int
gnt_share(struct xsim_conn *c, uint32_t h, uint32_t grantee, bool writable,
    uint32_t count, uint32_t *refs, uint32_t *pages)
{
	struct dom *d = dom_find(c->domid);
	uint32_t i;
	int err = 0;

	if (d == NULL)
		return ESRCH;
	if (count == 0 || count > XSIM_MAX_BATCH)
		return EINVAL;
	for (i = 0; i < count; i++) {
		if ((err = ref_alloc(d, &refs[i])) != 0 ||
		    (err = gnt_alloc_page(d, &pages[i])) != 0)
			break;
		gnt_grant(d, grantee, writable, pages[i], c, h, refs[i]);
	}
	if (err != 0)
		while (i-- > 0)
			grant_end(d, refs[i]);
	return err;
}

int
gnt_unshare(struct xsim_conn *c, uint32_t count, const uint32_t *refs)
{
	struct dom *d = dom_find(c->domid);
	struct grant *g;
	uint32_t i;

	for (i = 0; i < count; i++)
		if ((g = grant_get(d, refs[i])) == NULL || g->owner != c ||
		    g->unshared)
			return EINVAL;
	for (i = 0; i < count; i++)
		grant_end(d, refs[i]);
	return 0;
}

/* Xen's checks, all before any effect. */
static int
map_check(uint32_t mapper, bool writable, uint32_t dom, uint32_t ref)
{
	struct grant *g = grant_get(dom_find(dom), ref);

	if (dom_find(dom) == NULL)
		return ESRCH;
	if (g == NULL || g->unshared)
		return EINVAL;
	if (g->grantee != mapper || (writable && !g->writable))
		return EPERM;
	return 0;
}

int
gnt_map(struct xsim_conn *c, uint32_t h, bool writable, uint32_t count,
    const uint32_t *doms, const uint32_t *refs, uint32_t *pages,
    uint32_t *id)
{
	struct gnt_map *m;
	struct grant *g;
	uint32_t i;
	int err;

	if (count == 0 || count > XSIM_MAX_BATCH)
		return EINVAL;
	for (i = 0; i < count; i++)
		if ((err = map_check(c->domid, writable, doms[i], refs[i])) != 0)
			return err;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return ENOMEM;
	*m = (struct gnt_map){ .id = ++c->next_id, .h = h,
	    .writable = writable, .count = count };
	for (i = 0; i < count; i++) {
		g = grant_get(dom_find(doms[i]), refs[i]);
		g->maps++;
		pages[i] = g->page;
		m->doms[i] = doms[i];
		m->refs[i] = refs[i];
	}
	TAILQ_INSERT_TAIL(&c->maps, m, entry);
	*id = m->id;
	return 0;
}

static void
map_release(struct xsim_conn *c, struct gnt_map *m)
{
	struct dom *d;
	struct grant *g;
	uint32_t i;

	if (m->notify && (d = dom_find(m->doms[0])) != NULL &&
	    (g = grant_get(d, m->refs[0])) != NULL)
		notify_fire(d, g->page, m->notify_off, c->domid,
		    m->notify_port);
	for (i = 0; i < m->count; i++) {
		d = dom_find(m->doms[i]);
		if ((g = grant_get(d, m->refs[i])) == NULL)
			continue;	/* its domain is gone */
		if (--g->maps == 0 && g->unshared) {
			page_free(d, g->page);
			memset(g, 0, sizeof(*g));
		}
	}
	TAILQ_REMOVE(&c->maps, m, entry);
	free(m);
}

static struct gnt_map *
map_find(struct xsim_conn *c, uint32_t id)
{
	struct gnt_map *m;

	TAILQ_FOREACH(m, &c->maps, entry)
		if (m->id == id)
			return m;
	return NULL;
}

int
gnt_unmap(struct xsim_conn *c, uint32_t id)
{
	struct gnt_map *m = map_find(c, id);

	if (m == NULL)
		return EINVAL;
	map_release(c, m);
	return 0;
}

int
gnt_set_notify(struct xsim_conn *c, uint32_t id_or_ref, bool is_ref,
    uint32_t off, uint32_t port)
{
	struct grant *g;
	struct gnt_map *m;

	if (off >= XSIM_PAGE_SIZE && off != UINT32_MAX)
		return EINVAL;
	if (is_ref) {
		g = grant_get(dom_find(c->domid), id_or_ref);
		if (g == NULL || g->owner != c)
			return EINVAL;
		g->notify = true;
		g->notify_off = off;
		g->notify_port = port;
		return 0;
	}
	if ((m = map_find(c, id_or_ref)) == NULL)
		return EINVAL;
	m->notify = true;
	m->notify_off = off;
	m->notify_port = port;
	return 0;
}

/* UINT32_MAX: every handle of the connection (the process died). */
void
gnt_handle_close(struct xsim_conn *c, uint32_t h)
{
	struct gnt_map *m, *next;
	struct dom *d = dom_find(c->domid);
	uint32_t r;

	for (m = TAILQ_FIRST(&c->maps); m != NULL; m = next) {
		next = TAILQ_NEXT(m, entry);
		if (h == UINT32_MAX || m->h == h)
			map_release(c, m);
	}
	for (r = 0; d != NULL && r < d->ngrants; r++)
		if (d->grants[r].used && !d->grants[r].unshared &&
		    d->grants[r].owner == c &&
		    (h == UINT32_MAX || d->grants[r].owner_h == h))
			grant_end(d, r);
}

int
gnt_table_fd(uint32_t domid)
{
	struct dom *d = dom_find(domid);

	return d != NULL ? d->gt_fd : -1;
}

int
gnt_arena_fd(uint32_t domid)
{
	struct dom *d = dom_find(domid);

	return d != NULL ? d->arena.fd : -1;
}

uint64_t
gnt_arena_serial(uint32_t domid)
{
	struct dom *d = dom_find(domid);

	return d != NULL ? d->arena.serial : 0;
}

/*
 * GNTTABOP_copy's checks for a batch, each entry alone (a bad one fails
 * by itself, as on Xen): the grant exists, is offered to the copier,
 * and allows writing if the copy writes it, for refs past the table's
 * copy the copier checks itself (table_mirror).  The copier then copies
 * through its own mapping of the granting domain's arena.  Unlike Xen,
 * no reference is held across the copy: a grant ended meanwhile may
 * have its page reused, by the same domain only (docs/xensim.md).
 */
void
gnt_copy_check(uint32_t copier, uint32_t count, const uint32_t *doms,
    const uint32_t *refs, const char *writes, uint32_t *status,
    uint32_t *pages)
{
	uint32_t	 i;
	int		 err;

	for (i = 0; i < count; i++) {
		err = map_check(copier, writes[i] != 0, doms[i], refs[i]);
		status[i] = (uint32_t)(int32_t)(err == 0 ? GNTST_okay :
		    err == ESRCH ? GNTST_bad_domain : err == EPERM ?
		    GNTST_permission_denied : GNTST_bad_gntref);
		pages[i] = err == 0 ?
		    grant_get(dom_find(doms[i]), refs[i])->page : 0;
	}
}
