#include <string.h>

#include "jobq.h"
#include "sc_fleet.h"
#include "sc_rpc.h"

struct listing {
	json_t		*jobs;
	json_int_t	 limit;
	bool		 more;
};

static json_t *
job_json(const struct jobq_job *j)
{
	json_t	*p, *o = json_pack("{s:I, s:s, s:s, s:i, s:i, s:I, s:I, s:I, s:s}",
		    "id", (json_int_t)j->id, "kind", j->kind,
		    "state", jobq_state_name(j->state),
		    "attempts", j->attempts, "max_attempts", j->max_attempts,
		    "token", (json_int_t)j->token,
		    "run_at", (json_int_t)j->run_at,
		    "lease_until", (json_int_t)j->lease_until,
		    "worker", j->worker);

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "key", j->key[0] ? json_string(j->key) :
	    json_null());
	json_object_set_new(o, "error", j->error != NULL ?
	    json_string(j->error) : json_null());
	/* The payload as the JSON it is, or as text if it is not. */
	if (j->payload == NULL)
		p = json_null();
	else if ((p = json_loads(j->payload, JSON_DECODE_ANY, NULL)) == NULL)
		p = json_string(j->payload);
	json_object_set_new(o, "payload", p);
	return o;
}

static int
add_job(const struct jobq_job *j, void *arg)
{
	struct listing	*l = arg;

	if ((json_int_t)json_array_size(l->jobs) == l->limit) {
		l->more = true;
		return 1;
	}
	json_array_append_new(l->jobs, job_json(j));
	return 0;
}

static int
state_param(const char *s)
{
	int	 st;

	for (st = JOBQ_READY; st <= JOBQ_DEAD; st++)
		if (strcmp(s, jobq_state_name(st)) == 0)
			return st;
	return -1;	/* "all" */
}

static void
m_jobs(struct rpc_call *c, json_t *params, void *arg)
{
	struct jobq	*q = arg;
	struct listing	 l = { .jobs = json_array(),
			    .limit = json_integer_value(json_object_get(params,
			    "limit")) };
	const char	*state = json_string_value(json_object_get(params,
			    "state"));

	if (jobq_list(q, state_param(state != NULL ? state : "all"), add_job,
	    &l) != 0) {
		json_decref(l.jobs);
		rpc_fail(c, "internal", "the job store: %s", jobq_error(q));
		return;
	}
	rpc_reply(c, json_pack("{s:o, s:b}", "jobs", l.jobs, "more", l.more));
}

const struct rpc_method sc_rpc_methods[] = {
	{ "jobs", m_jobs },
	{ NULL, NULL }
};

static int
count_job(const struct jobq_job *j, void *arg)
{
	json_int_t	*n = arg;

	n[j->state]++;
	return 0;
}

json_t *
sc_rpc_stats(void *arg)
{
	struct sc_rpc	*r = arg;
	json_int_t	 n[JOBQ_DEAD + 1] = { 0 };
	json_t		*o = json_object(), *stats;
	int		 st;

	if (jobq_list(r->q, -1, count_job, n) != 0)
		stats = json_pack("{s:s}", "error", jobq_error(r->q));
	else {
		for (st = JOBQ_READY; st <= JOBQ_DEAD; st++)
			json_object_set_new(o, jobq_state_name(st),
			    json_integer(n[st]));
		stats = json_pack("{s:O}", "jobs", o);
	}
	json_decref(o);
	if (stats != NULL && r->fleet != NULL)
		json_object_set_new(stats, "fleet", sc_fleet_stats(r->fleet));
	return stats;
}
