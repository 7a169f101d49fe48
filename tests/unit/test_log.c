#include <sys/wait.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "unit.h"

#include "log.h"

/* stderr is unbuffered, so whatever log wrote is already in the file. */
static FILE	*capture;

static void
capture_start(void)
{
	ck_assert_ptr_nonnull(capture = tmpfile());
	ck_assert_int_ne(dup2(fileno(capture), STDERR_FILENO), -1);
	log_init("testd", 0, 0);
}

static const char *
captured(void)
{
	static char	 buf[4096];
	size_t		 n;

	rewind(capture);
	n = fread(buf, 1, sizeof(buf) - 1, capture);
	buf[n] = '\0';
	return buf;
}

START_TEST(test_format)
{
	capture_start();
	log_info("hello %d", 42);
	log_warnx("disk %s", "full");
	ck_assert_str_eq(captured(),
	    "testd: hello 42\n"
	    "testd: warning: disk full\n");
}
END_TEST

START_TEST(test_warn_errno)
{
	capture_start();
	errno = ENOENT;
	log_warn("open %s", "/x");
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_str_eq(captured(),
	    "testd: warning: open /x: No such file or directory\n");
}
END_TEST

START_TEST(test_errno_preserved)
{
	capture_start();
	errno = EAGAIN;
	log_info("a");
	log_debug("hidden");
	log_warnx("b");
	ck_assert_int_eq(errno, EAGAIN);
}
END_TEST

START_TEST(test_verbosity)
{
	capture_start();
	log_debug("d0");
	log_setverbose(1);
	ck_assert_int_eq(log_getverbose(), 1);
	log_debug("d1");
	log_setverbose(-1);
	log_info("i-1");
	log_warnx("w-1");
	ck_assert_str_eq(captured(),
	    "testd: debug: d1\n"
	    "testd: warning: w-1\n");
}
END_TEST

/* fatal() must exit, so it runs in a child sharing the capture file. */
START_TEST(test_fatal)
{
	pid_t	 pid;
	int	 status;

	capture_start();
	if ((pid = fork()) == 0) {
		errno = EPERM;
		fatal("cannot %s", "drop");
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 1);
	ck_assert_str_eq(captured(),
	    "testd: fatal: cannot drop: Operation not permitted\n");
}
END_TEST

START_TEST(test_fatalx)
{
	capture_start();
	fatalx("bad %s", "state");
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("log");
	TCase	*tc = tcase_create("log");

	tcase_add_test(tc, test_format);
	tcase_add_test(tc, test_warn_errno);
	tcase_add_test(tc, test_errno_preserved);
	tcase_add_test(tc, test_verbosity);
	tcase_add_test(tc, test_fatal);
	tcase_add_exit_test(tc, test_fatalx, 1);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
