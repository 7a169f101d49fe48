/*
 * sc_fleet: the control loop (sc_fleet.h), as actors (actor.h) in the
 * worker's child, under one supervisor:
 *
 *   fleet    each round (FLEET_TICK) reads the agent's list of our web
 *            domains, keeps one web actor a domain (sc_web.h: spawned for
 *            a new one, killed for one gone, started again at the next
 *            round if it crashed), sends each its step, and once they
 *            have reported (or the round function says the rest will
 *            not, FLEET_DECIDE) decides how many domains to run
 *            (autoscale.h), and sends out what follows: new create jobs
 *            and their running to the creates actor, a domain's drain to
 *            its actor, the addresses that serve to the DNS actor;
 *   creates  the job kind domain.create (sc_creates.h);
 *   dns      keeps the name's addresses those of the serving domains
 *            (sc_dns.h).
 *
 * One round is the worker's round (worker.h): the round function sends
 * the tick and runs the child's event loop until no actor has mail,
 * then makes the snapshot sys.stats shows.  The supervisor is
 * one_for_one, each child permanent, at most 5 restarts in 10 s; past
 * that it fails and the child exits, and the worker forks a new one that
 * starts from the queue and from what the domains say.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "actor.h"
#include "autoscale.h"
#include "log.h"
#include "sc_config.h"
#include "sc_creates.h"
#include "sc_dns.h"
#include "sc_fleet.h"
#include "sc_round.h"
#include "sc_web.h"
#include "supervisor.h"
#include "worker.h"

/* DNS is set again this often even when nothing changed: it repairs. */
#define DNS_REFRESH_MS	10000
#define WEB_MAILBOX	8
#define ROUND_TURNS_MAX	100000	/* loop iterations a round may take */

struct sc_fleet {
	struct settings		 set;		/* interval 0 while not leading */
	int			 tick_ms;	/* the configuration's */
	bool			 leading;
	struct fleet_state	 state;		/* the child's starting copy */
	struct worker		*worker;
};

/* The child's state: a web actor's exit is told with its domain id. */
static struct fleet_state *child;

/* ---- the DNS actor ---- */

enum { DNS_SYNC = 300 };

/* DNS_SYNC's data: the addresses that serve now, sorted, each once. */
struct dns_want {
	size_t	 n;
	bool	 force;		/* a domain left: set it now */
	char	 addrs[FLEET_MAX][SC_DNS_ADDRMAX];
};

/*
 * DNS made the addresses of the domains that serve.  Sent when they
 * changed, when a domain left, at the loop's first round (a restarted
 * loop does not know what DNS has) and every DNS_REFRESH_MS, since a set
 * repeated changes nothing (sc_dns.h).
 */
static void
sync_dns(struct fleet_state *f, const struct dns_want *want)
{
	const struct settings	*s = f->s;
	char			 err[256];
	int64_t			 t = sc_now_ms();

	if (f->dns_at != 0 && !want->force && want->n == f->ndns_sent &&
	    memcmp(want->addrs, f->dns_sent, want->n * SC_DNS_ADDRMAX) == 0 &&
	    t - f->dns_at < DNS_REFRESH_MS)
		return;
	if (sc_dns_set(&s->dns, (const char (*)[SC_DNS_ADDRMAX])want->addrs,
	    want->n, s->timing.timeout_ms, err, sizeof(err)) != 0) {
		sc_warn_once(f, "dns", err);
		f->dns_errors++;
		return;
	}
	if (want->n != f->ndns_sent || memcmp(want->addrs, f->dns_sent,
	    want->n * SC_DNS_ADDRMAX) != 0)
		log_info("fleet: %s has %zu addresses", s->dns.name, want->n);
	memcpy(f->dns_sent, want->addrs, want->n * SC_DNS_ADDRMAX);
	f->ndns_sent = want->n;
	f->dns_at = t;
	f->dns_updates++;
}

static int
dns_receive(struct actor *a, void *state, const struct actor_msg *m)
{
	(void)a;
	if (m->type != DNS_SYNC)
		return ACTOR_CRASH;
	sync_dns(((struct sc_named *)state)->f, m->data);
	return ACTOR_OK;
}

static const struct actor_kind dns_kind = {
	.name = "dns",
	.init = sc_named_init,
	.receive = dns_receive,
	.terminate = sc_named_terminate,
};

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

/* ---- the fleet actor: following the agent, the web actors ---- */

static struct web_slot *
slot_of(struct fleet_state *f, int domid)
{
	size_t	 i;

	for (i = 0; i < f->nwebs; i++)
		if (f->webs[i].last.domid == domid)
			return &f->webs[i];
	return NULL;
}

