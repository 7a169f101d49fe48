/*
 * http_parse: request heads fed whole and byte by byte (each byte in a
 * buffer of its exact size, so that the sanitizer build sees a read past
 * what was given), the fields kept, pipelining, every refusal and its
 * status, the limits at and just past their edges, keep-alive.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_parse.h"
#include "unit.h"

/* request_line, head, fields, field_line */
static const struct http_parse_limits lim = { 256, 1024, 16, 256 };

/* The whole text in one call. */
static int
whole(const char *text, size_t len, struct http_req *r,
    const struct http_parse_limits *l)
{
	char	*b = malloc(len ? len : 1);
	int	 rc;

	ck_assert_ptr_nonnull(b);
	memcpy(b, text, len);
	http_req_init(r);
	rc = http_parse(r, b, len, l);
	free(b);
	return rc;
}

/*
 * One more byte a call, as a slow client sends it, until the parser
 * answers something other than MORE; *fed says how many bytes it had
 * then.  The parser keeps offsets, not pointers, so each call may get a
 * fresh copy holding the same bytes.
 */
static int
bytewise(const char *text, size_t len, struct http_req *r,
    const struct http_parse_limits *l, size_t *fed)
{
	size_t	 i;
	int	 rc = HTTP_PARSE_MORE;
	char	*b;

	http_req_init(r);
	for (i = 1; i <= len && rc == HTTP_PARSE_MORE; i++) {
		ck_assert_ptr_nonnull(b = malloc(i));
		memcpy(b, text, i);
		rc = http_parse(r, b, i, l);
		free(b);
	}
	if (fed != NULL)
		*fed = i - 1;
	return rc;
}

static void
span_is(const char *buf, struct http_span s, const char *want)
{
	char	 got[1024];

	ck_assert_uint_lt(s.len, sizeof(got));
	memcpy(got, buf + s.off, s.len);
	got[s.len] = '\0';
	ck_assert_str_eq(got, want);
}

static void
span_same(struct http_span a, struct http_span b)
{
	ck_assert_uint_eq(a.off, b.off);
	ck_assert_uint_eq(a.len, b.len);
}

/* Everything a finished parse tells its caller, compared. */
static void
same_req(const struct http_req *a, const struct http_req *b)
{
	ck_assert_uint_eq(a->method, b->method);
	ck_assert_uint_eq(a->minor, b->minor);
	span_same(a->method_text, b->method_text);
	span_same(a->target, b->target);
	span_same(a->host, b->host);
	span_same(a->range, b->range);
	span_same(a->if_match, b->if_match);
	span_same(a->if_none_match, b->if_none_match);
	span_same(a->if_modified_since, b->if_modified_since);
	span_same(a->if_unmodified_since, b->if_unmodified_since);
	span_same(a->if_range, b->if_range);
	span_same(a->accept_encoding, b->accept_encoding);
	span_same(a->referer, b->referer);
	span_same(a->user_agent, b->user_agent);
	ck_assert_uint_eq(a->fields, b->fields);
	ck_assert_uint_eq(a->content_length, b->content_length);
	ck_assert_int_eq(a->has_length, b->has_length);
	ck_assert_int_eq(a->chunked, b->chunked);
	ck_assert_int_eq(a->has_host, b->has_host);
	ck_assert_int_eq(a->conn_close, b->conn_close);
	ck_assert_int_eq(a->conn_keep, b->conn_keep);
	ck_assert_int_eq(a->expect_continue, b->expect_continue);
	ck_assert_uint_eq(a->head_len, b->head_len);
}

/* Parsed whole and byte by byte: DONE both ways, the same result. */
static void
parse_ok(const char *text, size_t len, struct http_req *r)
{
	struct http_req	 b;
	size_t		 fed;

	ck_assert_int_eq(whole(text, len, r, &lim), HTTP_PARSE_DONE);
	ck_assert_int_eq(bytewise(text, len, &b, &lim, &fed),
	    HTTP_PARSE_DONE);
	ck_assert_uint_eq(fed, r->head_len);
	same_req(r, &b);
}

