/*
 * nf_stats: netfront's counters, a queue's and a device's: packets and
 * bytes each way, and every frame dropped by its reason (nf_wire.h's
 * enum nf_drop), for the RPC service's stats and the log at exit.
 */
#ifndef SHOAL_NF_STATS_H
#define SHOAL_NF_STATS_H

#include <stdint.h>

#include <jansson.h>

#include "nf_wire.h"

struct nf_stats {
	uint64_t	 tx_packets, tx_bytes;	/* TAP -> backend */
	uint64_t	 rx_packets, rx_bytes;	/* backend -> TAP */
	uint64_t	 drops[NF_DROP_MAX];
	uint64_t	 broken;		/* queues the backend broke */
};

void		 nf_stats_add(struct nf_stats *sum, const struct nf_stats *);
const char	*nf_drop_name(enum nf_drop);
/* {"tx_packets":...,"drops":{"tx_too_big":...}}; NULL without memory. */
json_t		*nf_stats_json(const struct nf_stats *);

#endif /* SHOAL_NF_STATS_H */
