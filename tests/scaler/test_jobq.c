/*
 * The job queue (daemons/scaler/jobq.h) on both stores: the job model
 * with a fake clock (claim, lease expiry and fencing, retries with
 * backoff, dead letters, idempotency, pruning), what survives closing the
 * store, and several worker processes claiming every job exactly once.
 * SQLite also: pruning gives the file's pages back.  PostgreSQL also: a
 * waiting worker is woken by another's enqueue (LISTEN/NOTIFY).
 *
 *	unit_jobq			SQLite, in a temporary directory
 *	unit_jobq pg CONNINFO		PostgreSQL (with_postgres.sh starts
 *					one; each test starts from no table)
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "jobq.h"
#include "unit.h"

static char	 dir[64];
static char	 path[128];
static const char *pg;		/* conninfo: the PostgreSQL run */

static void
setup(void)
{
	PGconn	*c;

	snprintf(dir, sizeof(dir), "/tmp/jobq.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/jobs.db", dir);
	if (pg == NULL)
		return;
	c = PQconnectdb(pg);
	ck_assert_msg(PQstatus(c) == CONNECTION_OK, "%s", PQerrorMessage(c));
	PQclear(PQexec(c, "SET client_min_messages = warning"));
	PQclear(PQexec(c, "DROP TABLE IF EXISTS jobs"));
	PQfinish(c);
}

