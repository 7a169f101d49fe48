#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "actor.h"
#include "log.h"
#include "supervisor.h"

struct child {
	const struct sup_child_spec	*spec;
	struct supervisor		*owner;
	size_t				 index;
	struct actor			*actor;	/* running, or NULL */
	struct supervisor		*sub;	/* running, or NULL */
};

struct supervisor {
	const struct sup_spec	*spec;
	struct event_base	*base;
	struct sup_opts		 opts;
	struct supervisor	*parent;
	size_t			 index;		/* in the parent */
	struct child		 children[SUP_MAX_CHILDREN];
	/* The last intensity + 1 restarts' times, a ring. */
	int64_t			*stamps;
	size_t			 nstamps, next_stamp;
	unsigned		 restarts;
	bool			 failed;
	struct event		*fail_ev;
};

static struct supervisor *sup_new(struct event_base *,
		    const struct sup_spec *, const struct sup_opts *,
		    struct supervisor *, size_t);
static void	sup_free(struct supervisor *);
static void	child_gone(struct supervisor *, size_t, enum actor_exit);

static int64_t
now_ms(const struct supervisor *s)
{
	struct timespec	 ts;

	if (s->opts.now_ms != NULL)
		return s->opts.now_ms(s->opts.clock_arg);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- one child ---- */

static void
actor_exited(void *arg, enum actor_exit why)
{
	struct child	*c = arg;

	c->actor = NULL;	/* already freed */
	child_gone(c->owner, c->index, why);
}

static void
start_child(struct supervisor *s, size_t i)
{
	struct child			*c = &s->children[i];
	const struct sup_child_spec	*cs = c->spec;
	struct actor_spawn		 sp = { .kind = cs->kind, .arg = cs->arg,
					    .name = cs->name,
					    .mailbox = cs->mailbox,
					    .on_exit = actor_exited,
					    .exit_arg = c };

	if (cs->sub != NULL)
		c->sub = sup_new(s->base, cs->sub, &s->opts, s, i);
	else
		c->actor = actor_spawn(s->base, &sp);
	/* Out of memory: the child stays down, and the log says so. */
	if (c->actor == NULL && c->sub == NULL)
		log_warnx("supervisor %s: %s did not start", s->spec->name,
		    cs->name);
}

static void
kill_child(struct child *c)
{
	if (c->actor != NULL)
		actor_kill(c->actor);
	if (c->sub != NULL)
		sup_free(c->sub);
	c->actor = NULL;
	c->sub = NULL;
}

static void
kill_from(struct supervisor *s, size_t first)
{
	size_t	 i;

	for (i = s->spec->nchildren; i-- > first;)
		kill_child(&s->children[i]);
}

/* ---- restarts ---- */

/* Records a restart; false if it is one too many for the period. */
static bool
may_restart(struct supervisor *s)
{
	int64_t	 now = now_ms(s), oldest;

	s->stamps[s->next_stamp] = now;
	s->next_stamp = (s->next_stamp + 1) % s->nstamps;
	if (s->restarts + 1 < s->nstamps)
		return true;
	/* The ring is full: its oldest entry is next_stamp's. */
	oldest = s->stamps[s->next_stamp];
	return now - oldest >= s->spec->period_ms;
}

static void
give_up(struct supervisor *s)
{
	log_warnx("supervisor %s: more than %d restarts in %lld ms: giving "
	    "up", s->spec->name, s->spec->intensity,
	    (long long)s->spec->period_ms);
	s->failed = true;
	kill_from(s, 0);
	event_active(s->fail_ev, 0, 0);
}

static bool
wanted(const struct child *c, enum actor_exit why)
{
	switch (c->spec->restart) {
	case SUP_PERMANENT:
		return true;
	case SUP_TRANSIENT:
		return why != ACTOR_NORMAL;
	default:
		return false;
	}
}

static void
restart_from(struct supervisor *s, size_t first)
{
	size_t	 i;

	for (i = first; i < s->spec->nchildren; i++)
		if (s->children[i].spec->restart != SUP_TEMPORARY)
			start_child(s, i);
}

static void
child_gone(struct supervisor *s, size_t i, enum actor_exit why)
{
	if (s->failed || !wanted(&s->children[i], why))
		return;
	if (!may_restart(s)) {
		give_up(s);
		return;
	}
	s->restarts++;
	log_info("supervisor %s: restarting %s (%s)", s->spec->name,
	    s->children[i].spec->name, s->spec->strategy == SUP_ONE_FOR_ONE ?
	    "one_for_one" : s->spec->strategy == SUP_ONE_FOR_ALL ?
	    "one_for_all" : "rest_for_one");
	switch (s->spec->strategy) {
	case SUP_ONE_FOR_ONE:
		start_child(s, i);
		break;
	case SUP_ONE_FOR_ALL:
		kill_from(s, 0);
		restart_from(s, 0);
		break;
	case SUP_REST_FOR_ONE:
		kill_from(s, i + 1);
		start_child(s, i);
		restart_from(s, i + 1);
		break;
	}
}

/* From the loop: a failed supervisor is its parent's crashed child. */
static void
on_failed(evutil_socket_t fd, short what, void *arg)
{
	struct supervisor	*s = arg, *parent = s->parent;
	size_t			 i = s->index;

	(void)fd;
	(void)what;
	if (parent == NULL) {
		if (s->opts.on_fail != NULL)
			s->opts.on_fail(s->opts.fail_arg, s);
		return;
	}
	parent->children[i].sub = NULL;
	sup_free(s);
	child_gone(parent, i, ACTOR_CRASHED);
}

/* ---- the tree ---- */

static struct supervisor *
sup_new(struct event_base *base, const struct sup_spec *spec,
    const struct sup_opts *opts, struct supervisor *parent, size_t index)
{
	struct supervisor	*s;
	size_t			 i;

	if (spec->nchildren > SUP_MAX_CHILDREN || spec->intensity < 0 ||
	    spec->period_ms <= 0) {
		log_warnx("supervisor %s: a bad spec", spec->name);
		return NULL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->stamps = calloc((size_t)spec->intensity + 1,
	    sizeof(*s->stamps))) == NULL ||
	    (s->fail_ev = event_new(base, -1, 0, on_failed, s)) == NULL) {
		if (s != NULL)
			free(s->stamps);
		free(s);
		return NULL;
	}
	s->spec = spec;
	s->base = base;
	s->opts = *opts;
	s->parent = parent;
	s->index = index;
	s->nstamps = (size_t)spec->intensity + 1;
	for (i = 0; i < spec->nchildren; i++) {
		s->children[i].spec = &spec->children[i];
		s->children[i].owner = s;
		s->children[i].index = i;
	}
	for (i = 0; i < spec->nchildren; i++)
		start_child(s, i);
	return s;
}

static void
sup_free(struct supervisor *s)
{
	kill_from(s, 0);
	event_free(s->fail_ev);
	free(s->stamps);
	free(s);
}

struct supervisor *
sup_start(struct event_base *base, const struct sup_spec *spec,
    const struct sup_opts *opts)
{
	return sup_new(base, spec, opts, NULL, 0);
}

void
sup_stop(struct supervisor *s)
{
	sup_free(s);
}

struct actor *
sup_actor(const struct supervisor *s, size_t i)
{
	return i < s->spec->nchildren ? s->children[i].actor : NULL;
}

struct supervisor *
sup_sub(const struct supervisor *s, size_t i)
{
	return i < s->spec->nchildren ? s->children[i].sub : NULL;
}

unsigned
sup_restarts(const struct supervisor *s)
{
	return s->restarts;
}

int
sup_failed(const struct supervisor *s)
{
	return s->failed;
}
