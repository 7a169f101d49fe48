/*
 * nf_rpc: netfront's RPC methods (proto/services/netfront.json) and its
 * part of sys.stats: what a vif negotiated and its counters.
 */
#ifndef SHOAL_NF_RPC_H
#define SHOAL_NF_RPC_H

#include <jansson.h>

#include "rpc_server.h"
#include "rpc_wire.h"

struct nf_dev;

extern const struct rpc_method nf_rpc_methods[];	/* arg: the nf_dev */

/* The device's counters, for sys.stats; NULL without memory. */
json_t	*nf_rpc_stats(const struct nf_dev *);

#endif /* SHOAL_NF_RPC_H */
