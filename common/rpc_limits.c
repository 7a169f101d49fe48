#include <stddef.h>

#include "rpc_limits.h"

const struct config_field rpc_limits_schema[] = {
	CONFIG_INT("connections", false, struct rpc_limits, connections, 0,
	    65536),
	CONFIG_INT("per-domain", false, struct rpc_limits, per_domain, 0,
	    65536),
	CONFIG_INT("pending-per-domain", false, struct rpc_limits,
	    pending_per_domain, 0, 65536),
	CONFIG_END
};
