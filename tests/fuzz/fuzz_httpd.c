/*
 * fuzz_httpd: libFuzzer over httpd_core, the protocol with no sockets:
 * a request head through http_parse, its target through http_path, its
 * Range through http_range, its preconditions through http_cond (and
 * the dates in them through http_date), its Accept-Encoding, then what
 * follows the head through the chunked decoder.
 *
 * An input is a 2-byte prefix, then the bytes as a client sent them:
 *
 *	p[0]	bits 0-1: the file size Range is taken against: 0, 1, 1024,
 *		          2^40
 *		bit 2: the parser's limits: tiny (request line 32, head 128,
 *		       4 fields of 48 bytes) or small (128, 512, 12, 128)
 *		bit 3: our entity tag is weak (W/"fz"), else strong ("fz")
 *	p[1]	bits 0-3: the piece size of the incremental rounds, 1..16
 *		bits 4-7: the chunked body's limit, 16 times that (0..240)
 *
 * Every function is given buffers of exactly the size it is told (the
 * head grown piece by piece is copied afresh each time), so that ASan
 * sees any read past what was given.  Beyond the sanitizers, it aborts
 * when:
 *
 *	- the head parsed whole and parsed piece by piece end differently:
 *	  another status, or another head length, method, version, span or
 *	  flag (the parser keeps offsets, so feeding more bytes must only
 *	  resume it);
 *	- http_parse answers something other than MORE, DONE, 400, 414,
 *	  431, 501, 505, a refusal has no why, or a finished head breaks
 *	  what it promises: its length within the input and the head limit,
 *	  every span inside it, a non-empty method and target, a minor of 0
 *	  or 1, Host for 1.1, never both Content-Length and chunked,
 *	  chunked only in 1.1;
 *	- http_path_parse answers other than 0, 400, 414, refuses without a
 *	  why, or gives a path that is not normalised: not starting with
 *	  "/", len not its length, "//", a "." or ".." segment, over
 *	  HTTP_PATH_MAX, a query outside the target; or one that changes
 *	  when parsed again (when it holds no "%", "?" or "#");
 *	- http_range_parse gives OK with no ranges, more than asked, or a
 *	  range not within the file, first after last;
 *	- http_cond_check answers other than 0, 304, 412, or 304 to a
 *	  method other than GET and HEAD;
 *	- a date that parses (years 0000 to 9999) does not read back as
 *	  itself once written;
 *	- http_accept_encoding sets a bit other than gzip's and br's;
 *	- the chunked decoder, fed whole and piece by piece, ends
 *	  differently, takes more bytes than it was given, answers other
 *	  than MORE, DONE, 400, 413, or finishes with more data than its
 *	  limit.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_chunked.h"
#include "http_cond.h"
#include "http_date.h"
#include "http_parse.h"
#include "http_path.h"
#include "http_range.h"

#define PREFIX		2
#define MAXRANGES	4
#define DATE_MIN	(-62167219200LL)	/* 0000-01-01 00:00:00 */
#define DATE_MAX	253402300799LL		/* 9999-12-31 23:59:59 */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const struct http_parse_limits limits[2] = {
	{ 128, 512, 12, 128 },
	{ 32, 128, 4, 48 },
};
static const uint64_t	 sizes[4] = { 0, 1, 1024, (uint64_t)1 << 40 };

static const uint8_t	*input;
static size_t		 inlen;

static void
fail(const char *what)
{
	size_t	 i;

	fprintf(stderr, "fuzz_httpd: %s (%zu bytes:", what, inlen);
	for (i = 0; i < inlen && i < 96; i++)
		fprintf(stderr, " %02x", input[i]);
	fprintf(stderr, "%s)\n", inlen > 96 ? " ..." : "");
	abort();
}

/* A copy of exactly n bytes (malloc(0) may be NULL: one byte then). */
static char *
copy(const void *p, size_t n)
{
	char	*b = malloc(n ? n : 1);

	if (b == NULL)
		abort();
	memcpy(b, p, n);
	return b;
}

static int
parse_whole(const char *d, size_t n, const struct http_parse_limits *l,
    struct http_req *r)
{
	char	*b = copy(d, n);
	int	 rc;

