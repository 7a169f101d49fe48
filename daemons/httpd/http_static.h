/*
 * http_static: what a request for a static file is answered with.
 *
 * Owns the decisions of RFC 9110 for a GET or HEAD of a file: the method
 * (405 with Allow, 501 for one we do not know), the path (http_path.h),
 * the file (http_file.h: 301 for a directory without its slash, 403,
 * 404), the representation (a precompressed sibling by Accept-Encoding,
 * with Vary), the preconditions (304, 412), the ranges (206, multipart,
 * 416) and the fields that go with each.  It fills a struct http_resp
 * and does no I/O of its own.
 */
#ifndef HTTP_STATIC_H
#define HTTP_STATIC_H

#include <stdbool.h>
#include <stdint.h>

#include "http_date.h"

struct http_config;
struct http_files;
struct http_req;
struct http_resp;

struct http_site {
	const struct http_config	*cfg;
	struct http_files		*files;
	char				 date[HTTP_DATE_LEN + 1];
	uint64_t			 now_ms;	/* monotonic */
};

void	 http_static_serve(struct http_site *, const char *buf,
	    const struct http_req *, struct http_resp *, bool keepalive);

#endif /* HTTP_STATIC_H */
