/*
 * dns_rpc: dnsd's methods on Shoal's RPC (proto/services/dns.json):
 * dns.zones, dns.stats and dns.reload, and the daemon part of sys.stats.
 * The methods only read the server's state; dns.reload hands the call to
 * dns_reload and answers when the zones are in (or failed).
 */
#ifndef DNS_RPC_H
#define DNS_RPC_H

#include <jansson.h>

#include "rpc_server.h"

struct dns_server;
struct dns_reload;

struct dns_rpc {
	struct dns_server	*srv;
	struct dns_reload	*reload;
};

extern const struct rpc_method dns_rpc_methods[];
/* sys.stats' daemon part, the same object as dns.stats. */
json_t	*dns_rpc_stats(void *dns_rpc);
/* A dns_reload_fn that only counts failures (SIGHUP's, sys.reload's). */
void	 dns_rpc_reloaded(void *dns_server, int nzones, int failed,
	    json_t *errors);
/* sys.reload: starts a reload, returns 0 (its outcome is logged). */
int	 dns_rpc_sys_reload(void *dns_rpc);

#endif /* DNS_RPC_H */
