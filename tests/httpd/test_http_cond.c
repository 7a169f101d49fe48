/*
 * http_cond: preconditions on requests parsed by http_parse from their
 * text (so that the spans are the parser's own), in RFC 9110 13.2.2's
 * order; If-Range; the codings Accept-Encoding allows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "http_cond.h"
#include "http_parse.h"
#include "unit.h"

#define MTIME		((time_t)784111777)
#define D_EQUAL		"Sun, 06 Nov 1994 08:49:37 GMT"
#define D_EARLIER	"Sun, 06 Nov 1994 08:49:36 GMT"
#define D_LATER		"Sun, 06 Nov 1994 08:49:38 GMT"
#define D_850		"Sunday, 06-Nov-94 08:49:37 GMT"
#define D_ASCTIME	"Sun Nov  6 08:49:37 1994"

static char			 buf[2048];
static struct http_req		 req;
static const struct http_validators strong = { "\"abc\"", 5, MTIME };
static const struct http_validators weak = { "W/\"abc\"", 7, MTIME };

/* "METHOD / HTTP/1.1", Host, the fields given (each ending in CRLF). */
static void
request(const char *method, const char *fields)
{
	static const struct http_parse_limits lim = { 1024, 2048, 32, 1024 };

	snprintf(buf, sizeof(buf), "%s / HTTP/1.1\r\nHost: h\r\n%s\r\n",
	    method, fields);
	http_req_init(&req);
	ck_assert_int_eq(http_parse(&req, buf, strlen(buf), &lim),
	    HTTP_PARSE_DONE);
}

static void
cond(const char *method, const char *fields,
    const struct http_validators *v, int want)
{
	int	 got;

	request(method, fields);
	got = http_cond_check(buf, &req, v);
	ck_assert_msg(got == want, "%s with %s (etag %s): %d, not %d", method,
	    fields, v->etag, got, want);
}

static void
if_range(const char *fields, const struct http_validators *v, bool want)
{
	request("GET", fields);
	ck_assert_msg(http_cond_if_range(buf, &req, v) == want,
	    "%s (etag %s): not %d", fields, v->etag, want);
}

START_TEST(test_if_match)
{
	cond("GET", "", &strong, 0);
	cond("GET", "If-Match: *\r\n", &strong, 0);
	cond("GET", "If-Match: \"abc\"\r\n", &strong, 0);
	cond("GET", "If-Match: \"x\", \"abc\"\r\n", &strong, 0);
	cond("PUT", "If-Match: \"x\",\"abc\" , \"y\"\r\n", &strong, 0);
	cond("GET", "If-Match: \"x\"\r\n", &strong, 412);
	cond("POST", "If-Match: \"x\"\r\n", &strong, 412);
	cond("GET", "If-Match: \"abcd\"\r\n", &strong, 412);
	cond("GET", "If-Match: \"ab\"\r\n", &strong, 412);
	/* Compared strongly: a weak tag never matches. */
	cond("GET", "If-Match: W/\"abc\"\r\n", &strong, 412);
	cond("GET", "If-Match: W/\"abc\"\r\n", &weak, 412);
	cond("GET", "If-Match: \"abc\"\r\n", &weak, 412);
	cond("GET", "If-Match: *\r\n", &weak, 0);
	/* Malformed lists match nothing. */
	cond("GET", "If-Match: abc\r\n", &strong, 412);
	cond("GET", "If-Match: \"abc\r\n", &strong, 412);
}
END_TEST

START_TEST(test_if_none_match)
{
	cond("GET", "If-None-Match: \"abc\"\r\n", &strong, 304);
	cond("HEAD", "If-None-Match: \"abc\"\r\n", &strong, 304);
	/* Compared weakly. */
	cond("GET", "If-None-Match: W/\"abc\"\r\n", &strong, 304);
	cond("GET", "If-None-Match: \"x\", W/\"abc\"\r\n", &strong, 304);
	cond("GET", "If-None-Match: *\r\n", &strong, 304);
	cond("GET", "If-None-Match: \"x\"\r\n", &strong, 0);
	cond("GET", "If-None-Match: \"x\", W/\"y\"\r\n", &strong, 0);
	/* Other methods: 412, not 304. */
	cond("POST", "If-None-Match: \"abc\"\r\n", &strong, 412);
	cond("PUT", "If-None-Match: *\r\n", &strong, 412);
	cond("DELETE", "If-None-Match: W/\"abc\"\r\n", &strong, 412);
	cond("POST", "If-None-Match: \"x\"\r\n", &strong, 0);
}
END_TEST

/*
 * BUG: http_cond.c, etag_in() with weak set and a weak tag of our own
 * (validators "W/\"abc\""): nothing matches, so If-None-Match: W/"abc"
 * gets 0, not 304.  http_cond.h: If-None-Match "compares weakly" (RFC
 * 9110 8.8.3.2: W/"abc" and "abc" match W/"abc"), and etag_in()'s own
 * comment says W/ is ignored on both sides; it is only stripped from the
 * field's tags, and ours is compared with its W/ still on.  Latent while
 * http_file.c makes only strong tags.
 */