	http_req_init(r);
	rc = http_parse(r, b, n, l);
	free(b);
	return rc;
}

static int
parse_pieces(const char *d, size_t n, size_t step,
    const struct http_parse_limits *l, struct http_req *r)
{
	size_t	 len = 0;
	int	 rc = HTTP_PARSE_MORE;
	char	*b;

	http_req_init(r);
	while (len < n && rc == HTTP_PARSE_MORE) {
		len = n - len < step ? n : len + step;
		b = copy(d, len);
		rc = http_parse(r, b, len, l);
		free(b);
	}
	return rc;
}

static bool
span_eq(struct http_span a, struct http_span b)
{
	return a.off == b.off && a.len == b.len;
}

#define SPANS(r)							\
	{ (r)->method_text, (r)->target, (r)->host, (r)->range,		\
	  (r)->if_match, (r)->if_none_match, (r)->if_modified_since,	\
	  (r)->if_unmodified_since, (r)->if_range, (r)->accept_encoding, \
	  (r)->referer, (r)->user_agent }
#define NSPANS	12

static void
same_req(const struct http_req *a, const struct http_req *b)
{
	struct http_span	 sa[NSPANS] = SPANS(a), sb[NSPANS] = SPANS(b);
	size_t			 i;

	for (i = 0; i < NSPANS; i++)
		if (!span_eq(sa[i], sb[i]))
			fail("a span differs between whole and pieces");
	if (a->method != b->method || a->minor != b->minor ||
	    a->fields != b->fields || a->content_length != b->content_length ||
	    a->has_length != b->has_length || a->chunked != b->chunked ||
	    a->has_host != b->has_host || a->conn_close != b->conn_close ||
	    a->conn_keep != b->conn_keep ||
	    a->expect_continue != b->expect_continue ||
	    a->head_len != b->head_len)
		fail("the head differs between whole and pieces");
}

static void
check_head(const struct http_req *r, size_t n,
    const struct http_parse_limits *l)
{
	struct http_span	 s[NSPANS] = SPANS(r);
	size_t			 i;

	if (r->head_len == 0 || r->head_len > n || r->head_len > l->head)
		fail("head length outside the input or the limit");
	for (i = 0; i < NSPANS; i++)
		if ((uint64_t)s[i].off + s[i].len > r->head_len)
			fail("a span past the head");
	if (r->method_text.len == 0 || r->target.len == 0)
		fail("no method or no target");
	if (r->method_text.len > l->request_line ||
	    r->target.len > l->request_line)
		fail("request line over its limit");
	if (r->minor > 1)
		fail("minor version over 1");
	if (r->minor == 1 && !r->has_host)
		fail("HTTP/1.1 without Host taken");
	if (r->has_host != (r->host.len > 0))
		fail("has_host and the Host span disagree");
	if (r->chunked && (r->has_length || r->minor != 1))
		fail("chunked with Content-Length or in 1.0 taken");
	if (r->fields > l->fields)
		fail("more fields than the limit");
}

/* Normalised: "/" first, no "//", no "." or ".." segment. */
static void
check_path(const struct http_path *p)
{
	size_t	 i, seg;

	if (p->len == 0 || p->len >= HTTP_PATH_MAX || p->path[0] != '/' ||
	    strlen(p->path) != p->len)
		fail("path not a NUL-ended absolute path of len bytes");
	for (i = 0; i < p->len; i = seg) {
		/* p->path[i] is a slash; the segment runs to the next. */
		for (seg = i + 1; seg < p->len && p->path[seg] != '/'; seg++)
			;
		if (seg == i + 1 && seg < p->len)
			fail("path with \"//\"");
		if ((seg == i + 2 && p->path[i + 1] == '.') ||
		    (seg == i + 3 && p->path[i + 1] == '.' &&
		    p->path[i + 2] == '.'))
			fail("path with a dot segment");
	}
}

