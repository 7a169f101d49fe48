/*
 * nf_dev: one vif seen from the guest: the TAP that stands for it in
 * our network namespace, its queues, and the xenbus side (xb_frontend)
 * that connects them to the backend.  Owns what a connection is made
 * of, in order: the backend's features read (hostile, bounded) and
 * settled against ours; the queues' pages shared and ports bound; every
 * key written in one transaction; at Connected the rx rings filled, the
 * TAP's offloads set to what the backend takes and the TAP up; at
 * disconnect all of it undone, the TAP down (no carrier) but kept, so
 * addresses and routes set on it outlive a backend's restart.
 */
#ifndef SHOAL_NF_DEV_H
#define SHOAL_NF_DEV_H

#include <stdbool.h>
#include <stddef.h>

/* xenctrl.h first: it tells the Xen headers after it this is a tool. */
#include <xenctrl.h>
#include <xenevtchn.h>
#include <xengnttab.h>

#include "nf_config.h"
#include "nf_queue.h"
#include "tap_dev.h"

struct event_base;
struct xb_frontend;

struct nf_dev {
	struct nf_opts		 opts;
	struct event_base	*base;
	xenevtchn_handle	*xce;
	xengntshr_handle	*xgs;
	struct xb_frontend	*fe;
	char			 ifname[IFNAMSIZ];
	int			 tapfd[TAP_QUEUES_MAX];
	unsigned		 ntap;		/* TAP queues opened */
	unsigned		 nqueues;	/* in use this connection */
	bool			 split;
	struct nf_tx_offload	 off;
	struct nf_queue		 q[TAP_QUEUES_MAX];
	struct nf_stats		 past;		/* connections before */
};

/*
 * The TAP made (in the namespace the caller is in), the vif found in
 * xenstore and its handshake started on base.  0, or -1 with why.
 */
int	 nf_dev_open(struct nf_dev *, const struct nf_opts *,
	    struct event_base *, xenevtchn_handle *, xengntshr_handle *,
	    char *err, size_t errlen);
/* An event channel of ours fired. */
void	 nf_dev_port(struct nf_dev *, evtchn_port_t);
/* The orderly close (xb_frontend_close); poll nf_dev_closed. */
void	 nf_dev_close(struct nf_dev *, unsigned timeout_ms);
bool	 nf_dev_closed(const struct nf_dev *);
/* Everything let go (after a close, or without one). */
void	 nf_dev_free(struct nf_dev *);
/* This connection's counters and the ones before. */
void	 nf_dev_stats(const struct nf_dev *, struct nf_stats *);

#endif /* SHOAL_NF_DEV_H */
