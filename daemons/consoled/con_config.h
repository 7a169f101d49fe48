/*
 * con_config: consoled's configuration file.
 *
 *	{
 *	  "log-dir": "/var/log/xen/console",
 *	  "timestamps": false,
 *	  "pty": true,
 *	  "rate": 65536,
 *	  "burst": 262144,
 *	  "buffer": 65536,
 *	  "history": 65536,
 *	  "pty-buffer": 16384,
 *	  "events": 1000,
 *	  "tick-ms": 50,
 *	  "rpc": { "connections": 1024, "per-domain": 256,
 *	           "pending-per-domain": 16 }
 *	}
 *
 * Every key is optional.  rate and burst are bytes a second and bytes
 * saved up, per domain (rate 0: no limit); buffer is how many bytes over
 * the rate a domain may have held for it before the rest is dropped;
 * history is what tail and follow see; pty-buffer is what waits for a
 * pty nobody reads; events is how many notifications a second a domain
 * gets served one by one before it is served on the tick instead; tick-ms
 * is that tick; rpc holds the RPC service's limits (rpc_server.h).  Owns the schema and the defaults; --log-dir and
 * --timestamps on the command line win over the file.
 */
#ifndef CON_CONFIG_H
#define CON_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "rpc_limits.h"

#define CON_DEFAULT_LOGDIR	"/var/log/xen/console"

struct con_config {
	char	*log_dir;
	bool	 timestamps;
	bool	 pty;
	int	 rate;
	int	 burst;
	int	 buffer;
	int	 history;
	int	 pty_buffer;
	int	 events;
	int	 tick_ms;
	struct rpc_limits rpc;
};

/* Defaults, then the file if path is not NULL.  -1 with err filled. */
int	con_config_load(const char *path, struct con_config *, char *err,
	    size_t errlen);
void	con_config_free(struct con_config *);
/* "log-dir" replaced (malloc'd copy); -1 if out of memory. */
int	con_config_set_logdir(struct con_config *, const char *);

#endif /* CON_CONFIG_H */
