#include <math.h>
#include <string.h>

#include "autoscale.h"

void
autoscale_defaults(struct autoscale_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->min_replicas = 1;
	s->max_replicas = 10;
	s->target = 100;
	s->tolerance_pct = 10;
	s->down_window_ms = 300000;
	s->up_window_ms = 0;
	s->up = (struct autoscale_rate){ .pods = 4, .percent = 100,
	    .period_ms = 15000 };
	s->down = (struct autoscale_rate){ .pods = 0, .percent = 100,
	    .period_ms = 15000 };
}

void
autoscale_init(struct autoscale *a, const struct autoscale_settings *s)
{
	memset(a, 0, sizeof(*a));
	a->set = *s;
}

void
autoscale_set(struct autoscale *a, const struct autoscale_settings *s)
{
	a->set = *s;
}

/* ---- the two histories ---- */

static void
push(struct autoscale_event *ring, size_t *head, size_t *n, int64_t at,
    int value)
{
	if (*n == AUTOSCALE_HISTORY) {	/* the oldest goes */
		*head = (*head + 1) % AUTOSCALE_HISTORY;
		(*n)--;
	}
	ring[(*head + *n) % AUTOSCALE_HISTORY] =
	    (struct autoscale_event){ at, value };
	(*n)++;
}

static const struct autoscale_event *
nth(const struct autoscale_event *ring, size_t head, size_t i)
{
	return &ring[(head + i) % AUTOSCALE_HISTORY];
}

/* ---- the four steps ---- */

static int
raw_recommendation(const struct autoscale_settings *s, int current,
    double metric)
{
	double	 ratio;

	if (metric < 0 || s->target <= 0)
		return current;
	if (current == 0)
		return metric > 0 ? 1 : 0;
	ratio = metric / s->target;
	if (fabs(ratio - 1.0) <= s->tolerance_pct / 100.0)
		return current;
	return (int)ceil(current * ratio - 1e-9);
}

static int
stabilise(const struct autoscale *a, int64_t now, int current, int raw)
{
	int	 up = raw, down = raw;
	size_t	 i;
	const struct autoscale_event *e;

	for (i = 0; i < a->nrecs; i++) {
		e = nth(a->recs, a->recs_head, i);
		if (e->at > now - a->set.up_window_ms && e->value < up)
			up = e->value;
		if (e->at > now - a->set.down_window_ms && e->value > down)
			down = e->value;
	}
	if (current < up)
		return up;
	if (current > down)
		return down;
	return current;
}

/* Added (sign > 0) or removed (< 0) within the period before now. */
static int
changed_within(const struct autoscale *a, int64_t now, int period_ms,
    int sign)
{
	const struct autoscale_event	*e;
	size_t				 i;
	int				 sum = 0;

	for (i = 0; i < a->nchanges; i++) {
		e = nth(a->changes, a->changes_head, i);
		if (e->at > now - period_ms && e->value * sign > 0)
			sum += e->value * sign;
	}
	return sum;
}

static int
rate_limit(const struct autoscale *a, int64_t now, int current, int want,
    const char **why)
{
	const struct autoscale_rate	*r;
	int				 start, limit, by_pct;

	if (want > current) {
		r = &a->set.up;
		start = current - changed_within(a, now, r->period_ms, 1);
		by_pct = (int)ceil(start * (1.0 + r->percent / 100.0) - 1e-9);
		limit = start + r->pods > by_pct ? start + r->pods : by_pct;
		if (limit < current)
			limit = current;
		if (want > limit) {
			*why = "the scale-out rate";
			return limit;
		}
	} else if (want < current) {
		r = &a->set.down;
		start = current + changed_within(a, now, r->period_ms, -1);
		by_pct = (int)ceil(start * (1.0 - r->percent / 100.0) - 1e-9);
		limit = start - r->pods < by_pct ? start - r->pods : by_pct;
		if (limit > current)
			limit = current;
		if (want < limit) {
			*why = "the scale-in rate";
			return limit;
		}
	}
	return want;
}

int
autoscale_decide(struct autoscale *a, int64_t now, int current,
    double metric, struct autoscale_decision *d)
{
	const struct autoscale_settings	*s = &a->set;
	int				 want;

	d->why = "the metric";
	d->raw = raw_recommendation(s, current, metric);
	if (metric >= 0)
		push(a->recs, &a->recs_head, &a->nrecs, now, d->raw);
	else
		d->why = "no metric";
	d->stabilised = stabilise(a, now, current, d->raw);
	if (d->stabilised != d->raw)
		d->why = d->raw < current ? "the scale-in window" :
		    "the scale-out window";
	want = rate_limit(a, now, current, d->stabilised, &d->why);
	if (want < s->min_replicas) {
		want = s->min_replicas;
		d->why = "min-replicas";
	}
	if (want > s->max_replicas) {
		want = s->max_replicas;
		d->why = "max-replicas";
	}
	if (want != current)
		push(a->changes, &a->changes_head, &a->nchanges, now,
		    want - current);
	d->desired = want;
	return want;
}
