#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "dns_name.h"
#include "sc_config.h"

static const struct config_field store_schema[] = {
	CONFIG_STRING("sqlite", false, struct sc_store_conf, sqlite),
	CONFIG_STRING("postgresql", false, struct sc_store_conf, postgresql),
	CONFIG_END
};

static const struct config_field rate_schema[] = {
	CONFIG_INT("pods", false, struct autoscale_rate, pods, 0, 10000),
	CONFIG_INT("percent", false, struct autoscale_rate, percent, 0, 10000),
	CONFIG_INT("period-ms", false, struct autoscale_rate, period_ms, 1,
	    3600000),
	CONFIG_END
};

static const struct config_field dns_key_schema[] = {
	CONFIG_STRING("name", true, struct sc_dns_key_conf, name),
	CONFIG_STRING("algorithm", true, struct sc_dns_key_conf, algorithm),
	CONFIG_STRING("secret", true, struct sc_dns_key_conf, secret),
	CONFIG_END
};

static const struct config_field dns_schema[] = {
	CONFIG_STRING("server", true, struct sc_dns_conf, server),
	CONFIG_STRING("zone", true, struct sc_dns_conf, zone),
	CONFIG_STRING("name", true, struct sc_dns_conf, name),
	CONFIG_INT("ttl", false, struct sc_dns_conf, ttl, 0, 86400),
	CONFIG_OBJECT("key", true, struct sc_dns_conf, key, dns_key_schema),
	CONFIG_END
};

static int	dns_raw(struct config_ctx *, json_t *, void *);
static void	dns_free(void *);

static const struct config_field fleet_schema[] = {
	CONFIG_INT("agent-domain", false, struct sc_fleet_conf, agent_domain,
	    0, 32751),
	CONFIG_STRING("service", false, struct sc_fleet_conf, service),
	CONFIG_STRING("metric", false, struct sc_fleet_conf, metric),
	CONFIG_INT("target", true, struct sc_fleet_conf, as.target, 1,
	    100000000),
	CONFIG_INT("min", false, struct sc_fleet_conf, as.min_replicas, 0,
	    1000),
	CONFIG_INT("max", false, struct sc_fleet_conf, as.max_replicas, 1,
	    1000),
	CONFIG_INT("tolerance-pct", false, struct sc_fleet_conf,
	    as.tolerance_pct, 0, 100),
	CONFIG_INT("scale-down-window-ms", false, struct sc_fleet_conf,
	    as.down_window_ms, 0, 3600000),
	CONFIG_INT("scale-up-window-ms", false, struct sc_fleet_conf,
	    as.up_window_ms, 0, 3600000),
	CONFIG_OBJECT("up", false, struct sc_fleet_conf, as.up, rate_schema),
	CONFIG_OBJECT("down", false, struct sc_fleet_conf, as.down,
	    rate_schema),
	CONFIG_INT("tick-ms", false, struct sc_fleet_conf, tick_ms, 10,
	    600000),
	CONFIG_INT("drain-ms", false, struct sc_fleet_conf, drain_ms, 0,
	    3600000),
	CONFIG_INT("timeout-ms", false, struct sc_fleet_conf, timeout_ms, 10,
	    60000),
	CONFIG_RAW("dns", false, struct sc_fleet_conf, dns, dns_raw,
	    dns_free),
	CONFIG_END
};

static const struct config_field schema[] = {
	CONFIG_OBJECT("store", false, struct sc_config, store, store_schema),
	CONFIG_OBJECT("fleet", false, struct sc_config, fleet, fleet_schema),
	CONFIG_INT("backoff-ms", false, struct sc_config, backoff_ms, 1,
	    3600000),
	CONFIG_INT("backoff-max-ms", false, struct sc_config, backoff_max_ms,
	    1, 86400000),
	CONFIG_OBJECT("rpc", false, struct sc_config, rpc, rpc_limits_schema),
	CONFIG_END
};

/* As Kubernetes' HPA (autoscale.h), one replica at least, eight at most. */
static void
fleet_defaults(struct sc_fleet_conf *f)
{
	autoscale_defaults(&f->as);
	f->as.min_replicas = 1;
	f->as.max_replicas = 8;
	f->as.target = -1;		/* "target" is required: set = on */
	f->tick_ms = 1000;
	f->drain_ms = 30000;
	f->timeout_ms = 2000;
	f->dns.ttl = 5;
}

