/*
 * http_parse: HTTP/1.x request heads (RFC 9112 sections 2-7, RFC 9110's
 * field rules), parsed incrementally and without allocating.
 *
 * The connection keeps the bytes; the parser keeps only offsets into
 * them (struct http_span) and where it stopped, so feeding it more bytes
 * resumes the scan instead of starting over, and a pipelined request
 * behind this one is left untouched.  Only the fields a static server
 * acts on are kept; every other field is checked for syntax and counted
 * against the limits, then forgotten.
 *
 * Strictness is chosen against request smuggling: anything two parsers
 * could read differently (a space before the colon, obs-fold, a bare CR,
 * duplicate or malformed Content-Length, Content-Length beside
 * Transfer-Encoding, a coding other than chunked) is refused with a
 * status, never guessed at.  docs/httpd.md lists each choice.
 */
#ifndef HTTP_PARSE_H
#define HTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A piece of the connection's buffer. */
struct http_span {
	uint32_t	off, len;
};

enum http_method {
	HTTP_M_OTHER, HTTP_M_GET, HTTP_M_HEAD, HTTP_M_POST, HTTP_M_PUT,
	HTTP_M_DELETE, HTTP_M_OPTIONS, HTTP_M_TRACE, HTTP_M_CONNECT,
	HTTP_M_PATCH
};

struct http_parse_limits {
	uint32_t	request_line;	/* bytes, CRLF excluded: else 414 */
	uint32_t	head;		/* the whole head: else 431 */
	uint32_t	fields;		/* field lines: else 431 */
	uint32_t	field_line;	/* bytes of one: else 431 */
};

/* Where the scan is and what it found. */
struct http_req {
	/* scanner */
	uint32_t		pos;		/* next byte to scan */
	uint32_t		line;		/* start of the line being read */
	uint8_t			phase;		/* HTTP_PH_* (http_parse.c) */
	/* request line */
	uint8_t			method;		/* enum http_method */
	uint8_t			minor;		/* HTTP/1.minor: 0 or 1 */
	struct http_span	method_text;
	struct http_span	target;
	/* fields a static server acts on (len 0: absent) */
	struct http_span	host, range, if_match, if_none_match,
				if_modified_since, if_unmodified_since,
				if_range, accept_encoding, referer,
				user_agent;
	uint32_t		fields;
	uint64_t		content_length;
	bool			has_length;
	bool			chunked;
	bool			has_host;
	bool			conn_close;	/* Connection: close */
	bool			conn_keep;	/* Connection: keep-alive */
	bool			expect_continue;
	uint32_t		head_len;	/* bytes of the head, once done */
	const char		*why;		/* what was wrong, for the log */
};

/* The parse's outcome: more bytes needed, a complete head, or a status
 * to answer with (400, 414, 431, 501, 505). */
#define HTTP_PARSE_MORE	0
#define HTTP_PARSE_DONE	1

void	 http_req_init(struct http_req *);
/* buf holds len bytes of which the request begins at 0; spans are
 * offsets into it.  Call again with the same buffer grown. */
int	 http_parse(struct http_req *, const char *buf, size_t len,
	    const struct http_parse_limits *);

/* Keep-alive as the version and Connection decide. */
bool	 http_req_keepalive(const struct http_req *);
const char *http_method_name(enum http_method);

/* Case-insensitive comparison of a span's bytes with a NUL-ended word. */
bool	 http_span_eq(const char *buf, struct http_span, const char *word);

#endif /* HTTP_PARSE_H */
