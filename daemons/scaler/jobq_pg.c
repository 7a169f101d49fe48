/*
 * jobq_pg: the job store in PostgreSQL (jobq.h), for scalers on several
 * hosts sharing one queue.
 *
 * The schema is the one both stores share (jobq_store.h), but for the
 * id, a BIGSERIAL.  A claim picks its row with FOR UPDATE SKIP LOCKED,
 * so claims on many connections never wait on each other and never take
 * the same job; every enqueue and retry sends NOTIFY on channel
 * "shoal_jobq" in its transaction, so an idle worker blocked in
 * jobq_wait() (LISTEN) wakes when there is work instead of polling.
 * Dead rows from pruning are reclaimed by PostgreSQL's autovacuum.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "jobq.h"
#include "jobq_store.h"

static const char schema[] = JOBQ_SCHEMA("BIGSERIAL PRIMARY KEY");

#define NOTIFY	"NOTIFY shoal_jobq"

struct pg_store {
	PGconn	*conn;
	bool	 listening;
	bool	 leading;	/* holds the lead lock (pg_lead) */
};

static PGconn *
conn_of(struct jobq *q)
{
	return ((struct pg_store *)q->store)->conn;
}

/* One statement with text parameters; NULL after setting the error. */
static PGresult *
run(struct jobq *q, const char *what, const char *sql, int n,
    const char *const *params)
{
	PGresult	*r = PQexecParams(conn_of(q), sql, n, NULL, params,
			    NULL, NULL, 0);
	ExecStatusType	 st = PQresultStatus(r);

	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return r;
	jobq_set_error(q, "%s: %s", what, PQerrorMessage(conn_of(q)));
	PQclear(r);
	return NULL;
}

/* Statements without parameters (the schema is several at once). */
static int
run_cmd(struct jobq *q, const char *what, const char *sql)
{
	PGresult	*r = PQexec(conn_of(q), sql);
	ExecStatusType	 st = PQresultStatus(r);

	PQclear(r);
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return 0;
	jobq_set_error(q, "%s: %s", what, PQerrorMessage(conn_of(q)));
	return -1;
}

static int
rollback(struct jobq *q)
{
	jobq_store_rollback(q);
	return -1;
}

/* A bare statement, for jobq.c's transactions and savepoints. */
static int
pg_exec(struct jobq *q, const char *sql)
{
	return run_cmd(q, sql, sql);
}

static void
num(char *buf, size_t len, int64_t v)
{
	snprintf(buf, len, "%" PRId64, v);
}

static enum jobq_state
state_of(const char *s)
{
	if (strcmp(s, "running") == 0)
		return JOBQ_RUNNING;
	if (strcmp(s, "done") == 0)
		return JOBQ_DONE;
	if (strcmp(s, "dead") == 0)
		return JOBQ_DEAD;
	return JOBQ_READY;
}

/* Row i in JOBQ_COLUMNS order; payload and error are borrowed. */
static void
row(PGresult *r, int i, struct jobq_job *j)
{
	j->id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
	snprintf(j->kind, sizeof(j->kind), "%s", PQgetvalue(r, i, 1));
	snprintf(j->key, sizeof(j->key), "%s", PQgetvalue(r, i, 2));
	j->payload = PQgetvalue(r, i, 3);
	j->state = state_of(PQgetvalue(r, i, 4));
	j->attempts = atoi(PQgetvalue(r, i, 5));
	j->max_attempts = atoi(PQgetvalue(r, i, 6));
	j->token = strtoll(PQgetvalue(r, i, 7), NULL, 10);
	j->run_at = strtoll(PQgetvalue(r, i, 8), NULL, 10);
	j->lease_until = strtoll(PQgetvalue(r, i, 9), NULL, 10);
	snprintf(j->worker, sizeof(j->worker), "%s", PQgetvalue(r, i, 10));
	j->error = PQgetisnull(r, i, 11) ? NULL : PQgetvalue(r, i, 11);
}

