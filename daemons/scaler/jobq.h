/*
 * jobq: the scaler's persistent job queue (docs/scaler.md).  One
 * interface; the store behind it is SQLite (jobq_sqlite.c, the default,
 * embedded) or PostgreSQL (jobq_pg.c, for several hosts), one schema.
 *
 * The job model.  A job has a kind ("domain.start"), an optional
 * idempotency key (enqueueing a key that is already there returns the
 * job that has it and adds nothing), a JSON payload, and a state:
 *
 *	ready --claim--> running --complete--> done --prune--> (gone)
 *	  ^                 |
 *	  +-- fail, or its lease expired, while attempts remain
 *	                    |
 *	                    +-- fail, or the lease expired, at the last
 *	                        attempt --> dead (kept until removed)
 *
 * A claim leases the job to one worker until a deadline and hands it a
 * fencing token, a number that grows with every claim of that job.
 * complete, fail and extend take the token and do nothing (JOBQ_STALE)
 * once the job was claimed again: a worker that stalled past its lease
 * cannot finish a job someone else now holds, and an effect outside the
 * store (a domain started) should carry the token so that the later
 * holder can tell.  A failed attempt is retried after a backoff that
 * doubles from backoff_ms up to backoff_max_ms.
 *
 * Every change is durable when the call returns (SQLite: WAL with
 * synchronous=FULL), or, in a batch, when the batch is committed.  Times are milliseconds the caller passes in
 * (wall clock in the daemon, a fake one in tests); ids and tokens are
 * the store's.
 */
#ifndef JOBQ_H
#define JOBQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JOBQ_KIND_MAX	64	/* bytes, with the NUL */
#define JOBQ_KEY_MAX	256
#define JOBQ_WORKER_MAX	64

enum jobq_state { JOBQ_READY, JOBQ_RUNNING, JOBQ_DONE, JOBQ_DEAD };

/* What complete, fail and extend return besides 0 and -1. */
#define JOBQ_STALE	1	/* not this token's to finish any more */

struct jobq_job {
	int64_t		 id;
	char		 kind[JOBQ_KIND_MAX];
	char		 key[JOBQ_KEY_MAX];	/* "" if none */
	char		*payload;		/* the caller frees it */
	enum jobq_state	 state;
	int		 attempts;		/* claims so far */
	int		 max_attempts;
	int64_t		 token;
	int64_t		 run_at;		/* not claimed before */
	int64_t		 lease_until;
	char		 worker[JOBQ_WORKER_MAX];
	char		*error;			/* the last failure, or NULL */
};

struct jobq_settings {
	int64_t		 backoff_ms;		/* first retry; 0: 1000 */
	int64_t		 backoff_max_ms;	/* 0: 60000 */
};

struct jobq;

/* NULL with the reason in err. */
struct jobq	*jobq_open_sqlite(const char *path,
		    const struct jobq_settings *, char *err, size_t errlen);
/* conninfo as libpq takes it ("host=... dbname=..."). */
struct jobq	*jobq_open_pg(const char *conninfo,
		    const struct jobq_settings *, char *err, size_t errlen);
void		 jobq_close(struct jobq *);
/* The store's last error, for a log line. */
const char	*jobq_error(const struct jobq *);

/*
 * 0 and the job's id; *created says whether it is new (false: key was
 * taken, and *id is that job's).  key may be NULL.
 */
int	 jobq_enqueue(struct jobq *, const char *kind, const char *key,
	    const char *payload, int max_attempts, int64_t now,
	    int64_t *id, bool *created);
/*
 * Lease the next due job (of kind, or any if NULL) to worker until
 * now + lease_ms: 1 and *out filled, 0 if none is due, -1 on error.
 */
int	 jobq_claim(struct jobq *, const char *kind, const char *worker,
	    int64_t now, int64_t lease_ms, struct jobq_job *out);
/*
 * Up to max due jobs at once, in one statement: how many were claimed
 * (out[0..n-1] filled, each to be cleared), or -1.
 */
int	 jobq_claim_many(struct jobq *, const char *kind, const char *worker,
	    int64_t now, int64_t lease_ms, struct jobq_job *out, int max);
int	 jobq_complete(struct jobq *, int64_t id, int64_t token,
	    int64_t now);
/* n jobs, each with its token, at once: results[i] is 0 or JOBQ_STALE;
 * 0, or -1 and none done. */
int	 jobq_complete_many(struct jobq *, const int64_t *ids,
	    const int64_t *tokens, size_t n, int64_t now, int *results);
int	 jobq_fail(struct jobq *, int64_t id, int64_t token,
	    const char *error, int64_t now);
int	 jobq_extend(struct jobq *, int64_t id, int64_t token, int64_t now,
	    int64_t lease_ms);
/* Done jobs finished before `before` go, and their space with them. */
int	 jobq_prune(struct jobq *, int64_t before, int64_t *removed);
/* Every job in state (or all if -1), oldest first; stops if fn != 0. */
int	 jobq_list(struct jobq *, int state,
	    int (*fn)(const struct jobq_job *, void *), void *arg);
/*
 * Wait up to timeout_ms for work another connection added (an enqueue
 * or a retry): 1 if woken so, 0 if the time ran out, -1 on error.
 * PostgreSQL wakes it by LISTEN/NOTIFY; SQLite has no such signal, so
 * there it only waits (a worker polls).
 */
int	 jobq_wait(struct jobq *, int timeout_ms);
/*
 * Whether this connection leads the hosts sharing the store, for key (a
 * role: the scaler's fleet): 1 yes, 0 another does, -1 on error (the
 * store unreachable: not leading).  PostgreSQL: a session advisory lock,
 * taken once and held while the connection lives, so a host that dies
 * (its connection with it) frees it for the next to take; asked again,
 * it checks the connection still answers.  SQLite is one host's: 1.
 */
int	 jobq_lead(struct jobq *, int64_t key);
/*
 * Group commit.  Between jobq_batch_begin and jobq_batch_commit every
 * call (enqueue, claim, complete, fail, extend) joins one transaction,
 * made durable by the commit: one log flush for the lot instead of one
 * each.  Nothing in a batch is durable, nor seen by other connections,
 * before the commit returns 0, so a caller acknowledges the batch's
 * work only then.  A call that fails inside a batch undoes its own
 * change (a savepoint) and leaves the others'; jobq_batch_abort undoes
 * them all.  prune and wait are refused inside a batch.
 */
int	 jobq_batch_begin(struct jobq *);
int	 jobq_batch_commit(struct jobq *);
void	 jobq_batch_abort(struct jobq *);

/*
 * Around a fork (worker.h): suspend lets go of the store's file, resume
 * takes it back, the same struct jobq for its callers.  SQLite: the
 * connection closed and opened again, since a child would inherit
 * SQLite's record of the file's locks and its own connection to the file
 * would then wait on descriptors it does not have.  PostgreSQL keeps its
 * connection (a socket the child never uses), and so its leadership.
 * Nothing may be called between the two; resume: 0 or -1 (then every
 * call fails until a resume succeeds).
 */
void	 jobq_suspend(struct jobq *);
int	 jobq_resume(struct jobq *);

/* One job by id: 1 found, 0 not, -1 error. */
int	 jobq_get(struct jobq *, int64_t id, struct jobq_job *out);
void	 jobq_job_clear(struct jobq_job *);

const char	*jobq_state_name(enum jobq_state);
/* The wait before attempt n + 1 after n failed: doubling, capped. */
int64_t		 jobq_backoff(const struct jobq *, int attempts);

#endif /* JOBQ_H */
