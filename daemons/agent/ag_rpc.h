/*
 * ag_rpc: the agent's service, "domain" (proto/services/domain.json):
 * create, destroy, pause, unpause and list, answered when the toolstack
 * is done.  Who may call is the RPC policy's business (docs/agent.md:
 * only the scaler's domain); what may be touched is the fleet's
 * (ag_fleet.h: only the domains the agent made).
 */
#ifndef AG_RPC_H
#define AG_RPC_H

#include <jansson.h>

#include "rpc_server.h"

struct ag_fleet;

extern const struct rpc_method ag_rpc_methods[];	/* arg: the fleet */
json_t	*ag_rpc_stats(void *fleet);

#endif /* AG_RPC_H */
