/*
 * con_buf: a bounded byte FIFO (a circular buffer), the one container
 * consoled keeps guest output in: a domain's history for tail and follow,
 * the bytes held back while it is over its rate, the bytes waiting for
 * the pty, and the bytes on their way to the ring's `in`.
 *
 * Owns its storage, allocated once at its capacity: nothing a guest does
 * makes it grow.  Callers choose on a full buffer whether new bytes are
 * refused (con_buf_put) or push the oldest out (con_buf_put_evict).
 */
#ifndef CON_BUF_H
#define CON_BUF_H

#include <stddef.h>

struct con_buf {
	char	*data;
	size_t	 cap, head, len;
};

/* cap 0 is allowed: the buffer then holds nothing.  -1 if no memory. */
int	con_buf_init(struct con_buf *, size_t cap);
void	con_buf_free(struct con_buf *);

static inline size_t
con_buf_room(const struct con_buf *b)
{
	return b->cap - b->len;
}

/* Append what fits; returns how much did. */
size_t	con_buf_put(struct con_buf *, const void *, size_t);
/* Append all of it (its last cap bytes), dropping the oldest as needed. */
void	con_buf_put_evict(struct con_buf *, const void *, size_t);
/* The oldest bytes, as one contiguous run (its length). */
size_t	con_buf_peek(const struct con_buf *, const char **);
void	con_buf_drop(struct con_buf *, size_t);
/* Copy n bytes starting off bytes after the oldest; returns n copied. */
size_t	con_buf_copy(const struct con_buf *, size_t off, void *, size_t n);
/* How many of the newest bytes hold the last n lines (n newlines). */
size_t	con_buf_tail_lines(const struct con_buf *, size_t n);

#endif /* CON_BUF_H */
