/*
 * http_range: the Range field (RFC 9110 14.1-14.2), bytes only.
 *
 * A field in another unit is ignored (the whole representation is
 * sent).  A bytes field that does not parse, or whose every range starts
 * past the end, is answered 416: RFC 9110 14.2 would ignore a malformed
 * one, but nginx and lighttpd both refuse it and a client gains nothing
 * from the difference (docs/httpd.md).  Ranges past the end are clamped,
 * unsatisfiable ones among others dropped.  An empty file is sent whole.
 * More than the configured number of ranges is ignored: a client asking
 * for hundreds of slices gets the file once instead of a response many
 * times its size.
 */
#ifndef HTTP_RANGE_H
#define HTTP_RANGE_H

#include <stddef.h>
#include <stdint.h>

struct http_range {
	uint64_t	first, last;	/* inclusive */
};

enum http_range_result {
	HTTP_RANGE_IGNORE,	/* send it all: 200 */
	HTTP_RANGE_OK,		/* *n ranges: 206 */
	HTTP_RANGE_UNSAT	/* 416 */
};

enum http_range_result http_range_parse(const char *v, size_t len,
	    uint64_t size, struct http_range *out, unsigned max, unsigned *n);

#endif /* HTTP_RANGE_H */
