/*
 * bench_proc: what every benchmark program measures the same way: the
 * monotonic clock, and a daemon's CPU time and resident memory from
 * /proc/PID.
 */
#ifndef BENCH_PROC_H
#define BENCH_PROC_H

/* CLOCK_MONOTONIC in seconds. */
double	bench_now(void);
/* PID's user + system CPU seconds so far; exits if it cannot tell. */
double	bench_proc_cpu(int pid);
/* PID's resident memory in KiB, -1 if unknown. */
long	bench_proc_rss_kb(int pid);

#endif /* BENCH_PROC_H */
