/*
 * unit_httpd: httpd_core, the protocol with no sockets.  One suite, a
 * test case a module; each test_http_*.c adds its own.
 *
 * A test that shows a bug in the library rather than in the test is
 * marked "BUG:" in a comment above it, with what the header promises.
 */
#include "unit.h"

void	http_test_parse(Suite *);
void	http_test_chunked(Suite *);
void	http_test_path(Suite *);
void	http_test_range(Suite *);
void	http_test_date(Suite *);
void	http_test_cond(Suite *);
void	http_test_mime(Suite *);
void	http_test_text(Suite *);
void	http_test_status(Suite *);

int
main(void)
{
	Suite	*s = suite_create("httpd");

	http_test_parse(s);
	http_test_chunked(s);
	http_test_path(s);
	http_test_range(s);
	http_test_date(s);
	http_test_cond(s);
	http_test_mime(s);
	http_test_text(s);
	http_test_status(s);
	return unit_run(s);
}
