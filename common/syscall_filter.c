#include <sys/prctl.h>
#include <errno.h>
#include <string.h>

#include <linux/seccomp.h>
#include <seccomp.h>

#include "log.h"
#include "syscall_filter.h"

static const char *const denied[] = {
	"process_vm_readv", "process_vm_writev",
	"mount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree",
	"fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
	"setns", "unshare",
	"init_module", "finit_module", "delete_module",
	"kexec_load", "kexec_file_load", "reboot", "swapon", "swapoff",
	"bpf", "perf_event_open", "userfaultfd", "fanotify_init",
	"keyctl", "add_key", "request_key",
	"settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
	"iopl", "ioperm", "acct", "quotactl", "lookup_dcookie", "uselib",
	"open_by_handle_at", "name_to_handle_at",
	"setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid",
	"setgroups", "setfsuid", "setfsgid",
	/*
	 * LeakSanitizer stops the world at exit with ptrace: a sanitizer
	 * build keeps it, or every exit would end in "LeakSanitizer has
	 * encountered a fatal error".
	 */
#ifndef __SANITIZE_ADDRESS__
	"ptrace",
#endif
};

static const char *const exec_calls[] = { "execve", "execveat" };

static int
deny(scmp_filter_ctx ctx, const char *name)
{
	int	 nr = seccomp_syscall_resolve_name(name);

	/* A call this kernel or libseccomp does not know cannot be made. */
	if (nr == __NR_SCMP_ERROR)
		return 0;
	return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
}

int
syscall_filter_apply(bool keep_exec)
{
	scmp_filter_ctx	 ctx;
	size_t		 i;
	int		 rc = 0;

	/* Stacking one more filter at every live update would meet the
	 * kernel's bound on filter length after a few hundred. */
	if (keep_exec && prctl(PR_GET_SECCOMP, 0, 0, 0, 0) ==
	    SECCOMP_MODE_FILTER)
		return 0;
	if ((ctx = seccomp_init(SCMP_ACT_ALLOW)) == NULL) {
		log_warnx("privilege drop: seccomp_init failed");
		return -1;
	}
	for (i = 0; rc == 0 && i < sizeof(denied) / sizeof(denied[0]); i++)
		rc = deny(ctx, denied[i]);
	for (i = 0; rc == 0 && !keep_exec &&
	    i < sizeof(exec_calls) / sizeof(exec_calls[0]); i++)
		rc = deny(ctx, exec_calls[i]);
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc != 0) {
		log_warnx("privilege drop: seccomp: %s", strerror(-rc));
		return -1;
	}
	return 0;
}
