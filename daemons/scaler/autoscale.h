/*
 * autoscale: how many web domains to run, decided as Kubernetes'
 * Horizontal Pod Autoscaler decides how many pods (docs/scaler.md).
 *
 * Each tick (the control loop's second) the caller gives the replicas
 * running and the metric's average per replica (requests per second,
 * requests in flight or p99 latency: whatever the target is in).  Then:
 *  1. raw = ceil(current x metric / target), unless metric / target is
 *     within the tolerance of 1 (then current: no change for noise);
 *  2. stabilised: the largest raw of the last down_window_ms when that
 *     is below current (scale in only what the whole window agreed to),
 *     the smallest of the last up_window_ms when above (0: at once);
 *  3. rate-limited: within a period, no more than the larger of `pods`
 *     and `percent` of the replicas at the period's start added (or
 *     removed), counting the changes already made in it;
 *  4. clamped to [min, max].
 * A decision that differs from current is taken as applied (a change is
 * recorded for step 3).  An unknown metric (negative) changes nothing.
 * Settings can change between ticks (a reload); the history is kept.
 */
#ifndef AUTOSCALE_H
#define AUTOSCALE_H

#include <stddef.h>
#include <stdint.h>

#define AUTOSCALE_HISTORY	1024	/* ticks remembered (windows) */

struct autoscale_rate {
	int	 pods;		/* at most this many ... */
	int	 percent;	/* ... or this share, whichever is more */
	int	 period_ms;
};

struct autoscale_settings {
	int			 min_replicas;
	int			 max_replicas;
	int			 target;	/* the metric per replica */
	int			 tolerance_pct;
	int			 down_window_ms;
	int			 up_window_ms;
	struct autoscale_rate	 up, down;
};

/* Kubernetes' defaults: tolerance 10 %, scale-in window 5 min, scale-out
 * at once; up 4 pods or 100 % per 15 s, down 100 % per 15 s. */
void	autoscale_defaults(struct autoscale_settings *);

struct autoscale_event {
	int64_t	 at;
	int	 value;
};

struct autoscale {
	struct autoscale_settings	 set;
	/* Rings, oldest at head: raw recommendations, and changes made. */
	struct autoscale_event		 recs[AUTOSCALE_HISTORY];
	size_t				 recs_head, nrecs;
	struct autoscale_event		 changes[AUTOSCALE_HISTORY];
	size_t				 changes_head, nchanges;
};

struct autoscale_decision {
	int		 desired;
	int		 raw;		/* step 1 */
	int		 stabilised;	/* step 2 */
	const char	*why;		/* what bound it, for the log */
};

void	autoscale_init(struct autoscale *, const struct autoscale_settings *);
/* A reload: new settings, the history kept. */
void	autoscale_set(struct autoscale *, const struct autoscale_settings *);
/* The replicas to run from now; metric < 0: unknown. */
int	autoscale_decide(struct autoscale *, int64_t now_ms, int current,
	    double metric, struct autoscale_decision *);

#endif /* AUTOSCALE_H */