static int
pg_enqueue(struct jobq *q, const char *kind, const char *key,
    const char *payload, int max_attempts, int64_t now, int64_t *id,
    bool *created)
{
	char		 m[16], t[24];
	const char	*p[5] = { kind, key, payload, m, t };
	PGresult	*r;

	snprintf(m, sizeof(m), "%d", max_attempts);
	num(t, sizeof(t), now);
	if (jobq_store_begin(q) != 0)
		return -1;
	if ((r = run(q, "enqueue", "INSERT INTO jobs (kind, idem_key, "
	    "payload, state, max_attempts, run_at, created_at) VALUES ($1, "
	    "$2, $3, 'ready', $4, $5, $5) ON CONFLICT (idem_key) DO NOTHING "
	    "RETURNING id", 5, p)) == NULL)
		return rollback(q);
	if ((*created = PQntuples(r) == 1))
		*id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	if (!*created) {
		/* The key was taken: that job is the one asked for. */
		if ((r = run(q, "enqueue: the job with that key", "SELECT id "
		    "FROM jobs WHERE idem_key = $1", 1, &key)) == NULL ||
		    PQntuples(r) != 1) {
			PQclear(r);
			return rollback(q);
		}
		*id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		PQclear(r);
	}
	if ((*created && run_cmd(q, "enqueue", NOTIFY) != 0) ||
	    jobq_store_commit(q) != 0)
		return rollback(q);
	return 0;
}

static int
pg_claim(struct jobq *q, const char *kind, const char *worker, int64_t now,
    int64_t lease_until, struct jobq_job *out, int max)
{
	char		 n[24], l[24], m[16];
	const char	*p[5] = { n, l, worker, kind, m };
	PGresult	*r;
	int		 got, i;

	num(n, sizeof(n), now);
	num(l, sizeof(l), lease_until);
	snprintf(m, sizeof(m), "%d", max);
	if (jobq_store_begin(q) != 0)
		return -1;
	PQclear(r = run(q, "claim: expiring leases", "UPDATE jobs SET state ="
	    " 'dead', finished_at = $1, error = 'lease expired at the last "
	    "attempt' WHERE state = 'running' AND lease_until <= $1 AND "
	    "attempts >= max_attempts", 1, p));
	if (r == NULL)
		return rollback(q);
	if ((r = run(q, "claim", "WITH next AS (SELECT id FROM jobs WHERE "
	    "((state = 'ready' AND run_at <= $1) OR (state = 'running' AND "
	    "lease_until <= $1)) AND ($4::text IS NULL OR kind = $4) ORDER BY "
	    "run_at, id LIMIT $5 FOR UPDATE SKIP LOCKED) UPDATE jobs SET "
	    "state = 'running', attempts = jobs.attempts + 1, token = "
	    "jobs.token + 1, lease_until = $2, worker = $3 FROM next WHERE "
	    "jobs.id = next.id RETURNING jobs.id, kind, idem_key, payload, "
	    "state, attempts, max_attempts, token, run_at, lease_until, "
	    "worker, error", 5, p)) == NULL)
		return rollback(q);
	got = PQntuples(r) < max ? PQntuples(r) : max;
	for (i = 0; i < got; i++) {
		row(r, i, &out[i]);
		out[i].payload = strdup(out[i].payload);
		out[i].error = out[i].error != NULL ? strdup(out[i].error) :
		    NULL;
	}
	PQclear(r);
	if (jobq_store_commit(q) != 0) {
		for (i = 0; i < got; i++)
			jobq_job_clear(&out[i]);
		return rollback(q);
	}
	return got;
}

/* "{1,2,3}": a bigint[] parameter in text form; NULL if no memory. */
static char *
bigint_array(const int64_t *v, size_t n)
{
	size_t	 len = 2 + n * 21, at = 0, i;
	char	*s = malloc(len + 1);

	if (s == NULL)
		return NULL;
	s[at++] = '{';
	for (i = 0; i < n; i++)
		at += (size_t)snprintf(s + at, len + 1 - at, "%s%" PRId64,
		    i > 0 ? "," : "", v[i]);
	s[at++] = '}';
	s[at] = '\0';
	return s;
}

