/*
 * xs_txn: one transaction's private view of the store.
 *
 * A transaction never copies the database.  It keeps an overlay: one
 * entry per node it has looked at or changed, keyed by path, holding the
 * node as the transaction sees it (value, permissions, the names of its
 * children) and the committed node's seq when the entry was made (0 if
 * the node did not exist).  Lookups walk the path through the overlay
 * where it has entries and through the committed tree elsewhere, so a
 * transaction sees its own writes, and a node it has read keeps the value
 * it read even if others change it later.
 *
 * Commit validates, node by node: every entry that was read or written
 * (and, for a path found missing, its deepest existing ancestor, since
 * that is what creating the path would change) must still carry the seq
 * it was loaded with; otherwise END fails with EAGAIN.  Ancestors merely
 * walked through are not validated, so transactions of domains working
 * in different subtrees never conflict.  A path created below a node the
 * transaction removed is not validated either (the commit replaces that
 * subtree whole: "remove a directory, write it again", as libxl does),
 * unless the transaction read it before the removal.  Then the dirty entries are
 * applied parents first and the recorded watch events are handed back in
 * the order the transaction first made them.
 */
#ifndef XS_TXN_H
#define XS_TXN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xs_perm.h"
#include "xs_tree.h"

struct xs_txn;
struct xs_txent;

/* How a node looks from where the caller stands: committed or overlay. */
struct xs_view {
	const uint8_t		*value;
	uint32_t		 vlen;
	const struct xs_perm	*perms;
	uint32_t		 nperms;
	uint64_t		 gen;
	uint32_t		 nkids;
	const struct xs_node	*node;
	const struct xs_txent	*ent;
};

const char	*xs_view_kid(const struct xs_view *, uint32_t i);
const char	*xs_txn_ent_path(const struct xs_txent *);
void		 xs_view_of_node(const struct xs_node *, struct xs_view *);

/* maxents is the txn_nodes quota for this caller, 0 for none. */
struct xs_txn	*xs_txn_new(uint32_t id, struct xs_tree *, size_t maxents);
void		 xs_txn_free(struct xs_txn *);
uint32_t	 xs_txn_id(const struct xs_txn *);
size_t		 xs_txn_nentries(const struct xs_txn *);
/* Nodes this transaction created, for the caller's node quota. */
long		 xs_txn_created(const struct xs_txn *);
/* Bytes the overlay holds, charged to the caller's memory quota. */
long		 xs_txn_bytes(const struct xs_txn *);

/* The view operations; same contracts as xs_db.h. */
int	 xs_txn_get(struct xs_txn *, const char *path, struct xs_view *);
int	 xs_txn_nearest(struct xs_txn *, const char *path, struct xs_view *);
int	 xs_txn_create(struct xs_txn *, const char *path,
	    const struct xs_perm *, uint32_t);
int	 xs_txn_set_value(struct xs_txn *, const char *path, const void *,
	    uint32_t);
int	 xs_txn_set_perms(struct xs_txn *, const char *path,
	    const struct xs_perm *, uint32_t);
int	 xs_txn_remove(struct xs_txn *, const char *path);
void	 xs_txn_note(struct xs_txn *, const char *path, bool rm);

/*
 * Commit: 0 or EAGAIN (nothing applied).  prep is called for each
 * removal before anything is applied (watchers of nodes below it are
 * found while the nodes are there), and fire for every event after,
 * with what prep returned for a removal (NULL for a write).
 */
typedef void	*(*xs_txn_prep_fn)(void *arg, const char *path);
typedef void	(*xs_txn_fire_fn)(void *arg, const char *path, bool rm,
		    const struct xs_perm *, uint32_t nperms, void *prep);
int	 xs_txn_commit(struct xs_txn *, xs_txn_prep_fn, xs_txn_fire_fn,
	    void *arg);
/* Its commit will fail with EAGAIN whatever happens (live update). */
void	 xs_txn_doom(struct xs_txn *);

#endif /* XS_TXN_H */