/*
 * "dns", checked into the flat settings the control loop takes; each
 * fault reported where it is written (FILE:LINE:COL).  dst is the
 * fleet's "dns" as written, inside the fleet's configuration.
 */
static int
dns_raw(struct config_ctx *c, json_t *val, void *dst)
{
	struct sc_dns_conf	*dc = dst;
	struct sc_fleet_conf	*f = (struct sc_fleet_conf *)(void *)
				    ((char *)dst - offsetof(struct sc_fleet_conf,
				    dns));
	struct sc_dns_settings	*d = &f->dns_set;
	const char		*why;
	uint8_t			 zone[DNS_NAME_MAX], name[DNS_NAME_MAX];

	if (config_apply(c, val, dns_schema, dc) == -1)
		return -1;
	if (dns_tsig_key_init(&d->key, dc->key.name, dc->key.algorithm,
	    dc->key.secret, &why) == -1)
		return config_error(c, json_object_get(val, "key"), "%s", why);
	if (dns_name_from_text(dc->zone, zone) == -1)
		return config_error(c, json_object_get(val, "zone"),
		    "not a domain name");
	if (dns_name_from_text(dc->name, name) == -1)
		return config_error(c, json_object_get(val, "name"),
		    "not a domain name");
	dns_name_lower(zone, zone);
	dns_name_lower(name, name);
	if (!dns_name_under(name, zone))
		return config_error(c, json_object_get(val, "name"),
		    "%s is not in %s", dc->name, dc->zone);
	if (snprintf(d->server, sizeof(d->server), "%s", dc->server) >=
	    (int)sizeof(d->server) || strchr(d->server, ':') == NULL)
		return config_error(c, json_object_get(val, "server"),
		    "ADDRESS:PORT");
	snprintf(d->zone, sizeof(d->zone), "%s", dc->zone);
	snprintf(d->name, sizeof(d->name), "%s", dc->name);
	d->ttl = dc->ttl;
	d->on = true;
	return 0;
}

static void
dns_free(void *dst)
{
	config_free(dns_schema, dst);
}

static int
fleet_check(const char *path, struct sc_fleet_conf *f, char *err,
    size_t errlen)
{
	if (f->as.target < 0)
		return 0;		/* no "fleet": no control loop */
	f->on = true;
	if (f->service == NULL && (f->service = strdup("http")) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	f->metric_connections = f->metric != NULL &&
	    strcmp(f->metric, "connections") == 0;
	if (f->metric != NULL && !f->metric_connections &&
	    strcmp(f->metric, "requests") != 0) {
		snprintf(err, errlen, "%s: fleet: metric: \"requests\" or "
		    "\"connections\", not \"%s\"", path, f->metric);
		return -1;
	}
	if (f->as.min_replicas > f->as.max_replicas) {
		snprintf(err, errlen, "%s: fleet: min %d is above max %d",
		    path, f->as.min_replicas, f->as.max_replicas);
		return -1;
	}
	return 0;
}

int
sc_config_load(const char *path, struct sc_config *c, char *err,
    size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->backoff_ms = 1000;
	c->backoff_max_ms = 60000;
	fleet_defaults(&c->fleet);
	if (path != NULL &&
	    config_load_file(path, schema, c, err, errlen) != 0)
		return -1;
	if (fleet_check(path, &c->fleet, err, errlen) != 0) {
		sc_config_free(c);
		return -1;
	}
	c->fleet.store_pg = c->store.postgresql;
	c->fleet.store_sqlite = c->store.postgresql != NULL ? NULL :
	    c->store.sqlite != NULL ? c->store.sqlite : SC_DEFAULT_DB;
	c->fleet.backoff_ms = c->backoff_ms;
	c->fleet.backoff_max_ms = c->backoff_max_ms;
	if (c->store.sqlite != NULL && c->store.postgresql != NULL) {
		snprintf(err, errlen, "%s: store: \"sqlite\" or \"postgresql\","
		    " not both", path);
		sc_config_free(c);
		return -1;
	}
	return 0;
}

void
sc_config_free(struct sc_config *c)
{
	/* The TSIG secret, decoded, does not outlive the configuration. */
	explicit_bzero(&c->fleet.dns_set.key, sizeof(c->fleet.dns_set.key));
	config_free(schema, c);
}
