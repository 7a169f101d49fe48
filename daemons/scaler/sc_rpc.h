/*
 * sc_rpc: the scaler's methods on Shoal's RPC (proto/services/
 * scaler.json): scaler.jobs, the queue as it stands; and sys.stats' part.
 */
#ifndef SC_RPC_H
#define SC_RPC_H

#include "rpc_server.h"

struct jobq;

extern const struct rpc_method sc_rpc_methods[];
/* sys.stats' daemon part: jobs by state.  arg is the struct jobq. */
json_t	*sc_rpc_stats(void *q);

#endif /* SC_RPC_H */
