/*
 * jobq_sqlite: the job store in one SQLite file (jobq.h).
 *
 * WAL with synchronous=FULL: a change is on disk when its call returns,
 * and readers do not wait for the writer.  Each call that decides on a
 * row (claim, fail) runs in BEGIN IMMEDIATE, which takes the write lock
 * first, so two workers (threads, processes, or hosts sharing the file)
 * can never claim the same job; busy_timeout makes the second wait.
 * auto_vacuum=INCREMENTAL lets prune give pruned pages back to the file
 * system, so a queue that runs for months does not grow.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "jobq.h"
#include "jobq_store.h"

#define BUSY_TIMEOUT_MS	10000

/* The schema (auto_vacuum is set before it: see setup()). */
static const char schema[] = JOBQ_SCHEMA("INTEGER PRIMARY KEY");

enum stmt {
	S_INSERT, S_BY_KEY, S_EXPIRE_LAST, S_CLAIM, S_COMPLETE, S_ATTEMPTS,
	S_RETRY, S_BURY, S_EXTEND, S_PRUNE, S_LIST, S_COUNT
};

static const char *const sql[S_COUNT] = {
	[S_INSERT] = "INSERT INTO jobs (kind, idem_key, payload, state, "
	    "max_attempts, run_at, created_at) VALUES (?1, ?2, ?3, 'ready', "
	    "?4, ?5, ?5) ON CONFLICT (idem_key) DO NOTHING",
	[S_BY_KEY] = "SELECT id FROM jobs WHERE idem_key = ?1",
	/* A lease that ran out at the last attempt: nothing left to retry. */
	[S_EXPIRE_LAST] = "UPDATE jobs SET state = 'dead', finished_at = ?1,"
	    " error = 'lease expired at the last attempt' WHERE state = "
	    "'running' AND lease_until <= ?1 AND attempts >= max_attempts",
	[S_CLAIM] = "UPDATE jobs SET state = 'running', attempts = "
	    "attempts + 1, token = token + 1, lease_until = ?2, worker = ?3 "
	    "WHERE id IN (SELECT id FROM jobs WHERE ((state = 'ready' AND "
	    "run_at <= ?1) OR (state = 'running' AND lease_until <= ?1)) AND "
	    "(?4 IS NULL OR kind = ?4) ORDER BY run_at, id LIMIT ?5) "
	    "RETURNING " JOBQ_COLUMNS,
	[S_COMPLETE] = "UPDATE jobs SET state = 'done', finished_at = ?3, "
	    "lease_until = 0 WHERE id = ?1 AND token = ?2 AND state = "
	    "'running'",
	[S_ATTEMPTS] = "SELECT attempts, max_attempts FROM jobs WHERE "
	    "id = ?1 AND token = ?2 AND state = 'running'",
	[S_RETRY] = "UPDATE jobs SET state = 'ready', run_at = ?2, "
	    "lease_until = 0, error = ?3 WHERE id = ?1",
	[S_BURY] = "UPDATE jobs SET state = 'dead', finished_at = ?2, "
	    "lease_until = 0, error = ?3 WHERE id = ?1",
	[S_EXTEND] = "UPDATE jobs SET lease_until = ?3 WHERE id = ?1 AND "
	    "token = ?2 AND state = 'running'",
	[S_PRUNE] = "DELETE FROM jobs WHERE state = 'done' AND "
	    "finished_at < ?1",
	[S_LIST] = "SELECT " JOBQ_COLUMNS " FROM jobs WHERE (?1 IS NULL OR "
	    "state = ?1) AND (?2 = 0 OR id = ?2) ORDER BY id",
};

struct sqlite_store {
	sqlite3		*db;		/* NULL while suspended */
	sqlite3_stmt	*st[S_COUNT];
	char		*path;		/* to open it again */
};

static sqlite3 *
db_of(struct jobq *q)
{
	return ((struct sqlite_store *)q->store)->db;
}

