#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "autoscale.h"
#include "log.h"
#include "rpc_client.h"
#include "sc_config.h"
#include "sc_fleet.h"
#include "worker.h"

#define FLEET_MAX	256	/* web domains followed at once */

/* A web domain the agent runs for us, as the loop last saw it. */
struct web {
	int	 domid;
	bool	 running;	/* else still starting */
	bool	 listed;	/* in this tick's domain.list */
	bool	 standby;	/* its last http.stats said so */
	bool	 counted;	/* requests and at_ms hold a reading */
	int64_t	 requests;
	int64_t	 at_ms;
	int64_t	 drain_since;	/* 0: serving */
};

/* What a reload may change: the worker's settings, sent to its child
 * (its interval is the tick, 0 while another scaler leads). */
struct settings {
	struct worker_timing		 timing;
	int				 agent_domain;
	char				 service[64];
	bool				 metric_connections;
	struct autoscale_settings	 as;
	int				 drain_ms;
};

/* The loop's own, in the worker's child, kept across its rounds. */
struct fleet_state {
	struct autoscale	 as;
	struct web		 webs[FLEET_MAX];
	size_t			 nwebs;
	char			 last_warning[256];
	uint64_t		 ticks, created, drains, destroyed, errors;
};

struct sc_fleet {
	struct settings		 set;		/* interval 0 while not leading */
	int			 tick_ms;	/* the configuration's */
	bool			 leading;
	struct fleet_state	 state;		/* the child's starting copy */
	struct worker		*worker;
};

static int64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A failed call: counted, and logged when it is not the last one again. */
static void
warn_once(struct fleet_state *f, const char *what, const char *err)
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

/*
 * One call to service svc in domain domid, on a connection of its own:
 * the result (the caller's), or NULL after warn_once.
 */
static json_t *
call(struct fleet_state *f, const struct settings *s, unsigned domid,
    const char *svc, const char *method, json_t *params)
{
	struct rpc_client	*c;
	json_t			*res = NULL, *error = NULL;
	char			 err[256], what[128];
	int			 rc, ms = s->timing.timeout_ms;

	snprintf(what, sizeof(what), "%s in domain %u", method, domid);
	if ((c = rpc_client_vchan(domid, svc, NULL, ms, err,
	    sizeof(err))) == NULL) {
		warn_once(f, what, err);
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
		warn_once(f, what, err);
		return NULL;
	}
	return res;
}

static struct web *
web_find(struct fleet_state *f, int domid)
{
	size_t	 i;

	for (i = 0; i < f->nwebs; i++)
		if (f->webs[i].domid == domid)
			return &f->webs[i];
	return NULL;
}

/*
 * The agent's list into webs: new domains added, gone ones dropped.
 * The pool's domains (paused, not ours yet) and those being destroyed
 * are not the fleet's.  -1 if the agent did not answer.
 */
static int
follow_agent(struct fleet_state *f, const struct settings *s)
{
	json_t		*res, *doms, *d;
	const char	*state;
	struct web	*w;
	size_t		 i, kept;

	res = call(f, s, (unsigned)s->agent_domain, "domain", "domain.list",
	    NULL);
	if (res == NULL)
		return -1;
	for (i = 0; i < f->nwebs; i++)
		f->webs[i].listed = false;
	doms = json_object_get(res, "domains");
	json_array_foreach(doms, i, d) {
		state = json_string_value(json_object_get(d, "state"));
		if (state == NULL || (strcmp(state, "running") != 0 &&
		    strcmp(state, "starting") != 0))
			continue;
		w = web_find(f, (int)json_integer_value(json_object_get(d,
		    "domid")));
		if (w == NULL && f->nwebs < FLEET_MAX) {
			w = &f->webs[f->nwebs++];
			memset(w, 0, sizeof(*w));
			w->domid = (int)json_integer_value(json_object_get(d,
			    "domid"));
		}
		if (w == NULL)
			continue;
		w->listed = true;
		w->running = strcmp(state, "running") == 0;
	}
	json_decref(res);
	for (i = kept = 0; i < f->nwebs; i++)
		if (f->webs[i].listed)
			f->webs[kept++] = f->webs[i];
	f->nwebs = kept;
	return 0;
}

/*
 * What the domain says of itself is what the loop goes by: a loop
 * started again (its process replaced, the scaler restarted) finds a
 * domain it had drained still draining, and goes on to destroy it, and
 * one it never told to serve still standing by.
 */
static void
adopt_rotation(struct web *w, const char *rotation)
{
	w->standby = rotation != NULL && strcmp(rotation, "standby") == 0;
	if (rotation != NULL && strcmp(rotation, "draining") == 0 &&
	    !w->drain_since) {
		w->drain_since = now_ms();
		log_info("fleet: domain %d found draining", w->domid);
	}
}