/* One statement for all: each row only if its token still holds. */
static int
pg_complete_many(struct jobq *q, const int64_t *ids, const int64_t *tokens,
    size_t n, int64_t now, int *results)
{
	char		 t[24], *a = bigint_array(ids, n), *b;
	const char	*p[3] = { a, NULL, t };
	PGresult	*r;
	size_t		 i;
	int		 k;
	int64_t		 id;

	b = bigint_array(tokens, n);
	p[1] = b;
	num(t, sizeof(t), now);
	r = a != NULL && b != NULL ? run(q, "complete", "UPDATE jobs SET "
	    "state = 'done', finished_at = $3, lease_until = 0 FROM "
	    "unnest($1::bigint[], $2::bigint[]) AS t(id, token) WHERE "
	    "jobs.id = t.id AND jobs.token = t.token AND jobs.state = "
	    "'running' RETURNING jobs.id", 3, p) : NULL;
	if (a == NULL || b == NULL)
		jobq_set_error(q, "complete: out of memory");
	free(a);
	free(b);
	if (r == NULL)
		return -1;
	for (i = 0; i < n; i++)
		results[i] = JOBQ_STALE;
	for (k = 0; k < PQntuples(r); k++) {
		id = strtoll(PQgetvalue(r, k, 0), NULL, 10);
		for (i = 0; i < n; i++)
			if (ids[i] == id)
				results[i] = 0;
	}
	PQclear(r);
	return 0;
}

/* One guarded UPDATE: 0 if it hit the row, JOBQ_STALE if not. */
static int
guarded(struct jobq *q, const char *what, const char *sql, int n,
    const char *const *p)
{
	PGresult	*r = run(q, what, sql, n, p);
	int		 rc;

	if (r == NULL)
		return -1;
	rc = strcmp(PQcmdTuples(r), "1") == 0 ? 0 : JOBQ_STALE;
	PQclear(r);
	return rc;
}

static int
pg_complete(struct jobq *q, int64_t id, int64_t token, int64_t now)
{
	char		 i[24], t[24], n[24];
	const char	*p[3] = { i, t, n };

	num(i, sizeof(i), id);
	num(t, sizeof(t), token);
	num(n, sizeof(n), now);
	return guarded(q, "complete", "UPDATE jobs SET state = 'done', "
	    "finished_at = $3, lease_until = 0 WHERE id = $1 AND token = $2 "
	    "AND state = 'running'", 3, p);
}

static int
pg_fail(struct jobq *q, int64_t id, int64_t token, const char *error,
    int64_t now)
{
	char		 i[24], t[24], when[24];
	const char	*p[3] = { i, t, error };
	PGresult	*r;
	int		 attempts, max;

	num(i, sizeof(i), id);
	num(t, sizeof(t), token);
	if (jobq_store_begin(q) != 0)
		return -1;
	if ((r = run(q, "fail", "SELECT attempts, max_attempts FROM jobs "
	    "WHERE id = $1 AND token = $2 AND state = 'running' FOR UPDATE",
	    2, p)) == NULL)
		return rollback(q);
	if (PQntuples(r) != 1) {
		PQclear(r);
		return jobq_store_commit(q) == 0 ? JOBQ_STALE :
		    rollback(q);
	}
	attempts = atoi(PQgetvalue(r, 0, 0));
	max = atoi(PQgetvalue(r, 0, 1));
	PQclear(r);
	num(when, sizeof(when), attempts >= max ? now :
	    now + jobq_backoff(q, attempts));
	p[1] = when;
	if ((r = run(q, "fail", attempts >= max ? "UPDATE jobs SET state = "
	    "'dead', finished_at = $2, lease_until = 0, error = $3 WHERE id ="
	    " $1" : "UPDATE jobs SET state = 'ready', run_at = $2, lease_until"
	    " = 0, error = $3 WHERE id = $1", 3, p)) == NULL)
		return rollback(q);
	PQclear(r);
	if ((attempts < max && run_cmd(q, "fail", NOTIFY) != 0) ||
	    jobq_store_commit(q) != 0)
		return rollback(q);
	return 0;
}

static int
pg_extend(struct jobq *q, int64_t id, int64_t token, int64_t lease_until)
{
	char		 i[24], t[24], l[24];
	const char	*p[3] = { i, t, l };

	num(i, sizeof(i), id);
	num(t, sizeof(t), token);
	num(l, sizeof(l), lease_until);
	return guarded(q, "extend", "UPDATE jobs SET lease_until = $3 WHERE "
	    "id = $1 AND token = $2 AND state = 'running'", 3, p);
}

