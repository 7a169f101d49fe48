#include <string.h>
#include <strings.h>

#include "http_parse.h"

enum { HTTP_PH_LINE, HTTP_PH_FIELDS, HTTP_PH_DONE };

/* tchar (RFC 9110 5.6.2): the bytes a method or field name is made of. */
static const uint8_t tchar[256] = {
	['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['&'] = 1, ['\''] = 1,
	['*'] = 1, ['+'] = 1, ['-'] = 1, ['.'] = 1, ['^'] = 1, ['_'] = 1,
	['`'] = 1, ['|'] = 1, ['~'] = 1,
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
	['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
	['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
	['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
	['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
	['Y'] = 1, ['Z'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
	['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
	['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
	['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1,
};

static const struct {
	const char	*name;
	uint8_t		 method;
} methods[] = {
	{ "GET", HTTP_M_GET }, { "HEAD", HTTP_M_HEAD },
	{ "POST", HTTP_M_POST }, { "PUT", HTTP_M_PUT },
	{ "DELETE", HTTP_M_DELETE }, { "OPTIONS", HTTP_M_OPTIONS },
	{ "TRACE", HTTP_M_TRACE }, { "CONNECT", HTTP_M_CONNECT },
	{ "PATCH", HTTP_M_PATCH },
};

void
http_req_init(struct http_req *r)
{
	memset(r, 0, sizeof(*r));
}

const char *
http_method_name(enum http_method m)
{
	size_t	 i;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (methods[i].method == m)
			return methods[i].name;
	return "?";
}

bool
http_span_eq(const char *buf, struct http_span s, const char *word)
{
	return strlen(word) == s.len &&
	    strncasecmp(buf + s.off, word, s.len) == 0;
}

static int
fail(struct http_req *r, int status, const char *why)
{
	r->why = why;
	return status;
}

static struct http_span
span(uint32_t from, uint32_t to)
{
	struct http_span s = { from, to - from };

	return s;
}

/* Methods are case-sensitive (RFC 9110 9.1): "get" is some other one. */
static uint8_t
method_of(const char *p, size_t n)
{
	size_t	 i;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strlen(methods[i].name) == n &&
		    memcmp(methods[i].name, p, n) == 0)
			return methods[i].method;
	return HTTP_M_OTHER;
}

/* "HTTP/" DIGIT "." DIGIT (RFC 9112 2.3); "HTTP/2" or "HTTP/3" without
 * a minor is another major version, the rest is malformed. */
static int
version(struct http_req *r, const char *p, size_t n)
{
	if (n < 6 || memcmp(p, "HTTP/", 5) != 0 || p[5] < '0' || p[5] > '9')
		return fail(r, 400, "malformed HTTP version");
	if (n == 6 || (n == 8 && p[6] == '.' && p[7] >= '0' && p[7] <= '9')) {
		if (p[5] != '1')
			return fail(r, 505, "HTTP major version other than 1");
		if (n == 8) {
			/* A later 1.x is answered as 1.1, our highest. */
			r->minor = p[7] == '0' ? 0 : 1;
			return 0;
		}
	}
	return fail(r, 400, "malformed HTTP version");
}

/* method SP request-target SP HTTP-version, single spaces. */
static int
request_line(struct http_req *r, const char *buf, uint32_t from, uint32_t to)
{
	uint32_t	 i = from, t;

	while (i < to && tchar[(uint8_t)buf[i]])
		i++;
	if (i == from || i == to || buf[i] != ' ')
		return fail(r, 400, "malformed method");
	r->method_text = span(from, i);
	r->method = method_of(buf + from, i - from);
	t = ++i;
	/* Any visible byte; 8-bit ones are let through as most servers
	 * do, controls (NUL, CR, TAB, DEL) and spaces are not. */
	while (i < to && (uint8_t)buf[i] > ' ' && buf[i] != 0x7f)
		i++;
	if (i == t || i == to || buf[i] != ' ')
		return fail(r, 400, "malformed request target");
	r->target = span(t, i);
	return version(r, buf + i + 1, to - i - 1);
}

/* Content-Length: 1*DIGIT, and a repeat must say the same. */
static int
content_length(struct http_req *r, const char *p, uint32_t n)
{
	uint64_t	 v = 0;
	uint32_t	 i;

	if (n == 0)
		return fail(r, 400, "empty Content-Length");
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return fail(r, 400, "malformed Content-Length");
		if (v > (UINT64_MAX - 9) / 10)
			return fail(r, 400, "Content-Length too large");
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	/* Even a repeat of the same value is refused, as nginx and
	 * lighttpd do: only one framing reading is ever possible. */
	if (r->has_length)
		return fail(r, 400, "more than one Content-Length field");
	r->has_length = true;
	r->content_length = v;
	return 0;
}

/*
 * Calls fn for each element of a comma-separated list, OWS trimmed and
 * empty elements skipped (RFC 9110 5.6.1).  Stops at fn's first nonzero.
 */
static int
each_element(struct http_req *r, const char *p, uint32_t n,
    int (*fn)(struct http_req *, const char *, uint32_t))
{
	uint32_t	 i = 0, s, e;
	int		 rc;

	while (i < n) {
		while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == ','))
			i++;
		s = i;
		while (i < n && p[i] != ',')
			i++;
		e = i;
		while (e > s && (p[e - 1] == ' ' || p[e - 1] == '\t'))
			e--;
		if (e > s && (rc = fn(r, p + s, e - s)) != 0)
			return rc;
	}
	return 0;
}

/* Only chunked, once: other codings are not ours to decode (501). */
static int
coding(struct http_req *r, const char *p, uint32_t n)
{
	if (n != 7 || strncasecmp(p, "chunked", 7) != 0)
		return fail(r, 501, "transfer coding other than chunked");
	if (r->chunked)
		return fail(r, 400, "chunked applied twice");
	r->chunked = true;
	return 0;
}

static int
connection_option(struct http_req *r, const char *p, uint32_t n)
{
	if (n == 5 && strncasecmp(p, "close", 5) == 0)
		r->conn_close = true;
	else if (n == 10 && strncasecmp(p, "keep-alive", 10) == 0)
		r->conn_keep = true;
	return 0;
}

/* uri-host [":" port]: no spaces, slashes, "@" or other delimiters. */
static int
host(struct http_req *r, const char *p, uint32_t n, struct http_span v)
{
	static const char	 ok[] = "-._~:[]!$&'()*+,;=%";
	uint32_t		 i;

	if (r->has_host)
		return fail(r, 400, "more than one Host field");
	if (n == 0)
		return fail(r, 400, "empty Host");
	for (i = 0; i < n; i++)
		if (!(p[i] >= 'a' && p[i] <= 'z') &&
		    !(p[i] >= 'A' && p[i] <= 'Z') &&
		    !(p[i] >= '0' && p[i] <= '9') && strchr(ok, p[i]) == NULL)
			return fail(r, 400, "malformed Host");
	r->has_host = true;
	r->host = v;
	return 0;
}

/* Keeps the fields we act on; name is already known to be a token. */
static int
field(struct http_req *r, const char *buf, struct http_span name,
    struct http_span v)
{
	const char	*n = buf + name.off, *p = buf + v.off;

#define IS(s)	(name.len == sizeof(s) - 1 && strncasecmp(n, s, name.len) == 0)
	if (IS("host"))
		return host(r, p, v.len, v);
	if (IS("content-length"))
		return content_length(r, p, v.len);
	if (IS("transfer-encoding"))
		return each_element(r, p, v.len, coding);
	if (IS("connection"))
		return each_element(r, p, v.len, connection_option);
	/* Other expectations are ignored (10.1.1 allows a 417; nginx and
	 * lighttpd answer normally). */
	if (IS("expect")) {
		if (v.len == 12 && strncasecmp(p, "100-continue", 12) == 0)
			r->expect_continue = true;
	} else if (IS("range")) {
		if (r->range.len == 0)	/* the first, as nginx and lighttpd */
			r->range = v;
	}
	else if (IS("if-match"))
		r->if_match = v;
	else if (IS("if-none-match"))
		r->if_none_match = v;
	else if (IS("if-modified-since"))
		r->if_modified_since = v;
	else if (IS("if-unmodified-since"))
		r->if_unmodified_since = v;
	else if (IS("if-range"))
		r->if_range = v;
	else if (IS("accept-encoding"))
		r->accept_encoding = v;
	else if (IS("referer"))
		r->referer = v;
	else if (IS("user-agent"))
		r->user_agent = v;
#undef IS
	return 0;
}

/* field-name ":" OWS field-value OWS; a space before the colon or at
 * the start (obs-fold) is refused (RFC 9112 5.1, 5.2). */
static int
field_line(struct http_req *r, const char *buf, uint32_t from, uint32_t to)
{
	uint32_t	 i = from, colon, s, e;

	r->fields++;
	if (buf[from] == ' ' || buf[from] == '\t')
		return fail(r, 400, "obsolete line folding");
	while (i < to && tchar[(uint8_t)buf[i]])
		i++;
	if (i == from || i == to || buf[i] != ':')
		return fail(r, 400, "malformed field name");
	colon = i;
	s = i + 1;
	while (s < to && (buf[s] == ' ' || buf[s] == '\t'))
		s++;
	e = to;
	while (e > s && (buf[e - 1] == ' ' || buf[e - 1] == '\t'))
		e--;
	for (i = s; i < e; i++)
		if (((uint8_t)buf[i] < ' ' && buf[i] != '\t') ||
		    buf[i] == 0x7f)
			return fail(r, 400, "control character in a field");
	return field(r, buf, span(from, colon), span(s, e));
}

/* After the empty line: what the fields say together. */
static int
head_done(struct http_req *r)
{
	if (r->minor == 1 && !r->has_host)
		return fail(r, 400, "HTTP/1.1 request without Host");
	if (r->chunked && r->has_length)
		return fail(r, 400, "both Content-Length and chunked");
	if (r->chunked && r->minor == 0)
		return fail(r, 400, "Transfer-Encoding in HTTP/1.0");
	if (r->minor == 0)
		r->expect_continue = false;	/* RFC 9110 10.1.1 */
	r->phase = HTTP_PH_DONE;
	return HTTP_PARSE_DONE;
}

static int
one_line(struct http_req *r, const char *buf, uint32_t from, uint32_t to,
    const struct http_parse_limits *lim)
{
	int	 rc;

	if (r->phase == HTTP_PH_LINE) {
		if (to == from)
			return 0;	/* an empty line before it: skipped */
		if (to - from > lim->request_line)
			return fail(r, 414, "request line too long");
		if ((rc = request_line(r, buf, from, to)) != 0)
			return rc;
		r->phase = HTTP_PH_FIELDS;
		return 0;
	}
	if (to == from)
		return head_done(r);
	if (r->fields >= lim->fields)
		return fail(r, 431, "too many fields");
	if (to - from > lim->field_line)
		return fail(r, 431, "field line too long");
	return field_line(r, buf, from, to);
}

/*
 * Whether the line begun at r->line, with upto bytes of the request in
 * (and no LF yet in this line), has crossed a limit: the line's own (its
 * bytes, CR included, past the limit and one more) or the head's.  The
 * one crossed first, byte by byte, decides, so that the answer is the
 * same however the bytes were split into reads.
 */
static int
crossed(struct http_req *r, const struct http_parse_limits *lim, size_t upto)
{
	size_t	 own = r->phase == HTTP_PH_LINE ? lim->request_line :
		    lim->field_line;
	size_t	 at_line = (size_t)r->line + own + 2, at_head = lim->head;

	if ((at_line < at_head ? at_line : at_head) > upto)
		return 0;
	if (at_line <= at_head)
		return r->phase == HTTP_PH_LINE ?
		    fail(r, 414, "request line too long") :
		    fail(r, 431, "field line too long");
	return fail(r, 431, "request head too large");
}

int
http_parse(struct http_req *r, const char *buf, size_t len,
    const struct http_parse_limits *lim)
{
	const char	*eol;
	uint32_t	 end;
	int		 rc;

	if (r->phase == HTTP_PH_DONE)
		return HTTP_PARSE_DONE;
	if (len > UINT32_MAX)
		len = UINT32_MAX;
	while ((eol = memchr(buf + r->pos, '\n', len - r->pos)) != NULL) {
		end = (uint32_t)(eol - buf);
		r->pos = end + 1;
		/* CRLF, or a bare LF (RFC 9112 2.2 allows taking it); a CR
		 * anywhere else is a control character and refused. */
		if (end > r->line && buf[end - 1] == '\r')
			end--;
		/* The bytes before this LF, judged as if they had come one
		 * at a time: how they arrive must not change the answer. */
		if ((rc = crossed(r, lim, r->pos - 1)) != 0)
			return rc;
		if (r->pos > lim->head)
			return fail(r, 431, "request head too large");
		if ((rc = one_line(r, buf, r->line, end, lim)) != 0) {
			if (rc == HTTP_PARSE_DONE)
				r->head_len = r->pos;
			return rc;
		}
		r->line = r->pos;
	}
	r->pos = (uint32_t)len;
	/* An unfinished line already past the limits will not get better. */
	if ((rc = crossed(r, lim, len)) != 0)
		return rc;
	return HTTP_PARSE_MORE;
}

bool
http_req_keepalive(const struct http_req *r)
{
	if (r->conn_close)
		return false;
	return r->minor == 1 || r->conn_keep;
}
