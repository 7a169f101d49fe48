/*
 * xs_monitor: xenstored's privileged parent, for a daemon started as
 * root with --user.
 *
 * A live update's new image must open Xen's devices again (root's), so
 * a xenstored that ran as another user could not update itself.  As
 * OpenBSD's daemons keep a small privileged parent, the process started
 * as root forks: the child (the worker) sets up, drops to --user and
 * serves; the parent (the monitor) keeps root and does one thing for it:
 * execute the new image of a live update, as root, with the descriptors
 * the worker hands over (the saved state and every client's socket).
 * The new image then forks its own worker, which restores the state,
 * opens the devices and drops again.  The daemon's pid (the monitor's)
 * stays the same across updates.
 *
 * The channel is narrow because the worker talks to guests and must be
 * assumed compromised: it may only name the binary the daemon was
 * started from (the path an upgrade replaces), never other arguments
 * than the daemon's own, and the monitor reads nothing else from it.
 * Besides that the monitor passes SIGTERM, SIGINT and SIGHUP on to the
 * worker, removes the daemon's socket when the worker ends, and exits
 * with the worker's status.  It holds no descriptor but
 * stdio and the channel, so that a client's socket closes when the
 * worker closes it.
 */
#ifndef XS_MONITOR_H
#define XS_MONITOR_H

/*
 * Forks.  Returns in the worker only, with its end of the channel (the
 * parent runs the monitor and never returns); -1 after logging if the
 * fork failed.  socket (kept by reference): the daemon's listening
 * socket, which the monitor removes when the worker ends, since the
 * worker may not write root's directory.
 */
int	xs_monitor_start(int argc, char **argv, const char *socket);

/*
 * The worker's live update: hands every descriptor it does not close on
 * exec over to the monitor, which executes file with the daemon's own
 * arguments and --live-update-state state_fd.  Never returns if the
 * monitor did (the worker exits when the monitor's image changes);
 * otherwise -1 with the reason in why.
 */
int	xs_monitor_exec(int chan, const char *file, int state_fd, char *why,
	    size_t whylen);

#endif /* XS_MONITOR_H */
