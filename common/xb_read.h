/*
 * xb_read: a key read from the store as the other end of a split driver
 * wrote it, for both halves of the handshake (xb_backend.c,
 * xb_frontend.c): the other end is hostile, so a value longer than
 * XB_READ_MAX bytes or with a NUL inside is not read at all, and a
 * number is parsed whole and within the caller's bound.
 */
#ifndef SHOAL_XB_READ_H
#define SHOAL_XB_READ_H

#define XB_READ_MAX	256	/* a value read, at most */

struct xs_handle;

/* DIR/KEY, malloc'd; NULL if absent, longer, or holding a NUL. */
char	*xb_read_bounded(struct xs_handle *, const char *dir,
	    const char *key);
/* DIR/KEY as a number within [0, max]; 0, or -1 if not one. */
int	 xb_read_ulong(struct xs_handle *, const char *dir, const char *key,
	    unsigned long max, unsigned long *out);

#endif /* SHOAL_XB_READ_H */
