#include <sys/queue.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "actor.h"
#include "log.h"

/* A timer whose message found the mailbox full tries again this soon. */
#define ACTOR_TIMER_RETRY_MS	10

enum actor_life { ALIVE, ENDING };

struct actor_timer {
	LIST_ENTRY(actor_timer)	 entry;
	struct actor		*actor;
	struct event		*ev;
	int			 type;
};

struct actor {
	char				 name[ACTOR_NAME_MAX];
	const struct actor_kind		*kind;
	void				*state;
	struct event_base		*base;
	enum actor_life			 life;
	enum actor_exit			 why;
	/* The mailbox: a ring of cap messages. */
	struct actor_msg		*box;
	size_t				 cap, head, count;
	struct event			*run_ev;	/* its turn */
	struct event			*exit_ev;	/* tells on_exit */
	bool				 in_receive, kill_pending;
	actor_exit_fn			 on_exit;
	void				*exit_arg;
	LIST_HEAD(, actor_timer)	 timers;
};

static void
free_msg(struct actor_msg *m)
{
	if (m->free_data != NULL)
		m->free_data(m->data);
}

static void
drop_mail(struct actor *a)
{
	while (a->count > 0) {
		free_msg(&a->box[a->head]);
		a->head = (a->head + 1) % a->cap;
		a->count--;
	}
}

static void
drop_timers(struct actor *a)
{
	struct actor_timer	*t;

	while ((t = LIST_FIRST(&a->timers)) != NULL) {
		LIST_REMOVE(t, entry);
		event_free(t->ev);
		free(t);
	}
}

static void
free_actor(struct actor *a)
{
	drop_mail(a);
	drop_timers(a);
	event_free(a->run_ev);
	event_free(a->exit_ev);
	free(a->box);
	free(a);
}

/* Its end, but for the telling: terminate, mail and timers go now. */
static void
end(struct actor *a, enum actor_exit why)
{
	a->life = ENDING;
	a->why = why;
	if (a->kind->terminate != NULL && a->state != NULL)
		a->kind->terminate(a, a->state, why);
	a->state = NULL;
	drop_mail(a);
	drop_timers(a);
	event_active(a->exit_ev, 0, 0);
}

static void
on_exit_event(evutil_socket_t fd, short what, void *arg)
{
	struct actor	*a = arg;
	actor_exit_fn	 fn = a->on_exit;
	void		*fn_arg = a->exit_arg;
	enum actor_exit	 why = a->why;

	(void)fd;
	(void)what;
	if (why == ACTOR_CRASHED)
		log_warnx("actor %s crashed", a->name);
	else
		log_debug("actor %s stopped", a->name);
	free_actor(a);
	if (fn != NULL)
		fn(fn_arg, why);
}

static void
on_turn(evutil_socket_t fd, short what, void *arg)
{
	struct actor		*a = arg;
	struct actor_msg	 m;
	int			 n, rc = ACTOR_OK;

	(void)fd;
	(void)what;
	for (n = 0; n < ACTOR_BATCH && a->count > 0 && a->life == ALIVE &&
	    rc == ACTOR_OK; n++) {
		m = a->box[a->head];
		a->head = (a->head + 1) % a->cap;
		a->count--;
		a->in_receive = true;
		rc = a->kind->receive(a, a->state, &m);
		a->in_receive = false;
		free_msg(&m);
		if (a->kill_pending) {
			actor_kill(a);
			return;
		}
	}
	if (rc == ACTOR_STOP)
		end(a, ACTOR_NORMAL);
	else if (rc != ACTOR_OK)
		end(a, ACTOR_CRASHED);
	else if (a->count > 0)
		event_active(a->run_ev, 0, 0);	/* the rest, next turn */
}

struct actor *
actor_spawn(struct event_base *base, const struct actor_spawn *s)
{
	struct actor	*a;
	size_t		 cap = s->mailbox > 0 ? s->mailbox : 1;

	if ((a = calloc(1, sizeof(*a))) == NULL ||
	    (a->box = calloc(cap, sizeof(*a->box))) == NULL ||
	    (a->run_ev = event_new(base, -1, 0, on_turn, a)) == NULL ||
	    (a->exit_ev = event_new(base, -1, 0, on_exit_event, a)) == NULL) {
		if (a != NULL) {
			if (a->run_ev != NULL)
				event_free(a->run_ev);
			free(a->box);
			free(a);
		}
		return NULL;
	}
	snprintf(a->name, sizeof(a->name), "%s", s->name != NULL ? s->name :
	    s->kind->name);
	a->kind = s->kind;
	a->base = base;
	a->cap = cap;
	a->on_exit = s->on_exit;
	a->exit_arg = s->exit_arg;
	LIST_INIT(&a->timers);
	a->life = ALIVE;
	if (a->kind->init != NULL && a->kind->init(a, s->arg, &a->state) != 0) {
		log_warnx("actor %s: its start failed", a->name);
		a->state = NULL;
		end(a, ACTOR_CRASHED);
	}
	return a;
}

int
actor_send(struct actor *a, int type, void *data, void (*free_data)(void *))
{
	struct actor_msg	*m;

	if (a->life != ALIVE || a->kill_pending) {
		errno = ESRCH;
		return -1;
	}
	if (a->count == a->cap) {
		errno = EAGAIN;
		return -1;
	}
	m = &a->box[(a->head + a->count) % a->cap];
	m->type = type;
	m->data = data;
	m->free_data = free_data;
	if (a->count++ == 0 && !a->in_receive)
		event_active(a->run_ev, 0, 0);
	return 0;
}

static void
arm(struct actor_timer *t, int64_t ms)
{
	struct timeval	 tv = { (time_t)(ms / 1000),
			    (suseconds_t)(ms % 1000) * 1000 };

	evtimer_add(t->ev, &tv);
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct actor_timer	*t = arg;

	(void)fd;
	(void)what;
	if (actor_send(t->actor, t->type, NULL, NULL) != 0 &&
	    errno == EAGAIN) {
		arm(t, ACTOR_TIMER_RETRY_MS);
		return;
	}
	LIST_REMOVE(t, entry);
	event_free(t->ev);
	free(t);
}

int
actor_after(struct actor *a, int64_t ms, int type)
{
	struct actor_timer	*t;

	if (a->life != ALIVE) {
		errno = ESRCH;
		return -1;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (t->ev = evtimer_new(a->base, on_timer, t)) == NULL) {
		free(t);
		errno = ENOMEM;
		return -1;
	}
	t->actor = a;
	t->type = type;
	LIST_INSERT_HEAD(&a->timers, t, entry);
	arm(t, ms < 0 ? 0 : ms);
	return 0;
}

void
actor_kill(struct actor *a)
{
	/* From inside its own receive: done once receive returns. */
	if (a->in_receive) {
		a->kill_pending = true;
		return;
	}
	if (a->life == ALIVE && a->kind->terminate != NULL &&
	    a->state != NULL)
		a->kind->terminate(a, a->state, ACTOR_KILLED);
	free_actor(a);
}

const char *
actor_name(const struct actor *a)
{
	return a->name;
}

size_t
actor_queued(const struct actor *a)
{
	return a->count;
}

struct event_base *
actor_base(const struct actor *a)
{
	return a->base;
}
