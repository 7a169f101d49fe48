/*
 * xs_filter: which xenstore requests a confined daemon may still send.
 *
 * A dom0 process's store connection is privileged: the store checks no
 * permission for it.  A daemon that has dropped to its own user reaches
 * the store only through its broker (xs_broker.h), and the broker asks
 * this filter about every request.  Owns the rules (path patterns, each
 * read-only or read-write), how a request's type maps onto "read" or
 * "write", and what counts as a well-formed path.
 *
 * A pattern is an absolute store path whose segments may be
 *	*	any one segment
 *	$self	the domain the daemon serves RPC in (its data/shoal)
 *	**	as the last segment: the node above it and all below
 * or a relative path ("domid": the connection's own domain's, which the
 * store resolves) or a special watch path ("@introduceDomain"), each
 * matched exactly.  Relative paths are passed on as they are, so the
 * filter need not know the connection's domain.
 *
 * Reads are READ, DIRECTORY, DIRECTORY_PART, GET_PERMS, WATCH and
 * UNWATCH; writes are WRITE, MKDIR, RM and SET_PERMS.  Transactions and
 * GET_DOMAIN_PATH touch no node and are let through; everything else
 * (INTRODUCE, RELEASE, CONTROL, SET_TARGET, RESET_WATCHES...) is a
 * toolstack's business and refused.
 */
#ifndef SHOAL_XS_FILTER_H
#define SHOAL_XS_FILTER_H

#include <stddef.h>
#include <stdint.h>

#define XS_FILTER_MAX	24

enum xs_filter_access {
	XS_FILTER_READ = 1,
	XS_FILTER_WRITE = 2,
	XS_FILTER_RW = 3,
};

struct xs_filter_rule {
	const char		*pattern;	/* must outlive the filter */
	enum xs_filter_access	 access;
};

struct xs_filter {
	char			 self[12];	/* decimal domid */
	size_t			 n;
	struct xs_filter_rule	 rules[XS_FILTER_MAX];
};

/* No rules; $self is learnt later, from the store itself. */
void	 xs_filter_init(struct xs_filter *);
void	 xs_filter_self(struct xs_filter *, unsigned self);
/* -1 if the table is full. */
int	 xs_filter_add(struct xs_filter *, const char *pattern,
	    enum xs_filter_access);

/*
 * A request of this type whose payload (len bytes, not NUL-terminated
 * by the sender's promise) is given: 0 if it may go to the store, else
 * the errno the store would name in its error reply (EACCES for what
 * the rules refuse, EINVAL for a malformed path).
 */
int	 xs_filter_check(const struct xs_filter *, uint32_t type,
	    const char *payload, size_t len);

#endif /* SHOAL_XS_FILTER_H */
