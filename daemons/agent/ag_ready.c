#include <sys/queue.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <xenstore.h>

#include "ag_ready.h"
#include "log.h"

struct waiter {
	LIST_ENTRY(waiter)	 entry;
	struct ag_ready		*r;
	char			 path[128];
	char			 token[24];
	struct event		*timer;
	ag_ready_fn		 fn;
	void			*arg;
};

struct ag_ready {
	struct event_base	*base;
	struct xs_handle	*xs;
	struct event		*ev;
	LIST_HEAD(, waiter)	 waiters;
	unsigned		 next_token;
};

static void
end(struct waiter *w, int err)
{
	LIST_REMOVE(w, entry);
	xs_unwatch(w->r->xs, w->path, w->token);
	event_free(w->timer);
	w->fn(w->arg, err);
	free(w);
}

static bool
present(struct ag_ready *r, const char *path)
{
	unsigned int	 len;
	char		*v = xs_read(r->xs, XBT_NULL, path, &len);

	free(v);
	return v != NULL;
}

static void
on_watch(evutil_socket_t fd, short what, void *arg)
{
	struct ag_ready	*r = arg;
	struct waiter	*w;
	char		**ev;
	unsigned int	 n;

	(void)fd;
	(void)what;
	if ((ev = xs_read_watch(r->xs, &n)) == NULL)
		return;
	LIST_FOREACH(w, &r->waiters, entry)
		if (strcmp(w->token, ev[XS_WATCH_TOKEN]) == 0)
			break;
	/* A watch fires once when set, and on every change below. */
	if (w != NULL && present(r, w->path))
		end(w, 0);
	free(ev);
}

static void
on_timeout(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	end(arg, ETIMEDOUT);
}

struct ag_ready *
ag_ready_new(struct event_base *base)
{
	struct ag_ready	*r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->base = base;
	LIST_INIT(&r->waiters);
	if ((r->xs = xs_open(0)) == NULL ||
	    (r->ev = event_new(base, xs_fileno(r->xs), EV_READ | EV_PERSIST,
	    on_watch, r)) == NULL || event_add(r->ev, NULL) == -1) {
		log_warn("xenstore");
		ag_ready_free(r);
		return NULL;
	}
	return r;
}

void
ag_ready_free(struct ag_ready *r)
{
	if (r == NULL)
		return;
	while (!LIST_EMPTY(&r->waiters))
		end(LIST_FIRST(&r->waiters), ECANCELED);
	if (r->ev != NULL)
		event_free(r->ev);
	if (r->xs != NULL)
		xs_close(r->xs);
	free(r);
}

struct xs_handle *
ag_ready_xs(struct ag_ready *r)
{
	return r->xs;
}

int
ag_ready_wait(struct ag_ready *r, uint32_t domid, const char *rel,
    int timeout_ms, ag_ready_fn fn, void *arg)
{
	struct timeval	 tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
	struct waiter	*w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return -1;
	if ((size_t)snprintf(w->path, sizeof(w->path), "/local/domain/%u/%s",
	    domid, rel) >= sizeof(w->path)) {
		free(w);
		errno = ENAMETOOLONG;
		return -1;
	}
	snprintf(w->token, sizeof(w->token), "ready-%u", r->next_token++);
	w->r = r;
	w->fn = fn;
	w->arg = arg;
	if ((w->timer = evtimer_new(r->base, on_timeout, w)) == NULL ||
	    evtimer_add(w->timer, &tv) == -1 ||
	    !xs_watch(r->xs, w->path, w->token)) {
		if (w->timer != NULL)
			event_free(w->timer);
		free(w);
		return -1;
	}
	LIST_INSERT_HEAD(&r->waiters, w, entry);
	return 0;
}
