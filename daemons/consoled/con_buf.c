#include <stdlib.h>
#include <string.h>

#include "con_buf.h"

int
con_buf_init(struct con_buf *b, size_t cap)
{
	memset(b, 0, sizeof(*b));
	if (cap > 0 && (b->data = malloc(cap)) == NULL)
		return -1;
	b->cap = cap;
	return 0;
}

void
con_buf_free(struct con_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

static char *
at(const struct con_buf *b, size_t off)
{
	return b->data + (b->head + off) % b->cap;
}

size_t
con_buf_put(struct con_buf *b, const void *p, size_t n)
{
	size_t tail, first;

	if (n > con_buf_room(b))
		n = con_buf_room(b);
	if (n == 0)
		return 0;
	tail = (b->head + b->len) % b->cap;
	first = b->cap - tail < n ? b->cap - tail : n;
	memcpy(b->data + tail, p, first);
	memcpy(b->data, (const char *)p + first, n - first);
	b->len += n;
	return n;
}

void
con_buf_put_evict(struct con_buf *b, const void *p, size_t n)
{
	if (b->cap == 0)
		return;
	if (n > b->cap) {
		p = (const char *)p + (n - b->cap);
		n = b->cap;
	}
	if (n > con_buf_room(b))
		con_buf_drop(b, n - con_buf_room(b));
	con_buf_put(b, p, n);
}

size_t
con_buf_peek(const struct con_buf *b, const char **p)
{
	if (b->len == 0) {
		*p = NULL;
		return 0;
	}
	*p = b->data + b->head;
	return b->cap - b->head < b->len ? b->cap - b->head : b->len;
}

void
con_buf_drop(struct con_buf *b, size_t n)
{
	if (n > b->len)
		n = b->len;
	b->len -= n;
	b->head = b->len == 0 ? 0 : (b->head + n) % b->cap;
}

size_t
con_buf_copy(const struct con_buf *b, size_t off, void *dst, size_t n)
{
	size_t i;

	if (off >= b->len)
		return 0;
	if (n > b->len - off)
		n = b->len - off;
	for (i = 0; i < n; ) {
		size_t pos = (b->head + off + i) % b->cap;
		size_t run = b->cap - pos < n - i ? b->cap - pos : n - i;

		memcpy((char *)dst + i, b->data + pos, run);
		i += run;
	}
	return n;
}

/*
 * A last line without its newline counts as a line, as tail(1) shows
 * it: so the newline that ends the buffer is not a line start.
 */
size_t
con_buf_tail_lines(const struct con_buf *b, size_t n)
{
	size_t i, seen = 0;

	if (n == 0 || b->len == 0)
		return 0;
	for (i = b->len - 1; i > 0; i--)
		if (*at(b, i - 1) == '\n' && ++seen == n)
			return b->len - i;
	return b->len;
}
