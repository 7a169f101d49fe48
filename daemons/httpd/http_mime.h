/*
 * http_mime: file name extension to media type, from a mime.types file
 * (Debian's /etc/mime.types, package media-types): "type ext ext ...",
 * "#" comments.  Loaded once per configuration into one sorted table;
 * lookups are a binary search, ASCII case-insensitive.  A name without
 * a known extension is application/octet-stream.
 */
#ifndef HTTP_MIME_H
#define HTTP_MIME_H

#include <stddef.h>

struct http_mime;

/* NULL with err set (FILE: why). */
struct http_mime *http_mime_load(const char *path, char *err, size_t errlen);
void		 http_mime_free(struct http_mime *);
/* Never NULL; the string lives as long as the table. */
const char	*http_mime_type(const struct http_mime *, const char *name);
size_t		 http_mime_count(const struct http_mime *);

#endif /* HTTP_MIME_H */
