/*
 * xs_lu: live update, the daemon replacing itself without losing anyone.
 *
 * Owns the CONTROL live-update dialogue as Xen's xenstore-control speaks
 * it for a daemon (not a stub domain):
 *
 *	live-update -f FILE	the new binary (default: this one's)
 *	live-update -c CMDLINE	its arguments (default: ours)
 *	live-update -s [-F] [-t SECS]
 *				start: "BUSY" while transactions are open
 *				(the tool asks again), "Timeout reached" once
 *				SECS (default 60) pass; -F goes ahead anyway
 *				and open transactions end with EAGAIN
 *	live-update -a		forget the above
 *
 * and the update itself: when -s goes ahead, the request's reply is held
 * back, the event loop is left, the state is saved (xs_state), the ports
 * are let go and the new binary is exec'd with the same descriptors and
 * --live-update-state FD.  The new process restores everything and sends
 * the held-back "OK".  If exec fails the old process carries on and the
 * reply says why.  Under --user the privileged parent executes it
 * (xs_monitor.h).
 */
#ifndef XS_LU_H
#define XS_LU_H

#include <stdbool.h>

struct evloop;
struct xs_listener;
struct xs_msg;
struct xs_req;
struct xs_server;

struct xs_lu;

/* argv is what a default update passes on. */
struct xs_lu	*xs_lu_new(struct evloop *, int argc, char **argv);
void		 xs_lu_free(struct xs_lu *);

int		 xs_lu_control(struct xs_lu *, struct xs_req *,
		    struct xs_msg *);

/*
 * Under --user the new image is executed by xenstored's privileged
 * parent (xs_monitor.h), reached on chan; -c is then refused.
 */
void		 xs_lu_set_monitor(struct xs_lu *, int chan);
/* After the loop returned: was it left for an update? */
bool		 xs_lu_pending(const struct xs_lu *);
/* Does not return unless exec failed; then the requester is answered. */
void		 xs_lu_exec(struct xs_lu *, struct xs_server *,
		    struct xs_listener *);

#endif /* XS_LU_H */
