#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "ag_config.h"
#include "ag_driver.h"
#include "ag_fleet.h"
#include "ag_ready.h"
#include "ag_tokens.h"
#include "log.h"

#define POOL_RETRY_MS	2000	/* after a pool build failed */

enum dom_state { D_FREE, D_BUILDING, D_POOLED, D_STARTING, D_RUNNING,
	D_PAUSING, D_PAUSED, D_GOING };

static const char *const state_names[] = {
	[D_FREE] = "free", [D_BUILDING] = "building", [D_POOLED] = "pooled",
	[D_STARTING] = "starting", [D_RUNNING] = "running",
	[D_PAUSING] = "pausing", [D_PAUSED] = "paused", [D_GOING] = "going",
};

struct dom {
	enum dom_state	 state;
	uint32_t	 domid;		/* once built */
	char		 name[AG_NAME_MAX];
	bool		 for_pool;	/* built paused, to wait in the pool */
	unsigned	 missed;	/* toolstack lists in a row without it */
	char		 token[AG_TOKEN_MAX];	/* the create that made it */
};

struct ag_fleet {
	struct event_base	*base;
	struct ag_driver	*drv;
	struct ag_ready		*ready;		/* NULL: no store */
	const struct ag_config	*cfg;
	struct dom		 doms[AG_DOMS_MAX];
	unsigned		 next_number;
	bool			 started;
	struct event		*retry;
	struct event		*watch;		/* AG_WATCH_MS: who died? */
	bool			 listing;
	struct {
		unsigned long	 warm, cold, destroyed, pool_built, failed;
		unsigned long	 vanished, again;
	} stats;
};

/* One call under way: which domain, and whom to tell. */
struct op {
	struct ag_fleet	*f;
	struct dom	*dom;
	ag_fleet_fn	 fn;
	void		*arg;
	enum dom_state	 was;	/* to go back to if it fails */
	struct timespec	 t0;	/* a build's start, for its log line */
};

static void	fill_pool(struct ag_fleet *);
static bool	waits_for_boot(const struct ag_fleet *);

static const char *
prefix(const struct ag_fleet *f)
{
	return f->cfg->domain.prefix != NULL ? f->cfg->domain.prefix : "web";
}

static struct dom *
slot(struct ag_fleet *f)
{
	size_t	 i;

	for (i = 0; i < AG_DOMS_MAX; i++)
		if (f->doms[i].state == D_FREE)
			return &f->doms[i];
	return NULL;
}

static struct dom *
find(struct ag_fleet *f, uint32_t domid)
{
	size_t	 i;

	for (i = 0; i < AG_DOMS_MAX; i++)
		if (f->doms[i].state != D_FREE &&
		    f->doms[i].state != D_BUILDING &&
		    f->doms[i].domid == domid)
			return &f->doms[i];
	return NULL;
}

static unsigned
count(const struct ag_fleet *f, enum dom_state st, bool for_pool)
{
	unsigned	 n = 0;
	size_t		 i;

	for (i = 0; i < AG_DOMS_MAX; i++)
		if (f->doms[i].state == st &&
		    (st != D_BUILDING || f->doms[i].for_pool == for_pool))
			n++;
	return n;
}

static struct op *
op_new(struct ag_fleet *f, struct dom *d, ag_fleet_fn fn, void *arg)
{
	struct op	*o = calloc(1, sizeof(*o));

	if (o != NULL) {
		*o = (struct op){ f, d, fn, arg, D_FREE, { 0, 0 } };
		clock_gettime(CLOCK_MONOTONIC, &o->t0);
	}
	return o;
}

/* ---- building ---- */

static long long
ms_since(const struct timespec *t0)
{
	struct timespec	 now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)(now.tv_sec - t0->tv_sec) * 1000 +
	    (now.tv_nsec - t0->tv_nsec) / 1000000;
}

static void
discarded(void *arg, int err, const char *msg, const struct ag_result *r)
{
	(void)r;
	if (err != 0)
		log_warnx("domain %u, which would not start, was not "
		    "destroyed either: %s", (unsigned)(uintptr_t)arg, msg);
}

