#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xs_path.h"
#include "xs_txn.h"

enum { FIRE_NONE, FIRE_WRITE, FIRE_RM };

struct xs_txent {
	struct xs_txent	*hnext;
	struct xs_txn	*txn;		/* whose byte count this entry feeds */
	char		*path;
	size_t		 plen;
	bool		 exists;
	bool		 dirty;		/* apply at commit */
	bool		 reset;		/* replaces the committed subtree */
	bool		 ghost;		/* below a node this txn removed */
	bool		 check;		/* validate at commit */
	bool		 replaced;	/* created below a node removed here */
	uint64_t	 seen;		/* committed seq when loaded, or 0 */
	uint8_t		*value;
	uint32_t	 vlen;
	struct xs_perm	*perms;		/* kept after removal, for events */
	uint32_t	 nperms;
	char		**kids;		/* sorted */
	uint32_t	 nkids, kidcap;
	uint64_t	 gen;
	int		 fire;
	uint64_t	 fire_order;
};

struct xs_txn {
	uint32_t	  id;
	struct xs_tree	 *tree;
	struct xs_txent	**tab;
	size_t		  tabsz, nents, maxents;
	uint64_t	  nfire;
	uint64_t	  localgen;
	long		  created;
	long		  bytes;	/* what the overlay holds, see charge() */
	bool		  doomed;	/* saw an inconsistent committed state */
};

/* Where a walk ended: the node itself, or the deepest existing ancestor. */
struct txpos {
	bool		 exists;
	size_t		 len;		/* of the prefix that exists */
	struct xs_txent	*ent;		/* overlay entry for that prefix */
	struct xs_node	*node;		/* committed node for that prefix */
};

static uint64_t
hash(const char *p, size_t n)
{
	uint64_t	 h = 1469598103934665603ULL;

	while (n-- > 0)
		h = (h ^ (uint8_t)*p++) * 1099511628211ULL;
	return h;
}

static struct xs_txent *
ent_find_any(const struct xs_txn *t, const char *path, size_t len)
{
	struct xs_txent	*e;

	e = t->tab[hash(path, len) & (t->tabsz - 1)];
	for (; e != NULL; e = e->hnext)
		if (e->plen == len && memcmp(e->path, path, len) == 0)
			return e;
	return NULL;
}

static struct xs_txent *
ent_find(const struct xs_txn *t, const char *path, size_t len)
{
	struct xs_txent	*e = ent_find_any(t, path, len);

	return e != NULL && !e->ghost ? e : NULL;
}

/*
 * The overlay's size as the domain's memory quota sees it: paths, values,
 * permissions and child names, with a fixed overhead per entry and per
 * name for the bookkeeping around them.  Not malloc's exact figure, but
 * it grows with everything a guest can make a transaction hold.
 */
#define ENT_OVERHEAD	((long)sizeof(struct xs_txent))
#define TRIM_AFTER	(256L * 1024)
#define KID_OVERHEAD	((long)sizeof(char *) + 1)

static void
charge(struct xs_txent *e, long delta)
{
	e->txn->bytes += delta;
}

static void
ent_clear(struct xs_txent *e, bool perms_too)
{
	uint32_t	 i;

	for (i = 0; i < e->nkids; i++) {
		charge(e, -((long)strlen(e->kids[i]) + KID_OVERHEAD));
		free(e->kids[i]);
	}
	free(e->kids);
	charge(e, -(long)e->vlen);
	free(e->value);
	e->kids = NULL;
	e->nkids = e->kidcap = 0;
	e->value = NULL;
	e->vlen = 0;
	if (perms_too) {
		charge(e, -(long)(e->nperms * sizeof(*e->perms)));
		free(e->perms);
		e->perms = NULL;
		e->nperms = 0;
	}
}

static void
ent_free(struct xs_txent *e)
{
	ent_clear(e, true);
	charge(e, -((long)e->plen + ENT_OVERHEAD));
	free(e->path);
	free(e);
}

