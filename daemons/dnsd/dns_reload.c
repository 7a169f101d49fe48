#include <sys/queue.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "config.h"
#include "dns_config.h"
#include "dns_reload.h"
#include "dns_zones.h"
#include "log.h"

struct waiter {
	TAILQ_ENTRY(waiter)	 link;
	dns_reload_fn		 done;
	void			*arg;
};
TAILQ_HEAD(waiters, waiter);

/* One run: what the worker is given and what it hands back. */
struct job {
	struct dns_config	*cfg;		/* the new configuration */
	struct dns_zonecfg	*zc;
	struct dns_zoneset	*set;		/* NULL: nothing to publish */
	int			 failed;
	json_t			*errors;
};

struct dns_reload {
	struct dns_zones	*zones;
	const char		*path;
	dns_reload_install_fn	 install;
	void			*install_arg;
	int			 pipe[2];	/* worker -> main: done */
	struct event		*ev;
	struct event		*kick;		/* starts a run from the loop */
	bool			 kicked;	/* kick is due */
	bool			 running;
	pthread_t		 thread;
	struct job		*job;
	struct waiters		 now;		/* answered by this run */
	struct waiters		 next;		/* by the one after */
};

static struct dns_zonecfg *
zonecfg(const struct dns_config *cfg)
{
	struct dns_zonecfg	*zc;
	size_t			 i;

	if ((zc = calloc(cfg->zones.n > 0 ? cfg->zones.n : 1,
	    sizeof(*zc))) == NULL)
		return NULL;
	for (i = 0; i < cfg->zones.n; i++) {
		zc[i].origin = cfg->zones.v[i].origin;
		zc[i].file = cfg->zones.v[i].file;
		zc[i].journal = cfg->zones.v[i].journal;
	}
	return zc;
}

int
dns_reload_initial(struct dns_zones *zones, const struct dns_config *cfg)
{
	struct dns_zonecfg	*zc;
	int			 rv;

	zones->maxbytes = (size_t)cfg->zone_max_mb << 20;
	if ((zc = zonecfg(cfg)) == NULL)
		return -1;
	rv = dns_zones_reload(zones, zc, cfg->zones.n);
	free(zc);
	return rv;
}

/* Called by the loader, on the worker thread: keep the message. */
static void
report(void *arg, const char *msg)
{
	struct job	*j = arg;

	json_array_append_new(j->errors, json_string(msg));
}

static void *
worker(void *arg)
{
	struct dns_reload	*r = arg;
	struct job		*j = r->job;
	char			 one = 1;

	j->set = dns_zones_build(r->zones, j->zc, j->cfg->zones.n, &j->failed);
	while (write(r->pipe[1], &one, 1) == -1 && errno == EINTR)
		;
	return NULL;
}

static void
answer(struct waiters *w, int nzones, int failed, json_t *errors)
{
	struct waiter	*x;

	while ((x = TAILQ_FIRST(w)) != NULL) {
		TAILQ_REMOVE(w, x, link);
		if (x->done != NULL)
			x->done(x->arg, nzones, failed, errors);
		free(x);
	}
}

static void	start(struct dns_reload *);

static void
job_free(struct job *j)
{
	if (j == NULL)
		return;
	if (j->cfg != NULL) {
		dns_config_free(j->cfg);
		free(j->cfg);
	}
	free(j->zc);
	json_decref(j->errors);
	free(j);
}

/* On the main thread: the worker is done. */
static void
finished(evutil_socket_t fd, short what, void *arg)
{
	struct dns_reload	*r = arg;
	struct job		*j = r->job;
	char			 buf[16];
	int			 n;

	(void)what;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	pthread_join(r->thread, NULL);
	r->running = false;
	r->job = NULL;
	r->zones->report = NULL;
	n = (int)j->cfg->zones.n;
	if (j->set == NULL) {
		log_warnx("reload: no zone set could be made; nothing changed");
		answer(&r->now, n, n, j->errors);
	} else {
		dns_zones_publish(r->zones, j->set);
		r->install(r->install_arg, j->cfg);
		j->cfg = NULL;		/* the daemon's now */
		log_info("reload: %d zones, %d kept their old version or are "
		    "not served", n, j->failed);
		answer(&r->now, n, j->failed, j->errors);
	}
	job_free(j);
	if (!TAILQ_EMPTY(&r->next)) {
		TAILQ_CONCAT(&r->now, &r->next, link);
		start(r);
	}
}

