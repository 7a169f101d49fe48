#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobq.h"
#include "jobq_store.h"

static int	outside_batch(struct jobq *, const char *);

static const char *const state_names[] = {
	[JOBQ_READY] = "ready", [JOBQ_RUNNING] = "running",
	[JOBQ_DONE] = "done", [JOBQ_DEAD] = "dead",
};

const char *
jobq_state_name(enum jobq_state s)
{
	return (unsigned)s < sizeof(state_names) / sizeof(state_names[0]) ?
	    state_names[s] : "?";
}

void
jobq_set_error(struct jobq *q, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(q->err, sizeof(q->err), fmt, ap);
	va_end(ap);
}

const char *
jobq_error(const struct jobq *q)
{
	return q->err;
}

void
jobq_settle(struct jobq *q, const struct jobq_settings *set)
{
	if (set != NULL)
		q->set = *set;
	if (q->set.backoff_ms <= 0)
		q->set.backoff_ms = 1000;
	if (q->set.backoff_max_ms < q->set.backoff_ms)
		q->set.backoff_max_ms = q->set.backoff_ms > 60000 ?
		    q->set.backoff_ms : 60000;
}

int
jobq_wait(struct jobq *q, int timeout_ms)
{
	if (!outside_batch(q, "wait"))
		return -1;
	return q->ops->wait(q, timeout_ms);
}

int
jobq_lead(struct jobq *q, int64_t key)
{
	if (!outside_batch(q, "lead"))
		return -1;
	return q->ops->lead(q, key);
}

int64_t
jobq_backoff(const struct jobq *q, int attempts)
{
	int64_t	 d = q->set.backoff_ms;
	int	 i;

	for (i = 1; i < attempts && d < q->set.backoff_max_ms; i++)
		d *= 2;
	return d < q->set.backoff_max_ms ? d : q->set.backoff_max_ms;
}

/* ---- transactions ---- */

int
jobq_store_begin(struct jobq *q)
{
	return q->in_batch ? 0 : q->ops->exec(q, q->ops->begin_sql);
}

int
jobq_store_commit(struct jobq *q)
{
	return q->in_batch ? 0 : q->ops->exec(q, "COMMIT");
}

void
jobq_store_rollback(struct jobq *q)
{
	char	 err[sizeof(q->err)];

	if (q->in_batch)
		return;
	memcpy(err, q->err, sizeof(err));	/* the reason, not ROLLBACK's */
	(void)q->ops->exec(q, "ROLLBACK");
	memcpy(q->err, err, sizeof(err));
}

int
jobq_batch_begin(struct jobq *q)
{
	if (q->in_batch) {
		jobq_set_error(q, "a batch is already open");
		return -1;
	}
	if (q->ops->exec(q, q->ops->begin_sql) != 0)
		return -1;
	q->in_batch = true;
	return 0;
}

int
jobq_batch_commit(struct jobq *q)
{
	int	 rc;

	if (!q->in_batch) {
		jobq_set_error(q, "no batch is open");
		return -1;
	}
	q->in_batch = false;
	if ((rc = q->ops->exec(q, "COMMIT")) != 0)
		jobq_store_rollback(q);
	return rc;
}

void
jobq_batch_abort(struct jobq *q)
{
	if (!q->in_batch)
		return;
	q->in_batch = false;
	jobq_store_rollback(q);
}

/*
 * Inside a batch each call is a savepoint, so that a call that fails
 * takes back only its own change (PostgreSQL would otherwise refuse
 * every later statement of the transaction).
 */
static int
call_begin(struct jobq *q)
{
	return q->in_batch ? q->ops->exec(q, "SAVEPOINT jobq_call") : 0;
}

static int
call_end(struct jobq *q, int rc)
{
	char	 err[sizeof(q->err)];

	if (!q->in_batch)
		return rc;
	memcpy(err, q->err, sizeof(err));
	if (rc < 0)
		(void)q->ops->exec(q, "ROLLBACK TO SAVEPOINT jobq_call");
	if (q->ops->exec(q, "RELEASE SAVEPOINT jobq_call") != 0 && rc >= 0)
		return -1;
	memcpy(q->err, err, sizeof(err));
	return rc;
}

static int
outside_batch(struct jobq *q, const char *what)
{
	if (!q->in_batch)
		return 1;
	jobq_set_error(q, "%s: not inside a batch", what);
	return 0;
}

/* A name the store keeps must fit its column and the job struct. */
static int
fits(struct jobq *q, const char *what, const char *s, size_t max)
{
	if (s != NULL && strlen(s) < max)
		return 1;
	jobq_set_error(q, "%s: %s", what, s == NULL ? "missing" :
	    "too long");
	return 0;
}

