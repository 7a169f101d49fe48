/*
 * ag_config: the dom0 agent's JSON configuration (docs/agent.md).
 *
 *	{ "xensim": "/usr/lib/shoal/xensim",	(or "libxl": { ... })
 *	  "domain": { "command": ["httpd", "-c", "/etc/shoal/httpd.json"],
 *	              "memory-mb": 64, "prefix": "web",
 *	              "ready": "data/shoal/http/protocol" },
 *	  "pool": 2,
 *	  "rpc": { ... } }
 *
 * "xensim" names the driver (the xensim command, xensim's toolstack);
 * "libxl" instead: { "domain-config": a libxl domain configuration in
 * libxl's JSON, as `xl create -n FILE.cfg` prints it; "module": where
 * agent-libxl.so is, when not beside the agent }.  Under libxl the
 * domain's image carries its program, so "command" is xensim's alone,
 * and "{n}" anywhere in the domain configuration becomes N (its
 * address, its kernel command line); "memory-mb", if given, overrides
 * the configuration's memory;
 * "domain" is the one kind of domain the agent makes (callers choose
 * none of it: not the command, nor the name, which is the prefix and a
 * number); "ready" is the node, under the domain's home, that it writes
 * once booted (then pool domains are booted first and paused after, so
 * that taking one is an unpause of a booted domain, and a domain built
 * for a call is answered once ready), within "ready-ms" (default 30000;
 * more for real Xen under emulation); "pool" is how many it keeps.
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
	int			 memory_mb;	/* 0: the driver's */
	char			*prefix;
	char			*ready;		/* a node it writes when up */
	int			 ready_ms;	/* how long it may take */
};

struct ag_libxl_conf {
	char			*domain_config;	/* libxl's JSON */
	char			*module;	/* agent-libxl.so */
};

struct ag_config {
	char			*xensim;
	struct ag_libxl_conf	 libxl;
	struct ag_domain_conf	 domain;
	int			 pool;
	struct rpc_limits	 rpc;
};

/* 0, or -1 with FILE:LINE:COL: what in err. */
int	ag_config_load(const char *path, struct ag_config *, char *err,
	    size_t errlen);
void	ag_config_free(struct ag_config *);
/* tmpl with every "{n}" made n, allocated; NULL without memory. */
char   *ag_config_number(const char *tmpl, unsigned n);

#endif /* AG_CONFIG_H */
