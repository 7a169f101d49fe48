/*
 * jobq-bench DIR CONNINFO N: the scaler's job queue (daemons/scaler/
 * jobq.h), one durable job at a time, beside the disk's own limit.
 *
 * Each job is enqueued, claimed and completed, every call a transaction
 * that is on disk before it returns: three commits a job.  Rows: SQLite
 * in DIR, PostgreSQL at CONNINFO (bench/run starts one in /tmp, the same
 * file system), and the floor, a loop of 4 KiB write + fdatasync in DIR:
 * what one durable commit at a time can reach on this disk.  Prints
 * jobs/s, commits/s and commits/s against the floor.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_proc.h"
#include "jobq.h"

static double
floor_rate(const char *dir, int n)
{
	char	 path[512], buf[4096];
	double	 t0;
	int	 fd, i;

	snprintf(path, sizeof(path), "%s/floor", dir);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1) {
		perror(path);
		exit(1);
	}
	memset(buf, 'x', sizeof(buf));
	t0 = bench_now();
	for (i = 0; i < n; i++)
		if (pwrite(fd, buf, sizeof(buf), (off_t)i * sizeof(buf)) !=
		    (ssize_t)sizeof(buf) || fdatasync(fd) == -1) {
			perror("floor");
			exit(1);
		}
	t0 = bench_now() - t0;
	close(fd);
	unlink(path);
	return n / t0;
}

/* Seconds for n jobs, each enqueued, claimed and completed. */
static double
run_jobs(struct jobq *q, const char *name, int n)
{
	struct jobq_job	 j;
	int64_t		 id;
	double		 t0 = bench_now();
	bool		 created;
	int		 i;

	for (i = 0; i < n; i++) {
		if (jobq_enqueue(q, "bench", NULL, "{}", 1, i, &id,
		    &created) != 0 ||
		    jobq_claim(q, NULL, "bench", i, 60000, &j) != 1 ||
		    jobq_complete(q, j.id, j.token, i) != 0) {
			fprintf(stderr, "%s: %s\n", name, jobq_error(q));
			exit(1);
		}
		jobq_job_clear(&j);
	}
	return bench_now() - t0;
}

static void
row(const char *name, int n, double secs, double floor)
{
	printf("  %-22s %8.0f %12.0f %10.2f\n", name, n / secs, 3 * n / secs,
	    3 * n / secs / floor);
}

int
main(int argc, char **argv)
{
	char		 path[512], err[256];
	struct jobq	*q;
	double		 fl, secs;
	int		 n;

	if (argc != 4 || (n = atoi(argv[3])) <= 0) {
		fprintf(stderr, "usage: jobq-bench DIR CONNINFO N\n");
		return 2;
	}
	fl = floor_rate(argv[1], 3 * n);
	printf("  %-22s %8s %12s %10s\n", "one job at a time", "jobs/s",
	    "commits/s", "vs floor");
	snprintf(path, sizeof(path), "%s/jobs.db", argv[1]);
	if ((q = jobq_open_sqlite(path, NULL, err, sizeof(err))) == NULL) {
		fprintf(stderr, "sqlite: %s\n", err);
		return 1;
	}
	secs = run_jobs(q, "sqlite", n);
	jobq_close(q);
	row("SQLite (WAL, FULL)", n, secs, fl);
	if ((q = jobq_open_pg(argv[2], NULL, err, sizeof(err))) == NULL) {
		fprintf(stderr, "postgresql: %s\n", err);
		return 1;
	}
	secs = run_jobs(q, "postgresql", n);
	jobq_close(q);
	row("PostgreSQL 15", n, secs, fl);
	printf("  %-22s %8s %12.0f %10.2f\n", "floor (write+fdatasync)", "",
	    fl, 1.0);
	return 0;
}