/* Refused with status, whole and byte by byte, saying why. */
static void
parse_refused(const char *text, size_t len, int status,
    const struct http_parse_limits *l)
{
	struct http_req	 r;

	ck_assert_int_eq(whole(text, len, &r, l), status);
	ck_assert_ptr_nonnull(r.why);
	ck_assert_int_eq(bytewise(text, len, &r, l, NULL), status);
	ck_assert_ptr_nonnull(r.why);
}

#define GET_HEAD							\
	"GET /dir/file.txt?x=1 HTTP/1.1\r\n"				\
	"Host: example.com\r\n"						\
	"User-Agent: unit/1.0\r\n"					\
	"Range: bytes=0-99\r\n"						\
	"Range: bytes=5-6\r\n"						\
	"If-None-Match: \"abc\"\r\n"					\
	"If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n"		\
	"accept-encoding: gzip, br\r\n"					\
	"Referer: http://example.com/\r\n"				\
	"X-Other:   spaced value \t \r\n"				\
	"\r\n"

START_TEST(test_get)
{
	static const char text[] = GET_HEAD;
	struct http_req	 r;

	parse_ok(text, sizeof(text) - 1, &r);
	ck_assert_uint_eq(r.head_len, sizeof(text) - 1);
	ck_assert_uint_eq(r.method, HTTP_M_GET);
	ck_assert_uint_eq(r.minor, 1);
	span_is(text, r.method_text, "GET");
	span_is(text, r.target, "/dir/file.txt?x=1");
	span_is(text, r.host, "example.com");
	/* Of two Range fields the first. */
	span_is(text, r.range, "bytes=0-99");
	span_is(text, r.if_none_match, "\"abc\"");
	span_is(text, r.if_modified_since, "Sun, 06 Nov 1994 08:49:37 GMT");
	span_is(text, r.accept_encoding, "gzip, br");
	span_is(text, r.referer, "http://example.com/");
	span_is(text, r.user_agent, "unit/1.0");
	ck_assert_uint_eq(r.if_match.len, 0);
	ck_assert_uint_eq(r.if_unmodified_since.len, 0);
	ck_assert_uint_eq(r.if_range.len, 0);
	ck_assert_uint_eq(r.fields, 9);
	ck_assert(r.has_host);
	ck_assert(!r.has_length);
	ck_assert(!r.chunked);
	ck_assert(!r.conn_close);
	ck_assert(!r.expect_continue);
	ck_assert(http_req_keepalive(&r));
	ck_assert(http_span_eq(text, r.host, "EXAMPLE.com"));
	ck_assert(!http_span_eq(text, r.host, "example.co"));
	ck_assert_str_eq(http_method_name(HTTP_M_GET), "GET");
	ck_assert_str_eq(http_method_name(HTTP_M_PATCH), "PATCH");
}
END_TEST

/* Incomplete heads: MORE at every length short of the end, whole too. */
START_TEST(test_more)
{
	static const char text[] = GET_HEAD;
	struct http_req	 r;
	size_t		 n;

	for (n = 0; n < sizeof(text) - 1; n++)
		ck_assert_int_eq(whole(text, n, &r, &lim), HTTP_PARSE_MORE);
}
END_TEST

