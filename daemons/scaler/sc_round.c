/*
 * sc_round: the helpers the control loop's actors share (sc_round.h).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "actor.h"
#include "log.h"
#include "rpc_client.h"
#include "sc_round.h"

int64_t
sc_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
sc_wall_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
sc_warn_once(struct fleet_state *f, const char *what, const char *err)
{
	char	 line[sizeof(f->last_warning)];

	/* A long message is cut: it is only compared and logged. */
	if (snprintf(line, sizeof(line), "%s: %s", what, err) >=
	    (int)sizeof(line))
		line[sizeof(line) - 2] = '~';
	f->errors++;
	if (strcmp(line, f->last_warning) != 0)
		log_warnx("fleet: %s", line);
	snprintf(f->last_warning, sizeof(f->last_warning), "%s", line);
}

json_t *
sc_call(struct fleet_state *f, unsigned domid, const char *svc,
    const char *method, json_t *params)
{
	struct rpc_client	*c;
	json_t			*res = NULL, *error = NULL;
	char			 err[256], what[128];
	int			 rc, ms = f->s->timing.timeout_ms;

	snprintf(what, sizeof(what), "%s in domain %u", method, domid);
	if ((c = rpc_client_vchan(domid, svc, NULL, ms, err,
	    sizeof(err))) == NULL) {
		sc_warn_once(f, what, err);
		return NULL;
	}
	rc = rpc_client_call(c, method, params, &res, &error, ms, err,
	    sizeof(err));
	rpc_client_close(c);
	if (rc == 1)
		snprintf(err, sizeof(err), "%s", json_string_value(
		    json_object_get(error, "message")) ?: "refused");
	json_decref(error);
	if (rc != 0) {
		sc_warn_once(f, what, err);
		return NULL;
	}
	return res;
}

struct jobq *
sc_store(struct fleet_state *f)
{
	const struct settings	*s = f->s;
	char			 err[256];

	if (f->q != NULL)
		return f->q;
	f->q = s->store_pg[0] != '\0' ?
	    jobq_open_pg(s->store_pg, &s->jobs, err, sizeof(err)) :
	    jobq_open_sqlite(s->store_sqlite, &s->jobs, err, sizeof(err));
	if (f->q == NULL)
		sc_warn_once(f, "the job store", err);
	return f->q;
}

int
sc_named_init(struct actor *a, void *arg, void **state)
{
	struct sc_named	*n = arg;

	*n->slot = a;
	*state = n;
	return 0;
}

void
sc_named_terminate(struct actor *a, void *state, enum actor_exit why)
{
	struct sc_named	*n = state;

	(void)why;
	if (*n->slot == a)
		*n->slot = NULL;
}