/* The statement, reset and unbound, ready for this call. */
static sqlite3_stmt *
stmt(struct jobq *q, enum stmt s)
{
	sqlite3_stmt	*st = ((struct sqlite_store *)q->store)->st[s];

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

static int
fail_db(struct jobq *q, const char *what)
{
	jobq_set_error(q, "%s: %s", what, sqlite3_errmsg(db_of(q)));
	return -1;
}

static int
exec(struct jobq *q, const char *s)
{
	return sqlite3_exec(db_of(q), s, NULL, NULL, NULL) == SQLITE_OK ? 0 :
	    fail_db(q, s);
}

static int
rollback(struct jobq *q, const char *what)
{
	int	 rc = fail_db(q, what);

	jobq_store_rollback(q);
	return rc;
}

static enum jobq_state
state_of(const char *s)
{
	if (s != NULL && strcmp(s, "running") == 0)
		return JOBQ_RUNNING;
	if (s != NULL && strcmp(s, "done") == 0)
		return JOBQ_DONE;
	if (s != NULL && strcmp(s, "dead") == 0)
		return JOBQ_DEAD;
	return JOBQ_READY;
}

static void
copy_text(char *dst, size_t len, sqlite3_stmt *st, int col)
{
	const unsigned char	*t = sqlite3_column_text(st, col);

	snprintf(dst, len, "%s", t != NULL ? (const char *)t : "");
}

/* A row in JOBQ_COLUMNS order; payload and error are borrowed. */
static void
row(sqlite3_stmt *st, struct jobq_job *j)
{
	j->id = sqlite3_column_int64(st, 0);
	copy_text(j->kind, sizeof(j->kind), st, 1);
	copy_text(j->key, sizeof(j->key), st, 2);
	j->payload = (char *)sqlite3_column_text(st, 3);
	j->state = state_of((const char *)sqlite3_column_text(st, 4));
	j->attempts = sqlite3_column_int(st, 5);
	j->max_attempts = sqlite3_column_int(st, 6);
	j->token = sqlite3_column_int64(st, 7);
	j->run_at = sqlite3_column_int64(st, 8);
	j->lease_until = sqlite3_column_int64(st, 9);
	copy_text(j->worker, sizeof(j->worker), st, 10);
	j->error = (char *)sqlite3_column_text(st, 11);
}

static int
sq_enqueue(struct jobq *q, const char *kind, const char *key,
    const char *payload, int max_attempts, int64_t now, int64_t *id,
    bool *created)
{
	sqlite3_stmt	*st = stmt(q, S_INSERT);

	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	if (key != NULL)
		sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, payload, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, max_attempts);
	sqlite3_bind_int64(st, 5, now);
	if (sqlite3_step(st) != SQLITE_DONE)
		return fail_db(q, "enqueue");
	if ((*created = sqlite3_changes(db_of(q)) == 1)) {
		*id = sqlite3_last_insert_rowid(db_of(q));
		return 0;
	}
	/* The key was taken: that job is the one asked for. */
	st = stmt(q, S_BY_KEY);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		return fail_db(q, "enqueue: the job with that key");
	*id = sqlite3_column_int64(st, 0);
	return 0;
}

