/*
 * sc_round: what the control loop's actors share in the worker's child
 * (sc_fleet.h): the settings of the round, the loop's state kept across
 * rounds (counters, the job store's connection, the web domains the
 * agent lists, each with its actor, and what DNS was last set to), and
 * the helpers every actor uses: one RPC call, a warning said once, the
 * clocks, the job store opened on first use.
 *
 * The child is single-threaded and its actors run one at a time, so the
 * state is theirs in turn; each part has one owner, named below.
 */
#ifndef SC_ROUND_H
#define SC_ROUND_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "actor.h"
#include "autoscale.h"
#include "jobq.h"
#include "sc_dns.h"
#include "worker.h"

#define FLEET_MAX	256	/* web domains followed at once */
#define TOKEN_MAX	72

struct supervisor;

/*
 * A web domain as its actor last reported it (sc_web.h): the actor owns
 * it and sends a copy to the fleet actor after each step.
 */
struct web {
	int	 domid;
	bool	 running;	/* else still starting */
	bool	 standby;	/* its last http.stats said so */
	bool	 counted;	/* requests and at_ms hold a reading */
	int64_t	 requests;
	int64_t	 at_ms;
	int64_t	 drain_since;	/* 0: serving */
	int64_t	 destroyed_at;	/* the agent destroyed it; 0: not */
	char	 addr[SC_DNS_ADDRMAX];	/* where it listens; "": unknown */
	char	 token[TOKEN_MAX];	/* the create job that made it */
};

/* What a reload may change: the worker's settings, sent to its child
 * (its interval is the tick, 0 while another scaler leads). */
struct settings {
	struct worker_timing		 timing;
	int				 agent_domain;
	char				 service[64];
	bool				 metric_connections;
	struct autoscale_settings	 as;
	int				 drain_ms;
	struct sc_dns_settings		 dns;
	/* The job store, opened again in the child (sc_config.h). */
	char				 store_sqlite[512];
	char				 store_pg[1024];
	struct jobq_settings		 jobs;
};

/* One web domain the fleet actor follows: its actor and last report. */
struct web_slot {
	struct actor	*actor;		/* NULL: none running now */
	struct web	 last;		/* its last report */
	bool		 listed;	/* in this round's domain.list */
	bool		 reported;	/* this round */
	double		 metric;	/* this round's, -1 if none */
	int64_t		 leaving_since;	/* out of DNS, not yet drained */
};

/* The fleet actor's messages (sc_fleet.c): a round begins, a web
 * actor's report (struct web_report, sc_web.h), decide with what came. */
enum {
	FLEET_TICK = 100,
	FLEET_REPORT,
	FLEET_DECIDE,
};

/* What the fleet actor decided this round, for the snapshot. */
struct round_result {
	int		 serving, starting, draining, desired, pending;
	double		 metric;		/* per domain; -1: none */
	const char	*why;
	bool		 decided;
};

/* The loop's own, in the worker's child, kept across its rounds. */
struct fleet_state {
	const struct settings	*s;		/* this round's */
	struct autoscale	 as;		/* the fleet actor's */
	struct web_slot		 webs[FLEET_MAX];	/* the fleet actor's */
	size_t			 nwebs;
	char			 last_warning[256];
	uint64_t		 ticks, created, drains, destroyed, errors;
	uint64_t		 creates_again, actor_restarts;
	/* The DNS actor's: what DNS was last set to, and when. */
	char			 dns_sent[FLEET_MAX][SC_DNS_ADDRMAX];
	size_t			 ndns_sent;
	int64_t			 dns_at;
	uint64_t		 dns_updates, dns_errors;
	struct jobq		*q;		/* the child's own connection */
	/* The actors, made in the child on its first round, each found by
	 * the others here (NULL while one is down: its supervisor starts it
	 * again). */
	struct event_base	*base;
	struct supervisor	*sup;
	struct actor		*fleet, *creates, *dns;
	struct round_result	 result;	/* the fleet actor's */
};

/*
 * The round's named actors (fleet, creates, dns) are found by the others
 * in the state while they run: each is spawned with a struct sc_named
 * as its init arg, and these register and unregister it; its state is
 * the sc_named (->f, the round's state).
 */
struct sc_named {
	struct fleet_state	 *f;
	struct actor		**slot;		/* &f->fleet, ... */
};
int	 sc_named_init(struct actor *, void *arg, void **state);
void	 sc_named_terminate(struct actor *, void *state, enum actor_exit);

int64_t	 sc_now_ms(void);
int64_t	 sc_wall_ms(void);
/* A failed call: counted, and logged when it is not the last one again. */
void	 sc_warn_once(struct fleet_state *, const char *what, const char *err);
/* One call to service svc in domain domid, on a connection of its own:
 * the result (the caller's), or NULL after sc_warn_once. */
json_t	*sc_call(struct fleet_state *, unsigned domid, const char *svc,
	    const char *method, json_t *params);
/* The job store, opened on first use; NULL after sc_warn_once. */
struct jobq *sc_store(struct fleet_state *);

#endif /* SC_ROUND_H */