static void
fuzz_path(const char *t, size_t n)
{
	static struct http_path	 p, again;
	char			*b = copy(t, n), *b2;
	const char		*why = NULL;
	int			 rc;

	rc = http_path_parse(b, n, &p, &why);
	if (rc != 0 && rc != 400 && rc != 414)
		fail("http_path_parse: an unknown status");
	if (rc != 0) {
		if (why == NULL)
			fail("http_path_parse: refused without a why");
		free(b);
		return;
	}
	if (p.query != NULL && (p.query < b || p.query + p.query_len > b + n))
		fail("query outside the target");
	if (p.asterisk) {
		if (n != 1)
			fail("asterisk for a target other than \"*\"");
		free(b);
		return;
	}
	check_path(&p);
	if (strpbrk(p.path, "%?#") == NULL) {
		b2 = copy(p.path, p.len);
		if (http_path_parse(b2, p.len, &again, &why) != 0 ||
		    again.len != p.len || memcmp(again.path, p.path, p.len) != 0)
			fail("a normalised path changes when parsed again");
		free(b2);
	}
	free(b);
}

static void
fuzz_range(const char *v, size_t n, uint64_t size)
{
	struct http_range	 out[MAXRANGES];
	char			*b = copy(v, n);
	unsigned		 k, i;

	if (http_range_parse(b, n, size, out, MAXRANGES, &k) ==
	    HTTP_RANGE_OK) {
		if (k == 0 || k > MAXRANGES)
			fail("OK with no ranges or more than asked");
		for (i = 0; i < k; i++)
			if (out[i].first > out[i].last || out[i].last >= size)
				fail("a range outside the file");
	}
	free(b);
}

static void
fuzz_date(const char *v, size_t n)
{
	char	*b = copy(v, n), out[HTTP_DATE_LEN + 1];
	time_t	 t = http_date_parse(b, n);

	/* IMF-fixdate has four digits of year: 0000 to 9999 (a date of
	 * 9999-12-31 23:59:60 parses into 10000). */
	if (t != -1 && t >= DATE_MIN && t <= DATE_MAX) {
		http_date_format(t, out);
		if (strlen(out) != HTTP_DATE_LEN ||
		    http_date_parse(out, HTTP_DATE_LEN) != t)
			fail("a date does not read back once written");
	}
	free(b);
}

/* One precondition field alone, in a buffer of exactly its value. */
static void
cond_alone(const char *d, const struct http_req *r, size_t which,
    const struct http_validators *v)
{
	struct http_req		 one = *r;
	struct http_span	*f[5] = { &one.if_match, &one.if_none_match,
				    &one.if_modified_since,
				    &one.if_unmodified_since, &one.if_range };
	struct http_span	 s = *f[which];
	char			*b;
	size_t			 i;
	int			 rc;

	if (s.len == 0)
		return;
	for (i = 0; i < 5; i++)
		f[i]->off = f[i]->len = 0;
	f[which]->len = s.len;
	b = copy(d + s.off, s.len);
	rc = http_cond_check(b, &one, v);
	if (rc != 0 && rc != 304 && rc != 412)
		fail("http_cond_check: an unknown status");
	(void)http_cond_if_range(b, &one, v);
	free(b);
}

static void
fuzz_cond(const char *d, const struct http_req *r, bool weak)
{
	const struct http_validators v = {
		weak ? "W/\"fz\"" : "\"fz\"", weak ? 6 : 4, 784111777
	};
	size_t		 i;
	int		 rc;

	rc = http_cond_check(d, r, &v);
	if (rc != 0 && rc != 304 && rc != 412)
		fail("http_cond_check: an unknown status");
	if (rc == 304 && r->method != HTTP_M_GET && r->method != HTTP_M_HEAD)
		fail("304 to a method other than GET and HEAD");
	(void)http_cond_if_range(d, r, &v);
	for (i = 0; i < 5; i++)
		cond_alone(d, r, i, &v);
	if (r->if_modified_since.len > 0)
		fuzz_date(d + r->if_modified_since.off,
		    r->if_modified_since.len);
	if (r->if_unmodified_since.len > 0)
		fuzz_date(d + r->if_unmodified_since.off,
		    r->if_unmodified_since.len);
	if (r->if_range.len > 0)
		fuzz_date(d + r->if_range.off, r->if_range.len);
}