static int
sq_claim(struct jobq *q, const char *kind, const char *worker, int64_t now,
    int64_t lease_until, struct jobq_job *out, int max)
{
	sqlite3_stmt	*st;
	int		 rc = SQLITE_DONE, n = 0, i;

	if (jobq_store_begin(q) != 0)
		return -1;
	st = stmt(q, S_EXPIRE_LAST);
	sqlite3_bind_int64(st, 1, now);
	if (sqlite3_step(st) != SQLITE_DONE)
		return rollback(q, "claim: expiring leases");
	st = stmt(q, S_CLAIM);
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, lease_until);
	sqlite3_bind_text(st, 3, worker, -1, SQLITE_STATIC);
	if (kind != NULL)
		sqlite3_bind_text(st, 4, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, max);
	/* Copied out row by row: the next step frees the row's text. */
	while (n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		row(st, &out[n]);
		out[n].payload = out[n].payload != NULL ?
		    strdup(out[n].payload) : NULL;
		out[n].error = out[n].error != NULL ? strdup(out[n].error) :
		    NULL;
		n++;
	}
	if (n < max ? rc != SQLITE_DONE : sqlite3_step(st) != SQLITE_DONE)
		rc = rollback(q, "claim");
	else
		rc = jobq_store_commit(q) == 0 ? n :
		    rollback(q, "claim: commit");
	sqlite3_reset(st);
	if (rc < 0)
		for (i = 0; i < n; i++)
			jobq_job_clear(&out[i]);
	return rc;
}

static int
sq_complete(struct jobq *q, int64_t id, int64_t token, int64_t now)
{
	sqlite3_stmt	*st = stmt(q, S_COMPLETE);

	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, token);
	sqlite3_bind_int64(st, 3, now);
	if (sqlite3_step(st) != SQLITE_DONE)
		return fail_db(q, "complete");
	return sqlite3_changes(db_of(q)) == 1 ? 0 : JOBQ_STALE;
}

static int
sq_complete_many(struct jobq *q, const int64_t *ids, const int64_t *tokens,
    size_t n, int64_t now, int *results)
{
	size_t	 i;

	if (jobq_store_begin(q) != 0)
		return -1;
	for (i = 0; i < n; i++)
		if ((results[i] = sq_complete(q, ids[i], tokens[i], now)) < 0)
			return rollback(q, "complete");
	return jobq_store_commit(q) == 0 ? 0 : rollback(q, "complete: commit");
}

static int
sq_fail(struct jobq *q, int64_t id, int64_t token, const char *error,
    int64_t now)
{
	sqlite3_stmt	*st;
	int		 attempts, max, rc;

	if (jobq_store_begin(q) != 0)
		return -1;
	st = stmt(q, S_ATTEMPTS);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, token);
	if ((rc = sqlite3_step(st)) == SQLITE_DONE) {
		sqlite3_reset(st);
		return jobq_store_commit(q) == 0 ? JOBQ_STALE : -1;
	}
	if (rc != SQLITE_ROW)
		return rollback(q, "fail");
	attempts = sqlite3_column_int(st, 0);
	max = sqlite3_column_int(st, 1);
	sqlite3_reset(st);
	st = stmt(q, attempts >= max ? S_BURY : S_RETRY);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, attempts >= max ? now :
	    now + jobq_backoff(q, attempts));
	sqlite3_bind_text(st, 3, error, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return rollback(q, "fail");
	return jobq_store_commit(q) == 0 ? 0 : rollback(q, "fail: commit");
}

static int
sq_extend(struct jobq *q, int64_t id, int64_t token, int64_t lease_until)
{
	sqlite3_stmt	*st = stmt(q, S_EXTEND);

	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, token);
	sqlite3_bind_int64(st, 3, lease_until);
	if (sqlite3_step(st) != SQLITE_DONE)
		return fail_db(q, "extend");
	return sqlite3_changes(db_of(q)) == 1 ? 0 : JOBQ_STALE;
}

static int
sq_prune(struct jobq *q, int64_t before, int64_t *removed)
{
	sqlite3_stmt	*st = stmt(q, S_PRUNE);

	sqlite3_bind_int64(st, 1, before);
	if (sqlite3_step(st) != SQLITE_DONE)
		return fail_db(q, "prune");
	*removed = sqlite3_changes(db_of(q));
	/* The freed pages back to the file system. */
	return exec(q, "PRAGMA incremental_vacuum");
}

