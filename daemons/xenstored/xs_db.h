/*
 * xs_db: one interface to the store for the request handlers, whether
 * the request runs inside a transaction or not.
 *
 * Outside a transaction every call goes straight to the committed tree
 * and a change fires watches at once; inside one, calls go to the
 * transaction's overlay and changes are noted to fire at commit.  The
 * handlers check permissions and quotas; nothing here does.
 */
#ifndef XS_DB_H
#define XS_DB_H

#include <stdbool.h>
#include <stddef.h>

#include "xs_txn.h"

struct xs_server;

struct xs_db {
	struct xs_server	*srv;
	struct xs_txn		*txn;		/* NULL: committed tree */
};

/* 0 or ENOENT (or ENOMEM/ENOSPC from a transaction's overlay). */
int	 xs_db_get(const struct xs_db *, const char *path, struct xs_view *);
/* The deepest existing node on the way to path; *plen is its length. */
int	 xs_db_nearest(const struct xs_db *, const char *path,
	    struct xs_view *, size_t *plen);
/* Parent must exist; the new node is empty. */
int	 xs_db_create(const struct xs_db *, const char *path,
	    const struct xs_perm *, uint32_t);
int	 xs_db_set_value(const struct xs_db *, const char *path,
	    const void *, uint32_t);
int	 xs_db_set_perms(const struct xs_db *, const char *path,
	    const struct xs_perm *, uint32_t);
int	 xs_db_remove(const struct xs_db *, const char *path);
/*
 * A change to report to watchers, with the node's permissions.  For a
 * removal outside a transaction, below is what xs_watch_below() found
 * before it (taken); NULL otherwise.
 */
struct xs_watch_below;
void	 xs_db_changed(const struct xs_db *, const char *path, bool rm,
	    const struct xs_perm *, uint32_t, struct xs_watch_below *below);

#endif /* XS_DB_H */
