/*
 * ag_config: the dom0 agent's JSON configuration (docs/agent.md).
 *
 *	{ "xensim": "/usr/lib/shoal/xensim",
 *	  "domain": { "command": ["httpd", "-c", "/etc/shoal/httpd.json"],
 *	              "memory-mb": 64, "prefix": "web",
 *	              "ready": "data/shoal/http/protocol" },
 *	  "pool": 2,
 *	  "rpc": { ... } }
 *
 * "xensim" names the driver (the xensim command, xensim's toolstack);
 * "domain" is the one kind of domain the agent makes (callers choose
 * none of it: not the command, nor the name, which is the prefix and a
 * number); "ready" is the node, under the domain's home, that it writes
 * once booted (then pool domains are booted first and paused after, so
 * that taking one is an unpause of a booted domain, and a domain built
 * for a call is answered once ready); "pool" is how many it keeps.
 * "{n}" in an argument of the command becomes the domain's number (the
 * N of PREFIX-N): what must differ between domains, such as each web
 * domain's own listen address on xensim (docs/scaler.md).
 */
#ifndef AG_CONFIG_H
#define AG_CONFIG_H

#include <stddef.h>

#include "config.h"
#include "rpc_limits.h"

#define AG_POOL_MAX	64

struct ag_domain_conf {
	struct config_strlist	 command;
	int			 memory_mb;
	char			*prefix;
	char			*ready;		/* a node it writes when up */
};

struct ag_config {
	char			*xensim;
	struct ag_domain_conf	 domain;
	int			 pool;
	struct rpc_limits	 rpc;
};

/* 0, or -1 with FILE:LINE:COL: what in err. */
int	ag_config_load(const char *path, struct ag_config *, char *err,
	    size_t errlen);
void	ag_config_free(struct ag_config *);

#endif /* AG_CONFIG_H */
