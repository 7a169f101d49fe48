/*
 * syscall_filter: the seccomp step of the privilege drop (privdrop).
 *
 * Owns the list of system calls a set-up daemon never needs and that
 * would help whoever took it over reach further: tracing other
 * processes, mounting, namespaces, kernel modules, kexec and reboot, BPF
 * and perf, keyrings, the clock, raw I/O ports, changing ids again, and
 * (unless the daemon re-executes itself, as xenstored's live update
 * does) executing programs.  Each fails with EPERM rather than killing
 * the daemon, so a path nobody foresaw shows up as an error in its log,
 * not a crash.  A denylist, not an allowlist: libevent, OpenSSL, nghttp2,
 * glibc and the sanitizers between them use too many calls, differing by
 * version, for an allowlist to be kept right across Debian updates.
 */
#ifndef SHOAL_SYSCALL_FILTER_H
#define SHOAL_SYSCALL_FILTER_H

#include <stdbool.h>

/* 0, or -1 after logging why.  Needs no_new_privs set.  With keep_exec,
 * a process that already has a filter (xenstored after a live update)
 * keeps the one it has. */
int	 syscall_filter_apply(bool keep_exec);

#endif /* SHOAL_SYSCALL_FILTER_H */
