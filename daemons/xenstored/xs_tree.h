/*
 * xs_tree: the committed store, an in-memory tree of nodes.
 *
 * Owns nodes and their lifetime: name, value (bytes, NULs allowed),
 * permissions, children (kept sorted by name, so lookup is a binary
 * search and DIRECTORY lists in a stable order), and two counters.
 * seq is the tree-wide change counter's value when the node last changed
 * (value, permissions, or its set of children); transactions remember it
 * to detect conflicts node by node.  gen changes only when the children
 * change and is what DIRECTORY_PART hands out as the generation count.
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

struct xs_node {
	char			*name;		/* component; "" for the root */
	struct xs_node		*parent;
	uint8_t			*value;
	uint32_t		 vlen;
	struct xs_perm		*perms;		/* [0] is the owner */
	uint32_t		 nperms;
	struct xs_node		**kids;		/* sorted by name */
	uint32_t		 nkids, kidcap;
	uint64_t		 seq;
	uint64_t		 gen;
};

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
