/*
 * ag_fleet: the domains the agent made, and its warm pool.
 *
 * The agent makes one kind of domain (ag_config.h) and acts only on the
 * domains it made: a caller can never destroy or unpause the xenstore
 * domain or another tenant's.  It keeps `pool` of them built and paused
 * (LightVM's idea on a stock toolstack): asking for a domain then takes
 * one from the pool and unpauses it, and the pool is refilled behind it;
 * with the pool empty a domain is built and started there and then.
 *
 * At start it adopts what a previous agent left: the toolstack's
 * domains named PREFIX-N, paused ones into the pool, running ones as
 * running, and numbers new ones after the highest N, so a restarted
 * agent neither loses nor duplicates a domain.
 */
#ifndef AG_FLEET_H
#define AG_FLEET_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#define AG_DOMS_MAX	256

struct ag_config;
struct ag_driver;
struct ag_fleet;
struct event_base;

/* Told once, from the loop: err 0, or an errno and msg. */
typedef void	(*ag_fleet_fn)(void *arg, int err, const char *msg,
		    uint32_t domid, const char *name, bool warm);

/* Takes the driver: ag_fleet_free frees it. */
struct ag_fleet	*ag_fleet_new(struct event_base *, struct ag_driver *,
		    const struct ag_config *);
/* The configuration after a reload (the pool size among it). */
void		 ag_fleet_set_config(struct ag_fleet *,
		    const struct ag_config *);
/* Adopt the toolstack's domains, then fill the pool. */
int		 ag_fleet_start(struct ag_fleet *);
void		 ag_fleet_free(struct ag_fleet *);

/*
 * 0 under way (or answered already: the domain token made before), or
 * -1 with errno (ENOSPC: AG_DOMS_MAX domains; EBUSY: token's domain is
 * still starting).  token may be NULL (ag_tokens.h).
 */
int		 ag_fleet_create(struct ag_fleet *, const char *token,
		    ag_fleet_fn, void *);
/* ESRCH: not one of ours; EBUSY: it is being built or started. */
int		 ag_fleet_destroy(struct ag_fleet *, uint32_t domid,
		    ag_fleet_fn, void *);
int		 ag_fleet_unpause(struct ag_fleet *, uint32_t domid,
		    ag_fleet_fn, void *);
int		 ag_fleet_pause(struct ag_fleet *, uint32_t domid,
		    ag_fleet_fn, void *);

/* {"domains": [{domid, name, state}], "pool": {ready, building, size}} */
json_t		*ag_fleet_json(const struct ag_fleet *);
/* Counters for sys.stats. */
json_t		*ag_fleet_stats(const struct ag_fleet *);

#endif /* AG_FLEET_H */