static int
pg_prune(struct jobq *q, int64_t before, int64_t *removed)
{
	char		 b[24];
	const char	*p[1] = { b };
	PGresult	*r;

	num(b, sizeof(b), before);
	if ((r = run(q, "prune", "DELETE FROM jobs WHERE state = 'done' AND "
	    "finished_at < $1", 1, p)) == NULL)
		return -1;
	*removed = strtoll(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	return 0;
}

static int
pg_list(struct jobq *q, int state, int64_t id,
    int (*fn)(const struct jobq_job *, void *), void *arg)
{
	char		 i[24];
	const char	*p[2] = { state >= 0 ? jobq_state_name(state) : NULL, i };
	struct jobq_job	 j;
	PGresult	*r;
	int		 k;

	num(i, sizeof(i), id);
	if ((r = run(q, "list", "SELECT " JOBQ_COLUMNS " FROM jobs WHERE ($1::text"
	    " IS NULL OR state = $1) AND ($2::bigint = 0 OR id = $2) ORDER BY"
	    " id", 2, p)) == NULL)
		return -1;
	for (k = 0; k < PQntuples(r); k++) {
		memset(&j, 0, sizeof(j));
		row(r, k, &j);
		if (fn(&j, arg) != 0)
			break;
	}
	PQclear(r);
	return 0;
}

static int
pg_wait(struct jobq *q, int timeout_ms)
{
	struct pg_store	*s = q->store;
	struct pollfd	 p;
	PGnotify	*n;
	int		 woken = 0;

	if (!s->listening) {
		if (run_cmd(q, "listen", "LISTEN shoal_jobq") != 0)
			return -1;
		s->listening = true;
	}
	p = (struct pollfd){ .fd = PQsocket(s->conn), .events = POLLIN };
	if (poll(&p, 1, timeout_ms) == -1 && errno != EINTR) {
		jobq_set_error(q, "wait: %s", strerror(errno));
		return -1;
	}
	if (PQconsumeInput(s->conn) == 0) {
		jobq_set_error(q, "wait: %s", PQerrorMessage(s->conn));
		return -1;
	}
	while ((n = PQnotifies(s->conn)) != NULL) {
		woken = 1;
		PQfreemem(n);
	}
	return woken;
}

static void
pg_close(struct jobq *q)
{
	struct pg_store	*s = q->store;

	if (s != NULL) {
		PQfinish(s->conn);
		free(s);
	}
	free(q);
}

static void
quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/*
 * The lock is the session's: taken once (pg_try_advisory_lock stacks if
 * taken again), then held until the connection ends, so the holder only
 * checks its connection still answers.
 */
static int
pg_lead(struct jobq *q, int64_t key)
{
	struct pg_store	*s = q->store;
	PGresult	*r;
	char		 k[24];
	const char	*p[1] = { k };
	int		 got;

	if (s->leading) {
		if ((r = run(q, "lead", "SELECT 1", 0, NULL)) == NULL) {
			s->leading = false;
			return -1;
		}
		PQclear(r);
		return 1;
	}
	num(k, sizeof(k), key);
	if ((r = run(q, "lead", "SELECT pg_try_advisory_lock($1::bigint)", 1,
	    p)) == NULL)
		return -1;
	got = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);
	s->leading = got;
	return got;
}

static const struct jobq_store_ops pg_ops = {
	.exec = pg_exec, .begin_sql = "BEGIN",
	.enqueue = pg_enqueue, .claim = pg_claim, .complete = pg_complete,
	.complete_many = pg_complete_many,
	.fail = pg_fail, .extend = pg_extend, .prune = pg_prune,
	.list = pg_list, .wait = pg_wait, .lead = pg_lead, .close = pg_close,
};

struct jobq *
jobq_open_pg(const char *conninfo, const struct jobq_settings *set,
    char *err, size_t errlen)
{
	struct jobq	*q;
	struct pg_store	*s;

	if ((q = calloc(1, sizeof(*q))) == NULL ||
	    (s = calloc(1, sizeof(*s))) == NULL) {
		free(q);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	q->ops = &pg_ops;
	q->store = s;
	jobq_settle(q, set);
	s->conn = PQconnectdb(conninfo);
	if (PQstatus(s->conn) != CONNECTION_OK) {
		snprintf(err, errlen, "%s", PQerrorMessage(s->conn));
		pg_close(q);
		return NULL;
	}
	/* "already exists, skipping" and the like are not for stderr. */
	PQsetNoticeProcessor(s->conn, quiet, NULL);
	/* Two hosts creating it at once: one waits for the other. */
	if (run_cmd(q, "schema", "SELECT pg_advisory_lock(7340031)") != 0 ||
	    run_cmd(q, "schema", schema) != 0 ||
	    run_cmd(q, "schema", "SELECT pg_advisory_unlock(7340031)") != 0) {
		snprintf(err, errlen, "%s", q->err);
		pg_close(q);
		return NULL;
	}
	return q;
}