static void
fuzz_accept(const char *v, size_t n)
{
	char	*b = copy(v, n);

	if (http_accept_encoding(b, n) & ~(unsigned)(HTTP_ENC_GZIP |
	    HTTP_ENC_BR))
		fail("http_accept_encoding: an unknown coding");
	free(b);
}

static int
chunked(const char *d, size_t n, size_t step, uint64_t max, size_t *taken,
    uint64_t *total)
{
	struct http_chunked	 c;
	size_t			 off = 0, k, used;
	int			 rc = HTTP_CHUNKED_MORE;
	char			*b;

	http_chunked_init(&c);
	while (off < n && rc == HTTP_CHUNKED_MORE) {
		k = n - off < step ? n - off : step;
		b = copy(d + off, k);
		used = k + 1;
		rc = http_chunked_feed(&c, b, k, max, &used);
		free(b);
		if (used > k)
			fail("the chunked decoder took more than it was given");
		if (rc == HTTP_CHUNKED_MORE && used != k)
			fail("the chunked decoder left bytes and wants more");
		off += used;
	}
	if (rc != HTTP_CHUNKED_MORE && rc != HTTP_CHUNKED_DONE && rc != 400 &&
	    rc != 413)
		fail("the chunked decoder: an unknown status");
	if (rc >= 400 && c.why == NULL)
		fail("the chunked decoder refused without a why");
	if (rc == HTTP_CHUNKED_DONE && c.total > max)
		fail("a chunked body over its limit taken");
	*taken = off;
	*total = c.total;
	return rc;
}

static void
fuzz_chunked(const char *d, size_t n, size_t step, uint64_t max)
{
	size_t		 ta, tb;
	uint64_t	 sa, sb;
	int		 a, b;

	a = chunked(d, n, n ? n : 1, max, &ta, &sa);
	b = chunked(d, n, step, max, &tb, &sb);
	if (a != b)
		fail("chunked body: whole and pieces end differently");
	if ((a == HTTP_CHUNKED_DONE || a == 400) && (ta != tb || sa != sb))
		fail("chunked body: whole and pieces take different bytes");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct http_parse_limits	*l;
	struct http_req			 r, pr;
	const char			*d;
	size_t				 n, step;
	uint64_t			 max;
	int				 rc, prc;

	if (size < PREFIX)
		return 0;
	input = data;
	inlen = size;
	l = &limits[(data[0] >> 2) & 1];
	step = (size_t)(data[1] & 0xf) + 1;
	max = (uint64_t)(data[1] >> 4) * 16;
	d = (const char *)data + PREFIX;
	n = size - PREFIX;

	rc = parse_whole(d, n, l, &r);
	prc = parse_pieces(d, n, step, l, &pr);
	if (rc != HTTP_PARSE_MORE && rc != HTTP_PARSE_DONE && rc != 400 &&
	    rc != 414 && rc != 431 && rc != 501 && rc != 505)
		fail("http_parse: an unknown status");
	if (rc >= 400 && r.why == NULL)
		fail("http_parse refused without a why");
	if (rc != prc) {
		fprintf(stderr, "fuzz_httpd: whole %d (%s), pieces of %zu %d "
		    "(%s)\n", rc, r.why ? r.why : "-", step, prc,
		    pr.why ? pr.why : "-");
		fail("http_parse: whole and pieces end differently");
	}
	if (rc != HTTP_PARSE_DONE) {
		fuzz_chunked(d, n, step, max);
		return 0;
	}
	same_req(&r, &pr);
	check_head(&r, n, l);

	fuzz_path(d + r.target.off, r.target.len);
	if (r.range.len > 0)
		fuzz_range(d + r.range.off, r.range.len, sizes[data[0] & 3]);
	fuzz_cond(d, &r, (data[0] & 8) != 0);
	if (r.accept_encoding.len > 0)
		fuzz_accept(d + r.accept_encoding.off, r.accept_encoding.len);
	fuzz_chunked(d + r.head_len, n - r.head_len, step, max);
	return 0;
}