static int
tab_grow(struct xs_txn *t)
{
	struct xs_txent	**nt, *e, *next;
	size_t		  i, sz = t->tabsz * 2, b;

	if ((nt = calloc(sz, sizeof(*nt))) == NULL)
		return ENOMEM;
	for (i = 0; i < t->tabsz; i++)
		for (e = t->tab[i]; e != NULL; e = next) {
			next = e->hnext;
			b = hash(e->path, e->plen) & (sz - 1);
			e->hnext = nt[b];
			nt[b] = e;
		}
	free(t->tab);
	t->tab = nt;
	t->tabsz = sz;
	return 0;
}

static int
ent_add(struct xs_txn *t, const char *path, size_t len,
    struct xs_txent **out)
{
	struct xs_txent	*e;
	size_t		 b;

	if (t->maxents > 0 && t->nents >= t->maxents)
		return ENOSPC;
	if (t->nents >= t->tabsz && tab_grow(t) != 0)
		return ENOMEM;
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return ENOMEM;
	if ((e->path = strndup(path, len)) == NULL) {
		free(e);
		return ENOMEM;
	}
	e->plen = len;
	e->txn = t;
	charge(e, (long)len + ENT_OVERHEAD);
	b = hash(path, len) & (t->tabsz - 1);
	e->hnext = t->tab[b];
	t->tab[b] = e;
	t->nents++;
	*out = e;
	return 0;
}

static const char *
str_at(const void *kids, uint32_t i)
{
	return ((char *const *)kids)[i];
}

static uint32_t
kid_search(const struct xs_txent *e, const char *name, size_t len,
    bool *found)
{
	return xs_path_name_search(e->kids, e->nkids, str_at, name, len,
	    found);
}

static int
kid_add(struct xs_txent *e, const char *name)
{
	char		**nk, *copy;
	bool		  found;
	uint32_t	  at = kid_search(e, name, strlen(name), &found), cap;

	if (found)
		return 0;
	if (e->nkids == e->kidcap) {
		cap = e->kidcap ? e->kidcap * 2 : 4;
		if ((nk = reallocarray(e->kids, cap, sizeof(*nk))) == NULL)
			return ENOMEM;
		e->kids = nk;
		e->kidcap = cap;
	}
	if ((copy = strdup(name)) == NULL)
		return ENOMEM;
	memmove(e->kids + at + 1, e->kids + at,
	    (e->nkids - at) * sizeof(*e->kids));
	e->kids[at] = copy;
	e->nkids++;
	charge(e, (long)strlen(copy) + KID_OVERHEAD);
	return 0;
}

static bool
ent_has(const struct xs_txent *e, const char *name, size_t len)
{
	bool	 found;

	(void)kid_search(e, name, len, &found);
	return found;
}

static void
kid_del(struct xs_txent *e, const char *name)
{
	bool		 found;
	uint32_t	 at = kid_search(e, name, strlen(name), &found);

	if (!found)
		return;
	charge(e, -((long)strlen(e->kids[at]) + KID_OVERHEAD));
	free(e->kids[at]);
	memmove(e->kids + at, e->kids + at + 1,
	    (e->nkids - at - 1) * sizeof(*e->kids));
	e->nkids--;
}

static int
ent_copy_perms(struct xs_txent *e, const struct xs_perm *p, uint32_t n)
{
	struct xs_perm	*np;

	if ((np = reallocarray(NULL, n, sizeof(*np))) == NULL)
		return ENOMEM;
	memcpy(np, p, n * sizeof(*np));
	charge(e, (long)(n * sizeof(*np)) - (long)(e->nperms * sizeof(*np)));
	free(e->perms);
	e->perms = np;
	e->nperms = n;
	return 0;
}