int
jobq_enqueue(struct jobq *q, const char *kind, const char *key,
    const char *payload, int max_attempts, int64_t now, int64_t *id,
    bool *created)
{
	if (!fits(q, "kind", kind, JOBQ_KIND_MAX) || *kind == '\0' ||
	    (key != NULL && !fits(q, "key", key, JOBQ_KEY_MAX)))
		return -1;
	if (max_attempts < 1) {
		jobq_set_error(q, "max_attempts %d: at least 1", max_attempts);
		return -1;
	}
	if (call_begin(q) != 0)
		return -1;
	return call_end(q, q->ops->enqueue(q, kind, key != NULL && *key ?
	    key : NULL, payload != NULL ? payload : "{}", max_attempts, now,
	    id, created));
}

int
jobq_claim_many(struct jobq *q, const char *kind, const char *worker,
    int64_t now, int64_t lease_ms, struct jobq_job *out, int max)
{
	if ((kind != NULL && !fits(q, "kind", kind, JOBQ_KIND_MAX)) ||
	    !fits(q, "worker", worker, JOBQ_WORKER_MAX))
		return -1;
	if (lease_ms <= 0 || max < 1) {
		jobq_set_error(q, "lease %lld ms, %d jobs: both must be "
		    "positive", (long long)lease_ms, max);
		return -1;
	}
	memset(out, 0, (size_t)max * sizeof(*out));
	if (call_begin(q) != 0)
		return -1;
	return call_end(q, q->ops->claim(q, kind, worker, now, now + lease_ms,
	    out, max));
}

int
jobq_claim(struct jobq *q, const char *kind, const char *worker,
    int64_t now, int64_t lease_ms, struct jobq_job *out)
{
	return jobq_claim_many(q, kind, worker, now, lease_ms, out, 1);
}

int
jobq_complete(struct jobq *q, int64_t id, int64_t token, int64_t now)
{
	if (call_begin(q) != 0)
		return -1;
	return call_end(q, q->ops->complete(q, id, token, now));
}

int
jobq_complete_many(struct jobq *q, const int64_t *ids,
    const int64_t *tokens, size_t n, int64_t now, int *results)
{
	if (n == 0)
		return 0;
	if (call_begin(q) != 0)
		return -1;
	return call_end(q, q->ops->complete_many(q, ids, tokens, n, now,
	    results));
}

int
jobq_fail(struct jobq *q, int64_t id, int64_t token, const char *error,
    int64_t now)
{
	if (call_begin(q) != 0)
		return -1;
	return call_end(q, q->ops->fail(q, id, token, error != NULL ? error :
	    "", now));
}

int
jobq_extend(struct jobq *q, int64_t id, int64_t token, int64_t now,
    int64_t lease_ms)
{
	if (lease_ms <= 0) {
		jobq_set_error(q, "lease %lld ms: must be positive",
		    (long long)lease_ms);
		return -1;
	}
	if (call_begin(q) != 0)
		return -1;
	return call_end(q, q->ops->extend(q, id, token, now + lease_ms));
}

int
jobq_prune(struct jobq *q, int64_t before, int64_t *removed)
{
	int64_t	 n = 0;
	int	 rc;

	if (!outside_batch(q, "prune"))
		return -1;
	rc = q->ops->prune(q, before, &n);
	if (removed != NULL)
		*removed = n;
	return rc;
}

int
jobq_list(struct jobq *q, int state,
    int (*fn)(const struct jobq_job *, void *), void *arg)
{
	return q->ops->list(q, state, 0, fn, arg);
}

static int
copy_one(const struct jobq_job *j, void *arg)
{
	struct jobq_job	*out = arg;

	*out = *j;
	out->payload = j->payload != NULL ? strdup(j->payload) : NULL;
	out->error = j->error != NULL ? strdup(j->error) : NULL;
	return 1;
}

int
jobq_get(struct jobq *q, int64_t id, struct jobq_job *out)
{
	int	 rc;

	memset(out, 0, sizeof(*out));
	if ((rc = q->ops->list(q, -1, id, copy_one, out)) < 0)
		return -1;
	return out->id == id ? 1 : 0;
}

void
jobq_job_clear(struct jobq_job *j)
{
	free(j->payload);
	free(j->error);
	j->payload = j->error = NULL;
}

void
jobq_suspend(struct jobq *q)
{
	if (q != NULL && q->ops->suspend != NULL)
		q->ops->suspend(q);
}

int
jobq_resume(struct jobq *q)
{
	if (q == NULL || q->ops->resume == NULL)
		return 0;
	return q->ops->resume(q);
}

void
jobq_close(struct jobq *q)
{
	if (q == NULL)
		return;
	jobq_batch_abort(q);	/* what was never committed is not kept */
	q->ops->close(q);
}