/* Booted (or not): into the pool, or told to the caller. */
static void
settle(struct op *o, int err, const char *msg)
{
	struct dom	*d = o->dom;
	struct ag_fleet	*f = o->f;

	if (err != 0) {
		log_warnx("domain %s: %s", d->name, msg);
		f->stats.failed++;
		/* Built but unusable: no orphan is left in the toolstack. */
		if (d->domid != 0 && err != ECANCELED &&
		    ag_destroy(f->drv, d->domid, discarded,
		    (void *)(uintptr_t)d->domid) != 0)
			log_warn("domain %s: destroy", d->name);
		d->state = D_FREE;
		if (d->for_pool && err != ECANCELED)
			event_add(f->retry, &(struct timeval){ 0,
			    POOL_RETRY_MS * 1000 });
	} else {
		d->state = d->for_pool ? D_POOLED : D_RUNNING;
		if (d->for_pool)
			f->stats.pool_built++;
		else
			f->stats.cold++;
		log_info("domain %s is domain %u%s (built%s in %lld ms)",
		    d->name, d->domid, d->for_pool ? ", paused in the pool" :
		    ", running", waits_for_boot(f) ? " and ready" : "",
		    ms_since(&o->t0));
	}
	if (o->fn != NULL)
		o->fn(o->arg, err, msg, d->domid, d->name, false);
	free(o);
	if (err == 0)
		fill_pool(f);
}

static void
paused(void *arg, int err, const char *msg, const struct ag_result *r)
{
	(void)r;
	settle(arg, err, msg);
}

/* Up: a pool domain is paused now, booted; a called-for one is done. */
static void
booted(void *arg, int err)
{
	struct op	*o = arg;
	char		 msg[128];

	if (err != 0) {
		snprintf(msg, sizeof(msg), "not ready within %d ms (%s)",
		    o->f->cfg->domain.ready_ms, strerror(err));
		settle(o, err, msg);
	} else if (!o->dom->for_pool)
		settle(o, 0, "");
	else if (ag_pause(o->f->drv, o->dom->domid, paused, o) != 0)
		settle(o, errno, "pause");
}

static bool
waits_for_boot(const struct ag_fleet *f)
{
	return f->ready != NULL && f->cfg->domain.ready != NULL;
}

static void
built(void *arg, int err, const char *msg, const struct ag_result *r)
{
	struct op	*o = arg;
	struct ag_fleet	*f = o->f;

	if (err == 0)
		o->dom->domid = r->domid;
	/* Noted as soon as there is a domid: a retry finds it even if this
	 * agent dies before the domain is up. */
	if (err == 0 && o->dom->token[0] != '\0')
		(void)ag_tokens_put(f->ready, o->dom->domid, o->dom->token);
	if (err != 0 || !waits_for_boot(f))
		settle(o, err, msg);
	else if (ag_ready_wait(f->ready, r->domid, f->cfg->domain.ready,
	    f->cfg->domain.ready_ms, booted, o) != 0)
		settle(o, errno, "watching for it to be ready");
}

/*
 * The domain's command with "{n}" in any argument made its number (the N
 * of PREFIX-N), so that each domain can have what must differ between
 * them: its own listen address on xensim, say.  NULL without memory.
 */
static void	command_free(char **);

static char **
command_for(const struct config_strlist *cmd, unsigned n)
{
	char	**v;
	size_t	  i;

	if ((v = calloc(cmd->n + 1, sizeof(*v))) == NULL)
		return NULL;
	for (i = 0; i < cmd->n; i++)
		if ((v[i] = ag_config_number(cmd->v[i], n)) == NULL) {
			command_free(v);
			return NULL;
		}
	return v;
}