/* A web actor ended by itself (stopped or crashed): its slot has none. */
static void
web_exited(void *arg, enum actor_exit why)
{
	struct web_slot	*w;

	if (child == NULL || (w = slot_of(child, (int)(intptr_t)arg)) == NULL)
		return;
	w->actor = NULL;
	if (why == ACTOR_CRASHED) {
		log_warnx("fleet: domain %d's actor crashed; started again "
		    "next round", w->last.domid);
		child->actor_restarts++;
	}
}

static int
spawn_web(struct fleet_state *f, struct web_slot *w)
{
	struct web_init		 in = { f, w->last.domid };
	char			 name[ACTOR_NAME_MAX];
	struct actor_spawn	 sp = {
		.kind = &sc_web_kind, .arg = &in, .name = name,
		.mailbox = WEB_MAILBOX, .on_exit = web_exited,
		.exit_arg = (void *)(intptr_t)w->last.domid,
	};

	snprintf(name, sizeof(name), "web %d", w->last.domid);
	return (w->actor = actor_spawn(f->base, &sp)) != NULL ? 0 : -1;
}

/*
 * The agent's list into slots: new domains get an actor, gone ones lose
 * theirs.  The pool's domains (paused, not ours yet) and those being
 * destroyed are not the fleet's.  -1 if the agent did not answer.
 */
static int
follow_agent(struct fleet_state *f)
{
	json_t		*res, *d;
	const char	*state;
	struct web_slot	*w;
	size_t		 i, kept;
	int		 domid;

	if ((res = sc_call(f, (unsigned)f->s->agent_domain, "domain",
	    "domain.list", NULL)) == NULL)
		return -1;
	for (i = 0; i < f->nwebs; i++)
		f->webs[i].listed = false;
	json_array_foreach(json_object_get(res, "domains"), i, d) {
		state = json_string_value(json_object_get(d, "state"));
		if (state == NULL || (strcmp(state, "running") != 0 &&
		    strcmp(state, "starting") != 0))
			continue;
		domid = (int)json_integer_value(json_object_get(d, "domid"));
		if ((w = slot_of(f, domid)) == NULL && f->nwebs < FLEET_MAX) {
			w = &f->webs[f->nwebs++];
			memset(w, 0, sizeof(*w));
			w->last.domid = domid;
		}
		if (w == NULL)
			continue;
		w->listed = true;
		w->last.running = strcmp(state, "running") == 0;
		snprintf(w->last.token, sizeof(w->last.token), "%s",
		    json_string_value(json_object_get(d, "token")) ?: "");
	}
	json_decref(res);
	for (i = kept = 0; i < f->nwebs; i++) {
		if (!f->webs[i].listed) {
			if (f->webs[i].actor != NULL)
				actor_kill(f->webs[i].actor);
			continue;
		}
		f->webs[kept++] = f->webs[i];
	}
	f->nwebs = kept;
	return 0;
}

/* Each listed domain's actor (started if it has none) sent its step. */
static void
step_webs(struct fleet_state *f)
{
	struct web_step	*st;
	size_t		 i;

	for (i = 0; i < f->nwebs; i++) {
		struct web_slot	*w = &f->webs[i];

		w->reported = false;
		w->metric = -1;
		if ((w->actor == NULL && spawn_web(f, w) != 0) ||
		    (st = calloc(1, sizeof(*st))) == NULL)
			continue;
		st->running = w->last.running;
		st->leaving = w->leaving_since != 0;
		snprintf(st->token, sizeof(st->token), "%s", w->last.token);
		if (actor_send(w->actor, WEB_STEP, st, free) != 0)
			free(st);
	}
}

static bool
all_reported(const struct fleet_state *f)
{
	size_t	 i;

	for (i = 0; i < f->nwebs; i++)
		if (f->webs[i].actor != NULL && !f->webs[i].reported)
			return false;
	return true;
}

/* ---- the fleet actor: deciding ---- */

/*
 * Shrink by n, the newest serving domains first.  With DNS, a domain
 * leaves DNS first and is drained once its address has been out of DNS
 * for the TTL (leave_dns_done); without, it is drained now.
 */
static bool
shrink(struct fleet_state *f, int n)
{
	struct web_slot	*newest;
	bool		 left = false;
	size_t		 i;

	while (n-- > 0) {
		newest = NULL;
		for (i = 0; i < f->nwebs; i++)
			if (f->webs[i].last.running &&
			    !f->webs[i].last.drain_since &&
			    !f->webs[i].leaving_since &&
			    (newest == NULL || f->webs[i].last.domid >
			    newest->last.domid))
				newest = &f->webs[i];
		if (newest == NULL)
			break;
		if (!f->s->dns.on || newest->last.addr[0] == '\0') {
			if (newest->actor == NULL || actor_send(newest->actor,
			    WEB_DRAIN, NULL, NULL) != 0)
				break;
			/* So that the next pick is another; the actor's
			 * report says when it really began. */
			newest->last.drain_since = sc_now_ms();
			continue;
		}
		newest->leaving_since = sc_now_ms();
		left = true;
		log_info("fleet: domain %d leaving DNS", newest->last.domid);
	}
	return left;
}

