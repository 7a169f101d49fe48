#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "autoscale.h"
#include "jobq.h"
#include "log.h"
#include "rpc_client.h"
#include "sc_config.h"
#include "sc_dns.h"
#include "sc_fleet.h"
#include "worker.h"

#define FLEET_MAX	256	/* web domains followed at once */
/* DNS is set again this often even when nothing changed: it repairs. */
#define DNS_REFRESH_MS	10000
/* A create job's lease, in calls' timeouts: then another loop retries. */
#define CREATE_LEASE_TIMEOUTS	3
#define CREATE_ATTEMPTS		5
#define JOB_CREATE		"domain.create"

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
	int64_t	 leaving_since;	/* out of DNS, not yet drained; 0: not */
	char	 addr[SC_DNS_ADDRMAX];	/* where it listens; "": unknown */
	char	 token[72];	/* the create job that made it, if any */
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
	struct sc_dns_settings		 dns;
	/* The job store, opened again in the child (sc_config.h). */
	char				 store_sqlite[512];
	char				 store_pg[1024];
	struct jobq_settings		 jobs;
};

/* The loop's own, in the worker's child, kept across its rounds. */
struct fleet_state {
	struct autoscale	 as;
	struct web		 webs[FLEET_MAX];
	size_t			 nwebs;
	char			 last_warning[256];
	uint64_t		 ticks, created, drains, destroyed, errors;
	/* What DNS was last set to, and when (0: not since the start). */
	char			 dns_sent[FLEET_MAX][SC_DNS_ADDRMAX];
	size_t			 ndns_sent;
	int64_t			 dns_at;
	bool			 dns_force;	/* a domain left: set it now */
	uint64_t		 dns_updates, dns_errors;
	struct jobq		*q;		/* the child's own connection */
	uint64_t		 creates_again;	/* a retried job's domain */
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
		snprintf(w->token, sizeof(w->token), "%s", json_string_value(
		    json_object_get(d, "token")) ?: "");
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
 * The address of "ADDR:PORT" or "[ADDR]:PORT" (http.stats' "listen"),
 * or "" for none or a wildcard: a domain on every address of its host
 * has none of its own to put in DNS.
 */
static void
host_of(const char *listen, char out[SC_DNS_ADDRMAX])
{
	const char	*end;
	size_t		 n;

	out[0] = '\0';
	if (listen == NULL)
		return;
	if (listen[0] == '[') {
		listen++;
		end = strchr(listen, ']');
	} else
		end = strrchr(listen, ':');
	n = end != NULL ? (size_t)(end - listen) : 0;
	if (n == 0 || n >= SC_DNS_ADDRMAX)
		return;
	memcpy(out, listen, n);
	out[n] = '\0';
	if (strcmp(out, "0.0.0.0") == 0 || strcmp(out, "::") == 0)
		out[0] = '\0';
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
	host_of(json_string_value(json_array_get(json_object_get(st, "listen"),
	    0)), w->addr);
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

/*
 * Creates are jobs in the persistent queue (jobq.h): the decision to grow
 * is made durable first (one job a domain), then each job is claimed,
 * carried out with its id as the agent's token (ag_tokens.h) and
 * completed.  A loop that dies mid-call leaves its job claimed; when the
 * lease runs out another loop claims it, and the agent, seeing the token
 * again, answers with the domain it made the first time: no job is lost
 * and none makes two domains.  The jobs still to run count as domains
 * starting, so a loop started afresh does not decide the same growth
 * twice.  Drains, destroys and DNS are not jobs: each is asked again
 * from what the domains and DNS say, and doing one twice is harmless.
 */
static struct jobq *
store(struct fleet_state *f, const struct settings *s)
{
	char	 err[256];

	if (f->q != NULL)
		return f->q;
	f->q = s->store_pg[0] != '\0' ?
	    jobq_open_pg(s->store_pg, &s->jobs, err, sizeof(err)) :
	    jobq_open_sqlite(s->store_sqlite, &s->jobs, err, sizeof(err));
	if (f->q == NULL)
		warn_once(f, "the job store", err);
	return f->q;
}

static int64_t
wall_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

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
		if (strcmp(p->f->webs[i].token, token) == 0)
			return 0;
	p->n++;
	return 0;
}

/*
 * Creates decided whose domains do not exist yet: jobs ready, or claimed
 * by some loop, with no domain of theirs in the agent's list (one that
 * has its domain, whose answer a dead loop never saw, is not counted
 * twice).
 */
static int
creates_pending(struct fleet_state *f, const struct settings *s)
{
	struct pending	 p = { f, 0 };

	if (store(f, s) == NULL)
		return 0;
	(void)jobq_list(f->q, JOBQ_READY, count_create, &p);
	(void)jobq_list(f->q, JOBQ_RUNNING, count_create, &p);
	return p.n;
}

/* One create job carried out: the agent's answer, or NULL. */
static void
run_create(struct fleet_state *f, const struct settings *s,
    const struct jobq_job *j)
{
	json_t	*res, *p;
	char	 token[64];

	snprintf(token, sizeof(token), "job-%lld", (long long)j->id);
	if ((p = json_pack("{s:s}", "token", token)) == NULL)
		return;
	res = call(f, s, (unsigned)s->agent_domain, "domain", "domain.create",
	    p);
	json_decref(p);
	if (res == NULL) {
		(void)jobq_fail(f->q, j->id, j->token, f->last_warning,
		    wall_ms());
		return;
	}
	if (jobq_complete(f->q, j->id, j->token, wall_ms()) != 0)
		warn_once(f, "the job store", jobq_error(f->q));
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
run_creates(struct fleet_state *f, const struct settings *s)
{
	struct jobq_job	 j;
	char		 worker[32];
	int64_t		 lease = (int64_t)s->timing.timeout_ms *
			    CREATE_LEASE_TIMEOUTS;

	if (store(f, s) == NULL)
		return;
	snprintf(worker, sizeof(worker), "loop-%d", (int)getpid());
	while (jobq_claim(f->q, JOB_CREATE, worker, wall_ms(), lease,
	    &j) == 1) {
		run_create(f, s, &j);
		jobq_job_clear(&j);
	}
}

/* Done jobs older than an hour go (jobq_prune), every 1000 ticks. */
static void
prune(struct fleet_state *f)
{
	int64_t	 removed;

	if (f->q != NULL && f->ticks % 1000 == 1 &&
	    jobq_prune(f->q, wall_ms() - 3600 * 1000, &removed) == 0 &&
	    removed > 0)
		log_info("fleet: %lld done jobs pruned", (long long)removed);
}

/* Grow by n: the decision made durable, one job a domain. */
static void
grow(struct fleet_state *f, const struct settings *s, int n)
{
	int64_t	 id;
	bool	 created;

	if (store(f, s) == NULL)
		return;
	while (n-- > 0)
		if (jobq_enqueue(f->q, JOB_CREATE, NULL, "{}",
		    CREATE_ATTEMPTS, wall_ms(), &id, &created) != 0) {
			warn_once(f, "the job store", jobq_error(f->q));
			return;
		}
}

/* The domain stops taking connections: 0, or -1 if it did not answer. */
static int
drain(struct fleet_state *f, const struct settings *s, struct web *w)
{
	json_t	*res;

	if ((res = call(f, s, (unsigned)w->domid, s->service, "http.drain",
	    NULL)) == NULL)
		return -1;
	json_decref(res);
	w->drain_since = now_ms();
	log_info("fleet: domain %d draining", w->domid);
	f->drains++;
	return 0;
}

/*
 * Shrink by n, the newest serving domains first.  With DNS, a domain
 * leaves DNS first and is drained once its address has been out of DNS
 * for the TTL (leave_dns_done); without, it is drained now.
 */
static void
shrink(struct fleet_state *f, const struct settings *s, int n)
{
	struct web	*newest;
	size_t		 i;

	while (n-- > 0) {
		newest = NULL;
		for (i = 0; i < f->nwebs; i++)
			if (f->webs[i].running && !f->webs[i].drain_since &&
			    !f->webs[i].leaving_since &&
			    (newest == NULL || f->webs[i].domid >
			    newest->domid))
				newest = &f->webs[i];
		if (newest == NULL)
			return;
		if (!s->dns.on || newest->addr[0] == '\0') {
			if (drain(f, s, newest) != 0)
				return;
			continue;
		}
		newest->leaving_since = now_ms();
		f->dns_force = true;
		log_info("fleet: domain %d leaving DNS", newest->domid);
	}
}

/* Out of DNS (set since it left) for the TTL: now it can drain. */
static void
leave_dns_done(struct fleet_state *f, const struct settings *s,
    struct web *w)
{
	if (f->dns_at > w->leaving_since &&
	    now_ms() - f->dns_at >= (int64_t)s->dns.ttl * 1000)
		(void)drain(f, s, w);
}

static int
addr_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/*
 * DNS made the addresses of the domains that serve: sorted, each once.
 * Sent when they changed, when a domain left, at the loop's first round
 * (a restarted loop does not know what DNS has) and every
 * DNS_REFRESH_MS, since a set repeated changes nothing (sc_dns.h).
 */
static void
sync_dns(struct fleet_state *f, const struct settings *s)
{
	char	 want[FLEET_MAX][SC_DNS_ADDRMAX], err[256];
	size_t	 n = 0, i, k;
	int64_t	 t = now_ms();

	if (!s->dns.on)
		return;
	for (i = 0; i < f->nwebs; i++) {
		const struct web *w = &f->webs[i];

		if (w->running && !w->standby && !w->drain_since &&
		    !w->leaving_since && w->addr[0] != '\0')
			memcpy(want[n++], w->addr, SC_DNS_ADDRMAX);
	}
	qsort(want, n, SC_DNS_ADDRMAX, addr_cmp);
	for (i = k = 0; i < n; i++)
		if (k == 0 || strcmp(want[k - 1], want[i]) != 0)
			memmove(want[k++], want[i], SC_DNS_ADDRMAX);
	if (f->dns_at != 0 && !f->dns_force && k == f->ndns_sent &&
	    memcmp(want, f->dns_sent, k * SC_DNS_ADDRMAX) == 0 &&
	    t - f->dns_at < DNS_REFRESH_MS)
		return;
	if (sc_dns_set(&s->dns, (const char (*)[SC_DNS_ADDRMAX])want, k,
	    s->timing.timeout_ms, err, sizeof(err)) != 0) {
		warn_once(f, "dns", err);
		f->dns_errors++;
		return;
	}
	if (k != f->ndns_sent || memcmp(want, f->dns_sent,
	    k * SC_DNS_ADDRMAX) != 0)
		log_info("fleet: %s has %zu addresses", s->dns.name, k);
	memcpy(f->dns_sent, want, k * SC_DNS_ADDRMAX);
	f->ndns_sent = k;
	f->dns_at = t;
	f->dns_force = false;
	f->dns_updates++;
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

/* sys.stats' "dns": the name, what it was last set to, the counts. */
static json_t *
dns_json(const struct fleet_state *f, const struct settings *s)
{
	json_t	*addrs = json_array();
	size_t	 i;

	for (i = 0; i < f->ndns_sent; i++)
		json_array_append_new(addrs, json_string(f->dns_sent[i]));
	return json_pack("{s:s, s:o, s:I, s:I}", "name", s->dns.name,
	    "addresses", addrs, "updates", (json_int_t)f->dns_updates,
	    "errors", (json_int_t)f->dns_errors);
}

/* One round in the worker's child: the snapshot sys.stats shows. */
static json_t *
tick(const void *settings, void *state)
{
	const struct settings		*s = settings;
	struct fleet_state		*f = state;
	struct autoscale_decision	 dec = { .desired = -1, .why = "" };
	json_t				*snap;
	double				 v, sum = 0;
	int64_t				 open;
	int				 serving = 0, starting = 0, draining = 0;
	int				 measured = 0, current, pending = 0;
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
		} else if (w->leaving_since) {
			draining++;
			leave_dns_done(f, s, w);
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
	pending = creates_pending(f, s);
	current = serving + starting + pending;
	autoscale_decide(&f->as, now_ms(), current,
	    measured > 0 ? sum / measured : -1, &dec);
	if (dec.desired > current)
		grow(f, s, dec.desired - current);
	else if (dec.desired < current)
		shrink(f, s, current - dec.desired);
	run_creates(f, s);
	sync_dns(f, s);
	prune(f);
out:
	snap = json_pack("{s:i, s:i, s:i, s:i, s:f, s:s, s:I, s:I, s:I, s:I, "
	    "s:I}", "serving", serving, "starting", starting,
	    "draining", draining, "desired", dec.desired,
	    "metric", measured > 0 ? sum / measured : -1.0,
	    "why", dec.why != NULL ? dec.why : "",
	    "ticks", (json_int_t)f->ticks, "created", (json_int_t)f->created,
	    "drains", (json_int_t)f->drains,
	    "destroyed", (json_int_t)f->destroyed,
	    "errors", (json_int_t)f->errors);
	if (snap != NULL) {
		json_object_set_new(snap, "creates_pending",
		    json_integer(pending));
		json_object_set_new(snap, "creates_again",
		    json_integer((json_int_t)f->creates_again));
	}
	if (snap != NULL && s->dns.on)
		json_object_set_new(snap, "dns", dns_json(f, s));
	return snap;
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
	s->dns = c->dns_set;
	snprintf(s->store_sqlite, sizeof(s->store_sqlite), "%s",
	    c->store_sqlite != NULL ? c->store_sqlite : "");
	snprintf(s->store_pg, sizeof(s->store_pg), "%s",
	    c->store_pg != NULL ? c->store_pg : "");
	s->jobs.backoff_ms = c->backoff_ms;
	s->jobs.backoff_max_ms = c->backoff_max_ms;
}

struct sc_fleet *
sc_fleet_start(struct event_base *base, const struct sc_fleet_conf *c,
    bool leading, const struct worker_fork_hooks *hooks)
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
	    &f->state, hooks)) == NULL) {
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