START_TEST(test_if_none_match_weak_validator)
{
	cond("GET", "If-None-Match: W/\"abc\"\r\n", &weak, 304);
	cond("GET", "If-None-Match: \"abc\"\r\n", &weak, 304);
}
END_TEST

START_TEST(test_if_modified_since)
{
	cond("GET", "If-Modified-Since: " D_EQUAL "\r\n", &strong, 304);
	cond("HEAD", "If-Modified-Since: " D_EQUAL "\r\n", &strong, 304);
	cond("GET", "If-Modified-Since: " D_LATER "\r\n", &strong, 304);
	cond("GET", "If-Modified-Since: " D_EARLIER "\r\n", &strong, 0);
	cond("GET", "If-Modified-Since: " D_850 "\r\n", &strong, 304);
	cond("GET", "If-Modified-Since: " D_ASCTIME "\r\n", &strong, 304);
	/* Not a date: ignored. */
	cond("GET", "If-Modified-Since: yesterday\r\n", &strong, 0);
	/* GET and HEAD only. */
	cond("POST", "If-Modified-Since: " D_EQUAL "\r\n", &strong, 0);
	cond("PUT", "If-Modified-Since: " D_LATER "\r\n", &strong, 0);
}
END_TEST

START_TEST(test_if_unmodified_since)
{
	cond("GET", "If-Unmodified-Since: " D_EARLIER "\r\n", &strong, 412);
	cond("POST", "If-Unmodified-Since: " D_EARLIER "\r\n", &strong,
	    412);
	cond("GET", "If-Unmodified-Since: " D_EQUAL "\r\n", &strong, 0);
	cond("GET", "If-Unmodified-Since: " D_LATER "\r\n", &strong, 0);
	cond("PUT", "If-Unmodified-Since: " D_850 "\r\n", &strong, 0);
	cond("GET", "If-Unmodified-Since: never\r\n", &strong, 0);
}
END_TEST

/* RFC 9110 13.2.2's order. */
START_TEST(test_precedence)
{
	/* If-None-Match wins over If-Modified-Since, both ways. */
	cond("GET", "If-None-Match: \"x\"\r\n"
	    "If-Modified-Since: " D_EQUAL "\r\n", &strong, 0);
	cond("GET", "If-Modified-Since: " D_EARLIER "\r\n"
	    "If-None-Match: \"abc\"\r\n", &strong, 304);
	/* If-Match wins over If-Unmodified-Since, both ways. */
	cond("GET", "If-Match: \"abc\"\r\n"
	    "If-Unmodified-Since: " D_EARLIER "\r\n", &strong, 0);
	cond("GET", "If-Unmodified-Since: " D_LATER "\r\n"
	    "If-Match: \"x\"\r\n", &strong, 412);
	/* 412 is decided before 304. */
	cond("GET", "If-None-Match: \"abc\"\r\nIf-Match: \"x\"\r\n", &strong,
	    412);
	cond("GET", "If-None-Match: \"abc\"\r\n"
	    "If-Unmodified-Since: " D_EARLIER "\r\n", &strong, 412);
	cond("GET", "If-Match: \"abc\"\r\nIf-None-Match: \"abc\"\r\n",
	    &strong, 304);
	cond("GET", "If-Unmodified-Since: " D_EQUAL "\r\n"
	    "If-Modified-Since: " D_EQUAL "\r\n", &strong, 304);
}
END_TEST

START_TEST(test_if_range)
{
	if_range("", &strong, true);
	if_range("If-Range: \"abc\"\r\n", &strong, true);
	if_range("If-Range: \"x\"\r\n", &strong, false);
	if_range("If-Range: \"abcd\"\r\n", &strong, false);
	/* Strong comparison. */
	if_range("If-Range: W/\"abc\"\r\n", &strong, false);
	if_range("If-Range: W/\"abc\"\r\n", &weak, false);
	/* A date must be the modification time exactly. */
	if_range("If-Range: " D_EQUAL "\r\n", &strong, true);
	if_range("If-Range: " D_850 "\r\n", &strong, true);
	if_range("If-Range: " D_EARLIER "\r\n", &strong, false);
	if_range("If-Range: " D_LATER "\r\n", &strong, false);
	if_range("If-Range: tomorrow\r\n", &strong, false);
}
END_TEST

/*
 * A copy of the request's first end bytes that stops exactly at an
 * unreadable page, so that reading one byte past end faults; the
 * returned pointer stands for buf (spans are offsets from it).
 */
static char	*guard_map;
static size_t	 guard_len;

