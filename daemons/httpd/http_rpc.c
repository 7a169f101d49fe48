#include "config.h"
#include "http_file.h"
#include "http_config.h"
#include "http_rpc.h"
#include "http_server.h"
#include "log.h"

static json_t *
file_cache_json(const struct http_server *s)
{
	struct http_file_stats	 st;

	http_server_file_stats(s, &st);
#define I(v)	json_integer((json_int_t)(v))
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
	    "hits", I(st.hits), "misses", I(st.misses),
	    "revalidated", I(st.revalidated), "replaced", I(st.replaced),
	    "evicted", I(st.evicted), "entries", I(st.entries),
	    "bytes", I(st.bytes));
#undef I
}

json_t *
http_rpc_stats(void *arg)
{
	struct http_rpc	*r = arg;
	json_t		*o = http_stats_json(&r->srv->stats);
	json_t		*listen = json_array();
	size_t		 i;

	json_object_set_new(o, "file_cache", file_cache_json(r->srv));
	json_object_set_new(o, "rotation",
	    json_string(http_server_rotation(r->srv)));
	/* Where it serves: the scaler puts these in DNS (docs/scaler.md). */
	for (i = 0; i < r->srv->cfg->listen.n; i++)
		json_array_append_new(listen,
		    json_string(r->srv->cfg->listen.v[i].text));
	json_object_set_new(o, "listen", listen);
	return o;
}

static void
m_stats(struct rpc_call *c, json_t *params, void *arg)
{
	(void)params;
	rpc_reply(c, http_rpc_stats(arg));
}

static void
m_reload(struct rpc_call *c, json_t *params, void *arg)
{
	struct http_rpc	*r = arg;
	char		 err[CONFIG_ERRMAX];

	(void)params;
	if (r->reload(r->reload_arg, err, sizeof(err)) == 0)
		rpc_reply(c, json_pack("{s:b}", "reloaded", 1));
	else
		rpc_reply(c, json_pack("{s:b, s:s}", "reloaded", 0,
		    "error", err));
}

int
http_rpc_sys_reload(void *arg)
{
	struct http_rpc	*r = arg;
	char		 err[CONFIG_ERRMAX];

	if (r->reload(r->reload_arg, err, sizeof(err)) == 0)
		return 0;
	log_warnx("reload: %s", err);
	return -1;
}

static void
m_drain(struct rpc_call *c, json_t *params, void *arg)
{
	struct http_rpc	*r = arg;

	(void)params;
	rpc_reply(c, json_pack("{s:b, s:I}", "draining", 1,
	    "connections_active", (json_int_t)http_server_drain(r->srv)));
}

static void
m_serve(struct rpc_call *c, json_t *params, void *arg)
{
	struct http_rpc	*r = arg;
	char		 err[256];

	(void)params;
	if (http_server_serve(r->srv, err, sizeof(err)) == 0)
		rpc_reply(c, json_pack("{s:b}", "serving", 1));
	else
		rpc_reply(c, json_pack("{s:b, s:s}", "serving", 0, "error",
		    err));
}

const struct rpc_method http_rpc_methods[] = {
	{ "stats", m_stats },
	{ "reload", m_reload },
	{ "drain", m_drain },
	{ "serve", m_serve },
	{ NULL, NULL }
};