/* Out of DNS (set since it left) for the TTL: now it drains. */
static void
leave_dns_done(struct fleet_state *f, struct web_slot *w)
{
	if (f->dns_at > w->leaving_since && sc_now_ms() - f->dns_at >=
	    (int64_t)f->s->dns.ttl * 1000 && w->actor != NULL)
		(void)actor_send(w->actor, WEB_DRAIN, NULL, NULL);
}

static int
addr_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The DNS actor told which addresses serve now. */
static void
send_dns(struct fleet_state *f, bool force)
{
	struct dns_want	*want;
	size_t		 n = 0, i, k;

	if (!f->s->dns.on || f->dns == NULL ||
	    (want = malloc(sizeof(*want))) == NULL)
		return;
	for (i = 0; i < f->nwebs; i++) {
		const struct web_slot	*w = &f->webs[i];

		if (w->last.running && !w->last.standby &&
		    !w->last.drain_since && !w->leaving_since &&
		    w->last.addr[0] != '\0')
			memcpy(want->addrs[n++], w->last.addr, SC_DNS_ADDRMAX);
	}
	qsort(want->addrs, n, SC_DNS_ADDRMAX, addr_cmp);
	for (i = k = 0; i < n; i++)
		if (k == 0 || strcmp(want->addrs[k - 1], want->addrs[i]) != 0)
			memmove(want->addrs[k++], want->addrs[i],
			    SC_DNS_ADDRMAX);
	want->n = k;
	want->force = force;
	if (actor_send(f->dns, DNS_SYNC, want, free) != 0)
		free(want);
}

/* The round's decision, from the slots as reported, and what follows. */
static void
decide(struct fleet_state *f)
{
	struct round_result		*r = &f->result;
	struct autoscale_decision	 dec = { .desired = -1, .why = "" };
	double				 sum = 0;
	int				 measured = 0, current;
	size_t				 i;

	if (r->decided)
		return;
	r->decided = true;
	for (i = 0; i < f->nwebs; i++) {
		struct web_slot	*w = &f->webs[i];

		if (w->last.drain_since)
			r->draining++;
		else if (w->leaving_since) {
			r->draining++;
			leave_dns_done(f, w);
		} else if (!w->last.running)
			r->starting++;
		else {
			r->serving++;
			if (w->metric >= 0) {
				sum += w->metric;
				measured++;
			}
		}
	}
	r->pending = sc_creates_pending(f);
	current = r->serving + r->starting + r->pending;
	autoscale_decide(&f->as, sc_now_ms(), current,
	    measured > 0 ? sum / measured : -1, &dec);
	r->desired = dec.desired;
	r->why = dec.why != NULL ? dec.why : "";
	r->metric = measured > 0 ? sum / measured : -1.0;
	if (f->creates != NULL) {
		if (dec.desired > current)
			(void)actor_send(f->creates, CREATES_GROW,
			    (void *)(intptr_t)(dec.desired - current), NULL);
		(void)actor_send(f->creates, CREATES_RUN, NULL, NULL);
		if (f->ticks % 1000 == 1)
			(void)actor_send(f->creates, CREATES_PRUNE, NULL, NULL);
	}
	send_dns(f, dec.desired < current && shrink(f, current -
	    dec.desired));
}

static void
report_in(struct fleet_state *f, const struct web_report *rep)
{
	struct web_slot	*w = slot_of(f, rep->w.domid);

	if (w == NULL)
		return;		/* gone from the list meanwhile */
	w->last = rep->w;
	w->metric = rep->metric;
	w->reported = true;
	if (all_reported(f))
		decide(f);
}

static void
tick_begins(struct fleet_state *f)
{
	autoscale_set(&f->as, &f->s->as);	/* a reload's, if any */
	f->ticks++;
	if (follow_agent(f) != 0) {
		f->result.decided = true;	/* nothing to decide on */
		return;
	}
	step_webs(f);
	if (all_reported(f))
		decide(f);
}