static void
command_free(char **v)
{
	size_t	 i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

static int
build(struct ag_fleet *f, bool for_pool, const char *token, ag_fleet_fn fn,
    void *arg)
{
	struct dom	*d = slot(f);
	struct op	*o;
	char		**argv;
	int		 rc;

	if (d == NULL) {
		errno = ENOSPC;
		return -1;
	}
	if ((o = op_new(f, d, fn, arg)) == NULL)
		return -1;
	if ((argv = command_for(&f->cfg->domain.command,
	    f->next_number)) == NULL) {
		free(o);
		return -1;
	}
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s-%u", prefix(f),
	    f->next_number++);
	snprintf(d->token, sizeof(d->token), "%s", token != NULL ? token : "");
	d->for_pool = for_pool;
	d->state = D_BUILDING;
	/* Booted before it is paused, when it can say it is up. */
	rc = ag_create(f->drv, &(struct ag_build){ .name = d->name,
	    .number = f->next_number - 1, .memory_mb =
	    f->cfg->domain.memory_mb, .argv = argv, .paused = for_pool &&
	    !waits_for_boot(f) }, built, o);
	command_free(argv);
	if (rc != 0) {
		d->state = D_FREE;
		free(o);
		return -1;
	}
	return 0;
}

static void
fill_pool(struct ag_fleet *f)
{
	while (f->started && count(f, D_POOLED, false) +
	    count(f, D_BUILDING, true) < (unsigned)f->cfg->pool)
		if (build(f, true, NULL, NULL, NULL) != 0) {
			log_warn("the warm pool");
			break;
		}
}

static void
on_retry(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	fill_pool(arg);
}

/* ---- starting a pooled one, and the rest ---- */

static void
started(void *arg, int err, const char *msg, const struct ag_result *r)
{
	struct op	*o = arg;
	struct dom	*d = o->dom;

	(void)r;
	if (err != 0) {
		/* Unusable: no orphan is left behind in the toolstack. */
		log_warnx("domain %s: unpause: %s; destroying it", d->name,
		    msg);
		o->f->stats.failed++;
		d->state = D_FREE;
		(void)ag_tokens_put(o->f->ready, d->domid, NULL);
		/* Stopping: left to the next agent, which adopts it. */
		if (err != ECANCELED && ag_destroy(o->f->drv, d->domid,
		    discarded, (void *)(uintptr_t)d->domid) != 0)
			log_warn("domain %s: destroy", d->name);
	} else {
		d->state = D_RUNNING;
		o->f->stats.warm++;
	}
	o->fn(o->arg, err, msg, d->domid, d->name, true);
	fill_pool(o->f);
	free(o);
}

/*
 * The domain a token made, if any: told at once when it runs; EBUSY
 * while it is still being started (the first call's answer is on its
 * way; the caller asks again).  -1 with errno 0: the token is new.
 */
static int
made_by(struct ag_fleet *f, const char *token, ag_fleet_fn fn, void *arg)
{
	struct dom	*d;
	size_t		 i;

	errno = 0;
	if (token == NULL || *token == '\0')
		return -1;
	for (i = 0; i < AG_DOMS_MAX; i++) {
		d = &f->doms[i];
		if (d->state == D_FREE || strcmp(d->token, token) != 0)
			continue;
		if (d->state != D_RUNNING) {
			errno = EBUSY;
			return -1;
		}
		log_info("domain %s (%u): made for %s already", d->name,
		    d->domid, token);
		f->stats.again++;
		fn(arg, 0, "", d->domid, d->name, false);
		return 0;
	}
	return -1;
}

int
ag_fleet_create(struct ag_fleet *f, const char *token, ag_fleet_fn fn,
    void *arg)
{
	struct op	*o;
	size_t		 i;

	if (made_by(f, token, fn, arg) == 0)
		return 0;
	if (errno == EBUSY)
		return -1;
	for (i = 0; i < AG_DOMS_MAX; i++)
		if (f->doms[i].state == D_POOLED)
			break;
	if (i == AG_DOMS_MAX)
		return build(f, false, token, fn, arg);
	if ((o = op_new(f, &f->doms[i], fn, arg)) == NULL)
		return -1;
	snprintf(f->doms[i].token, sizeof(f->doms[i].token), "%s",
	    token != NULL ? token : "");
	/* Before the unpause: a retry after this agent died finds it. */
	if (f->doms[i].token[0] != '\0')
		(void)ag_tokens_put(f->ready, f->doms[i].domid,
		    f->doms[i].token);
	f->doms[i].state = D_STARTING;
	if (ag_unpause(f->drv, f->doms[i].domid, started, o) != 0) {
		f->doms[i].state = D_POOLED;
		free(o);
		return -1;
	}
	return 0;
}

