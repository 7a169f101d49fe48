/*
 * bf_dev: one vbd seen from the frontend: the xenbus side
 * (xb_frontend), the backend's disk read as hostile input, the queues
 * settled against what it offers, and the pending list of bf_io that
 * the NBD side submits and that are cut into pieces over the queues'
 * rings as slots and pages free up.  Owns, in order: at the backend's
 * InitWait its keys read (bounded, parsed whole) and ours written in
 * one transaction (rings, event channels, protocol, queue-N/ when more
 * than one); at Connected the disk's size and features published to
 * the NBD side; at disconnect what was in flight failed and the pages
 * taken back.  A backend breaking a ring gets the device shut: the
 * vbd closed, every io answered ESHUTDOWN, nothing of ours crashes.
 */
#ifndef SHOAL_BF_DEV_H
#define SHOAL_BF_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bf_config.h"
#include "bf_io.h"
#include "bf_nbd_wire.h"
#include "bf_ring.h"

struct event;
struct event_base;
struct xb_frontend;

/* What the backend says the disk is. */
struct bf_disk {
	uint64_t		 sectors;	/* of 512 bytes */
	unsigned		 sector_size;	/* 512 or 4096 */
	unsigned		 info;		/* VDISK_* */
	bool			 ro;
	bool			 flush;
	bool			 discard;
	unsigned		 indirect;	/* segments we use; 0: none */
	unsigned		 be_indirect;	/* what it offers */
	unsigned		 be_queues;
	unsigned		 be_order;
};

struct bf_dev {
	const struct bf_config	*cfg;
	struct event_base	*base;
	xenevtchn_handle	*xce;
	xengntshr_handle	*xgs;
	struct xb_frontend	*fe;
	struct bf_disk		 disk;
	bool			 connected;	/* both ends, queues up */
	bool			 ever;		/* connected once */
	bool			 broken;	/* the backend broke a ring */
	unsigned		 nqueues;
	unsigned		 order;
	struct bf_queue		 q[BF_QUEUES_MAX];
	unsigned		 rr;		/* the next queue tried */
	struct bf_io_list	 pending;
	unsigned		 npending;
	struct bf_qstats	 past;		/* queues of connections before */
	uint64_t		 ring_errors;
	uint64_t		 connects;
	struct event		*shut_ev;
	struct event		*kick_ev;	/* submissions put, once */
	/* Both ends Connected (the NBD side may start serving). */
	void			(*on_connected)(void *);
	void			*cb_arg;
};

/* The vbd found and its handshake started.  0, or -1 with why. */
int	 bf_dev_open(struct bf_dev *, const struct bf_config *,
	    struct event_base *, xenevtchn_handle *, xengntshr_handle *,
	    char *err, size_t errlen);
void	 bf_dev_port(struct bf_dev *, evtchn_port_t);
/*
 * io queued for the rings; its done() comes from the event loop, never
 * from here.  0, or an NBD error to answer at once (a device shut).
 */
uint32_t bf_dev_submit(struct bf_dev *, struct bf_io *);
/* The submitter is gone: true if io may be freed now, else done() comes
 * later, once what is in flight of it is answered. */
bool	 bf_dev_cancel(struct bf_dev *, struct bf_io *);
/* The export as NBD shows it (max_request: the configuration's). */
void	 bf_dev_export(const struct bf_dev *, uint32_t max_request,
	    struct bf_nbd_export *);
void	 bf_dev_close(struct bf_dev *, unsigned timeout_ms);
bool	 bf_dev_closed(const struct bf_dev *);
/* Everything let go; what is still pending answered ESHUTDOWN. */
void	 bf_dev_free(struct bf_dev *);
/* Every queue's counters, this connection's and before. */
void	 bf_dev_stats(const struct bf_dev *, struct bf_qstats *);
const char *bf_dev_state(const struct bf_dev *);



/* bf_sched.c, for bf_dev.c: the pending list run over the queues; an
 * io's piece answered; every pending io answered err. */
void	 bf_sched_kick(struct bf_dev *);
void	 bf_sched_finish(struct bf_io *, void *dev);
void	 bf_sched_fail_pending(struct bf_dev *, uint32_t err);
#endif /* SHOAL_BF_DEV_H */
