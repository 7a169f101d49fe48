/*
 * nf_queue: one queue of a vif, from our side: a tx ring and an rx
 * ring on a page each, the page pools behind them, the event channel
 * (or two, split) and the TAP queue its frames come from and go to.
 * Owns what is shared with the backend for a connection: made at
 * connect (nf_queue_share, nf_queue_bind), its keys written for the
 * backend to find (nf_queue_keys), taken back at disconnect
 * (nf_queue_teardown) once the backend has let go.
 *
 * The pools are shared once a connection, one page a ring slot: tx
 * pages read-only (the backend copies from them, and has no business
 * writing there), rx pages writable.  An rx request always offers the
 * page of its own slot, so a response (or an extra overlaid on one, in
 * the slot the backend consumed) names its page by where it is.
 *
 * TX (nf_tx.c): the TAP read straight into free tx pages, the frame cut
 * into requests (nf_tx_build), reading paused while the ring lacks room
 * for the largest frame; responses give their pages back.  RX (nf_rx.c):
 * the ring kept full of requests; responses walked into frames
 * (nf_rx_parse), copied out of the shared pages before anything is
 * decided on their bytes, and written to the TAP.
 */
#ifndef SHOAL_NF_QUEUE_H
#define SHOAL_NF_QUEUE_H

#include <stdbool.h>
#include <stdint.h>

/* xenctrl.h first: it tells the Xen headers after it this is a tool. */
#include <xenctrl.h>
#include <xenevtchn.h>
#include <xengnttab.h>

#include "nf_stats.h"
#include "nf_wire.h"

struct event;
struct event_base;
struct xb_keys;

struct nf_queue {
	unsigned		 index;
	struct event_base	*base;
	xenevtchn_handle	*xce;
	const struct nf_tx_offload *off;
	int			 tapfd;		/* the device's */
	struct event		*tap_ev;
	bool			 tap_reading;
	bool			 running;	/* connected: traffic flows */
	bool			 broken;	/* the backend broke a ring */

	evtchn_port_t		 port_tx, port_rx;	/* equal unless split */
	bool			 bound_tx, bound_rx;

	netif_tx_front_ring_t	 tx;
	uint32_t		 tx_ring_ref;
	uint8_t			*tx_pages;
	uint32_t		 tx_refs[NF_RING_SLOTS];
	uint16_t		 tx_free[NF_RING_SLOTS];	/* a stack */
	unsigned		 tx_nfree;
	bool			 tx_busy[NF_RING_SLOTS];

	netif_rx_front_ring_t	 rx;
	uint32_t		 rx_ring_ref;
	uint8_t			*rx_pages;
	uint32_t		 rx_refs[NF_RING_SLOTS];
	uint8_t			*rx_buf;	/* a frame's head, out of reach */

	struct nf_stats		 stats;
};

/* nf_queue.c */
/* The rings and the pools granted to domid.  0, or -1 (logged). */
int	 nf_queue_share(struct nf_queue *, xengntshr_handle *,
	    unsigned domid);
/* One unbound port for domid, or two if split.  0, or -1 (logged). */
int	 nf_queue_bind(struct nf_queue *, unsigned domid, bool split);
/* Its ring refs and ports under prefix ("" or "queue-N/"). */
void	 nf_queue_keys(const struct nf_queue *, struct xb_keys *,
	    const char *prefix, bool split);
/* Stopped, ports unbound, pages unshared; its counters kept. */
void	 nf_queue_teardown(struct nf_queue *, xengntshr_handle *);
/* The backend broke the protocol: the queue stops (logged once). */
void	 nf_queue_break(struct nf_queue *, const char *why);
void	 nf_queue_notify(struct nf_queue *, evtchn_port_t);

/* nf_tx.c */
/* Traffic from the TAP may flow (connected), or not. */
int	 nf_tx_start(struct nf_queue *);
void	 nf_tx_stop(struct nf_queue *);
/* The backend answered tx requests. */
void	 nf_tx_responses(struct nf_queue *);

/* nf_rx.c */
/* Every free rx slot offered to the backend. */
void	 nf_rx_refill(struct nf_queue *);
/* The backend filled rx slots. */
void	 nf_rx_responses(struct nf_queue *);

#endif /* SHOAL_NF_QUEUE_H */
