/*
 * xs_config: xenstored's configuration file.
 *
 *	{
 *	  "socket": "/var/run/xenstored/socket",
 *	  "max-queued-events": 1024,
 *	  "keep-orphans": false,
 *	  "priv-domid": 0,
 *	  "quota": { "nodes": 1000, "watches": 128, "transactions": 10,
 *	             "outstanding": 20, "transaction-nodes": 1024,
 *	             "memory": 2621440, "node-size": 2048,
 *	             "permissions": 5 },
 *	  "quota-soft": { "memory": 2097152 }
 *	}
 *
 * Every key is optional; absent ones keep Xen 4.17's defaults, 0 turns
 * a quota off.  Owns the schema, the defaults and the rule for where the
 * socket is: --socket, else $XENSTORED_PATH, else
 * $XENSTORED_RUNDIR/socket, else the file's "socket", else
 * /var/run/xenstored/socket.
 */
#ifndef XS_CONFIG_H
#define XS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "rpc_limits.h"
#include "xs_domain.h"

#define XS_DEFAULT_SOCKET	"/var/run/xenstored/socket"

struct xs_config {
	char		*socket;
	int		 max_events;
	bool		 keep_orphans;	/* -K: see xs_orphans.h */
	int		 priv_domid;	/* -p: see xs_server_privileged */
	struct xs_quota	 quota;
	struct rpc_limits rpc;		/* the RPC helper's, at start */
};

/* Defaults, then the file if path is not NULL.  -1 with err filled. */
int	 xs_config_load(const char *path, struct xs_config *, char *err,
	    size_t errlen);
void	 xs_config_free(struct xs_config *);

/* The socket path by the rule above; malloc'd, NULL if out of memory. */
char	*xs_config_socket(const struct xs_config *, const char *opt);

#endif /* XS_CONFIG_H */
