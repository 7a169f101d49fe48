/*
 * http_file: the files httpd serves, opened safely and kept open.
 *
 * Owns the document root's descriptor and everything opened below it.
 * Every open goes through openat2(2) with RESOLVE_BENEATH from the root,
 * so neither "..", an absolute symbolic link nor a relative one that
 * climbs out can reach outside it; links inside the root are followed.
 * Only regular files are served (a FIFO or a device is 403, and is
 * opened non-blocking so that looking at one cannot stall the server).
 *
 * Found files are cached by request path: the descriptor, its size,
 * validators and media type, the bytes themselves for small files, and
 * the ".gz" and ".br" siblings.  An entry older than the revalidation
 * interval is checked against the file system again before use, so an
 * edit is seen within that interval.  Entries are reference-counted:
 * a response holds its file while it is being sent, even if the entry
 * is evicted or replaced meanwhile.  The cache is bounded in entries
 * and in bytes held, least recently used first out.
 */
#ifndef HTTP_FILE_H
#define HTTP_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "http_date.h"

struct http_mime;

struct http_file {
	int			 fd;
	uint64_t		 size;
	time_t			 mtime;
	char			 etag[48];
	size_t			 etag_len;
	char			 last_modified[HTTP_DATE_LEN + 1];
	const char		*type;		/* owned by the entry */
	const char		*data;		/* the bytes, if small; or NULL */
	struct http_file	*gz, *br;	/* precompressed siblings */
	/* cache bookkeeping (http_file.c) */
	char			*key;
	uint64_t		 dev, ino;
	int64_t			 mtime_ns;
	uint64_t		 checked_ms;
	unsigned		 refs;
	bool			 cached;
	struct http_file	*hnext, *lprev, *lnext;
};

struct http_file_opts {
	const char		*root;
	const char *const	*index;		/* NULL-ended names */
	size_t			 max_entries;
	uint64_t		 max_bytes;	/* file bytes held in memory */
	uint64_t		 small_file;	/* at most this: held in memory */
	unsigned		 revalidate_ms;
};

struct http_files;

/* NULL with err set (the root cannot be opened, no openat2, ...). */
struct http_files *http_files_new(const struct http_file_opts *,
	    const struct http_mime *, char *err, size_t errlen);
/* Entries still referenced are freed by their last http_file_put. */
void		 http_files_free(struct http_files *);
int		 http_files_root_fd(const struct http_files *);

enum http_file_result {
	HTTP_FILE_OK,		/* *out holds a reference */
	HTTP_FILE_NOT_FOUND,	/* 404 */
	HTTP_FILE_FORBIDDEN,	/* 403: outside the root, not a file, ... */
	HTTP_FILE_REDIRECT,	/* a directory named without its "/": 301 */
	HTTP_FILE_ERROR		/* 500: out of memory, EMFILE, ... */
};

/* path: normalised, beginning with "/" (http_path.h); now_ms monotonic. */
enum http_file_result http_file_get(struct http_files *, const char *path,
	    uint64_t now_ms, struct http_file **out);
void		 http_file_put(struct http_files *, struct http_file *);

struct http_file_stats {
	uint64_t	hits, misses, revalidated, replaced, evicted;
	size_t		entries;
	uint64_t	bytes;
};
void		 http_files_stats(const struct http_files *,
		    struct http_file_stats *);

#endif /* HTTP_FILE_H */
