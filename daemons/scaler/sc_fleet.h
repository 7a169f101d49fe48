/*
 * sc_fleet: the control loop (docs/scaler.md).  Every tick it asks the
 * dom0 agent which web domains run (domain.list), asks each for its
 * counters (http.stats), turns them into the metric per domain
 * (requests answered per second, or connections open), lets the rule
 * decide how many domains to run (autoscale.h), and acts through the
 * agent: domain.create to grow (a warm domain unpaused, then told to
 * listen by http.serve: standing by, it is out of rotation), and to
 * shrink a graceful scale-in of the newest domains: http.drain first (it takes
 * no new connections, so the kernel sends them to the others), then
 * domain.destroy once its connections have ended or drain-ms passed.
 * With "dns" (sc_dns.h) the serving domains' addresses are kept under
 * one name, and a domain leaving is out of DNS for the TTL before its
 * drain begins.
 *
 * The calls block (rpc_client.h), so the loop is a worker (worker.h): a
 * child process, forked after the privilege drop, whose rounds are the
 * ticks and whose snapshots are what sys.stats shows; the daemon's event
 * loop keeps serving RPC.  In the child the loop is actors under a
 * supervisor (sc_fleet.c: one a web domain, sc_web.h; one for the job
 * kind domain.create, sc_creates.h; one for DNS; one deciding).  Its counters count from its child's start (a
 * child that died is replaced and starts again from nothing: it finds
 * the fleet through the agent).
 */
#ifndef SC_FLEET_H
#define SC_FLEET_H

#include <stdbool.h>

#include <jansson.h>

struct event_base;
struct sc_fleet;
struct sc_fleet_conf;
struct worker_fork_hooks;

/*
 * NULL after logging.  Copies what it keeps of conf.  Not leading, its
 * loop waits (sc_fleet_lead).  hooks (may be NULL) let the daemon put
 * its job store down around each fork of the loop (worker.h).
 */
struct sc_fleet	*sc_fleet_start(struct event_base *,
		    const struct sc_fleet_conf *, bool leading,
		    const struct worker_fork_hooks *hooks);
/*
 * Several hosts' scalers share one job store, and one leads
 * (jobq_lead): the others' loops wait, ready to take over.
 */
void		 sc_fleet_lead(struct sc_fleet *, bool leading);
/* A reload: the rule's settings and the loop's timings; history kept. */
void		 sc_fleet_set(struct sc_fleet *, const struct sc_fleet_conf *);
/* Stops the child (after its current call) and frees; NULL is fine. */
void		 sc_fleet_stop(struct sc_fleet *);
/* sys.stats' part: replicas, the last decision, actions taken. */
json_t		*sc_fleet_stats(struct sc_fleet *);

#endif /* SC_FLEET_H */
