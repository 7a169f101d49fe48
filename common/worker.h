/*
 * worker: a child process that does a daemon's blocking work in rounds
 * (calls to other domains over rpc_client, which wait), so that the
 * daemon's event loop never waits on another domain, and so that the
 * code reading other domains' answers shares no memory with the one
 * serving the network (OpenBSD's way).  httpd's status collector and the
 * scaler's control loop are workers.
 *
 * Owns the child's life and the channel to it.  The child is forked, not
 * executed (the seccomp filter denies exec), after the privilege drop,
 * whose user, Landlock, no_new_privs and filter it inherits; it holds
 * only its end of a socket pair (as fd 3) and stdio.  Each round it
 * makes a JSON snapshot, sent back as a 32-bit length (host order) and
 * compact JSON; new settings go the other way as the caller's fixed-size
 * struct.  A child that dies or sends nonsense is reaped, reported (the
 * latest snapshot becomes what the lost hook makes of it), and replaced
 * a round later.  When the daemon closes its end, the child stops
 * between two calls and exits normally, so that a sanitizer build's
 * leak report covers it too.
 *
 * Best started before the process has any thread: a child forked from
 * one thread of many holds memory only the others knew of, which a
 * sanitizer build reports as leaked when the child exits.
 */
#ifndef SHOAL_WORKER_H
#define SHOAL_WORKER_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

struct event_base;
struct worker;

/* What the caller's settings struct starts with (its first member). */
struct worker_timing {
	int	 interval_ms;	/* between rounds; 0 pauses */
	int	 timeout_ms;	/* one call's (a stopping child is given it) */
};

struct worker_ops {
	const char	*name;		/* "status collector", for the log */
	size_t		 settings_len;	/* of the caller's settings struct */
	/*
	 * In the child: one round's snapshot (NULL: nothing to send this
	 * round).  state is the child's own copy of what worker_start was
	 * given, kept across its rounds.
	 */
	json_t		*(*round)(const void *settings, void *state);
	/* In the daemon: what to show once the child was lost (NULL: no
	 * snapshot until the next child's first). */
	json_t		*(*lost)(const char *why);
};

/*
 * Around each fork, in the daemon: what must not be copied into the
 * child is let go before and taken back after.  A SQLite connection is
 * the case: a child inherits SQLite's record of the file's locks, which
 * names descriptors the child does not have, and its own connection to
 * the same file then waits on them for ever.
 */
struct worker_fork_hooks {
	void	(*before)(void *arg);
	void	(*after)(void *arg);
	void	*arg;
};

/*
 * NULL with a message logged.  settings (settings_len bytes, starting
 * with a struct worker_timing) and state
 * are copied into the child by the fork; both must outlive the worker
 * (a replacement child is forked from them again).  hooks may be NULL;
 * it is copied.
 */
struct worker	*worker_start(struct event_base *, const struct worker_ops *,
		    void *settings, void *state,
		    const struct worker_fork_hooks *hooks);
/* New settings, from the next round.  settings is the one given to
 * worker_start, updated in place by the caller. */
void		 worker_configure(struct worker *);
/* Ends the child (its end closed, a grace of one call, then SIGKILL),
 * reaps it, frees.  NULL is fine. */
void		 worker_stop(struct worker *);
/* The latest snapshot, a reference of the caller's; NULL before the
 * first round ends. */
json_t		*worker_snapshot(struct worker *);
/* In the child, between calls: the daemon closed its end (stop now). */
bool		 worker_parent_gone(void);

#endif /* SHOAL_WORKER_H */
