/*
 * http_path: from a request target to the path below the document root.
 *
 * Owns everything done to the target before it touches the file system
 * (RFC 9112 3.2, RFC 3986 5.2.4): the absolute form's scheme and
 * authority dropped, the query split off, percent-decoding (a bad escape
 * or an encoded NUL is refused), then "." and ".." segments removed and
 * repeated slashes merged.  A ".." that would climb above the root is
 * refused rather than clamped, so a request never names a file outside
 * the root by its path; symbolic links are the file opener's business
 * (http_file.h).
 */
#ifndef HTTP_PATH_H
#define HTTP_PATH_H

#include <stddef.h>

#define HTTP_PATH_MAX	8192

struct http_path {
	char		 path[HTTP_PATH_MAX];	/* "/", "/a/b", "/dir/" */
	size_t		 len;
	const char	*query;			/* into the target, or NULL */
	size_t		 query_len;
	int		 asterisk;		/* the target was "*" */
};

/* 0, or 400 (414 for a path too long) with *why set. */
int	 http_path_parse(const char *target, size_t len, struct http_path *,
	    const char **why);

#endif /* HTTP_PATH_H */
