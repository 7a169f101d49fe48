/*
 * sc_creates: the "domain.create" job kind's actor (sc_creates.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "actor.h"
#include "log.h"
#include "sc_creates.h"

/* A create job's lease, in calls' timeouts: then another loop retries. */
#define CREATE_LEASE_TIMEOUTS	3
#define CREATE_ATTEMPTS		5
#define JOB_CREATE		"domain.create"

struct pending {
	const struct fleet_state	*f;
	int				 n;
};

/* A create job whose domain the agent does not list yet. */
static int
count_create(const struct jobq_job *j, void *arg)
{
	struct pending	*p = arg;
	char		 token[64];
	size_t		 i;

	if (strcmp(j->kind, JOB_CREATE) != 0)
		return 0;
	snprintf(token, sizeof(token), "job-%lld", (long long)j->id);
	for (i = 0; i < p->f->nwebs; i++)
		if (p->f->webs[i].listed &&
		    strcmp(p->f->webs[i].last.token, token) == 0)
			return 0;
	p->n++;
	return 0;
}

int
sc_creates_pending(struct fleet_state *f)
{
	struct pending	 p = { f, 0 };

	if (sc_store(f) == NULL)
		return 0;
	(void)jobq_list(f->q, JOBQ_READY, count_create, &p);
	(void)jobq_list(f->q, JOBQ_RUNNING, count_create, &p);
	return p.n;
}

/* Grow by n: the decision made durable, one job a domain. */
static void
grow(struct fleet_state *f, int n)
{
	int64_t	 id;
	bool	 created;

	if (sc_store(f) == NULL)
		return;
	while (n-- > 0)
		if (jobq_enqueue(f->q, JOB_CREATE, NULL, "{}",
		    CREATE_ATTEMPTS, sc_wall_ms(), &id, &created) != 0) {
			sc_warn_once(f, "the job store", jobq_error(f->q));
			return;
		}
}

/* One create job carried out through the agent, then completed. */
static void
run_create(struct fleet_state *f, const struct jobq_job *j)
{
	json_t	*res, *p;
	char	 token[64];

	snprintf(token, sizeof(token), "job-%lld", (long long)j->id);
	if ((p = json_pack("{s:s}", "token", token)) == NULL)
		return;
	res = sc_call(f, (unsigned)f->s->agent_domain, "domain",
	    "domain.create", p);
	json_decref(p);
	if (res == NULL) {
		(void)jobq_fail(f->q, j->id, j->token, f->last_warning,
		    sc_wall_ms());
		return;
	}
	if (jobq_complete(f->q, j->id, j->token, sc_wall_ms()) != 0)
		sc_warn_once(f, "the job store", jobq_error(f->q));
	log_info("fleet: domain %lld (%s) added%s, %s", (long long)
	    json_integer_value(json_object_get(res, "domid")),
	    json_string_value(json_object_get(res, "name")) ?: "?",
	    json_is_true(json_object_get(res, "warm")) ?
	    " from the warm pool" : "", token);
	if (j->attempts > 1)
		f->creates_again++;
	f->created++;
	json_decref(res);
}

/* Every create job due now, one at a time. */
static void
run_creates(struct fleet_state *f)
{
	struct jobq_job	 j;
	char		 worker[32];
	int64_t		 lease = (int64_t)f->s->timing.timeout_ms *
			    CREATE_LEASE_TIMEOUTS;

	if (sc_store(f) == NULL)
		return;
	snprintf(worker, sizeof(worker), "loop-%d", (int)getpid());
	while (jobq_claim(f->q, JOB_CREATE, worker, sc_wall_ms(), lease,
	    &j) == 1) {
		run_create(f, &j);
		jobq_job_clear(&j);
	}
}

static void
prune(struct fleet_state *f)
{
	int64_t	 removed;

	if (sc_store(f) != NULL &&
	    jobq_prune(f->q, sc_wall_ms() - 3600 * 1000, &removed) == 0 &&
	    removed > 0)
		log_info("fleet: %lld done jobs pruned", (long long)removed);
}

static int
creates_receive(struct actor *a, void *state, const struct actor_msg *m)
{
	struct fleet_state	*f = ((struct sc_named *)state)->f;

	(void)a;
	switch (m->type) {
	case CREATES_GROW:
		grow(f, (int)(intptr_t)m->data);
		return ACTOR_OK;
	case CREATES_RUN:
		run_creates(f);
		return ACTOR_OK;
	case CREATES_PRUNE:
		prune(f);
		return ACTOR_OK;
	}
	return ACTOR_CRASH;
}

const struct actor_kind sc_creates_kind = {
	.name = "domain.create jobs",
	.init = sc_named_init,
	.receive = creates_receive,
	.terminate = sc_named_terminate,
};