/*
 * The metric of one serving domain, or -1 while unknown (its first
 * reading of a rate, or no answer).  *open: its connections now.
 */
static double
measure(struct fleet_state *f, const struct settings *s, struct web *w,
    int64_t *open)
{
	json_t	*st;
	int64_t	 req, t = now_ms();
	double	 v = -1;

	*open = -1;
	if ((st = call(f, s, (unsigned)w->domid, s->service, "http.stats",
	    NULL)) == NULL)
		return -1;
	req = json_integer_value(json_object_get(st, "requests"));
	*open = json_integer_value(json_object_get(st, "connections_active"));
	adopt_rotation(w, json_string_value(json_object_get(st, "rotation")));
	json_decref(st);
	if (s->metric_connections)
		v = (double)*open;
	else if (w->counted && t > w->at_ms && req >= w->requests)
		v = (double)(req - w->requests) * 1000.0 / (double)(t - w->at_ms);
	w->requests = req;
	w->at_ms = t;
	w->counted = true;
	return v;
}

/*
 * A web domain joins the fleet: told to listen, if its configuration
 * kept it standing by (a warm domain is not in rotation while paused):
 * a new one, or one its http.stats shows standing by.
 */
static void
enlist(struct fleet_state *f, const struct settings *s, struct web *w)
{
	json_t	*res;

	if ((res = call(f, s, (unsigned)w->domid, s->service, "http.serve",
	    NULL)) == NULL)
		return;
	if (json_is_true(json_object_get(res, "serving"))) {
		w->standby = false;
		log_info("fleet: domain %d serving", w->domid);
	} else
		warn_once(f, "http.serve", json_string_value(
		    json_object_get(res, "error")) ?: "refused");
	json_decref(res);
}

/* Grow by n: each a domain.create (the agent's warm pool first). */
static void
grow(struct fleet_state *f, const struct settings *s, int n)
{
	json_t	*res;

	while (n-- > 0) {
		res = call(f, s, (unsigned)s->agent_domain, "domain",
		    "domain.create", NULL);
		if (res == NULL)
			return;
		log_info("fleet: domain %lld (%s) added%s",
		    (long long)json_integer_value(json_object_get(res,
		    "domid")), json_string_value(json_object_get(res,
		    "name")) ?: "?", json_is_true(json_object_get(res,
		    "warm")) ? " from the warm pool" : "");
		f->created++;
		json_decref(res);
	}
}

/* Shrink by n: the newest serving domains stop taking connections. */
static void
shrink(struct fleet_state *f, const struct settings *s, int n)
{
	struct web	*newest;
	json_t		*res;
	size_t		 i;

	while (n-- > 0) {
		newest = NULL;
		for (i = 0; i < f->nwebs; i++)
			if (f->webs[i].running && !f->webs[i].drain_since &&
			    (newest == NULL || f->webs[i].domid >
			    newest->domid))
				newest = &f->webs[i];
		if (newest == NULL)
			return;
		if ((res = call(f, s, (unsigned)newest->domid, s->service,
		    "http.drain", NULL)) == NULL)
			return;
		json_decref(res);
		newest->drain_since = now_ms();
		log_info("fleet: domain %d draining", newest->domid);
		f->drains++;
	}
}

/* A draining domain goes once its connections ended, or drain-ms passed. */
static void
reap(struct fleet_state *f, const struct settings *s, struct web *w)
{
	json_t	*res, *p;
	int64_t	 open = -1;

	if (now_ms() - w->drain_since < s->drain_ms) {
		(void)measure(f, s, w, &open);
		if (open != 0)
			return;
	}
	if ((p = json_pack("{s:i}", "domid", w->domid)) == NULL)
		return;
	res = call(f, s, (unsigned)s->agent_domain, "domain",
	    "domain.destroy", p);
	json_decref(p);
	if (res == NULL)
		return;
	json_decref(res);
	log_info("fleet: domain %d destroyed (%s)", w->domid, open == 0 ?
	    "its connections ended" : "drain-ms passed");
	f->destroyed++;
}

