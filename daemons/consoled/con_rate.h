/*
 * con_rate: a token bucket in bytes: `rate` bytes a second, up to
 * `burst` saved up.  Owns only the arithmetic; the caller passes the
 * time (monotonic nanoseconds), so tests need no clock.  A rate of 0
 * means no limit.
 */
#ifndef CON_RATE_H
#define CON_RATE_H

#include <stddef.h>
#include <stdint.h>

struct con_rate {
	uint64_t	rate, burst;
	double		tokens;
	uint64_t	last;		/* ns */
};

void	con_rate_init(struct con_rate *, uint64_t rate, uint64_t burst,
	    uint64_t now);
/* New limits, keeping what is saved up (within the new burst). */
void	con_rate_set(struct con_rate *, uint64_t rate, uint64_t burst);
/* Take up to want tokens; returns how many were granted. */
size_t	con_rate_take(struct con_rate *, uint64_t now, size_t want);

#endif /* CON_RATE_H */
