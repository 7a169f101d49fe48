/*
 * blk_config: blkback's configuration file.
 *
 *	{
 *	  "backend-types": ["vbd", "qdisk"],
 *	  "max-queues": 4,
 *	  "max-ring-page-order": 4,
 *	  "max-indirect-segments": 256,
 *	  "max-inflight": 32,
 *	  "flush": true,
 *	  "discard": true,
 *	  "direct-io": false,
 *	  "sector-size": 0,
 *	  "disk-paths": ["/"],
 *	  "rpc": { "connections": 1024 }
 *	}
 *
 * Every key is optional.  backend-types are the backend directories
 * served: "vbd" (what libxl writes for backendtype=phy, Linux's
 * xen-blkback's) and "qdisk" (backendtype=qdisk, QEMU's); blkback must
 * be the only backend of the types it serves in its domain.
 * max-queues, max-ring-page-order and max-indirect-segments are what a
 * frontend is offered (multi-queue-max-queues, max-ring-page-order,
 * feature-max-indirect-segments; 0 turns indirect requests off);
 * max-inflight bounds the requests of one vbd in the backing file at
 * once (its memory: max-inflight bounce buffers of at most 1 MiB).
 * flush and discard offer feature-flush-cache and feature-discard;
 * direct-io opens the backing files O_DIRECT; sector-size exports files
 * with 4096-byte sectors (0: 512, or a device's own).  disk-paths are
 * where backing files and devices may be opened once the daemon is set
 * up (Landlock; none listed: anywhere).  Owns the schema and the defaults.
 */
#ifndef BLK_CONFIG_H
#define BLK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "rpc_limits.h"

#define BLK_QUEUES_MAX		8
#define BLK_RING_ORDER_MAX	4	/* 16 pages, 512 requests */
#define BLK_INFLIGHT_MAX	512

/* The backend directories served. */
struct blk_types {
	bool			 vbd;
	bool			 qdisk;
};

struct blk_config {
	struct blk_types	 types;
	int			 max_queues;
	int			 max_ring_order;
	int			 max_indirect;
	int			 max_inflight;
	bool			 flush;
	bool			 discard;
	bool			 direct_io;
	int			 sector_size;
	struct config_strlist	 disk_paths;
	struct rpc_limits	 rpc;
};

/* Defaults, then the file if path is not NULL.  -1 with err filled. */
int	 blk_config_load(const char *path, struct blk_config *, char *err,
	    size_t errlen);
void	 blk_config_free(struct blk_config *);

#endif /* BLK_CONFIG_H */
