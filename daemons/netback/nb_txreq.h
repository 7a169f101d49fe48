/*
 * nb_txreq: one packet's transmit requests, as a frontend posts them on
 * its TX ring (xen/io/netif.h), checked before anything is copied.  Pure:
 * no rings, grants or I/O, so that the fuzzer and the unit tests drive
 * the very code the daemon runs.  Owns the rules a packet's slots must
 * keep:
 *
 *  - the first slot's size is the whole packet's; each further slot
 *    (NETTXF_more_data chains them) carries one fragment, and the first
 *    slot's own bytes are what the fragments leave;
 *  - no slot's bytes cross its granted page (offset + size <= 4096);
 *  - a packet is at least an Ethernet header;
 *  - at most XEN_NETIF_NR_SLOTS_MIN (18) data slots: more is dropped
 *    (the slots consumed and answered with an error);
 *  - extra-info slots (NETTXF_extra_info on the first) follow the first
 *    slot: GSO (TCPv4 or TCPv6, a non-zero segment size), multicast
 *    add or remove (a control request, not a packet), hash (ignored);
 *  - a chain longer than NB_TX_CHAIN_MAX slots is no packet at all but
 *    a frontend that is broken or hostile: fatal for its vif.
 *
 * Each slot gets one response: its id and the packet's status for a data
 * slot, NETIF_RSP_NULL for an extra.
 */
#ifndef NB_TXREQ_H
#define NB_TXREQ_H

#include <stdbool.h>
#include <stdint.h>

/* xenctrl.h first: it tells the Xen headers after it this is a tool. */
#include <xenctrl.h>
#include <xen/io/netif.h>

#define NB_TX_DATA_SLOTS_MAX	XEN_NETIF_NR_SLOTS_MIN
#define NB_TX_CHAIN_MAX		64
#define NB_ETH_HLEN		14

/* Why a packet was dropped; also the per-vif counters' names. */
enum nb_drop {
	NB_DROP_NONE,
	NB_DROP_SIZE,		/* a size or offset the rules refuse */
	NB_DROP_SLOTS,		/* more than 18 data slots */
	NB_DROP_EXTRA,		/* an extra-info slot the rules refuse */
	NB_DROP_GRANT,		/* a grant copy failed */
	NB_DROP_CSUM,		/* checksum left blank on a frame not TCP/UDP */
	NB_DROP_NOMEM,
	NB_DROP_OUTPUT,		/* the TAP or uplink refused it */
	NB_DROP_RX_FULL,	/* the guest's queue held its cap */
	NB_DROP_RX_STALL,	/* the guest took no packets for too long */
	NB_DROP_RX_TOO_BIG,	/* larger than the guest takes (no SG/GSO) */
	NB_DROP_DOWN,		/* the vif is not connected */
	NB_DROP_COUNT
};

const char	*nb_drop_name(enum nb_drop);

enum nb_tx_step {
	NB_TX_NEED,		/* feed the next slot */
	NB_TX_DONE,		/* the packet is whole (or refused) */
	NB_TX_FATAL		/* the chain never ends */
};

struct nb_tx_seg {
	uint32_t	 gref;
	uint16_t	 offset;
	uint16_t	 len;
};

struct nb_txreq {
	/* Filled as slots are fed. */
	unsigned	 slots;			/* slots consumed */
	uint16_t	 id[NB_TX_CHAIN_MAX];	/* for the responses */
	bool		 extra[NB_TX_CHAIN_MAX];	/* NETIF_RSP_NULL */
	unsigned	 nseg;
	struct nb_tx_seg seg[NB_TX_DATA_SLOTS_MAX];
	/* The verdict, once NB_TX_DONE. */
	enum nb_drop	 drop;			/* NB_DROP_NONE: deliver */
	bool		 control;		/* multicast only, no packet */
	uint32_t	 len;			/* the packet's bytes */
	uint16_t	 flags;			/* the first slot's NETTXF_* */
	uint8_t		 gso_type;		/* XEN_NETIF_GSO_TYPE_* */
	uint16_t	 gso_size;
	uint8_t		 mcast_op;		/* XEN_NETIF_EXTRA_TYPE_MCAST_* */
	uint8_t		 mcast_addr[6];
	/* Parser state. */
	bool		 in_extras;
	bool		 more_data;
	uint32_t	 frag_bytes;		/* what the fragments carry */
	uint16_t	 first_offset;
};

void		 nb_txreq_init(struct nb_txreq *);
/* The next slot of the packet (copied out of the ring already). */
enum nb_tx_step	 nb_txreq_feed(struct nb_txreq *, const netif_tx_request_t *);

#endif /* NB_TXREQ_H */