static const char *
at_page_end(size_t end)
{
	size_t	 pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t	 need = (end + pg - 1) / pg * pg;

	guard_len = need + pg;
	guard_map = mmap(NULL, guard_len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert(guard_map != MAP_FAILED);
	ck_assert_int_eq(mprotect(guard_map + need, pg, PROT_NONE), 0);
	memcpy(guard_map + need - end, buf, end);
	return guard_map + need - end;
}

static void
guard_free(void)
{
	if (guard_map != NULL)
		munmap(guard_map, guard_len);
	guard_map = NULL;
}

/* The same fields with nothing readable after the value. */
START_TEST(test_value_at_buffer_end)
{
	const char	*b;

	request("GET", "If-Match: W/\"abc\"\r\n");
	b = at_page_end(req.if_match.off + req.if_match.len);
	ck_assert_int_eq(http_cond_check(b, &req, &strong), 412);
	guard_free();
	request("GET", "If-None-Match: \"x\", W/\"abc\"\r\n");
	b = at_page_end(req.if_none_match.off + req.if_none_match.len);
	ck_assert_int_eq(http_cond_check(b, &req, &strong), 304);
	guard_free();
	request("GET", "If-Range: \"abc\"\r\n");
	b = at_page_end(req.if_range.off + req.if_range.len);
	ck_assert(http_cond_if_range(b, &req, &strong));
	guard_free();
}
END_TEST

/*
 * BUG: http_cond.c, etag_in(): a list ending in a bare "W/" (If-Match:
 * W/, If-None-Match: "x", W/, If-Range: W/) is read one byte past its
 * end: after "i += 2" it tests p[i] != '"' with i == n.  Through
 * http_parse the next byte is always CR, LF or a blank, so the answer
 * comes out right, but the read is outside the span (here it faults, the
 * value ending at an unreadable page).  http_cond.h: the field's span is
 * what is compared.
 */
START_TEST(test_bare_weak_prefix_at_end)
{
	const char	*b;

	request("GET", "If-Match: W/\r\n");
	b = at_page_end(req.if_match.off + req.if_match.len);
	ck_assert_int_eq(http_cond_check(b, &req, &strong), 412);
	guard_free();
	request("GET", "If-None-Match: \"x\", W/\r\n");
	b = at_page_end(req.if_none_match.off + req.if_none_match.len);
	ck_assert_int_eq(http_cond_check(b, &req, &strong), 0);
	guard_free();
	request("GET", "If-Range: W/\r\n");
	b = at_page_end(req.if_range.off + req.if_range.len);
	ck_assert(!http_cond_if_range(b, &req, &strong));
	guard_free();
}
END_TEST

/* In a buffer of the value's exact size. */
static unsigned
ae(const char *v)
{
	size_t		 len = strlen(v);
	char		*b = malloc(len ? len : 1);
	unsigned	 r;

	ck_assert_ptr_nonnull(b);
	memcpy(b, v, len);
	r = http_accept_encoding(b, len);
	free(b);
	return r;
}

#define GZ	HTTP_ENC_GZIP
#define BR	HTTP_ENC_BR

START_TEST(test_accept_encoding)
{
	static const struct {
		const char	*v;
		unsigned	 want;
	} t[] = {
		{ "gzip, br", GZ | BR },
		{ "br,gzip", GZ | BR },
		{ "GZIP, Br", GZ | BR },
		{ "gzip", GZ },
		{ "br", BR },
		{ "deflate, br;q=1", BR },
		{ "gzip, br;q=0", GZ },
		{ "br;q=0", 0 },
		{ "br;q=0, gzip;q=0.5", GZ },
		{ "*", GZ | BR },
		{ "*;q=0", 0 },
		{ "*;q=0, gzip", GZ },
		{ "gzip;q=0, *", BR },
		{ "br;q=0, *", GZ },
		{ "*, br;q=0", GZ },
		{ "identity", 0 },
		{ "identity, *;q=0", 0 },
		{ "", 0 },
		{ ",, ,", 0 },
		{ "x-gzip, gzipx, brotli", 0 },
		{ "gzip;q=0.001", GZ },
		{ "gzip;q=0.000", 0 },
		{ "gzip;q=1.0, br;q=0.0", GZ },
		{ "gzip;Q=0", 0 },
		/* Blanks: around elements, around ";", before "q". */
		{ "  gzip ,  br  ", GZ | BR },
		{ "gzip; q=0.5, br ; q=0", GZ },
		{ "gzip ;q=0, br;\tq=0.7", BR },
		{ "gzip\t;\tq=0", 0 },
		{ "gzip;q=0 , br", BR },
	};
	size_t	 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		ck_assert_msg(ae(t[i].v) == t[i].want, "\"%s\": %u, not %u",
		    t[i].v, ae(t[i].v), t[i].want);
}
END_TEST

void	http_test_cond(Suite *);

void
http_test_cond(Suite *s)
{
	TCase	*tc = tcase_create("cond");

	tcase_add_test(tc, test_if_match);
	tcase_add_test(tc, test_if_none_match);
	tcase_add_test(tc, test_if_none_match_weak_validator);
	tcase_add_test(tc, test_if_modified_since);
	tcase_add_test(tc, test_if_unmodified_since);
	tcase_add_test(tc, test_precedence);
	tcase_add_test(tc, test_if_range);
	tcase_add_test(tc, test_value_at_buffer_end);
	tcase_add_test(tc, test_bare_weak_prefix_at_end);
	tcase_add_test(tc, test_accept_encoding);
	suite_add_tcase(s, tc);
}