static void
fail_config(struct dns_reload *r, const char *err)
{
	json_t	*e = json_pack("[s]", err);

	log_warnx("reload failed, keeping the running configuration: %s",
	    err);
	answer(&r->now, -1, -1, e);
	json_decref(e);
}

static void
start(struct dns_reload *r)
{
	struct job	*j;
	char		 err[CONFIG_ERRMAX];

	if ((j = calloc(1, sizeof(*j))) == NULL ||
	    (j->cfg = calloc(1, sizeof(*j->cfg))) == NULL ||
	    (j->errors = json_array()) == NULL) {
		if (j != NULL)
			free(j->cfg);
		free(j);
		fail_config(r, "out of memory");
		return;
	}
	if (dns_config_load(r->path, j->cfg, err, sizeof(err)) == -1) {
		free(j->cfg);
		j->cfg = NULL;
		job_free(j);
		fail_config(r, err);
		return;
	}
	if ((j->zc = zonecfg(j->cfg)) == NULL) {
		job_free(j);
		fail_config(r, "out of memory");
		return;
	}
	r->zones->maxbytes = (size_t)j->cfg->zone_max_mb << 20;
	r->zones->report = report;
	r->zones->report_arg = j;
	r->job = j;
	if (pthread_create(&r->thread, NULL, worker, r) != 0) {
		r->job = NULL;
		job_free(j);
		fail_config(r, "cannot start the loading thread");
		return;
	}
	r->running = true;
}

static void
kicked(evutil_socket_t fd, short what, void *arg)
{
	struct dns_reload	*r = arg;

	(void)fd;
	(void)what;
	r->kicked = false;
	start(r);
}

/*
 * The run starts from the event loop, not from here: a configuration
 * that does not load ends it at once, and done must not be called
 * before the caller has the handle (dns.reload keeps it for cancel).
 */
void *
dns_reload_request(struct dns_reload *r, dns_reload_fn done, void *arg)
{
	struct waiter	*w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->done = done;
	w->arg = arg;
	if (r->running) {
		TAILQ_INSERT_TAIL(&r->next, w, link);
		return w;
	}
	TAILQ_INSERT_TAIL(&r->now, w, link);
	if (!r->kicked) {
		r->kicked = true;
		event_active(r->kick, EV_TIMEOUT, 0);
	}
	return w;
}

void
dns_reload_forget(struct dns_reload *r, void *handle)
{
	struct waiter	*w;

	TAILQ_FOREACH(w, &r->now, link)
		if (w == handle)
			w->done = NULL;
	TAILQ_FOREACH(w, &r->next, link)
		if (w == handle)
			w->done = NULL;
}

struct dns_reload *
dns_reload_new(struct event_base *base, struct dns_zones *zones,
    const char *path, dns_reload_install_fn install, void *arg)
{
	struct dns_reload	*r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->zones = zones;
	r->path = path;
	r->install = install;
	r->install_arg = arg;
	TAILQ_INIT(&r->now);
	TAILQ_INIT(&r->next);
	if (pipe2(r->pipe, O_NONBLOCK | O_CLOEXEC) == -1) {
		free(r);
		return NULL;
	}
	r->ev = event_new(base, r->pipe[0], EV_READ | EV_PERSIST, finished, r);
	r->kick = event_new(base, -1, 0, kicked, r);
	if (r->ev == NULL || r->kick == NULL || event_add(r->ev, NULL) == -1) {
		dns_reload_free(r);
		return NULL;
	}
	return r;
}

void
dns_reload_free(struct dns_reload *r)
{
	if (r == NULL)
		return;
	if (r->running) {
		/* Shutting down mid-reload: let the worker end, drop its set. */
		pthread_join(r->thread, NULL);
		if (r->job->set != NULL)
			dns_zoneset_free(r->job->set);
		job_free(r->job);
	}
	answer(&r->now, -1, -1, NULL);
	answer(&r->next, -1, -1, NULL);
	if (r->ev != NULL)
		event_free(r->ev);
	if (r->kick != NULL)
		event_free(r->kick);
	close(r->pipe[0]);
	close(r->pipe[1]);
	free(r);
}