START_TEST(test_framing_fields)
{
	static const char post[] = "POST /f HTTP/1.1\r\nHost: h\r\n"
	    "Content-Length: 42\r\nExpect: 100-continue\r\n"
	    "Connection: close\r\n\r\n";
	static const char put[] = "PUT /f HTTP/1.1\r\nHost: h\r\n"
	    "Transfer-Encoding: Chunked\r\n\r\n";
	static const char old[] = "POST /f HTTP/1.0\r\n"
	    "Content-Length: 0\r\nExpect: 100-continue\r\n\r\n";
	struct http_req	 r;

	parse_ok(post, sizeof(post) - 1, &r);
	ck_assert_uint_eq(r.method, HTTP_M_POST);
	ck_assert(r.has_length);
	ck_assert_uint_eq(r.content_length, 42);
	ck_assert(!r.chunked);
	ck_assert(r.expect_continue);
	ck_assert(r.conn_close);
	ck_assert(!http_req_keepalive(&r));

	parse_ok(put, sizeof(put) - 1, &r);
	ck_assert_uint_eq(r.method, HTTP_M_PUT);
	ck_assert(r.chunked);
	ck_assert(!r.has_length);

	/* 1.0 has no 100 Continue (RFC 9110 10.1.1). */
	parse_ok(old, sizeof(old) - 1, &r);
	ck_assert_uint_eq(r.minor, 0);
	ck_assert(r.has_length);
	ck_assert_uint_eq(r.content_length, 0);
	ck_assert(!r.expect_continue);
	ck_assert(!r.has_host);
}
END_TEST

/* A second request behind the first is not the first's business. */
START_TEST(test_pipelined)
{
	static const char one[] = "GET /one HTTP/1.1\r\nHost: h\r\n\r\n";
	static const char text[] = "GET /one HTTP/1.1\r\nHost: h\r\n\r\n"
	    "HEAD /two HTTP/1.0\r\nX-A: b\r\n\r\n";
	static const char body[] = "POST /p HTTP/1.1\r\nHost: h\r\n"
	    "Content-Length: 5\r\n\r\nhelloGET / HTTP/1.1\r\n";
	struct http_req	 r, b, two;
	size_t		 fed;

	ck_assert_int_eq(whole(text, sizeof(text) - 1, &r, &lim),
	    HTTP_PARSE_DONE);
	ck_assert_uint_eq(r.head_len, sizeof(one) - 1);
	span_is(text, r.target, "/one");
	ck_assert_uint_eq(r.fields, 1);
	/* Byte by byte it stops at the same byte, not one later. */
	ck_assert_int_eq(bytewise(text, sizeof(text) - 1, &b, &lim, &fed),
	    HTTP_PARSE_DONE);
	ck_assert_uint_eq(fed, sizeof(one) - 1);
	same_req(&r, &b);
	/* Called again once done: still done, nothing moved. */
	ck_assert_int_eq(http_parse(&r, text, sizeof(text) - 1, &lim),
	    HTTP_PARSE_DONE);
	same_req(&r, &b);
	/* What is left is a whole request of its own. */
	http_req_init(&two);
	ck_assert_int_eq(http_parse(&two, text + r.head_len,
	    sizeof(text) - 1 - r.head_len, &lim), HTTP_PARSE_DONE);
	ck_assert_uint_eq(two.method, HTTP_M_HEAD);
	ck_assert_uint_eq(two.minor, 0);
	span_is(text + r.head_len, two.target, "/two");
	ck_assert_uint_eq(two.head_len, sizeof(text) - sizeof(one));

	/* A body is not part of the head. */
	ck_assert_int_eq(whole(body, sizeof(body) - 1, &r, &lim),
	    HTTP_PARSE_DONE);
	ck_assert_uint_eq(r.head_len, strstr(body, "hello") - body);
	ck_assert_uint_eq(r.content_length, 5);
}
END_TEST

