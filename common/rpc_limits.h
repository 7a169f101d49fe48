/*
 * rpc_limits: how many callers one RPC service takes, as a daemon's
 * config file sets them.  Its own module so that a daemon's config
 * loader can read them without linking the RPC layer.
 *
 * Each event channel a vchan takes is the service domain's, and a domain
 * has a few thousand: without a cap for all callers together, a few
 * guests could take them all.  In a daemon's config as
 *	"rpc": { "connections": 1024, "per-domain": 256,
 *	         "pending-per-domain": 16 }
 * (every key optional; 0 means the default).
 */
#ifndef RPC_LIMITS_H
#define RPC_LIMITS_H

#include "config.h"

struct rpc_limits {
	int		 connections;		/* vchans at once; 0: 1024 */
	int		 per_domain;		/* from one domain; 0: 256 */
	int		 pending_per_domain;	/* unfinished entries; 0: 16 */
};

extern const struct config_field rpc_limits_schema[];

#endif /* RPC_LIMITS_H */
