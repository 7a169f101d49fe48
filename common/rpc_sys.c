#include <string.h>
#include <time.h>

#include "log.h"
#include "rpc_conn.h"
#include "rpc_server_int.h"
#include "rpc_wire.h"

static long long
ms_since(const struct timespec *t0, clockid_t clk)
{
	struct timespec	 now;

	clock_gettime(clk, &now);
	return (long long)(now.tv_sec - t0->tv_sec) * 1000 +
	    (now.tv_nsec - t0->tv_nsec) / 1000000;
}

static void
sys_ping(struct rpc_call *c, json_t *params, void *arg)
{
	static const struct timespec	 epoch = { 0, 0 };
	struct rpc_server		*s = arg;

	(void)params;
	if (s->opts.ping != NULL && s->opts.ping(s->opts.hook_arg) != 0) {
		rpc_fail(c, RPC_E_FAILED, "%s does not answer its helper",
		    s->opts.daemon);
		return;
	}
	rpc_reply(c, json_pack("{s:b, s:I}", "pong", 1, "time",
	    (json_int_t)ms_since(&epoch, CLOCK_REALTIME)));
}

static void
sys_version(struct rpc_call *c, json_t *params, void *arg)
{
	struct rpc_server	*s = arg;

	(void)params;
	rpc_reply(c, json_pack("{s:s, s:s, s:s, s:i}", "daemon", s->opts.daemon,
	    "version", s->opts.version, "service", s->opts.service, "protocol",
	    RPC_PROTOCOL));
}

static void
sys_stats(struct rpc_call *c, json_t *params, void *arg)
{
	struct rpc_server	*s = arg;
	struct rpc_peer		*p;
	unsigned long long	 in = s->stats.bytes_in, out = s->stats.bytes_out;
	json_t			*daemon;

	(void)params;
	LIST_FOREACH(p, &s->peers, entry) {
		in += rpc_conn_bytes_in(p->conn);
		out += rpc_conn_bytes_out(p->conn);
	}
	daemon = s->opts.stats != NULL ? s->opts.stats(s->opts.hook_arg) : NULL;
	rpc_reply(c, json_pack("{s:{s:i, s:i, s:i, s:I, s:I, s:I, s:I, s:I, "
	    "s:I, s:I, s:I, s:I, s:I, s:I}, s:o}", "rpc",
	    "connections", (int)s->nconns,
	    "vchans", (int)s->nvchans,
	    "pending", (int)s->npending,
	    "refused", (json_int_t)s->stats.refused,
	    "pending_dropped", (json_int_t)s->stats.pending_dropped,
	    "accepted", (json_int_t)s->stats.accepted,
	    "calls", (json_int_t)s->stats.calls,
	    "errors", (json_int_t)s->stats.errors,
	    "denied", (json_int_t)s->stats.denied,
	    "dropped", (json_int_t)s->stats.dropped,
	    "overflows", (json_int_t)s->stats.overflows,
	    "bytes_in", (json_int_t)in, "bytes_out", (json_int_t)out,
	    "uptime_ms", (json_int_t)ms_since(&s->started, CLOCK_MONOTONIC),
	    "daemon", daemon != NULL ? daemon : json_object()));
}

static const char *
level_name(int v)
{
	return v >= 1 ? "debug" : v == 0 ? "info" : "warning";
}

static void
sys_loglevel(struct rpc_call *c, json_t *params, void *arg)
{
	struct rpc_server	*s = arg;
	const char		*want = json_string_value(json_object_get(params,
				    "level"));
	int			 before = log_getverbose(), v;

	if (want != NULL) {
		v = strcmp(want, "debug") == 0 ? 1 : strcmp(want, "info") == 0 ?
		    0 : -1;
		log_setverbose(v);
		if (s->opts.loglevel != NULL)
			s->opts.loglevel(s->opts.hook_arg, v);
		log_info("rpc: log level %s (was %s), asked by domain %u",
		    want, level_name(before), rpc_call_caller(c));
	}
	rpc_reply(c, json_pack("{s:s, s:s}", "level",
	    level_name(log_getverbose()), "previous", level_name(before)));
}

static void
sys_reload(struct rpc_call *c, json_t *params, void *arg)
{
	struct rpc_server	*s = arg;
	int			 rc = 0;

	(void)params;
	log_info("rpc: reload asked by domain %u", rpc_call_caller(c));
	if (s->opts.reload != NULL)
		rc = s->opts.reload(s->opts.hook_arg);
	rpc_server_reload_policy(s);
	if (rc != 0)
		rpc_fail(c, RPC_E_FAILED, "the configuration did not load: "
		    "the old one stays (see the daemon's log)");
	else
		rpc_reply(c, json_pack("{s:b}", "reloaded", 1));
}

rpc_method_fn
rpc_sys_method(const char *name)
{
	static const struct rpc_method	 sys[] = {
		{ "ping", sys_ping }, { "version", sys_version },
		{ "stats", sys_stats }, { "loglevel", sys_loglevel },
		{ "reload", sys_reload }, { NULL, NULL }
	};
	const struct rpc_method		*m;

	for (m = sys; m->name != NULL; m++)
		if (strcmp(m->name, name) == 0)
			return m->fn;
	return NULL;
}
