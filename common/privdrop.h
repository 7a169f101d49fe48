/*
 * privdrop: what a daemon gives up once it is set up (sockets bound,
 * devices and its configuration opened), as OpenBSD's daemons and NSD
 * do.  Owns the order and every step:
 *
 *  1. another user, if one is named: supplementary groups, then the gid,
 *     then the uid, all three ids of each, and a check that root cannot
 *     be taken back;
 *  2. no_new_privs, so nothing it executes can gain privileges;
 *  3. Landlock (where the kernel has it): from then on the file system
 *     is read (and executed) only below the "ro" paths and written only
 *     below the "rw" ones.  Descriptors already open are kept, and Unix
 *     sockets are still connected to by path (Landlock does not confine
 *     that), which is how xensim's libraries and syslog are reached;
 *  4. a seccomp filter (syscall_filter.h) denying what a set-up daemon
 *     never calls: mounting, tracing, modules, changing ids, and
 *     executing programs unless keep_exec.
 *
 * A kernel without Landlock is logged and the rest still applies.  What
 * each daemon keeps, and why, is in docs/privilege.md.
 */
#ifndef SHOAL_PRIVDROP_H
#define SHOAL_PRIVDROP_H

#include <stdbool.h>

#include "xs_filter.h"

#define PRIVDROP_MAX_PATHS	32

struct xs_handle;

struct privdrop {
	const char	*user;			/* NULL: keep the uid */
	bool		 keep_exec;		/* re-executes itself (live update) */
	const char	*ro[PRIVDROP_MAX_PATHS];	/* NULL-ended */
	const char	*rw[PRIVDROP_MAX_PATHS];	/* NULL-ended */
	/*
	 * The store, as for files: what it may still read and write once
	 * it is another user, through a broker (xs_broker.h, started by
	 * daemon_drop).  No rules, or is_store: no broker.
	 */
	struct xs_filter store;
	bool		 is_store;		/* xenstored itself */
	/* Which domain $self is: NULL, the connection's own. */
	int		(*store_self)(struct xs_handle *);
};

/* What every daemon still reads: its libraries, /etc, /proc (for the
 * sanitizers), and devices it may open read-only. */
void	 privdrop_base(struct privdrop *);
/* Add a path (copied by reference: it must outlive the call); a NULL
 * path is ignored.  -1 if the table is full. */
int	 privdrop_ro(struct privdrop *, const char *path);
int	 privdrop_rw(struct privdrop *, const char *path);

/* 0, or -1 after logging the step that failed (the daemon should exit:
 * it asked for confinement and does not have it). */
int	 privdrop_apply(const struct privdrop *);

/* Landlock's ABI version here, 0 if the kernel has none. */
int	 privdrop_landlock_abi(void);

#endif /* SHOAL_PRIVDROP_H */
