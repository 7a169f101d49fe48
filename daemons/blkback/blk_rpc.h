/*
 * blk_rpc: blkback's methods on Shoal's RPC (proto/services/blk.json):
 * blk.list and blk.stats, and its part of sys.stats.
 */
#ifndef BLK_RPC_H
#define BLK_RPC_H

#include "rpc_server.h"

extern const struct rpc_method blk_rpc_methods[];
json_t	*blk_rpc_stats(void *blkback);

#endif /* BLK_RPC_H */