START_TEST(test_empty_lines_and_lf)
{
	static const char lead[] = "\r\n\r\nGET /a HTTP/1.1\r\nHost: h\r\n\r\n";
	static const char leadlf[] = "\n\nGET /a HTTP/1.1\r\nHost: h\r\n\r\n";
	static const char lf[] = "GET /x HTTP/1.1\nHost: h\n"
	    "Range: bytes=1-2\nX-A: b\r\n\n";
	struct http_req	 r;

	parse_ok(lead, sizeof(lead) - 1, &r);
	ck_assert_uint_eq(r.method_text.off, 4);
	span_is(lead, r.target, "/a");
	span_is(lead, r.host, "h");
	ck_assert_uint_eq(r.head_len, sizeof(lead) - 1);

	parse_ok(leadlf, sizeof(leadlf) - 1, &r);
	ck_assert_uint_eq(r.method_text.off, 2);
	span_is(leadlf, r.target, "/a");

	/* Bare LF ends a line (RFC 9112 2.2), CR stays out of the values. */
	parse_ok(lf, sizeof(lf) - 1, &r);
	span_is(lf, r.target, "/x");
	span_is(lf, r.host, "h");
	span_is(lf, r.range, "bytes=1-2");
	ck_assert_uint_eq(r.fields, 3);
	ck_assert_uint_eq(r.head_len, sizeof(lf) - 1);
}
END_TEST

START_TEST(test_methods_versions)
{
	static const char lower[] = "get / HTTP/1.1\r\nHost: h\r\n\r\n";
	static const char other[] = "BREW /pot HTTP/1.1\r\nHost: h\r\n\r\n";
	static const char v12[] = "GET / HTTP/1.2\r\nHost: h\r\n\r\n";
	static const char v10[] = "OPTIONS * HTTP/1.0\r\n\r\n";
	struct http_req	 r;

	/* Methods are case-sensitive: "get" is not GET. */
	parse_ok(lower, sizeof(lower) - 1, &r);
	ck_assert_uint_eq(r.method, HTTP_M_OTHER);
	span_is(lower, r.method_text, "get");
	parse_ok(other, sizeof(other) - 1, &r);
	ck_assert_uint_eq(r.method, HTTP_M_OTHER);
	span_is(other, r.method_text, "BREW");
	/* A later 1.x is answered as 1.1. */
	parse_ok(v12, sizeof(v12) - 1, &r);
	ck_assert_uint_eq(r.minor, 1);
	/* 1.0 needs no Host. */
	parse_ok(v10, sizeof(v10) - 1, &r);
	ck_assert_uint_eq(r.minor, 0);
	ck_assert_uint_eq(r.method, HTTP_M_OPTIONS);
	span_is(v10, r.target, "*");
}
END_TEST

/* Each refusal, by what is wrong; the text may hold a NUL. */
struct refusal {
	const char	*what;
	const char	*text;
	size_t		 len;
	int		 status;
};
#define R(what, text, status)	{ what, text, sizeof(text) - 1, status }
#define H11	"GET / HTTP/1.1\r\nHost: h\r\n"

