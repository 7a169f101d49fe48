/*
 * actor: the scaler's actors, on the daemon's libevent loop.
 *
 * An actor is a kind (its callbacks), private state and a bounded
 * mailbox.  Nothing calls into an actor but the runtime: others send it
 * messages, which it handles one at a time, in order, when the loop runs
 * it (at most ACTOR_BATCH in a row, so that one busy actor does not
 * starve the rest).  A full mailbox refuses a message (EAGAIN) rather
 * than grow: the sender decides whether to drop, retry or shed load.
 *
 * An actor ends when its receive says so (ACTOR_STOP, a normal exit),
 * when it crashes (ACTOR_CRASH, or an init that fails), or when it is
 * killed (actor_kill, by its supervisor).  On the first two its
 * terminate callback runs, its mailbox and timers are freed, and then,
 * from the loop and never from inside another actor's callback, its
 * on_exit hook learns why (supervisor.h restarts it).  A killed actor
 * is terminated at once and no hook runs: whoever killed it knows.
 *
 * State that must outlive a crash is not kept here but in the job store
 * (jobq.h): a restarted actor reads it back.
 */
#ifndef ACTOR_H
#define ACTOR_H

#include <stddef.h>
#include <stdint.h>

#define ACTOR_BATCH	16	/* messages per turn */
#define ACTOR_NAME_MAX	64

struct actor;
struct event_base;

struct actor_msg {
	int		 type;
	void		*data;
	void		(*free_data)(void *);	/* NULL: not owned */
};

enum actor_exit {
	ACTOR_NORMAL,		/* it stopped itself */
	ACTOR_CRASHED,		/* it crashed, or its init failed */
	ACTOR_KILLED,		/* actor_kill (terminate sees this) */
};

/* What receive returns. */
#define ACTOR_OK	0
#define ACTOR_STOP	1
#define ACTOR_CRASH	(-1)

struct actor_kind {
	const char	*name;
	/* 0, or -1: a crash at start.  *state is the actor's. */
	int		(*init)(struct actor *, void *arg, void **state);
	int		(*receive)(struct actor *, void *state,
			    const struct actor_msg *);
	/* Optional; frees the state, whatever the reason. */
	void		(*terminate)(struct actor *, void *state,
			    enum actor_exit);
};

/* Told once, from the loop, after the actor has gone (not if killed). */
typedef void	(*actor_exit_fn)(void *arg, enum actor_exit);

struct actor_spawn {
	const struct actor_kind	*kind;
	void			*arg;		/* to init */
	const char		*name;		/* for the log */
	size_t			 mailbox;	/* capacity, at least 1 */
	actor_exit_fn		 on_exit;	/* optional */
	void			*exit_arg;
};

/*
 * A new actor, its init run now.  NULL only when out of memory; an init
 * that fails gives an actor that exits ACTOR_CRASHED from the loop.
 */
struct actor	*actor_spawn(struct event_base *, const struct actor_spawn *);

/*
 * Queues a message.  0, or -1 with errno EAGAIN (the mailbox is full) or
 * ESRCH (the actor is ending); on -1 the caller keeps the data.
 */
int		 actor_send(struct actor *, int type, void *data,
		    void (*free_data)(void *));
/* A message of this type (no data) to itself after ms; -1 on ENOMEM. */
int		 actor_after(struct actor *, int64_t ms, int type);

/* Terminates it now (ACTOR_KILLED), frees it; its on_exit is not run. */
void		 actor_kill(struct actor *);

const char	*actor_name(const struct actor *);
size_t		 actor_queued(const struct actor *);
struct event_base *actor_base(const struct actor *);

#endif /* ACTOR_H */
