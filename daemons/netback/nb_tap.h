/*
 * nb_tap: a vif as a TAP device (mode "tap"), vifD.N as the kernel's
 * netback names it, so dom0's (or a driver domain's) hotplug scripts and
 * bridges treat it the same.  Owns the TAP's descriptors, one a queue
 * (the TAP is multi-queue when max-queues > 1; the queues the guest did
 * not ask for are detached so the kernel sends nothing there), the
 * offloads the kernel may hand us (what the guest takes), and moving
 * frames: the guest's packets written to it, what the kernel sends read
 * and queued for the guest, the reading paused while the guest's queue
 * holds its cap.
 */
#ifndef NB_TAP_H
#define NB_TAP_H

struct nb_vif;
struct nb_queue;
struct nb_pkt;

/* At probe: the TAP made (before InitWait, so hotplug finds it). */
int	 nb_tap_open(struct nb_vif *);
/* At connect: offloads, the queues attached, reading started. */
int	 nb_tap_connect(struct nb_vif *);
void	 nb_tap_disconnect(struct nb_vif *);
void	 nb_tap_close(struct nb_vif *);

/* A guest's packet out (taken). */
void	 nb_tap_write(struct nb_queue *, struct nb_pkt *);
void	 nb_tap_resume(struct nb_queue *);

#endif /* NB_TAP_H */