static int
ent_copy_value(struct xs_txent *e, const void *v, uint32_t n)
{
	uint8_t	*nv = NULL;

	if (n > 0 && (nv = malloc(n)) == NULL)
		return ENOMEM;
	if (n > 0)
		memcpy(nv, v, n);
	charge(e, (long)n - (long)e->vlen);
	free(e->value);
	e->value = nv;
	e->vlen = n;
	return 0;
}

/* Fill a fresh entry from the committed node. */
static int
ent_fill(struct xs_txent *e, const struct xs_node *m)
{
	uint32_t	 i;

	e->exists = true;
	e->seen = m->seq;
	e->gen = m->seq;
	if (ent_copy_value(e, xs_node_value(m), xs_node_vlen(m)) != 0 ||
	    ent_copy_perms(e, xs_node_perms(m), xs_node_nperms(m)) != 0)
		return ENOMEM;
	for (i = 0; i < xs_node_nkids(m); i++)
		if (kid_add(e, xs_node_kid(m, i)->name) != 0)
			return ENOMEM;
	return 0;
}

struct xs_txn *
xs_txn_new(uint32_t id, struct xs_tree *tree, size_t maxents)
{
	struct xs_txn	*t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->tabsz = 16;
	if ((t->tab = calloc(t->tabsz, sizeof(*t->tab))) == NULL) {
		free(t);
		return NULL;
	}
	t->id = id;
	t->tree = tree;
	t->maxents = maxents;
	return t;
}

void
xs_txn_free(struct xs_txn *t)
{
	struct xs_txent	*e;
	size_t		 i;
	bool		 big;

	if (t == NULL)
		return;
	big = t->bytes > TRIM_AFTER;
	for (i = 0; i < t->tabsz; i++)
		while ((e = t->tab[i]) != NULL) {
			t->tab[i] = e->hnext;
			ent_free(e);
		}
	free(t->tab);
	free(t);
	/* Thousands of small frees leave the heap's top in use; a guest's
	 * aborted transaction should not leave our resident size raised. */
	if (big)
		malloc_trim(0);
}

uint32_t
xs_txn_id(const struct xs_txn *t)
{
	return t->id;
}

size_t
xs_txn_nentries(const struct xs_txn *t)
{
	return t->nents;
}

long
xs_txn_created(const struct xs_txn *t)
{
	return t->created;
}

long
xs_txn_bytes(const struct xs_txn *t)
{
	return t->bytes;
}

/*
 * Walk path through overlay and committed tree together.  An entry is
 * authoritative for its children: a name it does not list is absent
 * whatever the committed tree says.
 */
static void
tx_walk(struct xs_txn *t, const char *path, struct txpos *pos)
{
	struct xs_node	*m = t->tree->root;
	struct xs_txent	*e = ent_find(t, "/", 1);
	const char	*c = path + 1, *end;
	size_t		 clen;

	*pos = (struct txpos){ .exists = false, .len = 1, .ent = e,
	    .node = m };
	for (; *c != '\0'; c = *end == '/' ? end + 1 : end) {
		end = strchrnul(c, '/');
		clen = (size_t)(end - c);
		if (e != NULL && !ent_has(e, c, clen))
			return;
		m = m != NULL ? xs_tree_child(m, c, clen) : NULL;
		e = ent_find(t, path, (size_t)(end - path));
		if ((e == NULL && m == NULL) || (e != NULL && !e->exists)) {
			if (e == NULL && pos->ent != NULL)
				t->doomed = true;
			return;
		}
		pos->len = (size_t)(end - path);
		pos->ent = e;
		pos->node = m;
	}
	pos->exists = true;
}

/* The entry for an existing prefix found by tx_walk, loading it if new. */
static int
ent_load(struct xs_txn *t, const char *path, size_t len,
    const struct txpos *pos, struct xs_txent **out)
{
	struct xs_txent	*e;
	int		 r;

	if (pos->ent != NULL) {
		*out = pos->ent;
		return 0;
	}
	/* A ghost here would have made the walk fail; reuse its slot. */
	if ((e = ent_find_any(t, path, len)) != NULL) {
		e->ghost = false;
		ent_clear(e, true);
	} else if ((r = ent_add(t, path, len, &e)) != 0)
		return r;
	e->check = true;
	if (ent_fill(e, pos->node) != 0)
		return ENOMEM;
	*out = e;
	return 0;
}

