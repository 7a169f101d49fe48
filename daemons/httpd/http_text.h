/*
 * http_text: a generated body (the status page, /metrics) built in one
 * buffer of fixed capacity.  Owns nothing but that buffer, which the
 * response takes over (resp->parts).  Past the capacity, further text
 * is dropped and the text marked full, so that a system of many domains
 * makes a cut page, never an unbounded one.
 */
#ifndef HTTP_TEXT_H
#define HTTP_TEXT_H

#include <stdbool.h>
#include <stddef.h>

struct http_text {
	char	*p;
	size_t	 len;
	size_t	 cap;
	bool	 full;
};

/* -1 if the buffer cannot be had. */
int	 http_text_init(struct http_text *, size_t cap);
void	 http_text_put(struct http_text *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/*
 * If the text is full: cuts it back to the end of a line far enough to
 * end it with `tail` (at most HTTP_TEXT_TAIL bytes), so that it still
 * parses and the reader sees that it stops short.
 */
#define HTTP_TEXT_TAIL	96
void	 http_text_end_cut(struct http_text *, const char *tail);

#endif /* HTTP_TEXT_H */
