/*
 * jobq-bench DIR CONNINFO N: the scaler's job queue (daemons/scaler/
 * jobq.h), beside the disk's own limit.
 *
 * Each job is enqueued, claimed and completed.  One at a time, every
 * call is a transaction on disk before it returns: three commits a job.
 * In groups of G, G enqueues are one commit (group commit,
 * jobq_batch_begin), G claims another (jobq_claim_many) and G
 * completions a third (jobq_complete_many): each step durable before
 * the next, as a scaler acknowledges them.  Rows: SQLite in DIR,
 * PostgreSQL at CONNINFO (bench/run starts one in /tmp, the same file
 * system), and the floor, a loop of 4 KiB write + fdatasync in DIR (over
 * a file already written and synced, as a WAL is reused): what
 * one durable commit at a time can reach on this disk, so floor / 3
 * jobs/s is the limit of one durable job at a time.  Prints jobs/s,
 * commits/s and jobs/s against that limit.
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
	/*
	 * Written and synced once first: a WAL is rewritten in place once
	 * it has grown, so its commits do not change the file's size, and
	 * a floor that grew the file would also pay for that metadata.
	 */
	for (i = 0; i < n; i++)
		if (pwrite(fd, buf, sizeof(buf), (off_t)i * sizeof(buf)) !=
		    (ssize_t)sizeof(buf)) {
			perror("floor");
			exit(1);
		}
	if (fsync(fd) == -1) {
		perror("floor");
		exit(1);
	}
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

static void
die(struct jobq *q, const char *name)
{
	fprintf(stderr, "%s: %s\n", name, jobq_error(q));
	exit(1);
}

/*
 * G enqueues in one batch, then G claims in one statement, then G
 * completions in one statement: three commits.  One at a time (G = 1)
 * the plain calls.
 */
static void
one_group(struct jobq *q, const char *name, int g, int64_t t,
    struct jobq_job *jobs, int64_t *ids, int64_t *tokens, int *results)
{
	int64_t	 id;
	bool	 created;
	int	 i;

	if (g > 1 && jobq_batch_begin(q) != 0)
		die(q, name);
	for (i = 0; i < g; i++)
		if (jobq_enqueue(q, "bench", NULL, "{}", 1, t, &id,
		    &created) != 0)
			die(q, name);
	if (g > 1 && jobq_batch_commit(q) != 0)
		die(q, name);
	if (jobq_claim_many(q, NULL, "bench", t, 60000, jobs, g) != g)
		die(q, name);
	for (i = 0; i < g; i++) {
		ids[i] = jobs[i].id;
		tokens[i] = jobs[i].token;
		jobq_job_clear(&jobs[i]);
	}
	if (g == 1 ? jobq_complete(q, ids[0], tokens[0], t) != 0 :
	    jobq_complete_many(q, ids, tokens, (size_t)g, t, results) != 0)
		die(q, name);
	for (i = 0; g > 1 && i < g; i++)
		if (results[i] != 0)
			die(q, name);
}

/* Seconds for n jobs (a multiple of g), in groups of g. */
static double
run_jobs(struct jobq *q, const char *name, int n, int g)
{
	struct jobq_job	*jobs = calloc((size_t)g, sizeof(*jobs));
	int64_t		*ids = calloc((size_t)g, sizeof(*ids));
	int64_t		*tokens = calloc((size_t)g, sizeof(*tokens));
	int		*results = calloc((size_t)g, sizeof(*results));
	double		 t0 = bench_now();
	int		 i;

	if (jobs == NULL || ids == NULL || tokens == NULL || results == NULL)
		exit(1);
	for (i = 0; i < n / g; i++)
		one_group(q, name, g, i, jobs, ids, tokens, results);
	free(jobs);
	free(ids);
	free(tokens);
	free(results);
	return bench_now() - t0;
}

static void
row(const char *store, int g, int n, double secs, double floor)
{
	char	 name[64];

	if (g == 1)
		snprintf(name, sizeof(name), "%s, one at a time", store);
	else
		snprintf(name, sizeof(name), "%s, groups of %d", store, g);
	printf("  %-32s %8.0f %10.0f %10.2f\n", name, n / secs,
	    3.0 * (n / g) / secs, n / secs / (floor / 3));
}

static struct jobq *
open_store(const char *dir, const char *conninfo, bool pg)
{
	char		 path[512], err[256];
	struct jobq	*q;

	snprintf(path, sizeof(path), "%s/jobs.db", dir);
	q = pg ? jobq_open_pg(conninfo, NULL, err, sizeof(err)) :
	    jobq_open_sqlite(path, NULL, err, sizeof(err));
	if (q == NULL) {
		fprintf(stderr, "%s: %s\n", pg ? "postgresql" : "sqlite", err);
		exit(1);
	}
	return q;
}

int
main(int argc, char **argv)
{
	static const int	 groups[] = { 1, 8, 64 };
	static const char *const stores[] = { "SQLite (WAL, FULL)",
				    "PostgreSQL 15" };
	struct jobq		*q;
	double			 fl;
	size_t			 gi;
	int			 n, si;

	if (argc != 4 || (n = atoi(argv[3])) < 64) {
		fprintf(stderr, "usage: jobq-bench DIR CONNINFO N (N >= 64)\n");
		return 2;
	}
	n -= n % 64;
	fl = floor_rate(argv[1], 3 * n);
	printf("  %-32s %8s %10s %10s\n", "store, jobs per commit", "jobs/s",
	    "commits/s", "vs limit");
	for (si = 0; si < 2; si++)
		for (gi = 0; gi < sizeof(groups) / sizeof(groups[0]); gi++) {
			q = open_store(argv[1], argv[2], si == 1);
			row(stores[si], groups[gi], n, run_jobs(q, stores[si],
			    n, groups[gi]), fl);
			jobq_close(q);
		}
	printf("  %-32s %8.0f %10.0f %10.2f\n",
	    "limit: floor (write+fdatasync)", fl / 3, fl, 1.0);
	return 0;
}
