#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xenstore.h>

#include "http_system.h"
#include "log.h"
#include "rpc_client.h"
#include "rpc_directory.h"

#define NUMBERS_DEPTH	4

struct http_system {
	pthread_t		 thread;
	pthread_mutex_t		 mu;
	pthread_cond_t		 wake;
	bool			 stop;
	struct http_system_conf	 conf;		/* under mu */
	json_t			*snap;		/* under mu */
};

static uint64_t
ms_of(clockid_t clock)
{
	struct timespec	 ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* One service's sys.stats, or why there is none. */
static void
ask_stats(json_t *svc, unsigned domid, const char *name, int timeout_ms)
{
	struct rpc_client	*c;
	json_t			*res = NULL, *error = NULL;
	char			 err[256] = "";
	int			 rc;

	if ((c = rpc_client_vchan(domid, name, NULL, timeout_ms, err,
	    sizeof(err))) == NULL) {
		json_object_set_new(svc, "error", json_string(err));
		return;
	}
	rc = rpc_client_call(c, "sys.stats", NULL, &res, &error,
	    timeout_ms, err, sizeof(err));
	rpc_client_close(c);
	if (rc == 0)
		json_object_set_new(svc, "stats", res);
	else if (rc == 1) {
		/* The service's own words (a denial, most likely). */
		json_object_set_new(svc, "error", json_string(
		    json_string_value(json_object_get(error, "message")) ?
		    json_string_value(json_object_get(error, "message")) :
		    "refused"));
		json_decref(error);
	} else
		json_object_set_new(svc, "error", json_string(err));
}

struct round {
	json_t		*services;	/* of the domain being read */
	long		 self;		/* our domid, -1 unknown */
};

static void
add_service(unsigned domid, const char *name, const char *svc,
    const char *daemon, void *arg)
{
	struct round	*r = arg;

	(void)name;
	(void)domid;
	json_array_append_new(r->services, json_pack("{s:s, s:s}",
	    "service", svc, "daemon", daemon));
}

/* The domain list from xenstored's sys.stats, as {domid, name, ...}. */
static json_t *
domains_from_xenstored(int timeout_ms, char *err, size_t errlen)
{
	json_t	*svc = json_object(), *list, *out = json_array(), *d;
	size_t	 i;

	ask_stats(svc, 0, "xenstore", timeout_ms);
	list = json_object_get(json_object_get(json_object_get(svc, "stats"),
	    "daemon"), "per_domain");
	if (!json_is_array(list)) {
		snprintf(err, errlen, "xenstored's sys.stats: %s",
		    json_string_value(json_object_get(svc, "error")) ?
		    json_string_value(json_object_get(svc, "error")) :
		    "no per_domain list");
		json_decref(svc);
		json_decref(out);
		return NULL;
	}
	json_array_foreach(list, i, d)
		if (json_is_true(json_object_get(d, "introduced")) ||
		    json_integer_value(json_object_get(d, "domid")) == 0)
			json_array_append_new(out, json_pack("{s:O, s:O, s:O, "
			    "s:O}", "domid", json_object_get(d, "domid"),
			    "name", json_object_get(d, "name"),
			    "nodes", json_object_get(d, "nodes"),
			    "watches", json_object_get(d, "watches")));
	json_decref(svc);
	return out;
}

/* A dom0 process may list the domains itself (xenstored not Shoal's). */
static json_t *
domains_from_xenstore(struct xs_handle *xs)
{
	char		**ids, path[64], *name;
	unsigned int	 n, i, len;
	json_t		*out;

	if ((ids = xs_directory(xs, XBT_NULL, "/local/domain", &n)) == NULL)
		return NULL;
	out = json_array();
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/local/domain/%s/name", ids[i]);
		name = xs_read(xs, XBT_NULL, path, &len);
		json_array_append_new(out, json_pack("{s:I, s:s?}", "domid",
		    (json_int_t)strtoul(ids[i], NULL, 10), "name", name));
		free(name);
	}
	free(ids);
	return out;
}

