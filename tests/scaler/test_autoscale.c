/*
 * The control loop's decision rule (autoscale.h), step by step, and
 * against a simulated web fleet: a load step up and down, with noise,
 * new domains ready two ticks after they are asked for.
 */
#include <stdint.h>

#include <check.h>

#include "unit.h"

#include "autoscale.h"

static struct autoscale	 as;

static void
fresh(void)
{
	struct autoscale_settings	 s;

	autoscale_defaults(&s);
	autoscale_init(&as, &s);
}

static int
decide(int64_t t_ms, int current, double metric)
{
	struct autoscale_decision	 d;

	return autoscale_decide(&as, t_ms, current, metric, &d);
}

START_TEST(test_proportional_and_tolerance)
{
	fresh();
	ck_assert_int_eq(decide(0, 2, 250), 5);		/* ceil(2 x 2.5) */
	fresh();
	ck_assert_int_eq(decide(0, 4, 108), 4);		/* within 10 % */
	fresh();
	ck_assert_int_eq(decide(0, 4, 111), 5);		/* ceil(4.44) */
	fresh();
	ck_assert_int_eq(decide(0, 4, -1), 4);		/* no metric */
	fresh();
	ck_assert_int_eq(decide(0, 0, 0), 1);		/* min-replicas */
	fresh();
	ck_assert_int_eq(decide(0, 9, 5000), 10);	/* max-replicas */
}
END_TEST

/* Up 4 pods or 100 % per 15 s, whichever is more, counted per period. */
START_TEST(test_scale_out_rate)
{
	struct autoscale_decision	 d;

	fresh();
	ck_assert_int_eq(autoscale_decide(&as, 0, 1, 10000, &d), 5);
	ck_assert_str_eq(d.why, "the scale-out rate");
	ck_assert_int_eq(d.raw, 100);
	/* The same period: the 4 added count; no more. */
	ck_assert_int_eq(decide(1000, 5, 2000), 5);
	ck_assert_int_eq(decide(14000, 5, 2000), 5);
	/* A new period from 5: max(5 + 4, 2 x 5) = 10, then max-replicas. */
	ck_assert_int_eq(decide(15001, 5, 2000), 10);
}
END_TEST

/* Scale in only what the last 5 minutes all agreed to. */
START_TEST(test_scale_in_window)
{
	struct autoscale_decision	 d;
	int64_t				 t;

	fresh();
	for (t = 0; t < 10000; t += 1000)
		ck_assert_int_eq(decide(t, 8, 100), 8);
	ck_assert_int_eq(autoscale_decide(&as, 10000, 8, 10, &d), 8);
	ck_assert_int_eq(d.raw, 1);
	ck_assert_str_eq(d.why, "the scale-in window");
	/* The last 8 was at 9 s: still in the window until 309 s. */
	for (t = 11000; t < 309000; t += 1000)
		ck_assert_int_eq(decide(t, 8, 10), 8);
	ck_assert_int_eq(decide(309000, 8, 10), 1);
}
END_TEST

START_TEST(test_scale_in_rate_and_reload)
{
	struct autoscale_settings	 s;

	autoscale_defaults(&s);
	s.down_window_ms = 0;
	s.down = (struct autoscale_rate){ .pods = 2, .percent = 0,
	    .period_ms = 60000 };
	autoscale_init(&as, &s);
	ck_assert_int_eq(decide(0, 10, 10), 8);
	ck_assert_int_eq(decide(1000, 8, 10), 8);	/* 2 a minute */
	ck_assert_int_eq(decide(60001, 8, 10), 6);
	/* A reload: 50 % a minute now, history kept. */
	s.down.percent = 50;
	autoscale_set(&as, &s);
	ck_assert_int_eq(decide(60002, 6, 10), 4);	/* half of 8 */
	ck_assert_int_eq(decide(60003, 4, 10), 4);	/* that period's */
	ck_assert_int_eq(decide(120003, 4, 10), 2);	/* half of 4 */
}
END_TEST

/*
 * The fleet: offered load (requests/s) spread over the ready web
 * domains, each serving at most 150/s; domains asked for are ready two
 * ticks later; the metric is requests/s per domain with +-20 % noise (a
 * fixed sequence), target 100.  The load steps from 150 to 1000 at 60 s
 * and back at 400 s.
 */
START_TEST(test_simulated_fleet)
{
	int	 decided[1000], t, ready, want = 1, flips = 0, dir = 0, up_at = -1;
	double	 load, served, noise;
	uint32_t rnd = 12345;

	fresh();
	for (t = 0; t < 1000; t++) {
		load = t >= 60 && t < 400 ? 1000 : 150;
		ready = t >= 2 ? decided[t - 2] : 1;
		served = load < ready * 150.0 ? load : ready * 150.0;
		rnd = rnd * 1103515245u + 12345u;
		noise = 1.0 + ((double)(rnd >> 16 & 0x7fff) / 0x7fff - 0.5) *
		    0.40;
		want = decide((int64_t)t * 1000, want, served / ready * noise);
		decided[t] = want;
		if (t > 0 && want != decided[t - 1]) {
			int d = want > decided[t - 1] ? 1 : -1;

			if (dir != 0 && d != dir)
				flips++;
			dir = d;
		}
		if (up_at < 0 && want >= 10)
			up_at = t;
	}
	/* Out to 10 within 30 s of the step, in two rate-limited moves. */
	ck_assert_int_ge(up_at, 60);
	ck_assert_int_le(up_at, 90);
	/* Held at 10 through the load, whatever the noise. */
	for (t = up_at; t < 400 + 299; t++)
		ck_assert_int_eq(decided[t], 10);
	/* In again once the window has passed, to 2 (150/s at 100 each). */
	ck_assert_int_eq(decided[999], 2);
	/* One way out, one way in: no flapping. */
	ck_assert_int_le(flips, 2);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("autoscale");
	TCase	*tc = tcase_create("autoscale");

	tcase_add_test(tc, test_proportional_and_tolerance);
	tcase_add_test(tc, test_scale_out_rate);
	tcase_add_test(tc, test_scale_in_window);
	tcase_add_test(tc, test_scale_in_rate_and_reload);
	tcase_add_test(tc, test_simulated_fleet);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
