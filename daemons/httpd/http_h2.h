/*
 * http_h2: HTTP/2 over TLS (RFC 9113), the framing done by nghttp2.
 *
 * Owns one nghttp2 server session per connection that chose "h2" by
 * ALPN, and the streams in it.  A request's header block is turned back
 * into the HTTP/1.1 head it stands for (":method :path HTTP/1.1",
 * "Host: :authority", the fields) and given to the same parser and the
 * same file-serving core as HTTP/1.1 (http_parse.h, http_static.h), so
 * the two protocols cannot answer the same request differently; the
 * response head is turned into HTTP/2 fields and its body read from the
 * same segments.  A request body (nothing served here uses one) is
 * dropped, its flow-control window given back by nghttp2.
 *
 * Output is bounded: frames nghttp2 produces are gathered up to 64 KiB
 * and written before more are asked for, so a client that does not read
 * holds at most that much here (and its streams' open files).
 */
#ifndef HTTP_H2_H
#define HTTP_H2_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct http_h2;
struct http_server;

/* NULL if nghttp2 cannot set up a session.  The client's address
 * (family and 4 or 16 bytes) is for the access log. */
struct http_h2	*http_h2_new(struct http_server *, int af,
		    const unsigned char *addr);
void		 http_h2_free(struct http_h2 *);
/* Bytes from the client; -1 if the session is broken (close it). */
int		 http_h2_input(struct http_h2 *, const char *, size_t);
/*
 * Bytes for the client, gathered since the last call: *p and the length
 * returned (0: nothing to send).  http_h2_sent() says how many went out.
 */
size_t		 http_h2_output(struct http_h2 *, const char **p);
void		 http_h2_sent(struct http_h2 *, size_t);
/* Whether the session has more to do; false: it ended (GOAWAY sent). */
bool		 http_h2_alive(const struct http_h2 *);
/* Streams open: 0 means the connection is idle. */
size_t		 http_h2_streams(const struct http_h2 *);

#endif /* HTTP_H2_H */