/* One round in the worker's child: the snapshot sys.stats shows. */
static json_t *
tick(const void *settings, void *state)
{
	const struct settings		*s = settings;
	struct fleet_state		*f = state;
	struct autoscale_decision	 dec = { .desired = -1, .why = "" };
	double				 v, sum = 0;
	int64_t				 open;
	int				 serving = 0, starting = 0, draining = 0;
	int				 measured = 0, current;
	size_t				 i;

	autoscale_set(&f->as, &s->as);		/* a reload's, if any */
	f->ticks++;
	if (follow_agent(f, s) != 0)
		goto out;
	for (i = 0; i < f->nwebs; i++) {
		struct web	*w = &f->webs[i];

		if (w->drain_since) {
			draining++;
			reap(f, s, w);
		} else if (!w->running)
			starting++;
		else {
			v = measure(f, s, w, &open);
			if (w->drain_since) {	/* found draining */
				draining++;
				continue;
			}
			if (w->standby)
				enlist(f, s, w);
			serving++;
			if (v >= 0) {
				sum += v;
				measured++;
			}
		}
	}
	current = serving + starting;
	autoscale_decide(&f->as, now_ms(), current,
	    measured > 0 ? sum / measured : -1, &dec);
	if (dec.desired > current)
		grow(f, s, dec.desired - current);
	else if (dec.desired < current)
		shrink(f, s, current - dec.desired);
out:
	return json_pack("{s:i, s:i, s:i, s:i, s:f, s:s, s:I, s:I, s:I, s:I, "
	    "s:I}", "serving", serving, "starting", starting,
	    "draining", draining, "desired", dec.desired,
	    "metric", measured > 0 ? sum / measured : -1.0,
	    "why", dec.why != NULL ? dec.why : "",
	    "ticks", (json_int_t)f->ticks, "created", (json_int_t)f->created,
	    "drains", (json_int_t)f->drains,
	    "destroyed", (json_int_t)f->destroyed,
	    "errors", (json_int_t)f->errors);
}

/* sys.stats says so until the next child's first round. */
static json_t *
loop_lost(const char *why)
{
	return json_pack("{s:s+}", "error", "the control loop ", why);
}

static const struct worker_ops fleet_ops = {
	.name = "control loop",
	.settings_len = sizeof(struct settings),
	.round = tick,
	.lost = loop_lost,
};

static void
settings_of(struct settings *s, const struct sc_fleet_conf *c)
{
	memset(s, 0, sizeof(*s));
	s->agent_domain = c->agent_domain;
	snprintf(s->service, sizeof(s->service), "%s", c->service);
	s->metric_connections = c->metric_connections;
	s->as = c->as;
	s->timing.interval_ms = c->tick_ms;
	s->timing.timeout_ms = c->timeout_ms;
	s->drain_ms = c->drain_ms;
}

struct sc_fleet *
sc_fleet_start(struct event_base *base, const struct sc_fleet_conf *c,
    bool leading)
{
	struct sc_fleet	*f;

	if ((f = calloc(1, sizeof(*f))) == NULL) {
		log_warnx("fleet: out of memory");
		return NULL;
	}
	settings_of(&f->set, c);
	f->tick_ms = f->set.timing.interval_ms;
	f->leading = leading;
	if (!leading)
		f->set.timing.interval_ms = 0;		/* the worker waits */
	autoscale_init(&f->state.as, &c->as);
	if ((f->worker = worker_start(base, &fleet_ops, &f->set,
	    &f->state)) == NULL) {
		free(f);
		return NULL;
	}
	log_info("fleet: %s %s per domain, target %d, %d to %d domains, "
	    "through the agent in domain %d", c->service,
	    c->metric_connections ? "connections" : "requests/s",
	    c->as.target, c->as.min_replicas, c->as.max_replicas,
	    c->agent_domain);
	return f;
}

void
sc_fleet_set(struct sc_fleet *f, const struct sc_fleet_conf *c)
{
	if (f == NULL)
		return;
	settings_of(&f->set, c);
	f->tick_ms = f->set.timing.interval_ms;
	if (!f->leading)
		f->set.timing.interval_ms = 0;
	worker_configure(f->worker);
}

void
sc_fleet_lead(struct sc_fleet *f, bool leading)
{
	if (f == NULL || leading == f->leading)
		return;
	f->leading = leading;
	f->set.timing.interval_ms = leading ? f->tick_ms : 0;
	log_info("fleet: %s", leading ? "leading: the control loop runs" :
	    "not leading: another scaler does, the control loop waits");
	worker_configure(f->worker);
}

void
sc_fleet_stop(struct sc_fleet *f)
{
	if (f == NULL)
		return;
	worker_stop(f->worker);
	free(f);
}

json_t *
sc_fleet_stats(struct sc_fleet *f)
{
	json_t	*snap, *out;

	if (!f->leading)
		return json_pack("{s:b}", "leading", 0);
	if ((snap = worker_snapshot(f->worker)) == NULL)
		return json_pack("{s:b, s:s}", "leading", 1, "error",
		    "no round yet");
	/* The worker's is shared: a copy of our own gets the flag. */
	out = json_copy(snap);
	json_decref(snap);
	if (out != NULL)
		json_object_set_new(out, "leading", json_true());
	return out;
}
