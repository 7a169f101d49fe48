/*
 * http_mime: a small mime.types written to a temporary file, then
 * looked up: case-insensitive, the first of duplicates, the last dot
 * only, application/octet-stream for the rest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http_mime.h"
#include "unit.h"

#define OCTET	"application/octet-stream"

static const char types[] =
    "# a comment line, then blank ones\n"
    "\n"
    "   \n"
    "text/html\t\thtml htm\n"
    "text/plain  txt TEXT\r\n"
    "image/png png\n"
    "application/x-first dup\n"
    "application/x-second DUP dup2\n"
    "text/x-other HTML\n"
    "application/x-no-extensions\n"
    "  #indented comment png\n"
    "text/css css";		/* no newline at the end */

static struct http_mime	*m;

static void
setup(void)
{
	char	 path[] = "/tmp/unit_httpd_mime.XXXXXX", err[256] = "";
	int	 fd;

	ck_assert_int_ne(fd = mkstemp(path), -1);
	ck_assert_int_eq(write(fd, types, sizeof(types) - 1),
	    (ssize_t)(sizeof(types) - 1));
	close(fd);
	m = http_mime_load(path, err, sizeof(err));
	unlink(path);
	ck_assert_msg(m != NULL, "%s", err);
}

static void
teardown(void)
{
	http_mime_free(m);
	m = NULL;
}

static void
is(const char *name, const char *type)
{
	const char	*got = http_mime_type(m, name);

	ck_assert_ptr_nonnull(got);
	ck_assert_msg(strcmp(got, type) == 0, "%s: %s, not %s", name, got,
	    type);
}

START_TEST(test_lookup)
{
	is("index.html", "text/html");
	is("a.htm", "text/html");
	is("notes.txt", "text/plain");
	is("notes.text", "text/plain");
	is("x.png", "image/png");
	is("style.css", "text/css");
	/* The last dot decides. */
	is("archive.tar.png", "image/png");
	is("dir/sub.d/page.html", "text/html");
	/* Every extension once: html htm txt text png dup dup2 css. */
	ck_assert_uint_eq(http_mime_count(m), 8);
}
END_TEST

START_TEST(test_case)
{
	is("INDEX.HTML", "text/html");
	is("a.HtM", "text/html");
	is("NOTES.TEXT", "text/plain");
	is("notes.Text", "text/plain");
	is("x.PNG", "image/png");
}
END_TEST

/* "dup" is listed twice, and "html" again as "HTML": the first wins. */
START_TEST(test_duplicates)
{
	is("a.dup", "application/x-first");
	is("a.DUP", "application/x-first");
	is("a.dup2", "application/x-second");
	is("a.html", "text/html");
}
END_TEST

START_TEST(test_unknown)
{
	is("a.xyz", OCTET);
	is("Makefile", OCTET);
	is("", OCTET);
	is("file.", OCTET);
	is("dir.html/file", OCTET);
	is("dir.html/", OCTET);
	is("a.html.bak", OCTET);
	is("a.ht", OCTET);
	is("a.htmlx", OCTET);
	/* Comments and types are not extensions. */
	is("a.comment", OCTET);
	is("a.#", OCTET);
	ck_assert_str_eq(http_mime_type(NULL, "a.html"), OCTET);
}
END_TEST

START_TEST(test_load_fails)
{
	char			 err[256] = "";
	struct http_mime	*none;

	none = http_mime_load("/nonexistent/mime.types", err, sizeof(err));
	ck_assert_ptr_null(none);
	ck_assert_msg(strstr(err, "/nonexistent/mime.types") != NULL,
	    "err: %s", err);
	ck_assert_uint_eq(http_mime_count(NULL), 0);
}
END_TEST

void	http_test_mime(Suite *);

void
http_test_mime(Suite *s)
{
	TCase	*tc = tcase_create("mime");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_lookup);
	tcase_add_test(tc, test_case);
	tcase_add_test(tc, test_duplicates);
	tcase_add_test(tc, test_unknown);
	tcase_add_test(tc, test_load_fails);
	suite_add_tcase(s, tc);
}
