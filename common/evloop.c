#include <sys/queue.h>

#include <signal.h>
#include <stdlib.h>

#include <event2/event.h>
#include <xenevtchn.h>

#include "evloop.h"
#include "log.h"

struct evtchn_src {
	SLIST_ENTRY(evtchn_src)	 entry;
	struct event		*ev;
	xenevtchn_handle	*xce;
	evloop_evtchn_fn	 cb;
	void			*arg;
};

static const int	 signals[] = { SIGTERM, SIGINT, SIGHUP };
#define NSIGNALS	 (sizeof(signals) / sizeof(signals[0]))

struct evloop {
	struct event_base		*base;
	struct event			*sig[NSIGNALS];
	evloop_reload_fn		 reload;
	void				*reload_arg;
	SLIST_HEAD(, evtchn_src)	 srcs;
};

/*
 * libevent runs this from the loop, not from the signal handler, so the
 * reload hook may do anything a normal callback may.
 */
static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct evloop	*l = arg;

	(void)what;
	if (sig != SIGHUP) {
		log_info("%s received, exiting",
		    sig == SIGTERM ? "SIGTERM" : "SIGINT");
		event_base_loopexit(l->base, NULL);
	} else if (l->reload == NULL)
		log_warnx("SIGHUP ignored: nothing to reload");
	else {
		log_debug("SIGHUP received, reloading");
		l->reload(l->reload_arg);
	}
}

struct evloop *
evloop_new(void)
{
	struct evloop	*l;
	size_t		 i;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	SLIST_INIT(&l->srcs);
	/* A peer that vanishes must cost a write error, not the daemon. */
	signal(SIGPIPE, SIG_IGN);
	if ((l->base = event_base_new()) == NULL)
		goto fail;
	for (i = 0; i < NSIGNALS; i++) {
		l->sig[i] = evsignal_new(l->base, signals[i], on_signal, l);
		if (l->sig[i] == NULL || evsignal_add(l->sig[i], NULL) == -1)
			goto fail;
	}
	return l;
fail:
	evloop_free(l);
	return NULL;
}

void
evloop_free(struct evloop *l)
{
	struct evtchn_src	*src;
	size_t			 i;

	if (l == NULL)
		return;
	while ((src = SLIST_FIRST(&l->srcs)) != NULL) {
		SLIST_REMOVE_HEAD(&l->srcs, entry);
		event_free(src->ev);
		free(src);
	}
	for (i = 0; i < NSIGNALS; i++)
		if (l->sig[i] != NULL)
			event_free(l->sig[i]);
	if (l->base != NULL)
		event_base_free(l->base);
	free(l);
}

struct event_base *
evloop_base(struct evloop *l)
{
	return l->base;
}

void
evloop_set_reload(struct evloop *l, evloop_reload_fn fn, void *arg)
{
	l->reload = fn;
	l->reload_arg = arg;
}

/*
 * One port per wakeup: the fd is level-triggered, so libevent calls
 * again while more ports are pending.
 */
static void
on_evtchn(evutil_socket_t fd, short what, void *arg)
{
	struct evtchn_src		*src = arg;
	xenevtchn_port_or_error_t	 port;

	(void)fd;
	(void)what;
	if ((port = xenevtchn_pending(src->xce)) == -1) {
		log_warn("xenevtchn_pending");
		return;
	}
	src->cb((evtchn_port_t)port, src->arg);
	if (xenevtchn_unmask(src->xce, (evtchn_port_t)port) == -1)
		log_warn("xenevtchn_unmask port %d", port);
}

int
evloop_add_evtchn(struct evloop *l, xenevtchn_handle *xce,
    evloop_evtchn_fn cb, void *arg)
{
	struct evtchn_src	*src;
	int			 fd;

	if ((fd = xenevtchn_fd(xce)) == -1)
		return -1;
	if ((src = calloc(1, sizeof(*src))) == NULL)
		return -1;
	src->xce = xce;
	src->cb = cb;
	src->arg = arg;
	src->ev = event_new(l->base, fd, EV_READ | EV_PERSIST, on_evtchn, src);
	if (src->ev == NULL || event_add(src->ev, NULL) == -1) {
		if (src->ev != NULL)
			event_free(src->ev);
		free(src);
		return -1;
	}
	SLIST_INSERT_HEAD(&l->srcs, src, entry);
	return 0;
}

int
evloop_run(struct evloop *l)
{
	return event_base_dispatch(l->base) == -1 ? -1 : 0;
}

void
evloop_exit(struct evloop *l)
{
	event_base_loopexit(l->base, NULL);
}