static void
view_of_ent(const struct xs_txent *e, struct xs_view *v)
{
	v->value = e->value;
	v->vlen = e->vlen;
	v->perms = e->perms;
	v->nperms = e->nperms;
	v->gen = e->gen;
	v->nkids = e->nkids;
	v->node = NULL;
	v->ent = e;
}

void
xs_view_of_node(const struct xs_node *n, struct xs_view *v)
{
	v->value = xs_node_value(n);
	v->vlen = xs_node_vlen(n);
	v->perms = xs_node_perms(n);
	v->nperms = xs_node_nperms(n);
	v->gen = n->seq;
	v->nkids = xs_node_nkids(n);
	v->node = n;
	v->ent = NULL;
}

const char *
xs_txn_ent_path(const struct xs_txent *e)
{
	return e->path;
}

const char *
xs_view_kid(const struct xs_view *v, uint32_t i)
{
	return v->ent != NULL ? v->ent->kids[i] : xs_node_kid(v->node, i)->name;
}

/* Load (and mark for validation) the node or its nearest ancestor. */
static int
tx_resolve(struct xs_txn *t, const char *path, struct xs_txent **out,
    bool *exists)
{
	struct txpos	 pos;
	struct xs_txent	*e;
	int		 r;

	tx_walk(t, path, &pos);
	if ((r = ent_load(t, path, pos.len, &pos, &e)) != 0)
		return r;
	e->check = !e->replaced;
	*exists = pos.exists;
	*out = e;
	return 0;
}

int
xs_txn_get(struct xs_txn *t, const char *path, struct xs_view *v)
{
	struct xs_txent	*e;
	bool		 exists;
	int		 r;

	if ((r = tx_resolve(t, path, &e, &exists)) != 0)
		return r;
	if (!exists)
		return ENOENT;
	view_of_ent(e, v);
	return 0;
}

int
xs_txn_nearest(struct xs_txn *t, const char *path, struct xs_view *v)
{
	struct xs_txent	*e;
	bool		 exists;
	int		 r;

	if ((r = tx_resolve(t, path, &e, &exists)) != 0)
		return r;
	view_of_ent(e, v);
	return 0;
}

static void
ent_changed(struct xs_txn *t, struct xs_txent *e)
{
	/* Above any committed generation, so a reader sees a change. */
	e->gen = (1ULL << 63) | ++t->localgen;
}

/* The existing entry for path (caller has checked it exists). */
static int
tx_existing(struct xs_txn *t, const char *path, struct xs_txent **out)
{
	bool	 exists;
	int	 r;

	if ((r = tx_resolve(t, path, out, &exists)) != 0)
		return r;
	return exists ? 0 : ENOENT;
}

static int
tx_parent(struct xs_txn *t, const char *path, struct xs_txent **out)
{
	char	 parent[XS_PATH_BUF];
	size_t	 pl = xs_path_parent_len(path);

	memcpy(parent, path, pl);
	parent[pl] = '\0';
	return tx_existing(t, parent, out);
}

/*
 * Whether an ancestor of path was removed in this transaction: then the
 * committed subtree there is replaced at commit, and what the committed
 * tree holds at path is not this transaction's concern.
 */
static bool
under_reset(const struct xs_txn *t, const char *path)
{
	const struct xs_txent	*e;
	const char		*slash;
	size_t			 len = xs_path_parent_len(path);

	while (len > 1) {
		if ((e = ent_find_any(t, path, len)) != NULL && e->reset)
			return true;
		slash = memrchr(path, '/', len);
		len = slash != NULL ? (size_t)(slash - path) : 0;
	}
	return false;
}

