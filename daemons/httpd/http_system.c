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

#define NUMBERS_DEPTH	4
#define SNAPSHOT_MAX	(8u << 20)	/* a frame past it ends the child */

struct http_system {
	struct event_base	*base;
	struct http_system_conf	 conf;
	pid_t			 pid;		/* the collector, -1 none */
	int			 fd;		/* our end of its socket pair */
	struct event		*ev;		/* fd readable */
	struct evbuffer		*in;		/* frames not yet whole */
	struct event		*respawn;	/* after the collector died */
	json_t			*snap;		/* the latest whole one */
};

static int	collector_fd = -1;	/* in the collector: its socket */
static const int loop_signals[] = { SIGTERM, SIGINT, SIGHUP };

static void	collector_end(struct http_system *, bool);
static void	collector_lost(struct http_system *, const char *);

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

/* In the collector: has the parent closed its end (httpd stopping)? */
static bool
parent_gone(void)
{
	struct pollfd	 pfd = { .fd = collector_fd, .events = POLLIN };
	char		 c;

	if (collector_fd < 0 || poll(&pfd, 1, 0) <= 0)
		return false;
	return (pfd.revents & POLLHUP) != 0 ||
	    recv(collector_fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
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
	if ((doms = domains_from_xenstored(store, conf->timeout_ms, &xs_stats,
	    err, sizeof(err))) == NULL && (doms = domains_from_xenstore(xs)) ==
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
			else if (domid == store && xs_stats != NULL &&
			    strcmp(svc, "xenstore") == 0)
				json_object_set(s, "stats", xs_stats);
			else if (!parent_gone())
				ask_stats(s, domid, svc, conf->timeout_ms);
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

/*
 * The collector process.  Everything below runs in the child, which
 * has only its end of the socket pair (moved to fd 3) and stdio: a
 * copy of a client's socket kept here would keep that connection open
 * after the parent closed it.  When the parent closes its end, the
 * collector stops between two calls and exits normally, so that a
 * sanitizer build's leak report covers it too.
 */

/*
 * Waits until the next round (forever while paused), taking new settings
 * meanwhile; settings that end a pause start a round at once.
 */
static void
collector_wait(int fd, struct http_system_conf *conf)
{
	uint64_t		 until = ms_of(CLOCK_MONOTONIC) +
				    (uint64_t)conf->interval_ms, now;
	struct pollfd		 pfd = { .fd = fd, .events = POLLIN };
	struct http_system_conf	 next;
	bool			 paused;
	ssize_t			 n;

	while ((paused = conf->interval_ms == 0) ||
	    (now = ms_of(CLOCK_MONOTONIC)) < until) {
		if (poll(&pfd, 1, paused ? -1 : (int)(until - now)) <= 0)
			continue;
		n = read(fd, &next, sizeof(next));
		if (n == 0)
			exit(0);		/* the parent is gone */
		if (n == (ssize_t)sizeof(next)) {
			*conf = next;
			if (paused)
				return;
			until = ms_of(CLOCK_MONOTONIC) +
			    (uint64_t)conf->interval_ms;
		} else if (n < 0 && errno != EINTR && errno != EAGAIN)
			exit(1);
	}
}

static bool
write_all(int fd, const void *p, size_t len)
{
	const char	*c = p;
	ssize_t		 n;

	while (len > 0) {
		if ((n = write(fd, c, len)) < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		c += n;
		len -= (size_t)n;
	}
	return true;
}

static void __attribute__((noreturn))
collector_main(int fd, struct http_system_conf conf)
{
	json_t		*snap;
	char		*text;
	uint32_t	 len;
	int		 sig;
	sigset_t	 none;

	/* The event loop's handlers would write to its (closed) pipe and
	 * swallow the signal; the sanitizers' own handlers stay. */
	for (sig = 0; sig < (int)(sizeof(loop_signals) /
	    sizeof(loop_signals[0])); sig++)
		signal(loop_signals[sig], SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(fd, 3) != 3)
		_exit(1);
	close_range(4, ~0U, 0);
	collector_fd = 3;
	for (;; collector_wait(3, &conf)) {
		if (conf.interval_ms == 0)
			continue;
		snap = collect(&conf);
		if (parent_gone()) {
			json_decref(snap);
			exit(0);
		}
		text = json_dumps(snap, JSON_COMPACT);
		json_decref(snap);
		if (text == NULL)
			exit(1);
		len = (uint32_t)strlen(text);
		if (!write_all(3, &len, sizeof(len)) ||
		    !write_all(3, text, len)) {
			free(text);
			exit(0);		/* the parent is gone */
		}
		free(text);
	}
}

/* In the parent: the collector's frames, each a length and a snapshot. */
static void
on_frames(evutil_socket_t fd, short what, void *arg)
{
	struct http_system	*sys = arg;
	uint32_t		 len;
	json_t			*snap;
	json_error_t		 jerr;
	int			 n;

	(void)what;
	if ((n = evbuffer_read(sys->in, fd, 65536)) <= 0) {
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			return;
		collector_lost(sys, "ended");
		return;
	}
	while (evbuffer_copyout(sys->in, &len, sizeof(len)) ==
	    (ssize_t)sizeof(len)) {
		if (len > SNAPSHOT_MAX) {
			collector_lost(sys, "sent an oversized snapshot");
			return;
		}
		if (evbuffer_get_length(sys->in) < sizeof(len) + len)
			return;
		evbuffer_drain(sys->in, sizeof(len));
		snap = json_loadb((const char *)evbuffer_pullup(sys->in, len),
		    len, 0, &jerr);
		evbuffer_drain(sys->in, len);
		if (snap == NULL) {
			collector_lost(sys, "sent a broken snapshot");
			return;
		}
		if (sys->conf.interval_ms == 0) {
			json_decref(snap);	/* a round begun before a pause */
			continue;
		}
		json_decref(sys->snap);
		sys->snap = snap;
	}
}

static int
collector_spawn(struct http_system *sys)
{
	int	 sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		log_warn("status collector: socketpair");
		return -1;
	}
	if ((sys->pid = fork()) < 0) {
		log_warn("status collector: fork");
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (sys->pid == 0) {
		close(sv[0]);
		collector_main(sv[1], sys->conf);
	}
	close(sv[1]);
	sys->fd = sv[0];
	evutil_make_socket_nonblocking(sys->fd);
	if ((sys->ev = event_new(sys->base, sys->fd, EV_READ | EV_PERSIST,
	    on_frames, sys)) == NULL || event_add(sys->ev, NULL) != 0) {
		log_warnx("status collector: cannot watch its socket");
		collector_end(sys, true);
		return -1;
	}
	log_debug("status collector: process %d", (int)sys->pid);
	return 0;
}

static void
reap(pid_t pid, int *st)
{
	while (waitpid(pid, st, 0) < 0 && errno == EINTR)
		;
}

/*
 * Closes our end and reaps the collector.  Stopping, it is given the time
 * of the call in progress to notice and exit (so that its own leak
 * report runs), then killed.  Otherwise it died or misbehaved: it is
 * killed if still there, and how it ended is logged.
 */
static void
collector_end(struct http_system *sys, bool stopping)
{
	/* A collector that closed its end may still be exiting. */
	int	 st = 0, waited_ms = 0, grace_ms = stopping ?
		    sys->conf.timeout_ms + 1000 : 200;
	pid_t	 r;

	if (sys->ev != NULL)
		event_free(sys->ev);
	sys->ev = NULL;
	if (sys->fd >= 0)
		close(sys->fd);
	sys->fd = -1;
	evbuffer_drain(sys->in, evbuffer_get_length(sys->in));
	if (sys->pid <= 0)
		return;
	while ((r = waitpid(sys->pid, &st, WNOHANG)) == 0 &&
	    waited_ms < grace_ms) {
		poll(NULL, 0, 10);
		waited_ms += 10;
	}
	if (r == 0) {
		if (stopping)
			log_warnx("status collector: process %d did not stop",
			    (int)sys->pid);
		kill(sys->pid, SIGKILL);
		reap(sys->pid, &st);
	} else if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0))
		log_warnx("status collector: process %d %s %d", (int)sys->pid,
		    WIFSIGNALED(st) ? "killed by signal" : "exited with",
		    WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	sys->pid = -1;
}

/* An interval, and at least a second: a collector that dies at once,
 * or a fork that fails, must not make httpd spin. */
static struct timeval
respawn_delay(const struct http_system *sys)
{
	int	 ms = sys->conf.interval_ms > 1000 ? sys->conf.interval_ms : 1000;

	return (struct timeval){ ms / 1000, (ms % 1000) * 1000 };
}

/* It died or misbehaved: say so on the page, and start another later. */
static void
collector_lost(struct http_system *sys, const char *why)
{
	struct timeval	 later = respawn_delay(sys);

	log_warnx("status collector %s; another in %lld ms", why,
	    (long long)later.tv_sec * 1000 + later.tv_usec / 1000);
	collector_end(sys, false);
	json_decref(sys->snap);
	sys->snap = json_pack("{s:I, s:s+, s:[]}", "taken_ms",
	    (json_int_t)ms_of(CLOCK_REALTIME), "error", "the collector ",
	    why, "domains");
	evtimer_add(sys->respawn, &later);
}

static void
on_respawn(evutil_socket_t fd, short what, void *arg)
{
	struct http_system	*sys = arg;
	struct timeval		 later = respawn_delay(sys);

	(void)fd;
	(void)what;
	if (collector_spawn(sys) != 0)	/* no fork today: try again later */
		evtimer_add(sys->respawn, &later);
}

struct http_system *
http_system_start(struct event_base *base, const struct http_system_conf *conf)
{
	struct http_system	*sys;

	if ((sys = calloc(1, sizeof(*sys))) == NULL) {
		log_warn("status collector");
		return NULL;
	}
	sys->base = base;
	sys->conf = *conf;
	sys->fd = -1;
	sys->pid = -1;
	if ((sys->in = evbuffer_new()) == NULL ||
	    (sys->respawn = evtimer_new(base, on_respawn, sys)) == NULL ||
	    collector_spawn(sys) != 0) {
		http_system_stop(sys);
		return NULL;
	}
	return sys;
}

void
http_system_configure(struct http_system *sys,
    const struct http_system_conf *conf)
{
	sys->conf = *conf;
	if (conf->interval_ms == 0) {
		json_decref(sys->snap);
		sys->snap = NULL;
	}
	if (sys->fd >= 0 && !write_all(sys->fd, conf, sizeof(*conf)))
		log_warn("status collector: new settings not sent");
}

void
http_system_stop(struct http_system *sys)
{
	if (sys == NULL)
		return;
	collector_end(sys, true);
	if (sys->respawn != NULL)
		event_free(sys->respawn);
	if (sys->in != NULL)
		evbuffer_free(sys->in);
	json_decref(sys->snap);
	free(sys);
}

json_t *
http_system_snapshot(struct http_system *sys)
{
	return json_incref(sys->snap);
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
