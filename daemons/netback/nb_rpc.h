/*
 * nb_rpc: netback's methods on Shoal's RPC (proto/services/net.json):
 * net.list and net.stats, and its part of sys.stats.
 */
#ifndef NB_RPC_H
#define NB_RPC_H

#include "rpc_server.h"

extern const struct rpc_method nb_rpc_methods[];
json_t	*nb_rpc_stats(void *netback);

#endif /* NB_RPC_H */
