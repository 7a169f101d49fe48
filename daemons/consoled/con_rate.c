#include "con_rate.h"

static void
refill(struct con_rate *r, uint64_t now)
{
	if (now > r->last) {
		r->tokens += (double)(now - r->last) * (double)r->rate / 1e9;
		if (r->tokens > (double)r->burst)
			r->tokens = (double)r->burst;
	}
	r->last = now;
}

void
con_rate_init(struct con_rate *r, uint64_t rate, uint64_t burst,
    uint64_t now)
{
	r->rate = rate;
	r->burst = burst;
	r->tokens = (double)burst;
	r->last = now;
}

void
con_rate_set(struct con_rate *r, uint64_t rate, uint64_t burst)
{
	r->rate = rate;
	r->burst = burst;
	if (r->tokens > (double)burst)
		r->tokens = (double)burst;
}

size_t
con_rate_take(struct con_rate *r, uint64_t now, size_t want)
{
	size_t got;

	if (r->rate == 0)
		return want;
	refill(r, now);
	got = r->tokens < (double)want ? (size_t)r->tokens : want;
	r->tokens -= (double)got;
	return got;
}
