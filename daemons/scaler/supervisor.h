/*
 * supervisor: Erlang/OTP's supervisors for the scaler's actors
 * (actor.h), on the same loop.
 *
 * A supervisor starts its children in order, watches them, and when one
 * exits restarts by its strategy:
 *	one_for_one	that child alone;
 *	one_for_all	all of them: the others are killed (last started
 *			first), then every child is started again in order;
 *	rest_for_one	that child and those started after it (killed last
 *			first, started again in order).
 * and by the child's restart type: permanent (always), transient (only
 * after a crash), temporary (never).  A child may itself be a
 * supervisor, with its own children: a supervision tree.
 *
 * Restart intensity: more than `intensity` restarts within `period_ms`
 * means restarting does not help.  The supervisor then kills every
 * child and fails itself: its parent sees a crashed child (and applies
 * its own strategy), or, at the root, on_fail is told (the daemon
 * exits: a fresh process, state read back from the job store).
 *
 * Children are killed with actor_kill (no on_exit); a supervisor that is
 * stopped kills its children, last started first.
 */
#ifndef SUPERVISOR_H
#define SUPERVISOR_H

#include <stddef.h>
#include <stdint.h>

struct actor;
struct actor_kind;
struct event_base;
struct supervisor;

enum sup_strategy { SUP_ONE_FOR_ONE, SUP_ONE_FOR_ALL, SUP_REST_FOR_ONE };
enum sup_restart { SUP_PERMANENT, SUP_TRANSIENT, SUP_TEMPORARY };

struct sup_spec;

struct sup_child_spec {
	const char		*name;
	enum sup_restart	 restart;
	/* An actor ... */
	const struct actor_kind	*kind;
	void			*arg;
	size_t			 mailbox;
	/* ... or, if set, a supervisor of its own. */
	const struct sup_spec	*sub;
};

struct sup_spec {
	const char			*name;
	enum sup_strategy		 strategy;
	int				 intensity;	/* restarts ... */
	int64_t				 period_ms;	/* ... within this */
	const struct sup_child_spec	*children;	/* outlive it */
	size_t				 nchildren;
};

struct sup_opts {
	/* Milliseconds, monotonic; NULL: CLOCK_MONOTONIC (tests fake it). */
	int64_t		(*now_ms)(void *);
	void		*clock_arg;
	/* The root gave up (told from the loop); optional. */
	void		(*on_fail)(void *arg, struct supervisor *);
	void		*fail_arg;
};

#define SUP_MAX_CHILDREN	64

/* Starts the tree.  NULL if out of memory or a spec is bad (logged). */
struct supervisor *sup_start(struct event_base *, const struct sup_spec *,
		    const struct sup_opts *);
/* Kills every child (last started first) and frees the tree. */
void		 sup_stop(struct supervisor *);

/* Child i: the actor, or NULL (not running, or a supervisor). */
struct actor	*sup_actor(const struct supervisor *, size_t i);
/* Child i as a supervisor, or NULL. */
struct supervisor *sup_sub(const struct supervisor *, size_t i);
/* Restarts this supervisor has made (not its subtrees'). */
unsigned	 sup_restarts(const struct supervisor *);
/* Whether it gave up (then it has no children running). */
int		 sup_failed(const struct supervisor *);

#endif /* SUPERVISOR_H */