int
xs_txn_create(struct xs_txn *t, const char *path, const struct xs_perm *p,
    uint32_t np)
{
	struct xs_txent	*pe, *e;
	int		 r;

	if ((r = tx_parent(t, path, &pe)) != 0)
		return r;
	if ((e = ent_find_any(t, path, strlen(path))) == NULL) {
		if ((r = ent_add(t, path, strlen(path), &e)) != 0)
			return r;
		/*
		 * seen 0: must still be absent; unless an ancestor was
		 * removed here, and then never validated (a node the
		 * transaction read before that keeps its entry, a ghost,
		 * and is reused above, still validated).
		 */
		e->replaced = under_reset(t, path);
		e->check = !e->replaced;
	}
	ent_clear(e, true);
	e->ghost = false;
	e->exists = e->dirty = true;
	if (ent_copy_perms(e, p, np) != 0 ||
	    kid_add(pe, xs_path_base(path)) != 0)
		return ENOMEM;
	ent_changed(t, e);
	ent_changed(t, pe);
	t->created++;
	return 0;
}

int
xs_txn_set_value(struct xs_txn *t, const char *path, const void *v,
    uint32_t n)
{
	struct xs_txent	*e;
	int		 r;

	if ((r = tx_existing(t, path, &e)) != 0)
		return r;
	e->dirty = true;
	return ent_copy_value(e, v, n);
}

int
xs_txn_set_perms(struct xs_txn *t, const char *path,
    const struct xs_perm *p, uint32_t n)
{
	struct xs_txent	*e;
	int		 r;

	if ((r = tx_existing(t, path, &e)) != 0)
		return r;
	e->dirty = true;
	return ent_copy_perms(e, p, n);
}

/* Entries below a removed node stay only to be validated. */
static void
ghost_below(struct xs_txn *t, const char *path)
{
	struct xs_txent	*e;
	size_t		 i;

	for (i = 0; i < t->tabsz; i++)
		for (e = t->tab[i]; e != NULL; e = e->hnext)
			if (strcmp(e->path, path) != 0 &&
			    xs_path_is_child(e->path, path)) {
				e->ghost = true;
				e->dirty = false;
				e->fire = FIRE_NONE;
				ent_clear(e, true);
			}
}

int
xs_txn_remove(struct xs_txn *t, const char *path)
{
	struct xs_txent	*pe, *e;
	int		 r;

	if ((r = tx_existing(t, path, &e)) != 0 ||
	    (r = tx_parent(t, path, &pe)) != 0)
		return r;
	ghost_below(t, path);
	ent_clear(e, false);
	e->exists = false;
	e->dirty = e->reset = true;
	kid_del(pe, xs_path_base(path));
	ent_changed(t, pe);
	return 0;
}

void
xs_txn_note(struct xs_txn *t, const char *path, bool rm)
{
	struct xs_txent	*e = ent_find(t, path, strlen(path));

	if (e == NULL)
		return;
	if (e->fire == FIRE_NONE)
		e->fire_order = ++t->nfire;
	e->fire = rm ? FIRE_RM : FIRE_WRITE;
}

static bool
tx_valid(const struct xs_txn *t)
{
	const struct xs_txent	*e;
	const struct xs_node	*m;
	size_t			 i;

	if (t->doomed)
		return false;
	for (i = 0; i < t->tabsz; i++)
		for (e = t->tab[i]; e != NULL; e = e->hnext) {
			if (!e->check)
				continue;
			m = xs_tree_lookup(t->tree, e->path);
			if ((m != NULL ? m->seq : 0) != e->seen)
				return false;
		}
	return true;
}

static size_t
depth(const char *p)
{
	size_t	 d = 0;

	for (; *p != '\0'; p++)
		d += *p == '/';
	return d;
}

