/*
 * sc_config: the scaler's JSON configuration (docs/scaler.md).
 *
 *	{ "store": { "sqlite": "/var/lib/shoal/scaler/jobs.db" },
 *	  "backoff-ms": 1000, "backoff-max-ms": 60000,
 *	  "rpc": { ... } }
 *
 * "store" names one of "sqlite" (a file, the default) or "postgresql" (a
 * libpq conninfo).
 */
#ifndef SC_CONFIG_H
#define SC_CONFIG_H

#include <stddef.h>

#include "rpc_limits.h"

#define SC_DEFAULT_DB	"/var/lib/shoal/scaler/jobs.db"

struct sc_store_conf {
	char	*sqlite;
	char	*postgresql;
};

struct sc_config {
	struct sc_store_conf	 store;
	int			 backoff_ms;
	int			 backoff_max_ms;
	struct rpc_limits	 rpc;
};

/* 0, or -1 with FILE:LINE:COL: what in err.  path NULL: the defaults. */
int	sc_config_load(const char *path, struct sc_config *, char *err,
	    size_t errlen);
void	sc_config_free(struct sc_config *);

#endif /* SC_CONFIG_H */
