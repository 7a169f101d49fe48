/*
 * xs-bench: one xenstore workload through libxenstore over the socket,
 * against whichever daemon XENSTORED_PATH names.  Per row it prints ops/s
 * and the daemon's CPU time per op (utime + stime of --pid, from /proc), so
 * bench/run can set Shoal's xenstored beside Debian's C xenstored.
 *
 *   xs-bench -p PID [-r writes,reads,dir,txn,watch,mem] [-s SCALE] [-m DOMS]
 *
 * Output, one line a row:  ROW name ops seconds daemon_cpu_seconds [rss_kb]
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xenstore.h>

#include "bench_proc.h"

static struct xs_handle	*xs;
static int		 pid;
static long		 scale = 1;
static long		 memdoms = 1000;	/* mem row: domains of 1000 nodes */

static void
must(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "xs-bench: %s: %s\n", what, strerror(errno));
		exit(1);
	}
}

static void
put(const char *path, const char *val)
{
	must(xs_write(xs, XBT_NULL, path, val, strlen(val)), path);
}

static long
row_writes(void)
{
	long n = 100000 * scale;
	char path[128];

	for (long i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/bench/kv/%ld/%ld", i / 100,
		    i % 100);
		put(path, "value");
	}
	return n;
}

static long
row_reads(void)
{
	long n = 100000 * scale;
	char path[128];
	unsigned int len;
	void *v;

	for (long i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/bench/kv/%ld/%ld", i / 100, i % 100);
		must((v = xs_read(xs, XBT_NULL, path, &len)) != NULL, path);
		free(v);
	}
	return n;
}

/* A 10,000-child directory, listed 100 times (the listing is the op). */
static long
row_dir(void)
{
	unsigned int num;
	char **e, path[64];

	for (long i = 0; i < 10000; i++) {
		snprintf(path, sizeof(path), "/bench/dir/child-%ld", i);
		put(path, "");
	}
	for (long i = 0; i < 100 * scale; i++) {
		must((e = xs_directory(xs, XBT_NULL, "/bench/dir", &num)) != NULL,
		    "directory");
		must(num == 10000, "directory size");
		free(e);
	}
	return 100 * scale;
}

/* Transactions of 10 writes each; EAGAIN would retry (none expected). */
static long
row_txn(void)
{
	long n = 2000 * scale;
	char path[128];

	for (long i = 0; i < n; i++) {
		xs_transaction_t t;

		do {
			must((t = xs_transaction_start(xs)) != XBT_NULL, "start");
			for (int k = 0; k < 10; k++) {
				snprintf(path, sizeof(path), "/bench/txn/%ld/%d",
				    i % 50, k);
				must(xs_write(xs, t, path, "v", 1), path);
			}
		} while (!xs_transaction_end(xs, t, false) && errno == EAGAIN);
	}
	return n;
}

/* Each write to a watched node, and its event read back, is one op. */
static long
row_watch(void)
{
	long n = 20000 * scale;
	unsigned int num;
	char **ev;

	must(xs_write(xs, XBT_NULL, "/bench/watched/x", "0", 1), "prepare");
	must(xs_watch(xs, "/bench/watched", "tok"), "watch");
	free(xs_read_watch(xs, &num));		/* the one at registration */
	for (long i = 0; i < n; i++) {
		must(xs_write(xs, XBT_NULL, "/bench/watched/x", "1", 1), "write");
		must((ev = xs_read_watch(xs, &num)) != NULL, "event");
		free(ev);
	}
	xs_unwatch(xs, "/bench/watched", "tok");
	return n;
}

/* memdoms domains' areas of 1,000 nodes each: the daemon's RSS after. */
static long
row_mem(void)
{
	char path[128];

	for (long d = 1; d <= memdoms; d++)
		for (long k = 0; k < 1000; k++) {
			snprintf(path, sizeof(path),
			    "/local/domain/%ld/data/n%ld", d, k);
			put(path, "x");
		}
	return memdoms * 1000;
}

static const struct {
	const char	*name;
	long		(*fn)(void);
} rows[] = {
	{ "writes", row_writes }, { "reads", row_reads }, { "dir", row_dir },
	{ "txn", row_txn }, { "watch", row_watch }, { "mem", row_mem },
};

int
main(int argc, char **argv)
{
	const char *want = "writes,reads,dir,txn,watch";
	double t0, c0;
	long ops;
	int ch;

	while ((ch = getopt(argc, argv, "m:p:r:s:")) != -1) {
		switch (ch) {
		case 'p': pid = atoi(optarg); break;
		case 'r': want = optarg; break;
		case 's': scale = atol(optarg); break;
		case 'm': memdoms = atol(optarg); break;
		default:
			fprintf(stderr, "usage: xs-bench -p PID [-r ROWS] "
			    "[-s SCALE] [-m MEMDOMAINS]\n");
			return 2;
		}
	}
	must(pid > 0, "-p PID");
	must((xs = xs_open(0)) != NULL, "xs_open");
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (strstr(want, rows[i].name) == NULL)
			continue;
		c0 = bench_proc_cpu(pid);
		t0 = bench_now();
		ops = rows[i].fn();
		printf("ROW %s %ld %.3f %.3f %ld\n", rows[i].name, ops,
		    bench_now() - t0, bench_proc_cpu(pid) - c0,
		    strcmp(rows[i].name, "mem") == 0 ? bench_proc_rss_kb(pid) : 0L);
		fflush(stdout);
	}
	xs_close(xs);
	return 0;
}
