/*
 * sc_rpc: the scaler's methods on Shoal's RPC (proto/services/
 * scaler.json): scaler.jobs, the queue as it stands; and sys.stats' part
 * (the queue by state, the control loop's counters).
 */
#ifndef SC_RPC_H
#define SC_RPC_H

#include "rpc_server.h"

struct jobq;

struct sc_fleet;

/* What sys.stats reports on. */
struct sc_rpc {
	struct jobq	*q;
	struct sc_fleet	*fleet;		/* NULL: no control loop */
};

/* The methods' arg is the struct jobq. */
extern const struct rpc_method sc_rpc_methods[];
/* sys.stats' daemon part: jobs by state, and the fleet's counters.  arg
 * is a struct sc_rpc. */
json_t	*sc_rpc_stats(void *sc_rpc);

#endif /* SC_RPC_H */
