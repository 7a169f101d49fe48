/*
 * nb_vif: one guest network device (a vif) as netback serves it, and the
 * daemon-wide state its queues share.  Owns the device's life through
 * the xenbus handshake (common/xb_backend.h): features written at probe,
 * the frontend's rings mapped and event channels bound at connect, both
 * given back at disconnect; and the per-vif counters.  The data path is
 * nb_tx.c (guest to us), nb_rx.c (us to guest), and where packets go
 * is nb_tap.c or nb_switch.c.
 *
 * Directions are named as the rings are, from the guest's side: TX is
 * what the guest sends, RX what it receives.
 */
#ifndef NB_VIF_H
#define NB_VIF_H

#include <sys/queue.h>
#include <stdbool.h>
#include <stdint.h>

#include <net/if.h>

#include "nb_config.h"
#include "nb_pkt.h"
#include "nb_txreq.h"
#include "xb_ports.h"

#include <xenevtchn.h>
#include <xengnttab.h>

struct event;
struct event_base;
struct evloop;
struct xb_backend;
struct xb_copy;
struct xb_dev;
struct nb_switch;
struct nb_port;

#define NB_MCAST_MAX	64	/* groups a guest may join (as Linux) */

struct nb_stats {
	uint64_t	 tx_packets, tx_bytes;
	uint64_t	 rx_packets, rx_bytes;
	uint64_t	 tx_gso, rx_gso;	/* TCP segments sent whole */
	uint64_t	 drops[NB_DROP_COUNT];
	uint64_t	 stalls;		/* times RX stalled (XSA-392) */
	uint64_t	 ring_errors;		/* fatal: the vif was shut */
};

struct nb_queue {
	struct nb_vif		*vif;
	unsigned		 index;
	netif_tx_back_ring_t	 tx;
	netif_rx_back_ring_t	 rx;
	void			*tx_page, *rx_page;
	evtchn_port_t		 port_tx, port_rx;	/* ours; equal if one */
	bool			 bound;
	/* Packets waiting for the guest's receive buffers. */
	struct nb_pktq		 rxq;
	size_t			 rxq_bytes;
	struct event		*stall;		/* armed while rxq waits */
	bool			 stalled;	/* drops until it posts */
	struct event		*tx_again;	/* a TX round left work */
	struct event		*rx_kick;	/* packets queued: a round */
	/* TAP mode: this queue's descriptor of the vif's TAP. */
	int			 tap_fd;
	struct event		*tap_read;
	bool			 tap_paused;	/* rxq at its cap */
};

struct nb_vif {
	LIST_ENTRY(nb_vif)	 link;
	struct netback		*nb;
	struct xb_dev		*dev;
	unsigned		 domid, devid;
	uint8_t			 mac[6];
	char			 ifname[IFNAMSIZ];
	bool			 connected;
	bool			 broken;	/* a ring error: until reconnect */
	unsigned		 nqueues;	/* connected */
	unsigned		 ntaps;		/* TAP descriptors opened */
	struct nb_queue		 q[NB_QUEUES_MAX];
	/* What the frontend said it takes. */
	bool			 fe_sg, fe_gso4, fe_gso6, fe_csum, fe_csum6;
	bool			 fe_mcast_ctrl;
	unsigned		 nmcast;
	uint8_t			 mcast[NB_MCAST_MAX][6];
	struct nb_port		*port;		/* switch mode */
	struct nb_stats		 st;
};
LIST_HEAD(nb_vifs, nb_vif);

/* The daemon's state that every vif shares. */
struct netback {
	struct event_base	*base;
	struct evloop		*loop;
	xenevtchn_handle	*xce;
	xengnttab_handle	*xgt;
	struct xb_copy		*copy;
	const struct nb_config	*cfg;
	struct xb_backend	*xb;
	struct nb_vifs		 vifs;
	struct nb_switch	*sw;
	struct xb_ports		 ports;		/* ours, to their queues */
	uint8_t			*frame;		/* one frame, read or built */
};

/* Serves "vif" devices; 0, or -1 (logged). */
int	 netback_start(struct netback *);
void	 netback_stop(struct netback *);
void	 netback_reconfigure(struct netback *, const struct nb_config *);
struct nb_vif *netback_find(struct netback *, unsigned domid,
	    unsigned devid);

/* A counted drop of one of vif's packets. */
void	 nb_vif_drop(struct nb_vif *, enum nb_drop);
/* The frontend broke its ring: counted, logged, the vif shut until it
 * connects again. */
void	 nb_vif_fail(struct nb_vif *, const char *why);

/* nb_tx.c: the guest's TX ring read, its packets copied and sent on. */
void	 nb_tx_run(struct nb_queue *);
/* nb_rx.c: a packet for the guest queued on q (NULL: by its flow) and
 * taken (freed on a drop); a round given to the guest's RX buffers on
 * the loop's next turn. */
void	 nb_rx_queue(struct nb_vif *, struct nb_queue *, struct nb_pkt *);
void	 nb_rx_run(struct nb_queue *);
void	 nb_rx_flush(struct nb_queue *);	/* disconnect: dropped */
void	 nb_rx_stalled(struct nb_queue *);	/* the stall timer */
bool	 nb_rx_wants(const struct nb_vif *, const uint8_t *dst_mac);

#endif /* NB_VIF_H */
