#include <stdlib.h>

#include "dns_notify.h"
#include "dns_reload.h"
#include "dns_rpc.h"
#include "dns_server.h"
#include "rpc_wire.h"

static json_t *
acl_json(const struct dns_zconf *zc)
{
	json_t	*a = json_array();
	size_t	 i;

	for (i = 0; i < zc->axfr_allow.n; i++)
		json_array_append_new(a, json_string(zc->axfr_allow.v[i]));
	return a;
}

static void
m_zones(struct rpc_call *c, json_t *params, void *arg)
{
	struct dns_rpc			*r = arg;
	const struct dns_config		*cfg = r->srv->cfg;
	const struct dns_zoneset	*set = dns_zones_current(r->srv->zones);
	const struct dns_zone		*z;
	uint8_t				 o[DNS_NAME_MAX];
	json_t				*a = json_array(), *e;
	size_t				 i;

	(void)params;
	for (i = 0; i < cfg->zones.n; i++) {
		z = NULL;
		if (dns_name_from_text(cfg->zones.v[i].origin, o) == 0) {
			dns_name_lower(o, o);
			z = dns_zoneset_origin(set, o);
		}
		e = json_pack("{s:s, s:s, s:b, s:o}", "origin",
		    cfg->zones.v[i].origin, "file", cfg->zones.v[i].file,
		    "served", z != NULL, "axfr_allow", acl_json(&cfg->zones.v[i]));
		if (z != NULL) {
			json_object_set_new(e, "serial", json_integer(z->serial));
			json_object_set_new(e, "nodes",
			    json_integer((json_int_t)z->nnodes));
			json_object_set_new(e, "bytes",
			    json_integer((json_int_t)z->bytes));
		}
		json_array_append_new(a, e);
	}
	rpc_reply(c, json_pack("{s:o}", "zones", a));
}

json_t *
dns_rpc_stats(void *arg)
{
	struct dns_rpc	*r = arg;
	json_t		*o = dns_stats_json(&r->srv->stats);
	uint64_t	 sent, acked, gaveup;

	dns_notify_counts(r->srv->notify, &sent, &acked, &gaveup);
	json_object_set_new(o, "notify_sent", json_integer((json_int_t)sent));
	json_object_set_new(o, "notify_acked",
	    json_integer((json_int_t)acked));
	json_object_set_new(o, "notify_gaveup",
	    json_integer((json_int_t)gaveup));
	return o;
}

static void
m_stats(struct rpc_call *c, json_t *params, void *arg)
{
	(void)params;
	rpc_reply(c, dns_rpc_stats(arg));
}

struct pending {
	struct rpc_call		*call;
	struct dns_server	*srv;
	struct dns_reload	*reload;
	void			*handle;
};

static void
reload_done(void *arg, int nzones, int failed, json_t *errors)
{
	struct pending	*p = arg;

	if (nzones < 0 || failed > 0)
		p->srv->stats.reload_failures++;
	if (nzones < 0)
		rpc_fail(p->call, RPC_E_FAILED, "%s", errors != NULL &&
		    json_array_size(errors) > 0 ?
		    json_string_value(json_array_get(errors, 0)) :
		    "shutting down");
	else
		rpc_reply(p->call, json_pack("{s:i, s:i, s:O}", "zones", nzones,
		    "failed", failed, "errors", errors));
	free(p);
}

static void
reload_cancel(struct rpc_call *c, void *arg)
{
	struct pending	*p = arg;

	(void)c;
	dns_reload_forget(p->reload, p->handle);
	free(p);
}

static void
m_reload(struct rpc_call *c, json_t *params, void *arg)
{
	struct dns_rpc	*r = arg;
	struct pending	*p;

	(void)params;
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		rpc_fail(c, RPC_E_INTERNAL, "out of memory");
		return;
	}
	p->call = c;
	p->srv = r->srv;
	p->reload = r->reload;
	if ((p->handle = dns_reload_request(r->reload, reload_done, p)) ==
	    NULL) {
		free(p);
		rpc_fail(c, RPC_E_INTERNAL, "out of memory");
		return;
	}
	r->srv->stats.reloads++;
	rpc_call_on_cancel(c, reload_cancel, p);
}

void
dns_rpc_reloaded(void *srv, int nzones, int failed, json_t *errors)
{
	struct dns_server	*s = srv;

	(void)errors;
	if (nzones < 0 || failed > 0)
		s->stats.reload_failures++;
}

int
dns_rpc_sys_reload(void *arg)
{
	struct dns_rpc	*r = arg;

	r->srv->stats.reloads++;
	return dns_reload_request(r->reload, dns_rpc_reloaded, r->srv) !=
	    NULL ? 0 : -1;
}

const struct rpc_method dns_rpc_methods[] = {
	{ "zones", m_zones },
	{ "stats", m_stats },
	{ "reload", m_reload },
	{ NULL, NULL }
};
