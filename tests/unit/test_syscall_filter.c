#include <sys/prctl.h>
#include <sys/wait.h>

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "unit.h"

#include "syscall_filter.h"

/* Each test runs forked (unit_run), so its filter dies with it. */
static void
filtered(bool keep_exec)
{
	ck_assert_int_eq(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
	ck_assert_int_eq(syscall_filter_apply(keep_exec), 0);
	ck_assert_int_eq(prctl(PR_GET_SECCOMP, 0, 0, 0, 0), 2);
}

/* A field of /proc/self/status, as a number (-1 if absent). */
static long
status_field(const char *key)
{
	FILE	*f = fopen("/proc/self/status", "r");
	char	 line[256];
	long	 v = -1;
	size_t	 n = strlen(key);

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, n) == 0 && line[n] == ':')
			sscanf(line + n + 1, "%ld", &v);
	fclose(f);
	return v;
}

/* What a child exits with after trying to run /bin/true. */
static int
exec_true(void)
{
	pid_t	 pid;
	int	 st;

	if ((pid = fork()) == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(errno == EPERM ? 77 : 78);
	}
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

START_TEST(test_denies_with_eperm)
{
	filtered(false);
	errno = 0;
	ck_assert_int_eq(unshare(CLONE_NEWUTS), -1);
	ck_assert_int_eq(errno, EPERM);
	errno = 0;
	ck_assert_int_eq(setuid(getuid()), -1);
	ck_assert_int_eq(errno, EPERM);
	ck_assert_int_eq(exec_true(), 77);
	/* What a daemon does all day still works. */
	ck_assert_int_eq(getpid() > 0, 1);
	ck_assert_ptr_nonnull(fopen("/proc/self/status", "r"));
}
END_TEST

START_TEST(test_keep_exec)
{
	filtered(true);
	ck_assert_int_eq(exec_true(), 0);
	errno = 0;
	ck_assert_int_eq(setuid(getuid()), -1);
	ck_assert_int_eq(errno, EPERM);
}
END_TEST

/* A live update applies keep_exec again: no second filter.  A helper
 * forked from it adds its own, which takes exec away. */
START_TEST(test_stacking)
{
	filtered(true);
	ck_assert_int_eq(syscall_filter_apply(true), 0);
	ck_assert_int_eq(status_field("Seccomp_filters"), 1);
	ck_assert_int_eq(syscall_filter_apply(false), 0);
	ck_assert_int_eq(status_field("Seccomp_filters"), 2);
	ck_assert_int_eq(exec_true(), 77);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("syscall_filter");
	TCase	*tc = tcase_create("syscall_filter");

	tcase_add_test(tc, test_denies_with_eperm);
	tcase_add_test(tc, test_keep_exec);
	tcase_add_test(tc, test_stacking);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
