/*
 * sc_web: the actor of one web domain (actor.h), spawned by the fleet
 * actor (sc_fleet.c) for each domain the agent lists as ours and killed
 * when it is no longer listed.  It owns what is known of its domain (a
 * struct web, sc_round.h) and everything the loop asks of that domain:
 *
 *	WEB_STEP   one round: a draining domain is destroyed through the
 *	           agent once its connections ended or drain-ms passed (then
 *	           the actor stops); a serving one is read (http.stats: its
 *	           rate or connections, whether it stands by, drains, where
 *	           it listens) and, standing by, told to serve (http.serve)
 *	WEB_DRAIN  stop taking connections (http.drain)
 *
 * After each it sends the fleet actor a report: a copy of its struct web
 * and the round's metric.  Nothing it holds must outlive it: a crashed
 * one is started again by the fleet actor at the next round and learns
 * its domain again from what the domain says of itself.
 */
#ifndef SC_WEB_H
#define SC_WEB_H

#include <stdbool.h>

#include "sc_round.h"

struct actor_kind;

enum {
	WEB_STEP = 1,
	WEB_DRAIN,
};

/* WEB_STEP's data: what the agent's list and the fleet actor say. */
struct web_step {
	bool	 running;
	bool	 leaving;	/* out of DNS, waiting out the TTL */
	char	 token[TOKEN_MAX];
};

/* A report to the fleet actor (FLEET_REPORT's data). */
struct web_report {
	struct web	 w;
	double		 metric;	/* -1: none this round */
};

/* The spawn's init arg. */
struct web_init {
	struct fleet_state	*f;
	int			 domid;
};

extern const struct actor_kind sc_web_kind;

#endif /* SC_WEB_H */