static void
teardown(void)
{
	char	 cmd[160];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static struct jobq *
open_q(void)
{
	struct jobq_settings	 set = { .backoff_ms = 100,
				    .backoff_max_ms = 1000 };
	char			 err[256];
	struct jobq		*q = pg != NULL ?
				    jobq_open_pg(pg, &set, err, sizeof(err)) :
				    jobq_open_sqlite(path, &set, err,
				    sizeof(err));

	ck_assert_msg(q != NULL, "open: %s", err);
	return q;
}

static int64_t
add(struct jobq *q, const char *kind, const char *key, int attempts,
    int64_t now)
{
	int64_t	 id;
	bool	 created;

	ck_assert_int_eq(jobq_enqueue(q, kind, key, "{\"n\":1}", attempts,
	    now, &id, &created), 0);
	return id;
}

START_TEST(claim_complete)
{
	struct jobq	*q = open_q();
	struct jobq_job	 j, g;
	int64_t		 id = add(q, "domain.start", NULL, 3, 0);

	ck_assert_int_eq(jobq_claim(q, "domain.stop", "w1", 0, 1000, &j), 0);
	ck_assert_int_eq(jobq_claim(q, NULL, "w1", 0, 1000, &j), 1);
	ck_assert_int_eq(j.id, id);
	ck_assert_str_eq(j.kind, "domain.start");
	ck_assert_str_eq(j.payload, "{\"n\":1}");
	ck_assert_int_eq(j.state, JOBQ_RUNNING);
	ck_assert_int_eq(j.attempts, 1);
	ck_assert_int_eq(j.lease_until, 1000);
	ck_assert_str_eq(j.worker, "w1");
	/* Leased: nobody else gets it. */
	ck_assert_int_eq(jobq_claim(q, NULL, "w2", 10, 1000, &g), 0);
	ck_assert_int_eq(jobq_complete(q, id, j.token, 20), 0);
	/* Done once: a second completion is stale. */
	ck_assert_int_eq(jobq_complete(q, id, j.token, 21), JOBQ_STALE);
	ck_assert_int_eq(jobq_get(q, id, &g), 1);
	ck_assert_int_eq(g.state, JOBQ_DONE);
	jobq_job_clear(&g);
	jobq_job_clear(&j);
	jobq_close(q);
}
END_TEST

START_TEST(idempotency_key)
{
	struct jobq	*q = open_q();
	int64_t		 a, b;
	bool		 created;

	ck_assert_int_eq(jobq_enqueue(q, "domain.start", "web-3", NULL, 3, 0,
	    &a, &created), 0);
	ck_assert(created);
	ck_assert_int_eq(jobq_enqueue(q, "domain.start", "web-3", NULL, 3, 5,
	    &b, &created), 0);
	ck_assert(!created);
	ck_assert_int_eq(a, b);
	/* Another key, another job; no key, always a new one. */
	ck_assert_int_ne(add(q, "domain.start", "web-4", 3, 0), a);
	ck_assert_int_ne(add(q, "x", NULL, 1, 0), add(q, "x", NULL, 1, 0));
	jobq_close(q);
}
END_TEST

START_TEST(lease_expiry_fences)
{
	struct jobq	*q = open_q();
	struct jobq_job	 old, j;
	int64_t		 id = add(q, "k", NULL, 3, 0);

	ck_assert_int_eq(jobq_claim(q, NULL, "slow", 0, 100, &old), 1);
	ck_assert_int_eq(jobq_claim(q, NULL, "w2", 99, 100, &j), 0);
	/* The lease ran out: another worker takes it, with a new token. */
	ck_assert_int_eq(jobq_claim(q, NULL, "w2", 100, 100, &j), 1);
	ck_assert_int_eq(j.id, id);
	ck_assert_int_gt(j.token, old.token);
	ck_assert_int_eq(j.attempts, 2);
	/* The slow one may neither finish, fail nor extend it now. */
	ck_assert_int_eq(jobq_complete(q, id, old.token, 150), JOBQ_STALE);
	ck_assert_int_eq(jobq_fail(q, id, old.token, "late", 150), JOBQ_STALE);
	ck_assert_int_eq(jobq_extend(q, id, old.token, 150, 100), JOBQ_STALE);
	/* The holder extends its lease and finishes. */
	ck_assert_int_eq(jobq_extend(q, id, j.token, 150, 1000), 0);
	jobq_job_clear(&old);
	ck_assert_int_eq(jobq_claim(q, NULL, "w3", 300, 100, &old), 0);
	ck_assert_int_eq(jobq_complete(q, id, j.token, 400), 0);
	jobq_job_clear(&old);
	jobq_job_clear(&j);
	jobq_close(q);
}
END_TEST

START_TEST(retry_backoff_dead)
{
	struct jobq	*q = open_q();
	struct jobq_job	 j;
	int64_t		 id = add(q, "k", NULL, 3, 0), t = 0;

	/* Attempt 1 fails: ready again after 100 ms; attempt 2: 200 ms. */
	ck_assert_int_eq(jobq_claim(q, NULL, "w", t, 1000, &j), 1);
	ck_assert_int_eq(jobq_fail(q, id, j.token, "no memory", t), 0);
	jobq_job_clear(&j);
	ck_assert_int_eq(jobq_claim(q, NULL, "w", t + 99, 1000, &j), 0);
	ck_assert_int_eq(jobq_claim(q, NULL, "w", t + 100, 1000, &j), 1);
	ck_assert_str_eq(j.error, "no memory");
	t += 100;
	ck_assert_int_eq(jobq_fail(q, id, j.token, "again", t), 0);
	jobq_job_clear(&j);
	ck_assert_int_eq(jobq_claim(q, NULL, "w", t + 199, 1000, &j), 0);
	ck_assert_int_eq(jobq_claim(q, NULL, "w", t + 200, 1000, &j), 1);
	ck_assert_int_eq(j.attempts, 3);
	/* The last attempt fails: a dead letter, never claimed again. */
	ck_assert_int_eq(jobq_fail(q, id, j.token, "gave up", t + 200), 0);
	jobq_job_clear(&j);
	ck_assert_int_eq(jobq_claim(q, NULL, "w", t + 100000, 1000, &j), 0);
	ck_assert_int_eq(jobq_get(q, id, &j), 1);
	ck_assert_int_eq(j.state, JOBQ_DEAD);
	ck_assert_str_eq(j.error, "gave up");
	jobq_job_clear(&j);
	jobq_close(q);
}
END_TEST

START_TEST(lease_expiry_at_last_attempt)
{
	struct jobq	*q = open_q();
	struct jobq_job	 j;
	int64_t		 id = add(q, "k", NULL, 1, 0);

	ck_assert_int_eq(jobq_claim(q, NULL, "crashed", 0, 100, &j), 1);
	jobq_job_clear(&j);
	/* Its holder died with the only attempt: dead, not run again. */
	ck_assert_int_eq(jobq_claim(q, NULL, "w", 500, 100, &j), 0);
	ck_assert_int_eq(jobq_get(q, id, &j), 1);
	ck_assert_int_eq(j.state, JOBQ_DEAD);
	ck_assert_str_eq(j.error, "lease expired at the last attempt");
	jobq_job_clear(&j);
	jobq_close(q);
}
END_TEST

START_TEST(backoff_doubles_capped)
{
	struct jobq	*q = open_q();

	ck_assert_int_eq(jobq_backoff(q, 1), 100);
	ck_assert_int_eq(jobq_backoff(q, 2), 200);
	ck_assert_int_eq(jobq_backoff(q, 4), 800);
	ck_assert_int_eq(jobq_backoff(q, 5), 1000);
	ck_assert_int_eq(jobq_backoff(q, 50), 1000);
	jobq_close(q);
}
END_TEST

static int
count(const struct jobq_job *j, void *arg)
{
	(void)j;
	(*(int *)arg)++;
	return 0;
}

static int
count_in(struct jobq *q, int state)
{
	int	 n = 0;

	ck_assert_int_eq(jobq_list(q, state, count, &n), 0);
	return n;
}

/*
 * Group commit: a batch is one transaction, seen by another connection
 * only once committed; a call failing inside it takes back only its own
 * change; an abort, or a close with the batch open, keeps nothing.
 */
START_TEST(batch_group_commit)
{
	struct jobq	*q = open_q(), *other = open_q();
	struct jobq_job	 a, b;
	int64_t		 id, again;
	bool		 created;

	ck_assert_int_eq(jobq_batch_begin(q), 0);
	ck_assert_int_eq(jobq_batch_begin(q), -1);
	id = add(q, "domain.start", "web-1", 3, 0);
	ck_assert_int_eq(jobq_enqueue(q, "domain.start", "web-1", "{}", 3, 0,
	    &again, &created), 0);
	ck_assert(!created);
	ck_assert_int_eq(again, id);
	add(q, "domain.start", NULL, 3, 0);
	add(q, "domain.start", NULL, 3, 0);
	if (pg != NULL) {
		/* Not UTF-8: PostgreSQL refuses the statement. */
		ck_assert_int_eq(jobq_enqueue(q, "domain.start", NULL,
		    "\xff\xfe", 3, 0, &again, &created), -1);
	}
	/* Nothing of it is there for another connection yet. */
	ck_assert_int_eq(count_in(other, -1), 0);
	ck_assert_int_eq(jobq_prune(q, 100, NULL), -1);
	ck_assert_int_eq(jobq_wait(q, 0), -1);
	ck_assert_int_eq(jobq_claim(q, NULL, "w1", 1, 1000, &a), 1);
	ck_assert_int_eq(jobq_claim(q, NULL, "w1", 1, 1000, &b), 1);
	ck_assert_int_eq(jobq_complete(q, a.id, a.token + 1, 2), JOBQ_STALE);
	ck_assert_int_eq(jobq_complete(q, b.id, b.token, 2), 0);
	ck_assert_int_eq(jobq_batch_commit(q), 0);
	ck_assert_int_eq(jobq_batch_commit(q), -1);
	/* All of it, and nothing of the failed call. */
	ck_assert_int_eq(count_in(other, -1), 3);
	ck_assert_int_eq(count_in(other, JOBQ_DONE), 1);
	ck_assert_int_eq(count_in(other, JOBQ_RUNNING), 1);
	ck_assert_int_eq(count_in(other, JOBQ_READY), 1);
	/* Aborted, or left open at close: not kept. */
	ck_assert_int_eq(jobq_batch_begin(q), 0);
	add(q, "domain.stop", NULL, 3, 5);
	jobq_batch_abort(q);
	ck_assert_int_eq(jobq_batch_begin(q), 0);
	add(q, "domain.stop", NULL, 3, 5);
	jobq_close(q);
	ck_assert_int_eq(count_in(other, -1), 3);
	jobq_job_clear(&a);
	jobq_job_clear(&b);
	jobq_close(other);
}
END_TEST

/* Several at once: one claim statement, one completion statement. */
START_TEST(claim_and_complete_many)
{
	struct jobq	*q = open_q();
	struct jobq_job	 j[10];
	int64_t		 ids[5], tokens[5];
	int		 results[5], i, n;

	for (i = 0; i < 5; i++)
		add(q, "domain.start", NULL, 3, i);
	ck_assert_int_eq(jobq_claim_many(q, NULL, "w1", 10, 1000, j, 0), -1);
	ck_assert_int_eq(jobq_claim_many(q, NULL, "w1", 10, 1000, j, 3), 3);
	ck_assert_int_eq(jobq_claim_many(q, NULL, "w2", 10, 1000, j + 3, 7),
	    2);
	ck_assert_int_eq(jobq_claim_many(q, NULL, "w3", 10, 1000, j + 5, 5),
	    0);
	for (i = 0; i < 5; i++) {
		ck_assert_int_eq(j[i].state, JOBQ_RUNNING);
		ck_assert_int_eq(j[i].lease_until, 1010);
		ck_assert_str_eq(j[i].worker, i < 3 ? "w1" : "w2");
		ids[i] = j[i].id;
		tokens[i] = j[i].token;
	}
	/* Oldest first, each once. */
	for (i = 1; i < 5; i++)
		ck_assert_int_ne(ids[i], ids[i - 1]);
	tokens[2]++;	/* not its token */
	ck_assert_int_eq(jobq_complete_many(q, ids, tokens, 5, 20, results),
	    0);
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(results[i], i == 2 ? JOBQ_STALE : 0);
	n = 0;
	ck_assert_int_eq(jobq_list(q, JOBQ_DONE, count, &n), 0);
	ck_assert_int_eq(n, 4);
	for (i = 0; i < 5; i++)
		jobq_job_clear(&j[i]);
	jobq_close(q);
}
END_TEST

START_TEST(survives_reopen)
{
	struct jobq	*q = open_q();
	struct jobq_job	 j;
	int		 n = 0;

	add(q, "a", "k1", 2, 0);
	add(q, "b", NULL, 2, 0);
	ck_assert_int_eq(jobq_claim(q, "a", "w", 0, 100, &j), 1);
	jobq_job_clear(&j);
	jobq_close(q);	/* as if the scaler died here */
	q = open_q();
	ck_assert_int_eq(jobq_list(q, -1, count, &n), 0);
	ck_assert_int_eq(n, 2);
	/* The claimed job comes back once its lease is over. */
	ck_assert_int_eq(jobq_claim(q, "a", "w2", 50, 100, &j), 0);
	ck_assert_int_eq(jobq_claim(q, "a", "w2", 100, 100, &j), 1);
	ck_assert_str_eq(j.key, "k1");
	jobq_job_clear(&j);
	jobq_close(q);
}
END_TEST

/*
 * Suspended around a fork (as the scaler does before it forks its
 * control loop): the child opens the same store and works in it, which
 * it could not with the parent's connection inherited; the parent, once
 * resumed, sees the child's job and goes on with the same handle.
 */
START_TEST(suspend_across_fork)
{
	struct jobq	*q = open_q(), *c;
	struct jobq_job	 j;
	pid_t		 pid;
	int		 status, n = 0;

	add(q, "a", NULL, 2, 0);
	jobq_suspend(q);
	if ((pid = fork()) == 0) {
		alarm(20);	/* a child that hangs fails the test */
		closefrom(3);	/* as worker.h's child keeps only its own */
		c = open_q();
		_exit(jobq_claim(c, "a", "child", 0, 1000, &j) == 1 &&
		    jobq_complete(c, j.id, j.token, 1) == 0 &&
		    jobq_enqueue(c, "b", NULL, "{}", 2, 1, &j.id, &(bool){ 0 })
		    == 0 ? 0 : 1);
	}
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(jobq_resume(q), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_int_eq(jobq_list(q, JOBQ_DONE, count, &n), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(jobq_claim(q, "b", "parent", 2, 1000, &j), 1);
	jobq_job_clear(&j);
	jobq_close(q);
}
END_TEST

static off_t
size_of(const char *p)
{
	struct stat	 st;

	return stat(p, &st) == 0 ? st.st_size : 0;
}

/* Many jobs done and pruned, round after round: the file stays put. */
START_TEST(prune_keeps_size)
{
	struct jobq	*q = open_q();
	struct jobq_job	 j;
	char		 big[2048];
	int64_t		 t = 0, removed, id;
	off_t		 after_first = 0;
	bool		 created;
	int		 round, i, n;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (round = 0; round < 6; round++) {
		for (i = 0; i < 200; i++)
			ck_assert_int_eq(jobq_enqueue(q, "k", NULL, big, 1, t,
			    &id, &created), 0);
		while (jobq_claim(q, NULL, "w", t, 1000, &j) == 1) {
			ck_assert_int_eq(jobq_complete(q, j.id, j.token, t), 0);
			jobq_job_clear(&j);
		}
		t += 10;
		ck_assert_int_eq(jobq_prune(q, t, &removed), 0);
		ck_assert_int_eq(removed, 200);
		if (round == 0) {
			/* Closing folds the WAL in: the file is the store. */
			jobq_close(q);
			after_first = size_of(path);
			q = open_q();
		}
	}
	n = 0;
	ck_assert_int_eq(jobq_list(q, -1, count, &n), 0);
	ck_assert_int_eq(n, 0);
	jobq_close(q);	/* checkpoints the WAL into the file */
	ck_assert_msg(size_of(path) <= after_first + 64 * 1024,
	    "the store grew from %lld to %lld bytes", (long long)after_first,
	    (long long)size_of(path));
	ck_assert_msg(size_of(path) < 200 * 2048,
	    "pruned pages were not given back: %lld bytes",
	    (long long)size_of(path));
}
END_TEST

/* Done jobs before the time go; later ones and live ones stay. */
START_TEST(prune_removes_done_only)
{
	struct jobq	*q = open_q();
	struct jobq_job	 j;
	int64_t		 removed;
	int		 n = 0;

	add(q, "k", NULL, 1, 0);
	add(q, "k", NULL, 1, 0);
	add(q, "k", NULL, 1, 0);
	ck_assert_int_eq(jobq_claim(q, NULL, "w", 0, 1000, &j), 1);
	ck_assert_int_eq(jobq_complete(q, j.id, j.token, 10), 0);
	jobq_job_clear(&j);
	ck_assert_int_eq(jobq_claim(q, NULL, "w", 0, 1000, &j), 1);
	ck_assert_int_eq(jobq_complete(q, j.id, j.token, 30), 0);
	jobq_job_clear(&j);
	ck_assert_int_eq(jobq_prune(q, 20, &removed), 0);
	ck_assert_int_eq(removed, 1);
	ck_assert_int_eq(jobq_list(q, -1, count, &n), 0);
	ck_assert_int_eq(n, 2);
	jobq_close(q);
}
END_TEST

/* A worker in jobq_wait is woken by an enqueue on another connection. */
START_TEST(wait_woken_by_enqueue)
{
	struct jobq	*q = open_q();
	int		 fd[2], st;
	char		 c;
	pid_t		 pid;

	ck_assert_int_eq(jobq_wait(q, 0), 0);	/* now LISTENing */
	ck_assert_int_eq(pipe(fd), 0);
	if ((pid = fork()) == 0) {
		struct jobq	*p;

		close(fd[1]);
		/* Enqueue once the parent waits; its wait is bounded. */
		if (read(fd[0], &c, 1) != 1 || (p = open_q()) == NULL)
			_exit(1);
		add(p, "k", NULL, 1, 0);
		jobq_close(p);
		_exit(0);
	}
	close(fd[0]);
	ck_assert_int_eq(write(fd[1], "g", 1), 1);
	/* 30 s: a timeout, not a notification, would return 0. */
	ck_assert_int_eq(jobq_wait(q, 30000), 1);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(fd[1]);
	jobq_close(q);
}
END_TEST

/*
 * One leader among the connections sharing the store: PostgreSQL's
 * first taker holds the lock, asked again it still leads, a second
 * connection does not, and once the first is gone the second takes it.
 * SQLite's is one host's: it always leads.
 */
START_TEST(one_leader)
{
	struct jobq	*a = open_q(), *b = open_q();
	int		 n, got = 0;

	ck_assert_int_eq(jobq_lead(a, 42), 1);
	ck_assert_int_eq(jobq_lead(a, 42), 1);
	ck_assert_int_eq(jobq_lead(b, 42), pg != NULL ? 0 : 1);
	ck_assert_int_eq(jobq_lead(b, 7), 1);		/* another role */
	jobq_close(a);
	/* The server frees a's lock as its backend ends, a moment after
	 * the close: asked until then (5 s at most). */
	for (n = 0; n < 500 && (got = jobq_lead(b, 42)) == 0; n++)
		usleep(10000);
	ck_assert_int_eq(got, 1);
	jobq_close(b);
}
END_TEST

START_TEST(refuses_bad_arguments)
{
	struct jobq	*q = open_q();
	struct jobq_job	 j;
	char		 longkind[JOBQ_KIND_MAX + 1];
	int64_t		 id;
	bool		 created;

	memset(longkind, 'k', sizeof(longkind) - 1);
	longkind[sizeof(longkind) - 1] = '\0';
	ck_assert_int_eq(jobq_enqueue(q, longkind, NULL, NULL, 1, 0, &id,
	    &created), -1);
	ck_assert_int_eq(jobq_enqueue(q, "", NULL, NULL, 1, 0, &id,
	    &created), -1);
	ck_assert_int_eq(jobq_enqueue(q, "k", NULL, NULL, 0, 0, &id,
	    &created), -1);
	ck_assert_int_eq(jobq_claim(q, NULL, "w", 0, 0, &j), -1);
	ck_assert_ptr_nonnull(strstr(jobq_error(q), "lease"));
	jobq_close(q);
}
END_TEST

#define WORKERS		4
#define JOBS		400

static int64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One worker process: claim until none is left, report each id. */
static void __attribute__((noreturn))
worker(int w, int out)
{
	struct jobq	*q = open_q();
	struct jobq_job	 j;
	char		 name[16];
	int		 rc;

	snprintf(name, sizeof(name), "w%d", w);
	while ((rc = jobq_claim(q, NULL, name, now_ms(), 60000, &j)) == 1) {
		if (write(out, &j.id, sizeof(j.id)) != sizeof(j.id) ||
		    jobq_complete(q, j.id, j.token, now_ms()) != 0)
			_exit(2);
		jobq_job_clear(&j);
	}
	jobq_close(q);
	_exit(rc == 0 ? 0 : 3);
}

START_TEST(workers_claim_once)
{
	struct jobq	*q = open_q();
	static int	 seen[JOBS + 1];
	int64_t		 id;
	pid_t		 pid[WORKERS];
	int		 fd[2], i, st, done = 0;

	for (i = 0; i < JOBS; i++)
		ck_assert_int_le(add(q, "k", NULL, 1, 0), JOBS);
	ck_assert_int_eq(pipe(fd), 0);
	for (i = 0; i < WORKERS; i++)
		if ((pid[i] = fork()) == 0) {
			close(fd[0]);
			worker(i, fd[1]);
		}
	close(fd[1]);
	while (read(fd[0], &id, sizeof(id)) == sizeof(id)) {
		ck_assert(id >= 1 && id <= JOBS);
		ck_assert_msg(seen[id]++ == 0, "job %lld claimed twice",
		    (long long)id);
		done++;
	}
	for (i = 0; i < WORKERS; i++) {
		ck_assert_int_eq(waitpid(pid[i], &st, 0), pid[i]);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		    "worker %d: status %d", i, st);
	}
	ck_assert_int_eq(done, JOBS);
	i = 0;
	ck_assert_int_eq(jobq_list(q, JOBQ_DONE, count, &i), 0);
	ck_assert_int_eq(i, JOBS);
	jobq_close(q);
}
END_TEST

int
main(int argc, char **argv)
{
	Suite	*s = suite_create("jobq");
	TCase	*tc;

	if (argc == 3 && strcmp(argv[1], "pg") == 0)
		pg = argv[2];
	else if (argc != 1) {
		fprintf(stderr, "usage: unit_jobq [pg CONNINFO]\n");
		return 2;
	}
	tc = tcase_create(pg != NULL ? "postgresql" : "sqlite");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, claim_complete);
	tcase_add_test(tc, idempotency_key);
	tcase_add_test(tc, lease_expiry_fences);
	tcase_add_test(tc, retry_backoff_dead);
	tcase_add_test(tc, lease_expiry_at_last_attempt);
	tcase_add_test(tc, backoff_doubles_capped);
	tcase_add_test(tc, survives_reopen);
	tcase_add_test(tc, suspend_across_fork);
	tcase_add_test(tc, batch_group_commit);
	tcase_add_test(tc, claim_and_complete_many);
	tcase_add_test(tc, prune_removes_done_only);
	tcase_add_test(tc, refuses_bad_arguments);
	tcase_add_test(tc, workers_claim_once);
	tcase_add_test(tc, one_leader);
	if (pg != NULL)
		tcase_add_test(tc, wait_woken_by_enqueue);
	else
		tcase_add_test(tc, prune_keeps_size);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