/* Parents before children, so a created node always has its parent. */
static int
cmp_apply(const void *a, const void *b)
{
	const struct xs_txent	*x = *(struct xs_txent *const *)a;
	const struct xs_txent	*y = *(struct xs_txent *const *)b;
	size_t			 dx = depth(x->path), dy = depth(y->path);

	if (dx != dy)
		return dx < dy ? -1 : 1;
	return strcmp(x->path, y->path);
}

static int
cmp_fire(const void *a, const void *b)
{
	const struct xs_txent	*x = *(struct xs_txent *const *)a;
	const struct xs_txent	*y = *(struct xs_txent *const *)b;

	return x->fire_order < y->fire_order ? -1 :
	    x->fire_order > y->fire_order;
}

/* Entries selected by want (1 dirty, 2 firing), ghosts never. */
static struct xs_txent **
tx_collect(const struct xs_txn *t, int want, size_t *np)
{
	struct xs_txent	**v, *e;
	size_t		  i, n = 0;

	if ((v = calloc(t->nents + 1, sizeof(*v))) == NULL)
		return NULL;
	for (i = 0; i < t->tabsz; i++)
		for (e = t->tab[i]; e != NULL; e = e->hnext)
			if (!e->ghost && (want == 1 ? e->dirty :
			    e->fire != FIRE_NONE))
				v[n++] = e;
	*np = n;
	return v;
}

static int
apply_one(struct xs_tree *tree, const struct xs_txent *e)
{
	struct xs_node	*m = xs_tree_lookup(tree, e->path), *p;
	char		 parent[XS_PATH_BUF];
	size_t		 pl;
	int		 r;

	if (m != NULL && m->parent != NULL && (e->reset || !e->exists)) {
		xs_tree_remove(tree, m);
		m = NULL;
	}
	if (!e->exists)
		return 0;
	if (m == NULL) {
		pl = xs_path_parent_len(e->path);
		memcpy(parent, e->path, pl);
		parent[pl] = '\0';
		if ((p = xs_tree_lookup(tree, parent)) == NULL)
			return ENOENT;
		if ((r = xs_tree_add(tree, p, xs_path_base(e->path),
		    e->perms, e->nperms, &m)) != 0)
			return r;
	} else if ((r = xs_tree_set_perms(tree, m, e->perms,
	    e->nperms)) != 0)
		return r;
	return xs_tree_set_value(tree, m, e->value, e->vlen);
}

static int
tx_apply(struct xs_txn *t)
{
	struct xs_txent	**v;
	size_t		  i, n;
	int		  r = 0;

	if ((v = tx_collect(t, 1, &n)) == NULL)
		return ENOMEM;
	qsort(v, n, sizeof(*v), cmp_apply);
	for (i = 0; i < n; i++)
		if ((r = apply_one(t->tree, v[i])) != 0) {
			/* Validation passed, so only memory can fail. */
			log_warnx("transaction %u: commit of %s failed: %s",
			    t->id, v[i]->path, strerror(r));
			break;
		}
	free(v);
	return r;
}

int
xs_txn_commit(struct xs_txn *t, xs_txn_prep_fn prep, xs_txn_fire_fn fire,
    void *arg)
{
	struct xs_txent	**v;
	void		**preps;
	size_t		  i, n;

	if (!tx_valid(t))
		return EAGAIN;
	if ((v = tx_collect(t, 2, &n)) == NULL ||
	    (preps = calloc(n + 1, sizeof(*preps))) == NULL) {
		free(v);
		return ENOMEM;
	}
	qsort(v, n, sizeof(*v), cmp_fire);
	for (i = 0; i < n; i++)
		if (v[i]->fire == FIRE_RM && prep != NULL)
			preps[i] = prep(arg, v[i]->path);
	(void)tx_apply(t);
	for (i = 0; i < n; i++)
		fire(arg, v[i]->path, v[i]->fire == FIRE_RM, v[i]->perms,
		    v[i]->nperms, preps[i]);
	free(preps);
	free(v);
	return 0;
}

void
xs_txn_doom(struct xs_txn *t)
{
	t->doomed = true;
}
