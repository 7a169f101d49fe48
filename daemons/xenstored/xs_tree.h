/*
 * xs_tree: the committed store, an in-memory tree of nodes.
 *
 * Owns nodes and their lifetime: name, value (bytes, NULs allowed),
 * permissions, children (kept sorted by name, so lookup is a binary
 * search and DIRECTORY lists in a stable order), and two counters.
 * seq is the tree-wide change counter's value when the node last changed
 * (value, permissions, or its set of children); transactions remember it
 * to detect conflicts node by node, and DIRECTORY_PART hands it out as
 * the generation count (Xen's changes on any write to the node too).
 *
 * The tree checks nothing about who asks: permissions, quotas and paths
 * are the callers' business.  It does report every change of what a
 * domain owns (node count and bytes) to the accounting hook, so that
 * per-domain quotas follow creations, removals and owner changes without
 * the callers having to remember.
 */
#ifndef XS_TREE_H
#define XS_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xs_perm.h"

/*
 * A node is packed for a store of a million of them: the node itself is
 * one allocation with its name inline, its permissions and value share a
 * second one (replaced whole when either changes, so the node never
 * moves), and its children live in a third that only parents have.  That
 * is about 90 bytes for a small leaf, against about 200 when every field
 * was its own allocation.
 */
struct xs_node_data {
	uint32_t		 vlen;
	uint32_t		 nperms;
	struct xs_perm		 perms[];	/* [0] is the owner; value follows */
};

struct xs_node_kids {
	uint32_t		 n, cap;
	struct xs_node		*v[];		/* sorted by name */
};

struct xs_node {
	struct xs_node		*parent;
	struct xs_node_kids	*kids;		/* NULL while childless */
	struct xs_node_data	*data;
	uint64_t		 seq;
	char			 name[];	/* component; "" for the root */
};

static inline uint32_t
xs_node_nperms(const struct xs_node *n)
{
	return n->data->nperms;
}

static inline const struct xs_perm *
xs_node_perms(const struct xs_node *n)
{
	return n->data->perms;
}

static inline uint32_t
xs_node_vlen(const struct xs_node *n)
{
	return n->data->vlen;
}

static inline const uint8_t *
xs_node_value(const struct xs_node *n)
{
	return (const uint8_t *)(n->data->perms + n->data->nperms);
}

static inline uint32_t
xs_node_nkids(const struct xs_node *n)
{
	return n->kids != NULL ? n->kids->n : 0;
}

static inline struct xs_node *
xs_node_kid(const struct xs_node *n, uint32_t i)
{
	return n->kids->v[i];
}

/* domid gained (or, negative, lost) nodes and bytes. */
typedef void	(*xs_tree_acct_fn)(void *arg, unsigned domid, long nodes,
		    long bytes);

struct xs_tree {
	struct xs_node		*root;
	uint64_t		 seq;		/* last change made */
	size_t			 nnodes;
	xs_tree_acct_fn		 acct;
	void			*acct_arg;
};

/* A root "/" owned by dom0, nobody else may read it ("n0"). */
struct xs_tree	*xs_tree_new(xs_tree_acct_fn, void *arg);
void		 xs_tree_free(struct xs_tree *);

/* What a node costs its owner: name, value and permissions. */
long		 xs_node_bytes(const struct xs_node *);

struct xs_node	*xs_tree_lookup(const struct xs_tree *, const char *path);
/* The deepest existing node on the way to path (at worst the root). */
struct xs_node	*xs_tree_nearest(const struct xs_tree *, const char *path);
struct xs_node	*xs_tree_child(const struct xs_node *, const char *name,
		    size_t len);

/* All return 0 or ENOMEM and leave the tree unchanged on failure. */
int	 xs_tree_add(struct xs_tree *, struct xs_node *parent,
	    const char *name, const struct xs_perm *, uint32_t nperms,
	    struct xs_node **out);
int	 xs_tree_set_value(struct xs_tree *, struct xs_node *,
	    const void *, uint32_t);
int	 xs_tree_set_perms(struct xs_tree *, struct xs_node *,
	    const struct xs_perm *, uint32_t);
/* Removes node and everything below it.  Not the root. */
void	 xs_tree_remove(struct xs_tree *, struct xs_node *);

/* Writes node's absolute path; returns its length (truncated if short). */
size_t	 xs_tree_path(const struct xs_node *, char *buf, size_t len);

/* Calls fn on node and its descendants, parents first. */
typedef int	(*xs_tree_walk_fn)(struct xs_node *, void *);
int	 xs_tree_walk(struct xs_node *, xs_tree_walk_fn, void *);

#endif /* XS_TREE_H */