static const struct refusal refusals[] = {
	R("bare CR in a field value", H11 "X-A: b\rc\r\n\r\n", 400),
	R("bare CR ending a field line",
	    "GET / HTTP/1.1\r\nHost: h\rX-A: b\r\n\r\n", 400),
	R("bare CR in the target", "GET /a\rb HTTP/1.1\r\nHost: h\r\n\r\n",
	    400),
	R("CR CR LF after the version",
	    "GET / HTTP/1.1\r\r\nHost: h\r\n\r\n", 400),
	R("bare CR before the request line",
	    "\rGET / HTTP/1.1\r\nHost: h\r\n\r\n", 400),
	R("obs-fold", H11 "X-A: b\r\n c\r\n\r\n", 400),
	R("obs-fold with a tab", H11 "X-A: b\r\n\tc\r\n\r\n", 400),
	R("space before the colon",
	    "GET / HTTP/1.1\r\nHost : h\r\n\r\n", 400),
	R("tab before the colon", H11 "X-A\t: b\r\n\r\n", 400),
	R("NUL in a field value", H11 "X-A: b\0c\r\n\r\n", 400),
	R("NUL in a field name", H11 "X\0A: b\r\n\r\n", 400),
	R("DEL in a field value", H11 "X-A: b\x7f" "c\r\n\r\n", 400),
	R("field line without a colon", H11 "X-A b\r\n\r\n", 400),
	R("empty field name", H11 ": b\r\n\r\n", 400),
	R("Content-Length twice, the same",
	    H11 "Content-Length: 5\r\nContent-Length: 5\r\n\r\n", 400),
	R("Content-Length twice, different",
	    H11 "Content-Length: 5\r\nContent-Length: 6\r\n\r\n", 400),
	R("Content-Length not a number", H11 "Content-Length: 5x\r\n\r\n",
	    400),
	R("Content-Length negative", H11 "Content-Length: -1\r\n\r\n", 400),
	R("Content-Length a list", H11 "Content-Length: 5, 5\r\n\r\n", 400),
	R("Content-Length with a sign", H11 "Content-Length: +5\r\n\r\n",
	    400),
	R("Content-Length empty", H11 "Content-Length:\r\n\r\n", 400),
	R("Content-Length over 64 bits",
	    H11 "Content-Length: 99999999999999999999999\r\n\r\n", 400),
	R("Content-Length and chunked",
	    H11 "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
	    400),
	R("chunked and Content-Length",
	    H11 "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n",
	    400),
	R("Transfer-Encoding gzip", H11 "Transfer-Encoding: gzip\r\n\r\n",
	    501),
	R("Transfer-Encoding gzip, chunked",
	    H11 "Transfer-Encoding: gzip, chunked\r\n\r\n", 501),
	R("chunked twice", H11 "Transfer-Encoding: chunked, chunked\r\n\r\n",
	    400),
	R("chunked in HTTP/1.0",
	    "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
	R("HTTP/1.1 without Host", "GET / HTTP/1.1\r\nX-A: b\r\n\r\n", 400),
	R("empty Host", "GET / HTTP/1.1\r\nHost:\r\n\r\n", 400),
	R("Host of blanks only", "GET / HTTP/1.1\r\nHost:  \t \r\n\r\n", 400),
	R("two Hosts", "GET / HTTP/1.1\r\nHost: h\r\nHost: h\r\n\r\n", 400),
	R("two Hosts in HTTP/1.0",
	    "GET / HTTP/1.0\r\nHost: a\r\nhost: b\r\n\r\n", 400),
	R("Host with a slash", "GET / HTTP/1.1\r\nHost: h/x\r\n\r\n", 400),
	R("Host with userinfo", "GET / HTTP/1.1\r\nHost: u@h\r\n\r\n", 400),
	R("HTTP/2.0", "GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505),
	R("HTTP/3", "GET / HTTP/3\r\nHost: h\r\n\r\n", 505),
	R("HTTP/1.1x", "GET / HTTP/1.1x\r\nHost: h\r\n\r\n", 400),
	R("HTTP/1", "GET / HTTP/1\r\nHost: h\r\n\r\n", 400),
	R("HTTP/11", "GET / HTTP/11\r\nHost: h\r\n\r\n", 400),
	R("lowercase version", "GET / http/1.1\r\nHost: h\r\n\r\n", 400),
	R("space after the version", "GET / HTTP/1.1 \r\nHost: h\r\n\r\n",
	    400),
	R("two spaces after the method",
	    "GET  / HTTP/1.1\r\nHost: h\r\n\r\n", 400),
	R("no target", "GET HTTP/1.1\r\nHost: h\r\n\r\n", 400),
	R("tab as a separator", "GET\t/ HTTP/1.1\r\nHost: h\r\n\r\n", 400),
	R("no method", " / HTTP/1.1\r\nHost: h\r\n\r\n", 400),
};

START_TEST(test_refusal)
{
	const struct refusal	*t = &refusals[_i];
	struct http_req		 r;
	int			 a, b;

	a = whole(t->text, t->len, &r, &lim);
	ck_assert_msg(a == t->status, "%s: whole: %d, not %d", t->what, a,
	    t->status);
	ck_assert_ptr_nonnull(r.why);
	b = bytewise(t->text, t->len, &r, &lim, NULL);
	ck_assert_msg(b == t->status, "%s: byte by byte: %d, not %d",
	    t->what, b, t->status);
	ck_assert_ptr_nonnull(r.why);
}
END_TEST

/* "GET /aaa... HTTP/1.1" of exactly n bytes, CRLF excluded. */
static size_t
long_line(char *out, size_t n)
{
	size_t	 t = n - strlen("GET  HTTP/1.1");

	memcpy(out, "GET /", 5);
	memset(out + 5, 'a', t - 1);
	strcpy(out + 4 + t, " HTTP/1.1\r\nHost: h\r\n\r\n");
	return strlen(out);
}

START_TEST(test_request_line_limit)
{
	char		 buf[1024];
	size_t		 len;
	struct http_req	 r;

	len = long_line(buf, lim.request_line);
	ck_assert_uint_eq(strchr(buf, '\r') - buf, lim.request_line);
	parse_ok(buf, len, &r);
	ck_assert_uint_eq(r.target.len, lim.request_line - 13);
	len = long_line(buf, lim.request_line + 1);
	parse_refused(buf, len, 414, &lim);
	/* Too long before the line even ends: one byte past the limit
	 * may still be the CR, two may not. */
	len = long_line(buf, lim.request_line + 40);
	ck_assert_int_eq(whole(buf, lim.request_line + 1, &r, &lim),
	    HTTP_PARSE_MORE);
	parse_refused(buf, lim.request_line + 2, 414, &lim);
}
END_TEST

/* A field line "X-L: aaa..." of exactly n bytes, CRLF excluded. */
static size_t
long_field(char *out, size_t n)
{
	size_t	 o = strlen(H11);

	memcpy(out, H11, o);
	memcpy(out + o, "X-L: ", 5);
	memset(out + o + 5, 'a', n - 5);
	strcpy(out + o + n, "\r\n\r\n");
	return strlen(out);
}

START_TEST(test_field_line_limit)
{
	char		 buf[1024];
	size_t		 len;
	struct http_req	 r;

	len = long_field(buf, lim.field_line);
	parse_ok(buf, len, &r);
	ck_assert_uint_eq(r.fields, 2);
	len = long_field(buf, lim.field_line + 1);
	parse_refused(buf, len, 431, &lim);
	/* Unfinished, two bytes past the limit (one may be the CR). */
	len = long_field(buf, lim.field_line + 40);
	ck_assert_int_eq(whole(buf, strlen(H11) + lim.field_line + 1, &r,
	    &lim), HTTP_PARSE_MORE);
	parse_refused(buf, strlen(H11) + lim.field_line + 2, 431, &lim);
}
END_TEST

/* Host and n - 1 fields "X-n: v". */
static size_t
many_fields(char *out, unsigned n)
{
	unsigned	 i;

	strcpy(out, H11);
	for (i = 1; i < n; i++)
		sprintf(out + strlen(out), "X-%u: v\r\n", i);
	strcat(out, "\r\n");
	return strlen(out);
}

START_TEST(test_fields_limit)
{
	char		 buf[1024];
	size_t		 len;
	struct http_req	 r;

	len = many_fields(buf, lim.fields);
	parse_ok(buf, len, &r);
	ck_assert_uint_eq(r.fields, lim.fields);
	len = many_fields(buf, lim.fields + 1);
	parse_refused(buf, len, 431, &lim);
}
END_TEST

/* A head of exactly total bytes: H11, fields of at most 200, CRLF. */
static size_t
sized_head(char *out, size_t total)
{
	size_t	 rem = total - strlen(H11) - 2, k, i, n, o;

	strcpy(out, H11);
	o = strlen(out);
	k = (rem + 199) / 200;
	for (i = 0; i < k; i++) {
		n = rem / k + (i < rem % k);	/* this line, CRLF in */
		memcpy(out + o, "X:", 2);
		memset(out + o + 2, 'a', n - 4);
		memcpy(out + o + n - 2, "\r\n", 2);
		o += n;
	}
	strcpy(out + o, "\r\n");
	return o + 2;
}

START_TEST(test_head_limit)
{
	char		 buf[2048];
	size_t		 len;
	struct http_req	 r;

	len = sized_head(buf, lim.head);
	ck_assert_uint_eq(len, lim.head);
	parse_ok(buf, len, &r);
	ck_assert_uint_eq(r.head_len, lim.head);
	len = sized_head(buf, lim.head + 1);
	ck_assert_uint_eq(len, lim.head + 1);
	parse_refused(buf, len, 431, &lim);
	len = sized_head(buf, 1500);
	parse_refused(buf, len, 431, &lim);
}
END_TEST

/*
 * BUG: http_parse.c, the head limit reached while still before the
 * request line (here by 600 leading empty lines, 1200 bytes, limits as
 * everywhere in this file).  Whole, http_parse answers 414 (its
 * "r->phase == HTTP_PH_LINE ? 414 : 431"); byte by byte 431 (its
 * "len >= lim->head" after the loop).  http_parse.h: the head over its
 * limit is 431, 414 only for a request line over request_line (this one
 * is 14 bytes); and feeding more bytes "resumes the scan", so the same
 * bytes must get the same answer however they arrive.
 */
START_TEST(test_head_limit_before_request_line)
{
	char		 buf[2048];
	size_t		 o = 0;
	int		 i;
	struct http_req	 r;
	int		 a, b;

	for (i = 0; i < 600; i++, o += 2)
		memcpy(buf + o, "\r\n", 2);
	strcpy(buf + o, H11 "\r\n");
	a = whole(buf, strlen(buf), &r, &lim);
	b = bytewise(buf, strlen(buf), &r, &lim, NULL);
	ck_assert_msg(a == b, "whole %d, byte by byte %d", a, b);
	ck_assert_int_eq(a, 431);
}
END_TEST

START_TEST(test_keepalive)
{
	static const struct {
		const char	*text;
		bool		 keep;
	} t[] = {
		{ "GET / HTTP/1.1\r\nHost: h\r\n\r\n", true },
		{ "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
		    false },
		{ "GET / HTTP/1.1\r\nHost: h\r\nConnection: Close\r\n\r\n",
		    false },
		{ "GET / HTTP/1.1\r\nHost: h\r\n"
		    "Connection: keep-alive, close\r\n\r\n", false },
		{ "GET / HTTP/1.1\r\nHost: h\r\n"
		    "Connection: upgrade\r\n\r\n", true },
		{ "GET / HTTP/1.0\r\n\r\n", false },
		{ "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true },
		{ "GET / HTTP/1.0\r\nConnection: foo, Keep-Alive\r\n\r\n",
		    true },
		{ "GET / HTTP/1.0\r\nConnection: keep-alive\r\n"
		    "Connection: close\r\n\r\n", false },
	};
	struct http_req	 r;
	size_t		 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		parse_ok(t[i].text, strlen(t[i].text), &r);
		ck_assert_msg(http_req_keepalive(&r) == t[i].keep,
		    "%s: keep-alive should be %d", t[i].text, t[i].keep);
	}
}
END_TEST

void	http_test_parse(Suite *);

void
http_test_parse(Suite *s)
{
	TCase	*tc = tcase_create("parse");

	tcase_add_test(tc, test_get);
	tcase_add_test(tc, test_more);
	tcase_add_test(tc, test_framing_fields);
	tcase_add_test(tc, test_pipelined);
	tcase_add_test(tc, test_empty_lines_and_lf);
	tcase_add_test(tc, test_methods_versions);
	tcase_add_loop_test(tc, test_refusal, 0,
	    sizeof(refusals) / sizeof(refusals[0]));
	tcase_add_test(tc, test_request_line_limit);
	tcase_add_test(tc, test_field_line_limit);
	tcase_add_test(tc, test_fields_limit);
	tcase_add_test(tc, test_head_limit);
	tcase_add_test(tc, test_head_limit_before_request_line);
	tcase_add_test(tc, test_keepalive);
	suite_add_tcase(s, tc);
}