static void
destroyed(void *arg, int err, const char *msg, const struct ag_result *r)
{
	struct op	*o = arg;
	struct dom	*d = o->dom;

	(void)r;
	if (err != 0) {
		log_warnx("domain %s: destroy: %s", d->name, msg);
		d->state = D_RUNNING;	/* still ours; may be tried again */
	} else {
		log_info("domain %s (%u) destroyed", d->name, d->domid);
		o->f->stats.destroyed++;
		d->state = D_FREE;
		(void)ag_tokens_put(o->f->ready, d->domid, NULL);
	}
	o->fn(o->arg, err, msg, d->domid, d->name, false);
	fill_pool(o->f);
	free(o);
}

/* One of ours, and not in the middle of something. */
static struct dom *
settled(struct ag_fleet *f, uint32_t domid)
{
	struct dom	*d = find(f, domid);

	if (d == NULL)
		errno = ESRCH;
	else if (d->state != D_RUNNING && d->state != D_POOLED &&
	    d->state != D_PAUSED) {
		errno = EBUSY;
		d = NULL;
	}
	return d;
}

int
ag_fleet_destroy(struct ag_fleet *f, uint32_t domid, ag_fleet_fn fn,
    void *arg)
{
	struct dom	*d = settled(f, domid);
	struct op	*o;
	enum dom_state	 was;

	if (d == NULL || (o = op_new(f, d, fn, arg)) == NULL)
		return -1;
	was = d->state;
	d->state = D_GOING;
	if (ag_destroy(f->drv, domid, destroyed, o) != 0) {
		d->state = was;
		free(o);
		return -1;
	}
	return 0;
}

/* Unpaused, or paused: on, or back where it was. */
static void
switched(void *arg, int err, const char *msg, const struct ag_result *r)
{
	struct op	*o = arg;
	struct dom	*d = o->dom;

	(void)r;
	if (d->state == D_STARTING)
		d->state = err == 0 ? D_RUNNING : o->was;
	else
		d->state = err == 0 ? D_PAUSED : D_RUNNING;
	o->fn(o->arg, err, msg, d->domid, d->name, false);
	if (err == 0)
		fill_pool(o->f);
	free(o);
}

int
ag_fleet_unpause(struct ag_fleet *f, uint32_t domid, ag_fleet_fn fn,
    void *arg)
{
	struct dom	*d = settled(f, domid);
	struct op	*o;

	if (d == NULL)
		return -1;
	if (d->state == D_RUNNING) {
		errno = EALREADY;
		return -1;
	}
	if ((o = op_new(f, d, fn, arg)) == NULL)
		return -1;
	o->was = d->state;
	d->state = D_STARTING;
	if (ag_unpause(f->drv, domid, switched, o) != 0) {
		d->state = o->was;
		free(o);
		return -1;
	}
	return 0;
}

int
ag_fleet_pause(struct ag_fleet *f, uint32_t domid, ag_fleet_fn fn,
    void *arg)
{
	struct dom	*d = settled(f, domid);
	struct op	*o;

	if (d == NULL)
		return -1;
	if (d->state != D_RUNNING) {
		errno = EALREADY;
		return -1;
	}
	if ((o = op_new(f, d, fn, arg)) == NULL)
		return -1;
	d->state = D_PAUSING;
	if (ag_pause(f->drv, domid, switched, o) != 0) {
		d->state = D_RUNNING;
		free(o);
		return -1;
	}
	return 0;
}

/* ---- adopting what a previous agent left ---- */

