/*
 * con_api: consoled's service interface, in plain C, for the RPC layer
 * to wrap (console.list, console.tail, console.follow, console.write).
 *
 * Owns nothing of its own but the follow handles; everything else is
 * read from or handed to the domains (con_dom.h).  A domain is named by
 * its decimal domid or by its name.  All calls are made from the event
 * loop's thread, and return -1 (or NULL) with errno set on failure:
 * ENOENT for a domain consoled does not know, ENOMEM, EINVAL for bad
 * arguments, and for write EIO (its ring is bad) or EAGAIN (nothing
 * fits right now).
 */
#ifndef CON_API_H
#define CON_API_H

#include <sys/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "con_dom.h"

struct con_dominfo {
	unsigned	 domid;
	char		 name[CON_NAME_MAX];
	uint64_t	 seen;		/* bytes read from its ring */
	uint64_t	 dropped;	/* of those, dropped (rate and buffer) */
	bool		 bad;		/* hostile ring indices: not read */
	bool		 attached;	/* its ring is mapped and served */
	char		 tty[64];	/* the pty's path, "" if none */
	char		 log[4096];	/* the log file's path, "" if none */
};

/* Every domain, in no particular order; *v is malloc'd (free it). */
int	con_api_list(struct con_doms *, struct con_dominfo **v, size_t *n);

enum con_unit { CON_LINES, CON_BYTES };

/*
 * The last n lines (a last line without its newline counts) or bytes of
 * the domain's history, at most `history` bytes.  *buf is malloc'd and
 * NUL-terminated after *len bytes; the output may itself hold NULs.
 */
int	con_api_tail(struct con_doms *, const char *dom, enum con_unit,
	    size_t n, char **buf, size_t *len);

/*
 * fn gets every piece of the domain's output from now on, as it is
 * written to the log, and (NULL, 0) once when the domain goes; after
 * that call the handle is freed by consoled and must not be cancelled.
 * fn may cancel its own handle, no other.  NULL with errno on failure.
 */
struct con_follow *con_api_follow(struct con_doms *, const char *dom,
	    con_follow_fn fn, void *arg);
void	con_api_unfollow(struct con_follow *);

/*
 * Bytes for the domain's console input (the ring's `in`, as if typed on
 * its pty).  Up to 4 KiB wait for the guest to read; returns how many
 * were taken, which may be fewer than len; -1 with EAGAIN if none fit.
 */
ssize_t	con_api_write(struct con_doms *, const char *dom, const void *,
	    size_t len);

#endif /* CON_API_H */