static int
sq_list(struct jobq *q, int state, int64_t id,
    int (*fn)(const struct jobq_job *, void *), void *arg)
{
	sqlite3_stmt	*st = stmt(q, S_LIST);
	struct jobq_job	 j;
	int		 rc;

	if (state >= 0)
		sqlite3_bind_text(st, 1, jobq_state_name(state), -1,
		    SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&j, 0, sizeof(j));
		row(st, &j);
		if (fn(&j, arg) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail_db(q, "list");
	sqlite3_reset(st);
	return 0;
}

/* No signal between SQLite connections: the caller polls. */
static int
sq_wait(struct jobq *q, int timeout_ms)
{
	(void)q;
	poll(NULL, 0, timeout_ms);
	return 0;
}

/* The connection and its statements gone, the rest kept. */
static void
sq_suspend(struct jobq *q)
{
	struct sqlite_store	*s = q->store;
	int			 i;

	for (i = 0; i < S_COUNT; i++) {
		sqlite3_finalize(s->st[i]);
		s->st[i] = NULL;
	}
	sqlite3_close(s->db);
	s->db = NULL;
}

static void
sq_close(struct jobq *q)
{
	struct sqlite_store	*s = q->store;

	if (s != NULL) {
		sq_suspend(q);
		free(s->path);
		free(s);
	}
	free(q);
}

/* One file, one host: nobody else to lead. */
static int
sq_lead(struct jobq *q, int64_t key)
{
	(void)q;
	(void)key;
	return 1;
}

static int	sq_resume(struct jobq *);

static const struct jobq_store_ops sqlite_ops = {
	.enqueue = sq_enqueue, .claim = sq_claim, .complete = sq_complete,
	.complete_many = sq_complete_many,
	.fail = sq_fail, .extend = sq_extend, .prune = sq_prune,
	.list = sq_list, .wait = sq_wait, .lead = sq_lead, .close = sq_close,
	.suspend = sq_suspend, .resume = sq_resume,
	.exec = exec,
	/* The write lock at once: a claim never has to upgrade and retry. */
	.begin_sql = "BEGIN IMMEDIATE",
};

static int
setup(struct jobq *q, struct sqlite_store *s)
{
	int	 i;

	sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
	/*
	 * auto_vacuum takes effect only on a file with nothing in it yet,
	 * so before WAL mode writes the header; on an older file it is a
	 * no-op, which is harmless.
	 */
	if (exec(q, "PRAGMA auto_vacuum = INCREMENTAL") != 0 ||
	    exec(q, "PRAGMA journal_mode = WAL") != 0 ||
	    exec(q, "PRAGMA synchronous = FULL") != 0 ||
	    exec(q, schema) != 0)
		return -1;
	for (i = 0; i < S_COUNT; i++)
		if (sqlite3_prepare_v3(s->db, sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL) != SQLITE_OK)
			return fail_db(q, sql[i]);
	return 0;
}

static int
open_db(struct jobq *q, struct sqlite_store *s)
{
	if (sqlite3_open_v2(s->path, &s->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    setup(q, s) != 0)
		return -1;
	return 0;
}

static int
sq_resume(struct jobq *q)
{
	struct sqlite_store	*s = q->store;

	if (s->db != NULL)
		return 0;
	if (open_db(q, s) != 0) {
		sq_suspend(q);
		return -1;
	}
	return 0;
}

struct jobq *
jobq_open_sqlite(const char *path, const struct jobq_settings *set,
    char *err, size_t errlen)
{
	struct jobq		*q;
	struct sqlite_store	*s;

	if ((q = calloc(1, sizeof(*q))) == NULL ||
	    (s = calloc(1, sizeof(*s))) == NULL) {
		free(q);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	q->ops = &sqlite_ops;
	q->store = s;
	jobq_settle(q, set);
	if ((s->path = strdup(path)) == NULL || open_db(q, s) != 0) {
		snprintf(err, errlen, "%s: %s", path, s->db != NULL ?
		    (q->err[0] ? q->err : sqlite3_errmsg(s->db)) :
		    "out of memory");
		sq_close(q);
		return NULL;
	}
	return q;
}