/* PREFIX-N: N, or -1. */
static long
number_of(const struct ag_fleet *f, const char *name)
{
	size_t	 n = strlen(prefix(f));
	char	*end;
	long	 v;

	if (strncmp(name, prefix(f), n) != 0 || name[n] != '-' ||
	    name[n + 1] == '\0')
		return -1;
	v = strtol(name + n + 1, &end, 10);
	return *end == '\0' && v >= 0 ? v : -1;
}

static void
adopt(struct ag_fleet *f, const struct ag_dominfo *di)
{
	long		 n = number_of(f, di->name);
	struct dom	*d;

	if (n < 0 || strncmp(di->state, "shutdown", 8) == 0 ||
	    (d = slot(f)) == NULL)
		return;
	memset(d, 0, sizeof(*d));
	d->domid = di->domid;
	snprintf(d->name, sizeof(d->name), "%s", di->name);
	d->state = strcmp(di->state, "paused") == 0 ? D_POOLED : D_RUNNING;
	if (d->state == D_RUNNING)
		(void)ag_tokens_get(f->ready, d->domid, d->token,
		    sizeof(d->token));
	if ((unsigned long)n >= f->next_number)
		f->next_number = (unsigned)n + 1;
	log_info("adopted domain %s (%u), %s", d->name, d->domid,
	    state_names[d->state]);
}

static void
listed(void *arg, int err, const char *msg, const struct ag_result *r)
{
	struct ag_fleet	*f = arg;
	size_t		 i;

	if (err != 0)
		log_warnx("listing the toolstack's domains: %s; adopting "
		    "none", msg);
	for (i = 0; err == 0 && i < r->n; i++)
		adopt(f, &r->doms[i]);
	f->started = true;
	log_info("%u domains of ours running, %u in the pool; filling it "
	    "to %d", count(f, D_RUNNING, false), count(f, D_POOLED, false),
	    f->cfg->pool);
	fill_pool(f);
}

/*
 * ---- domains that die without us ----
 *
 * A domain may crash, or be destroyed with the toolstack by hand: the
 * agent would go on listing it, and the scaler on counting it.  So every
 * AG_WATCH_MS the toolstack's list is read, and a settled domain of ours
 * missing from two lists in a row (one list may have been read while the
 * domain was still being built) or listed as shut down is forgotten, and
 * the pool refilled.  The other way round, a domain named PREFIX-N that
 * is not ours (a previous agent, killed, had it still being built) is
 * adopted, as at start, so it is not left behind.
 */
#define AG_WATCH_MS	1000

static bool
settled_state(enum dom_state st)
{
	return st == D_RUNNING || st == D_POOLED || st == D_PAUSED;
}

static void
rewatch(struct ag_fleet *f)
{
	struct timeval	 tv = { AG_WATCH_MS / 1000,
	    (AG_WATCH_MS % 1000) * 1000 };

	evtimer_add(f->watch, &tv);
}

static const struct ag_dominfo *
listed_as(const struct ag_result *r, uint32_t domid)
{
	size_t	 i;

	for (i = 0; i < r->n; i++)
		if (r->doms[i].domid == domid)
			return &r->doms[i];
	return NULL;
}

/* Ours already: by id, or by name while we build it. */
static bool
known(const struct ag_fleet *f, const struct ag_dominfo *di)
{
	size_t	 i;

	for (i = 0; i < AG_DOMS_MAX; i++)
		if (f->doms[i].state != D_FREE &&
		    (strcmp(f->doms[i].name, di->name) == 0 ||
		    (f->doms[i].state != D_BUILDING &&
		    f->doms[i].domid == di->domid)))
			return true;
	return false;
}

static void
watched(void *arg, int err, const char *msg, const struct ag_result *r)
{
	struct ag_fleet		*f = arg;
	const struct ag_dominfo	*di;
	struct dom		*d;
	size_t			 i;

	(void)msg;
	f->listing = false;
	for (i = 0; err == 0 && i < AG_DOMS_MAX; i++) {
		d = &f->doms[i];
		if (!settled_state(d->state))
			continue;
		di = listed_as(r, d->domid);
		if (di != NULL && strncmp(di->state, "shutdown", 8) != 0) {
			d->missed = 0;
			continue;
		}
		if (di == NULL && ++d->missed < 2)
			continue;
		log_warnx("domain %s (%u) is gone, not by us: %s", d->name,
		    d->domid, di != NULL ? di->state : "no longer listed");
		d->state = D_FREE;
		f->stats.vanished++;
		(void)ag_tokens_put(f->ready, d->domid, NULL);
	}
	for (i = 0; err == 0 && i < r->n; i++)
		if (!known(f, &r->doms[i]))
			adopt(f, &r->doms[i]);
	if (f->started) {
		fill_pool(f);
		rewatch(f);
	}
}

