/*
 * http_cond: conditional requests (RFC 9110 13) and the choice of a
 * precompressed sibling by Accept-Encoding (12.5.3).
 *
 * The preconditions are evaluated in 13.2.2's order: If-Match, else
 * If-Unmodified-Since (412 when false); then If-None-Match, else
 * If-Modified-Since for GET and HEAD (304 when false).  If-Range decides
 * whether a Range applies.  Entity tags are compared strongly except for
 * If-None-Match, which compares weakly, as 13.1.2 says.
 */
#ifndef HTTP_COND_H
#define HTTP_COND_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "http_parse.h"

struct http_validators {
	const char	*etag;		/* with its quotes: "\"...\"" */
	size_t		 etag_len;
	time_t		 mtime;
};

/* 0 to go on, 304 or 412. */
int	 http_cond_check(const char *buf, const struct http_req *,
	    const struct http_validators *);
/* Whether the Range applies (true when there is no If-Range). */
bool	 http_cond_if_range(const char *buf, const struct http_req *,
	    const struct http_validators *);

#define HTTP_ENC_GZIP	0x1
#define HTTP_ENC_BR	0x2
/* The codings Accept-Encoding allows (q > 0), as HTTP_ENC_* bits. */
unsigned http_accept_encoding(const char *v, size_t len);

#endif /* HTTP_COND_H */
