/*
 * nb_config: netback's configuration file.
 *
 *	{
 *	  "mode": "tap",
 *	  "uplink": "",
 *	  "max-queues": 4,
 *	  "mtu": 1500,
 *	  "rx-queue-bytes": 2097152,
 *	  "rx-stall-ms": 10000,
 *	  "sg": true, "gso": true, "csum": true,
 *	  "split-event-channels": true,
 *	  "multicast-control": true,
 *	  "rpc": { "connections": 1024 }
 *	}
 *
 * Every key is optional.  mode "tap": each vif is a TAP named vifD.N
 * (the guest's domain and device), which dom0's stack (or a driver
 * domain's) routes or bridges, as the kernel's netback's vifD.N;
 * "switch": the vifs are ports of netback's own learning switch, whose
 * one uplink is the TAP named by "uplink" (made if absent; "" means
 * none: the guests reach only each other).  max-queues is what a
 * frontend may ask for (multi-queue-max-queues); mtu is the TAPs' MTU
 * (the guest's own is the guest's business; a frame larger than it
 * takes is dropped); rx-queue-bytes is how much may wait for a guest
 * that posts no receive buffers, and rx-stall-ms how long it may post
 * none while packets wait before they are dropped and it is counted as
 * stalled (XSA-392).  sg, gso, csum, split-event-channels and
 * multicast-control turn off the features of those names.  Owns the
 * schema and the defaults.
 */
#ifndef NB_CONFIG_H
#define NB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "rpc_limits.h"

#define NB_QUEUES_MAX	8

struct nb_config {
	bool	 switched;		/* mode "switch" */
	char	*uplink;
	int	 max_queues;
	int	 mtu;
	int	 rx_queue_bytes;
	int	 rx_stall_ms;
	bool	 sg;
	bool	 gso;
	bool	 csum;
	bool	 split_evtchn;
	bool	 mcast_ctrl;
	struct rpc_limits rpc;
};

/* Defaults, then the file if path is not NULL.  -1 with err filled. */
int	 nb_config_load(const char *path, struct nb_config *, char *err,
	    size_t errlen);
void	 nb_config_free(struct nb_config *);

#endif /* NB_CONFIG_H */
