/*
 * sc_config: the scaler's JSON configuration (docs/scaler.md).
 *
 *	{ "store": { "sqlite": "/var/lib/shoal/scaler/jobs.db" },
 *	  "backoff-ms": 1000, "backoff-max-ms": 60000,
 *	  "rpc": { ... } }
 *
 * "store" names one of "sqlite" (a file, the default) or "postgresql" (a
 * libpq conninfo).
 *
 * "fleet" turns the control loop on (sc_fleet.h): the web domains the
 * dom0 agent makes, and the rule that sizes them (autoscale.h):
 *
 *	"fleet": { "agent-domain": 0, "service": "http",
 *	           "metric": "requests", "target": 100,
 *	           "min": 1, "max": 8, "tolerance-pct": 10,
 *	           "scale-down-window-ms": 300000, "scale-up-window-ms": 0,
 *	           "up": { "pods": 4, "percent": 100, "period-ms": 15000 },
 *	           "down": { "pods": 0, "percent": 100, "period-ms": 15000 },
 *	           "tick-ms": 1000, "drain-ms": 30000, "timeout-ms": 2000 }
 *
 * "metric" is "requests" (answered per second) or "connections" (open
 * now), per web domain; "target" is its wanted value per domain.
 *
 * "dns" in "fleet" keeps a name's addresses those of the serving web
 * domains (sc_dns.h), through dnsd's dynamic update:
 *
 *	"dns": { "server": "127.0.0.1:53", "zone": "example.com.",
 *	         "name": "www.example.com.", "ttl": 5,
 *	         "key": { "name": "scaler.", "algorithm": "hmac-sha256",
 *	                  "secret": "BASE64" } }
 */
#ifndef SC_CONFIG_H
#define SC_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "autoscale.h"
#include "rpc_limits.h"
#include "sc_dns.h"

#define SC_DEFAULT_DB	"/var/lib/shoal/scaler/jobs.db"

struct sc_store_conf {
	char	*sqlite;
	char	*postgresql;
};

struct sc_dns_key_conf {
	char	*name, *algorithm, *secret;
};

struct sc_dns_conf {
	char			*server, *zone, *name;
	int			 ttl;
	struct sc_dns_key_conf	 key;
};

struct sc_fleet_conf {
	bool			 on;		/* "fleet" given */
	int			 agent_domain;
	char			*service;
	char			*metric;
	bool			 metric_connections;
	struct autoscale_settings as;
	int			 tick_ms;
	int			 drain_ms;
	int			 timeout_ms;
	struct sc_dns_conf	 dns;		/* as written */
	struct sc_dns_settings	 dns_set;	/* checked; on if "dns" given */
	/* The job store the loop keeps its creates in (the daemon's). */
	const char		*store_sqlite, *store_pg;	/* borrowed */
	int			 backoff_ms, backoff_max_ms;
};

struct sc_config {
	struct sc_store_conf	 store;
	struct sc_fleet_conf	 fleet;
	int			 backoff_ms;
	int			 backoff_max_ms;
	struct rpc_limits	 rpc;
};

/* 0, or -1 with FILE:LINE:COL: what in err.  path NULL: the defaults. */
int	sc_config_load(const char *path, struct sc_config *, char *err,
	    size_t errlen);
void	sc_config_free(struct sc_config *);

#endif /* SC_CONFIG_H */
