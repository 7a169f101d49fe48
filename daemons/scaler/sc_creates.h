/*
 * sc_creates: the actor of the job kind "domain.create" (actor.h), one
 * in the control loop's child, under its supervisor (sc_fleet.c).
 * Creates are jobs in the persistent queue (jobq.h): the decision to
 * grow is made durable first (one job a domain), then each job is
 * claimed, carried out with its id as the agent's token (ag_tokens.h)
 * and completed.  A loop that dies mid-call leaves its job claimed; when
 * the lease runs out another loop claims it, and the agent, seeing the
 * token again, answers with the domain it made the first time: no job is
 * lost and none makes two domains.  What this actor holds is nothing:
 * all of it is in the queue, so a restarted one carries on.
 *
 *	CREATES_GROW   n new jobs (data: n, as an integer in the pointer)
 *	CREATES_RUN    every job due now, one at a time
 *	CREATES_PRUNE  done jobs older than an hour removed
 */
#ifndef SC_CREATES_H
#define SC_CREATES_H

#include "sc_round.h"

struct actor_kind;

enum {
	CREATES_GROW = 200,
	CREATES_RUN,
	CREATES_PRUNE,
};

/* Its init arg: a struct sc_named for f->creates (sc_round.h). */
extern const struct actor_kind sc_creates_kind;

/*
 * Creates decided whose domains do not exist yet: jobs ready, or claimed
 * by some loop, with no domain of theirs among the listed ones (one that
 * has its domain, whose answer a dead loop never saw, is not counted
 * twice).  A read of the queue, for the fleet actor's decision.
 */
int	 sc_creates_pending(struct fleet_state *);

#endif /* SC_CREATES_H */