static int
fleet_receive(struct actor *a, void *state, const struct actor_msg *m)
{
	struct fleet_state	*f = ((struct sc_named *)state)->f;

	(void)a;
	switch (m->type) {
	case FLEET_TICK:
		tick_begins(f);
		return ACTOR_OK;
	case FLEET_REPORT:
		report_in(f, m->data);
		return ACTOR_OK;
	case FLEET_DECIDE:
		decide(f);
		return ACTOR_OK;
	}
	return ACTOR_CRASH;
}

static const struct actor_kind fleet_kind = {
	.name = "fleet",
	.init = sc_named_init,
	.receive = fleet_receive,
	.terminate = sc_named_terminate,
};

/* ---- the round, in the worker's child ---- */

static struct sup_child_spec children[] = {
	{ .name = "fleet", .restart = SUP_PERMANENT, .kind = &fleet_kind,
	  .mailbox = FLEET_MAX + 16 },
	{ .name = "creates", .restart = SUP_PERMANENT,
	  .kind = &sc_creates_kind, .mailbox = 16 },
	{ .name = "dns", .restart = SUP_PERMANENT, .kind = &dns_kind,
	  .mailbox = 4 },
};

static const struct sup_spec loop_spec = {
	.name = "control loop", .strategy = SUP_ONE_FOR_ONE,
	.intensity = 5, .period_ms = 10000, .children = children,
	.nchildren = sizeof(children) / sizeof(children[0]),
};

/* Restarting is not helping: this child ends, the worker forks anew. */
static void
loop_failed(void *arg, struct supervisor *sup)
{
	(void)arg;
	(void)sup;
	log_warnx("fleet: the control loop's actors keep crashing; its "
	    "process starts again");
	_exit(1);
}

static int
actors_start(struct fleet_state *f)
{
	static struct sc_named	 named[3];
	const struct sup_opts	 opts = { .on_fail = loop_failed };

	if (f->base != NULL)
		return 0;
	/* In the order of children[]. */
	named[0] = (struct sc_named){ f, &f->fleet };
	named[1] = (struct sc_named){ f, &f->creates };
	named[2] = (struct sc_named){ f, &f->dns };
	children[0].arg = &named[0];
	children[1].arg = &named[1];
	children[2].arg = &named[2];
	if ((f->base = event_base_new()) == NULL ||
	    (f->sup = sup_start(f->base, &loop_spec, &opts)) == NULL) {
		sc_warn_once(f, "the control loop", "its actors did not start");
		return -1;
	}
	return 0;
}

/* Until no actor has mail (timers for later do not count). */
static void
run_until_idle(struct fleet_state *f)
{
	int	 turns = 0;

	while (event_base_get_num_events(f->base, EVENT_BASE_COUNT_ACTIVE) > 0 &&
	    turns++ < ROUND_TURNS_MAX)
		event_base_loop(f->base, EVLOOP_NONBLOCK);
}

static json_t *
snapshot(struct fleet_state *f)
{
	const struct round_result	*r = &f->result;
	json_t				*snap;

	snap = json_pack("{s:i, s:i, s:i, s:i, s:f, s:s, s:I, s:I, s:I, s:I, "
	    "s:I, s:i, s:I, s:I}", "serving", r->serving,
	    "starting", r->starting, "draining", r->draining,
	    "desired", r->desired, "metric", r->metric, "why", r->why,
	    "ticks", (json_int_t)f->ticks, "created", (json_int_t)f->created,
	    "drains", (json_int_t)f->drains,
	    "destroyed", (json_int_t)f->destroyed,
	    "errors", (json_int_t)f->errors,
	    "creates_pending", r->pending,
	    "creates_again", (json_int_t)f->creates_again,
	    "actor_restarts", (json_int_t)(f->actor_restarts +
	    (f->sup != NULL ? sup_restarts(f->sup) : 0)));
	if (snap != NULL && f->s->dns.on)
		json_object_set_new(snap, "dns", dns_json(f, f->s));
	return snap;
}

/* One round in the worker's child: the snapshot sys.stats shows. */
static json_t *
tick(const void *settings, void *state)
{
	struct fleet_state	*f = state;

	f->s = settings;
	child = f;
	if (actors_start(f) != 0)
		return NULL;
	memset(&f->result, 0, sizeof(f->result));
	f->result.why = "";
	f->result.desired = -1;
	f->result.metric = -1;
	if (f->fleet == NULL ||
	    actor_send(f->fleet, FLEET_TICK, NULL, NULL) != 0)
		return snapshot(f);
	run_until_idle(f);
	/* A web actor that crashed or was full reported nothing: decide
	 * with the reports that came. */
	if (!f->result.decided && f->fleet != NULL &&
	    actor_send(f->fleet, FLEET_DECIDE, NULL, NULL) == 0)
		run_until_idle(f);
	return snapshot(f);
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