static json_t *
collect(const struct http_system_conf *conf)
{
	struct xs_handle	*xs;
	struct round		 r = { .self = -1 };
	json_t			*snap, *doms, *d, *s;
	char			 err[512] = "", *self;
	unsigned int		 len;
	uint64_t		 t0 = ms_of(CLOCK_MONOTONIC);
	size_t			 i, k;

	snap = json_pack("{s:I}", "taken_ms", (json_int_t)ms_of(CLOCK_REALTIME));
	if ((xs = xs_open(0)) == NULL) {
		json_object_set_new(snap, "error", json_sprintf("xenstore: %s",
		    strerror(errno)));
		return snap;
	}
	/* Relative: our own /local/domain/N/domid. */
	if ((self = xs_read(xs, XBT_NULL, "domid", &len)) != NULL)
		r.self = strtol(self, NULL, 10);
	free(self);
	json_object_set_new(snap, "self", r.self >= 0 ?
	    json_integer(r.self) : json_null());
	if ((doms = domains_from_xenstored(conf->timeout_ms, err,
	    sizeof(err))) == NULL && (doms = domains_from_xenstore(xs)) ==
	    NULL) {
		json_object_set_new(snap, "error", json_string(err));
		doms = json_array();
	}
	json_array_foreach(doms, i, d) {
		unsigned domid = (unsigned)json_integer_value(
		    json_object_get(d, "domid"));

		r.services = json_array();
		rpc_directory_services(xs, domid, add_service, &r);
		json_array_foreach(r.services, k, s) {
			const char *svc = json_string_value(json_object_get(s,
			    "service"));

			if ((long)domid == r.self && strcmp(svc, "http") == 0)
				json_object_set_new(s, "self", json_true());
			else
				ask_stats(s, domid, svc, conf->timeout_ms);
		}
		json_object_set_new(d, "services", r.services);
	}
	xs_close(xs);
	json_object_set_new(snap, "domains", doms);
	json_object_set_new(snap, "took_ms", json_integer((json_int_t)(
	    ms_of(CLOCK_MONOTONIC) - t0)));
	return snap;
}

static void *
collector(void *arg)
{
	struct http_system	*sys = arg;
	struct http_system_conf	 conf;
	struct timespec		 until;
	json_t			*snap, *old;

	pthread_mutex_lock(&sys->mu);
	while (!sys->stop) {
		conf = sys->conf;
		pthread_mutex_unlock(&sys->mu);
		snap = collect(&conf);
		pthread_mutex_lock(&sys->mu);
		old = sys->snap;
		sys->snap = snap;
		json_decref(old);
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += sys->conf.interval_ms / 1000;
		until.tv_nsec += (long)(sys->conf.interval_ms % 1000) * 1000000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		while (!sys->stop && pthread_cond_timedwait(&sys->wake,
		    &sys->mu, &until) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&sys->mu);
	return NULL;
}

struct http_system *
http_system_start(const struct http_system_conf *conf)
{
	struct http_system	*sys;
	pthread_condattr_t	 ca;
	sigset_t		 all, old;
	int			 rc;

	if ((sys = calloc(1, sizeof(*sys))) == NULL) {
		log_warn("status collector");
		return NULL;
	}
	sys->conf = *conf;
	pthread_mutex_init(&sys->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&sys->wake, &ca);
	pthread_condattr_destroy(&ca);
	/* Signals stay the event loop's: the thread takes none. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&sys->thread, NULL, collector, sys);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		log_warnx("status collector: %s", strerror(rc));
		pthread_cond_destroy(&sys->wake);
		pthread_mutex_destroy(&sys->mu);
		free(sys);
		return NULL;
	}
	return sys;
}

void
http_system_configure(struct http_system *sys,
    const struct http_system_conf *conf)
{
	pthread_mutex_lock(&sys->mu);
	sys->conf = *conf;
	pthread_mutex_unlock(&sys->mu);
}

void
http_system_stop(struct http_system *sys)
{
	if (sys == NULL)
		return;
	pthread_mutex_lock(&sys->mu);
	sys->stop = true;
	pthread_cond_signal(&sys->wake);
	pthread_mutex_unlock(&sys->mu);
	pthread_join(sys->thread, NULL);
	json_decref(sys->snap);
	pthread_cond_destroy(&sys->wake);
	pthread_mutex_destroy(&sys->mu);
	free(sys);
}

json_t *
http_system_snapshot(struct http_system *sys)
{
	json_t	*s;

	pthread_mutex_lock(&sys->mu);
	s = json_incref(sys->snap);
	pthread_mutex_unlock(&sys->mu);
	return s;
}

static void
numbers(const json_t *v, char *path, size_t at, size_t cap, unsigned depth,
    unsigned *left, void (*fn)(const char *, double, void *), void *arg)
{
	const char	*k;
	json_t		*item;
	int		 n;

	if (json_is_number(v)) {
		if (*left > 0) {
			(*left)--;
			fn(path, json_number_value(v), arg);
		}
		return;
	}
	if (!json_is_object(v) || depth == NUMBERS_DEPTH)
		return;
	json_object_foreach((json_t *)v, k, item) {
		if (strstr(k, "buckets") != NULL)
			continue;
		n = snprintf(path + at, cap - at, "%s%s", at > 0 ? "." : "", k);
		if (n > 0 && (size_t)n < cap - at)
			numbers(item, path, at + (size_t)n, cap, depth + 1, left,
			    fn, arg);
		path[at] = '\0';
	}
}

void
http_system_numbers(const json_t *stats, unsigned max,
    void (*fn)(const char *, double, void *), void *arg)
{
	char	 path[256] = "";

	numbers(stats, path, 0, sizeof(path), 0, &max, fn, arg);
}
