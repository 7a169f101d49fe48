/*
 * jobq_store: what a job store implements behind jobq.h (private to
 * jobq*.c).  jobq.c checks the arguments and computes what is the same
 * for every store (the retry time, the lease deadline); a store only
 * runs its statements, each call one transaction, or, in a batch, part
 * of the batch's (jobq_store_begin and friends do the right one).
 */
#ifndef JOBQ_STORE_H
#define JOBQ_STORE_H

#include "jobq.h"

/*
 * The one schema both stores create; only the id's type is each store's
 * own (SQLite's INTEGER PRIMARY KEY, PostgreSQL's BIGSERIAL).
 */
#define JOBQ_SCHEMA(id_type)						\
	"CREATE TABLE IF NOT EXISTS jobs ("				\
	"  id           " id_type ","					\
	"  kind         TEXT NOT NULL,"					\
	"  idem_key     TEXT UNIQUE,"					\
	"  payload      TEXT NOT NULL,"					\
	"  state        TEXT NOT NULL CHECK (state IN"			\
	"                 ('ready', 'running', 'done', 'dead')),"	\
	"  attempts     INTEGER NOT NULL DEFAULT 0,"			\
	"  max_attempts INTEGER NOT NULL,"				\
	"  token        BIGINT NOT NULL DEFAULT 0,"			\
	"  run_at       BIGINT NOT NULL,"				\
	"  lease_until  BIGINT NOT NULL DEFAULT 0,"			\
	"  worker       TEXT NOT NULL DEFAULT '',"			\
	"  error        TEXT,"						\
	"  created_at   BIGINT NOT NULL,"				\
	"  finished_at  BIGINT);"					\
	"CREATE INDEX IF NOT EXISTS jobs_due ON jobs (state, run_at, id);" \
	"CREATE INDEX IF NOT EXISTS jobs_finished ON jobs (state, finished_at);"

/* A job row as both stores read it back. */
#define JOBQ_COLUMNS "id, kind, idem_key, payload, state, attempts, "	\
	"max_attempts, token, run_at, lease_until, worker, error"

struct jobq_store_ops {
	int	(*enqueue)(struct jobq *, const char *kind, const char *key,
		    const char *payload, int max_attempts, int64_t now,
		    int64_t *id, bool *created);
	/* Up to max jobs into out[]: how many, or -1. */
	int	(*claim)(struct jobq *, const char *kind, const char *worker,
		    int64_t now, int64_t lease_until, struct jobq_job *out,
		    int max);
	int	(*complete)(struct jobq *, int64_t id, int64_t token,
		    int64_t now);
	/* results[i]: 0 or JOBQ_STALE; 0, or -1 (none done). */
	int	(*complete_many)(struct jobq *, const int64_t *ids,
		    const int64_t *tokens, size_t n, int64_t now,
		    int *results);
	/* Retried at now + jobq_backoff(), or dead at the last attempt. */
	int	(*fail)(struct jobq *, int64_t id, int64_t token,
		    const char *error, int64_t now);
	int	(*extend)(struct jobq *, int64_t id, int64_t token,
		    int64_t lease_until);
	int	(*prune)(struct jobq *, int64_t before, int64_t *removed);
	/* id > 0: that job only. */
	int	(*list)(struct jobq *, int state, int64_t id,
		    int (*fn)(const struct jobq_job *, void *), void *arg);
	/* 1 woken by another's enqueue or retry, 0 timed out, -1. */
	int	(*wait)(struct jobq *, int timeout_ms);
	/* 1 this connection leads (holds key's lock), 0 another does, -1. */
	int	(*lead)(struct jobq *, int64_t key);
	void	(*close)(struct jobq *);
	/* Around a fork (jobq_suspend): NULL, nothing to do. */
	void	(*suspend)(struct jobq *);
	int	(*resume)(struct jobq *);
	/* A bare statement (transactions, savepoints): 0 or -1. */
	int	(*exec)(struct jobq *, const char *sql);
	const char	*begin_sql;	/* a write transaction */
};

struct jobq {
	const struct jobq_store_ops	*ops;
	struct jobq_settings		 set;
	char				 err[256];
	void				*store;
	bool				 in_batch;
};

/*
 * A store's own transaction around one call: begun and committed (or
 * rolled back) here outside a batch; inside one, the call's savepoint
 * (jobq.c) already holds it, and these do nothing.
 */
int	jobq_store_begin(struct jobq *);
int	jobq_store_commit(struct jobq *);
void	jobq_store_rollback(struct jobq *);

/* The settings with their defaults filled in. */
void	jobq_settle(struct jobq *, const struct jobq_settings *);
void	jobq_set_error(struct jobq *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif /* JOBQ_STORE_H */
