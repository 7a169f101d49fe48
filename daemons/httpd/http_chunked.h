/*
 * http_chunked: the chunked transfer coding of a request body (RFC 9112
 * 7.1), decoded incrementally.  httpd serves static files only, so a
 * body is read to keep the connection in step with the client and then
 * dropped: the decoder checks the framing and counts, it keeps nothing.
 * Framing is strict (CRLF after sizes and data, at most 16 hex digits,
 * bounded extensions and trailers): a body two parsers could split
 * differently is refused.
 */
#ifndef HTTP_CHUNKED_H
#define HTTP_CHUNKED_H

#include <stddef.h>
#include <stdint.h>

struct http_chunked {
	uint8_t		 state;
	uint8_t		 digits;
	uint16_t	 line;		/* bytes of an extension or trailer */
	uint64_t	 left;		/* of the current chunk's data */
	uint64_t	 total;		/* data bytes so far */
	const char	*why;
};

#define HTTP_CHUNKED_MORE	0
#define HTTP_CHUNKED_DONE	1

void	 http_chunked_init(struct http_chunked *);
/*
 * Feeds n bytes; *used says how many belong to the body (the rest are
 * the next request's).  MORE, DONE, or a status: 400 for bad framing,
 * 413 once the data passes max.
 */
int	 http_chunked_feed(struct http_chunked *, const char *p, size_t n,
	    uint64_t max, size_t *used);

#endif /* HTTP_CHUNKED_H */
