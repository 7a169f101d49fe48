#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <xenstore.h>

#include "http_system.h"
#include "log.h"
#include "rpc_client.h"
#include "rpc_directory.h"
#include "rpc_vchan.h"
#include "worker.h"

#define NUMBERS_DEPTH	4

struct http_system {
	struct http_system_conf	 conf;		/* the worker's settings */
	struct worker		*worker;	/* the collector */
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

/*
 * The domain list from xenstored's sys.stats, as {domid, name, ...};
 * *xs_stats keeps the whole answer, which is also the "xenstore"
 * service's row (one call, not two).
 */
static json_t *
domains_from_xenstored(unsigned store, int timeout_ms, json_t **xs_stats,
    char *err, size_t errlen)
{
	json_t	*svc = json_object(), *list, *out = json_array(), *d;
	size_t	 i;

	*xs_stats = NULL;
	ask_stats(svc, store, "xenstore", timeout_ms);
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
	/* dom0 and a xenstore domain have a store but no introduction. */
	json_array_foreach(list, i, d)
		if (json_is_true(json_object_get(d, "introduced")) ||
		    json_integer_value(json_object_get(d, "domid")) == 0 ||
		    json_integer_value(json_object_get(d, "domid")) == store)
			json_array_append_new(out, json_pack("{s:O, s:O, s:O, "
			    "s:O}", "domid", json_object_get(d, "domid"),
			    "name", json_object_get(d, "name"),
			    "nodes", json_object_get(d, "nodes"),
			    "watches", json_object_get(d, "watches")));
	*xs_stats = json_incref(json_object_get(svc, "stats"));
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

/*
 * Where xenstored runs: as configured, else as /tool/xenstored/domid
 * says to those who may read it (dom0's processes), else dom0.  A
 * guest's collector under a xenstore domain needs the configuration.
 */
static unsigned
store_domain(const struct http_system_conf *conf, struct xs_handle *xs)
{
	int	 id;

	if (conf->store_domid >= 0)
		return (unsigned)conf->store_domid;
	id = rpc_vchan_store_domid(xs);
	return id >= 0 ? (unsigned)id : 0;
}

static json_t *
collect(const struct http_system_conf *conf)
{
	struct xs_handle	*xs;
	struct round		 r = { .self = -1 };
	json_t			*snap, *doms, *d, *s, *xs_stats = NULL;
	char			 err[512] = "", *self;
	unsigned int		 len;
	uint64_t		 t0 = ms_of(CLOCK_MONOTONIC);
	size_t			 i, k;
	unsigned		 store;

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
	store = store_domain(conf, xs);
	if ((doms = domains_from_xenstored(store, conf->timing.timeout_ms,
	    &xs_stats, err, sizeof(err))) == NULL &&
	    (doms = domains_from_xenstore(xs)) == NULL) {
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
			else if (domid == store && xs_stats != NULL &&
			    strcmp(svc, "xenstore") == 0)
				json_object_set(s, "stats", xs_stats);
			else if (!worker_parent_gone())
				ask_stats(s, domid, svc, conf->timing.timeout_ms);
		}
		json_object_set_new(d, "services", r.services);
	}
	json_decref(xs_stats);
	xs_close(xs);
	json_object_set_new(snap, "domains", doms);
	json_object_set_new(snap, "took_ms", json_integer((json_int_t)(
	    ms_of(CLOCK_MONOTONIC) - t0)));
	return snap;
}

/* ---- the collector, a worker (worker.h) ---- */

static json_t *
collect_round(const void *conf, void *state)
{
	(void)state;
	return collect(conf);
}

/* The page says why the collector is gone until the next one reports. */
static json_t *
collector_lost(const char *why)
{
	return json_pack("{s:I, s:s+, s:[]}", "taken_ms",
	    (json_int_t)ms_of(CLOCK_REALTIME), "error", "the collector ",
	    why, "domains");
}

static const struct worker_ops collector_ops = {
	.name = "status collector",
	.settings_len = sizeof(struct http_system_conf),
	.round = collect_round,
	.lost = collector_lost,
};

struct http_system *
http_system_start(struct event_base *base, const struct http_system_conf *conf)
{
	struct http_system	*sys;

	if ((sys = calloc(1, sizeof(*sys))) == NULL) {
		log_warn("status collector");
		return NULL;
	}
	sys->conf = *conf;
	if ((sys->worker = worker_start(base, &collector_ops, &sys->conf,
	    NULL, NULL)) == NULL) {
		free(sys);
		return NULL;
	}
	return sys;
}

void
http_system_configure(struct http_system *sys,
    const struct http_system_conf *conf)
{
	sys->conf = *conf;
	worker_configure(sys->worker);
}

void
http_system_stop(struct http_system *sys)
{
	if (sys == NULL)
		return;
	worker_stop(sys->worker);
	free(sys);
}

json_t *
http_system_snapshot(struct http_system *sys)
{
	return worker_snapshot(sys->worker);
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