static void
on_watch(evutil_socket_t fd, short what, void *arg)
{
	struct ag_fleet	*f = arg;

	(void)fd;
	(void)what;
	if (f->listing || ag_list(f->drv, watched, f) != 0) {
		rewatch(f);
		return;
	}
	f->listing = true;
}

int
ag_fleet_start(struct ag_fleet *f)
{
	rewatch(f);
	return ag_list(f->drv, listed, f);
}

/* ---- the rest ---- */

struct ag_fleet *
ag_fleet_new(struct event_base *base, struct ag_driver *drv,
    const struct ag_config *cfg)
{
	struct ag_fleet	*f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	if ((f->retry = evtimer_new(base, on_retry, f)) == NULL ||
	    (f->watch = evtimer_new(base, on_watch, f)) == NULL) {
		if (f->retry != NULL)
			event_free(f->retry);
		free(f);
		return NULL;
	}
	f->base = base;
	f->drv = drv;
	f->cfg = cfg;
	f->next_number = 1;
	if (cfg->domain.ready != NULL &&
	    (f->ready = ag_ready_new(base)) == NULL)
		log_warnx("no store: pool domains are paused unbooted");
	return f;
}

void
ag_fleet_set_config(struct ag_fleet *f, const struct ag_config *cfg)
{
	f->cfg = cfg;
	fill_pool(f);
}

/*
 * The waits for domains to boot go first, then the driver: its commands
 * still running are waited for; their callers are told (ECANCELED),
 * while the pool is no longer refilled.
 */
void
ag_fleet_free(struct ag_fleet *f)
{
	if (f == NULL)
		return;
	f->started = false;
	ag_ready_free(f->ready);
	ag_driver_free(f->drv);
	event_free(f->retry);
	event_free(f->watch);
	free(f);
}

json_t *
ag_fleet_json(const struct ag_fleet *f)
{
	json_t	*doms = json_array();
	size_t	 i;

	json_t	*d;

	for (i = 0; i < AG_DOMS_MAX; i++) {
		if (f->doms[i].state == D_FREE || f->doms[i].state == D_BUILDING)
			continue;
		d = json_pack("{s:i, s:s, s:s}", "domid", (int)f->doms[i].domid,
		    "name", f->doms[i].name,
		    "state", state_names[f->doms[i].state]);
		/* Which create made it: a caller whose answer was lost knows
		 * its request is done. */
		if (d != NULL && f->doms[i].token[0] != '\0')
			json_object_set_new(d, "token",
			    json_string(f->doms[i].token));
		json_array_append_new(doms, d);
	}
	return json_pack("{s:o, s:{s:i, s:i, s:i}}", "domains", doms, "pool",
	    "ready", (int)count(f, D_POOLED, false),
	    "building", (int)count(f, D_BUILDING, true),
	    "size", f->cfg->pool);
}

json_t *
ag_fleet_stats(const struct ag_fleet *f)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:i, s:i}",
	    "warm_starts", (json_int_t)f->stats.warm,
	    "cold_starts", (json_int_t)f->stats.cold,
	    "destroyed", (json_int_t)f->stats.destroyed,
	    "pool_built", (json_int_t)f->stats.pool_built,
	    "failed", (json_int_t)f->stats.failed,
	    "vanished", (json_int_t)f->stats.vanished,
	    "again", (json_int_t)f->stats.again,
	    "running", (int)count(f, D_RUNNING, false),
	    "pool_ready", (int)count(f, D_POOLED, false));
}
