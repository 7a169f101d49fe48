/*
 * bf_rpc: blkfront's RPC methods (proto/services/blkfront.json) and its
 * part of sys.stats: what the vbd negotiated and the counters of both
 * its sides, the rings and the NBD clients.
 */
#ifndef SHOAL_BF_RPC_H
#define SHOAL_BF_RPC_H

#include <jansson.h>

#include "rpc_server.h"
#include "rpc_wire.h"

struct bf_dev;
struct bf_nbd;

/* What the methods are given. */
struct bf_rpc_ctx {
	struct bf_dev	*dev;
	struct bf_nbd	*nbd;
};

extern const struct rpc_method bf_rpc_methods[];	/* arg: bf_rpc_ctx */

/* The counters, for sys.stats; NULL without memory. */
json_t	*bf_rpc_stats(const struct bf_rpc_ctx *);

#endif /* SHOAL_BF_RPC_H */
