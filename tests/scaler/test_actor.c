/*
 * The scaler's actors and supervisors (actor.h, supervisor.h) on a real
 * libevent loop, with a fake clock for restart intensity: mailboxes
 * (order, the bound, turns of ACTOR_BATCH), timers, a failed start, each
 * restart strategy and restart type, intensity within and past its
 * period, a supervision tree, and the order of kills.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <check.h>
#include <event2/event.h>

#include "unit.h"

#include "actor.h"
#include "supervisor.h"

enum { MSG_NOTE, MSG_CRASH, MSG_STOP, MSG_TICK };

/* What happened, in order: "+A" started, "-A" ended, "A3" received. */
static char	 story[4096];
static int	 fail_init;		/* bitmask of ids whose init fails */
static int	 exits[4];		/* on_exit calls, by enum actor_exit */
static int64_t	 fake_now;

static void
tell(const char *a, const char *b)
{
	size_t	 n = strlen(story);

	snprintf(story + n, sizeof(story) - n, "%s%s", a, b);
}

struct worker {
	const char	*name;
};

static int
w_init(struct actor *a, void *arg, void **state)
{
	static struct worker	 ws[26];
	int			 id = (int)(long)arg;

	if (fail_init & (1 << id))
		return -1;
	ws[id].name = actor_name(a);
	*state = &ws[id];
	tell("+", actor_name(a));
	return 0;
}

static int
w_receive(struct actor *a, void *state, const struct actor_msg *m)
{
	struct worker	*w = state;
	char		 v[16];

	(void)a;
	switch (m->type) {
	case MSG_CRASH:
		return ACTOR_CRASH;
	case MSG_STOP:
		return ACTOR_STOP;
	case MSG_TICK:
		tell(w->name, ":tick");
		return ACTOR_OK;
	default:
		snprintf(v, sizeof(v), "%d", m->data != NULL ?
		    *(int *)m->data : -1);
		tell(w->name, v);
		return ACTOR_OK;
	}
}

static void
w_terminate(struct actor *a, void *state, enum actor_exit why)
{
	(void)state;
	tell("-", actor_name(a));
	if (why == ACTOR_KILLED)
		tell("(k)", "");
}

static const struct actor_kind worker_kind = {
	.name = "worker", .init = w_init, .receive = w_receive,
	.terminate = w_terminate,
};

static void
count_exit(void *arg, enum actor_exit why)
{
	(void)arg;
	exits[why]++;
}

/* Runs what is ready, and what that makes ready, to the end. */
static void
drain(struct event_base *base)
{
	int	 i;

	for (i = 0; i < 200; i++)
		event_base_loop(base, EVLOOP_NONBLOCK);
}

static struct event_base *
setup(void)
{
	story[0] = '\0';
	fail_init = 0;
	memset(exits, 0, sizeof(exits));
	fake_now = 0;
	return event_base_new();
}

static struct actor *
spawn(struct event_base *base, const char *name, int id, size_t box)
{
	struct actor_spawn	 s = { .kind = &worker_kind,
				    .arg = (void *)(long)id, .name = name,
				    .mailbox = box, .on_exit = count_exit };

	return actor_spawn(base, &s);
}

START_TEST(test_mailbox_order_and_bound)
{
	struct event_base	*base = setup();
	struct actor		*a = spawn(base, "A", 0, 4);
	static int		 v[5] = { 0, 1, 2, 3, 4 };
	int			 i;

	for (i = 0; i < 4; i++)
		ck_assert_int_eq(actor_send(a, MSG_NOTE, &v[i], NULL), 0);
	ck_assert_int_eq(actor_send(a, MSG_NOTE, &v[4], NULL), -1);
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_uint_eq(actor_queued(a), 4);
	drain(base);
	ck_assert_str_eq(story, "+AA0A1A2A3");
	ck_assert_int_eq(actor_send(a, MSG_NOTE, &v[4], NULL), 0);
	drain(base);
	ck_assert_str_eq(story, "+AA0A1A2A3A4");
	actor_kill(a);
	ck_assert_str_eq(story, "+AA0A1A2A3A4-A(k)");
	ck_assert_int_eq(exits[ACTOR_KILLED], 0);	/* no hook */
	event_base_free(base);
}
END_TEST

/* A busy actor yields after ACTOR_BATCH messages. */
START_TEST(test_turns)
{
	struct event_base	*base = setup();
	struct actor		*a = spawn(base, "A", 0, 64);
	struct actor		*b = spawn(base, "B", 1, 64);
	static int		 v = 7;
	int			 i;
	char			*first_b, *a_after;

	for (i = 0; i < ACTOR_BATCH + 4; i++)
		ck_assert_int_eq(actor_send(a, MSG_NOTE, &v, NULL), 0);
	ck_assert_int_eq(actor_send(b, MSG_NOTE, &v, NULL), 0);
	drain(base);
	first_b = strstr(story, "B7");
	ck_assert_ptr_nonnull(first_b);
	/* A's 17th message comes after B's first. */
	a_after = strstr(first_b, "A7");
	ck_assert_ptr_nonnull(a_after);
	actor_kill(a);
	actor_kill(b);
	event_base_free(base);
}
END_TEST

START_TEST(test_stop_crash_and_failed_init)
{
	struct event_base	*base = setup();
	struct actor		*a = spawn(base, "A", 0, 4);
	struct actor		*b = spawn(base, "B", 1, 4);
	struct actor		*c;

	ck_assert_int_eq(actor_send(a, MSG_STOP, NULL, NULL), 0);
	ck_assert_int_eq(actor_send(b, MSG_CRASH, NULL, NULL), 0);
	fail_init = 1 << 2;
	c = spawn(base, "C", 2, 4);
	ck_assert_ptr_nonnull(c);
	/* Ending: it takes no more mail. */
	ck_assert_int_eq(actor_send(c, MSG_NOTE, NULL, NULL), -1);
	ck_assert_int_eq(errno, ESRCH);
	drain(base);
	ck_assert_int_eq(exits[ACTOR_NORMAL], 1);
	ck_assert_int_eq(exits[ACTOR_CRASHED], 2);
	ck_assert_str_eq(story, "+A+B-A-B");	/* C never started */
	event_base_free(base);
}
END_TEST

START_TEST(test_timer)
{
	struct event_base	*base = setup();
	struct actor		*a = spawn(base, "A", 0, 1);
	int			 i;

	ck_assert_int_eq(actor_after(a, 1, MSG_TICK), 0);
	for (i = 0; i < 100 && strstr(story, "tick") == NULL; i++)
		event_base_loop(base, EVLOOP_ONCE);
	ck_assert_str_eq(story, "+AA:tick");
	/* A timer pending when the actor goes goes with it. */
	ck_assert_int_eq(actor_after(a, 60000, MSG_TICK), 0);
	actor_kill(a);
	ck_assert_int_eq(event_base_get_num_events(base,
	    EVENT_BASE_COUNT_ADDED), 0);
	event_base_free(base);
}
END_TEST

/* ---- supervisors ---- */

static int64_t
clock_fake(void *arg)
{
	(void)arg;
	return fake_now;
}

static int	 root_failed;

static void
on_root_fail(void *arg, struct supervisor *s)
{
	(void)arg;
	(void)s;
	root_failed++;
}

static const struct sup_opts opts = { .now_ms = clock_fake,
	.on_fail = on_root_fail };

#define CHILD(n, id, r) { .name = n, .restart = r, .kind = &worker_kind, \
	.arg = (void *)(long)(id), .mailbox = 8 }

static const struct sup_child_spec abc[] = {
	CHILD("A", 0, SUP_PERMANENT), CHILD("B", 1, SUP_PERMANENT),
	CHILD("C", 2, SUP_PERMANENT),
};

static struct supervisor *
supervise(struct event_base *base, struct sup_spec *spec,
    enum sup_strategy how)
{
	spec->name = "test";
	spec->strategy = how;
	spec->intensity = 3;
	spec->period_ms = 5000;
	spec->children = abc;
	spec->nchildren = 3;
	root_failed = 0;
	return sup_start(base, spec, &opts);
}

static void
crash(struct supervisor *s, size_t i)
{
	ck_assert_ptr_nonnull(sup_actor(s, i));
	ck_assert_int_eq(actor_send(sup_actor(s, i), MSG_CRASH, NULL, NULL),
	    0);
}

START_TEST(test_one_for_one)
{
	struct event_base	*base = setup();
	struct sup_spec		 spec;
	struct supervisor	*s = supervise(base, &spec, SUP_ONE_FOR_ONE);

	crash(s, 1);
	drain(base);
	ck_assert_str_eq(story, "+A+B+C-B+B");
	ck_assert_uint_eq(sup_restarts(s), 1);
	sup_stop(s);
	/* Stopped: killed last started first. */
	ck_assert_str_eq(story, "+A+B+C-B+B-C(k)-B(k)-A(k)");
	event_base_free(base);
}
END_TEST

START_TEST(test_one_for_all)
{
	struct event_base	*base = setup();
	struct sup_spec		 spec;
	struct supervisor	*s = supervise(base, &spec, SUP_ONE_FOR_ALL);

	crash(s, 1);
	drain(base);
	ck_assert_str_eq(story, "+A+B+C-B-C(k)-A(k)+A+B+C");
	ck_assert_uint_eq(sup_restarts(s), 1);
	sup_stop(s);
	event_base_free(base);
}
END_TEST

START_TEST(test_rest_for_one)
{
	struct event_base	*base = setup();
	struct sup_spec		 spec;
	struct supervisor	*s = supervise(base, &spec, SUP_REST_FOR_ONE);

	crash(s, 1);
	drain(base);
	ck_assert_str_eq(story, "+A+B+C-B-C(k)+B+C");
	crash(s, 2);
	drain(base);
	ck_assert_str_eq(story, "+A+B+C-B-C(k)+B+C-C+C");
	ck_assert_uint_eq(sup_restarts(s), 2);
	sup_stop(s);
	event_base_free(base);
}
END_TEST

START_TEST(test_restart_types)
{
	static const struct sup_child_spec kids[] = {
		CHILD("T", 0, SUP_TRANSIENT), CHILD("U", 1, SUP_TRANSIENT),
		CHILD("X", 2, SUP_TEMPORARY),
	};
	struct sup_spec		 spec = { .name = "types",
				    .strategy = SUP_ONE_FOR_ONE,
				    .intensity = 3, .period_ms = 5000,
				    .children = kids, .nchildren = 3 };
	struct event_base	*base = setup();
	struct supervisor	*s = sup_start(base, &spec, &opts);

	ck_assert_int_eq(actor_send(sup_actor(s, 0), MSG_STOP, NULL, NULL),
	    0);
	crash(s, 1);
	crash(s, 2);
	drain(base);
	/* T stopped normally: left down; U crashed: back; X: never. */
	ck_assert_str_eq(story, "+T+U+X-T-U-X+U");
	ck_assert_ptr_null(sup_actor(s, 0));
	ck_assert_ptr_nonnull(sup_actor(s, 1));
	ck_assert_ptr_null(sup_actor(s, 2));
	ck_assert_uint_eq(sup_restarts(s), 1);
	sup_stop(s);
	event_base_free(base);
}
END_TEST

/* intensity 3 in 5 s: a fourth crash within the period is too many. */
START_TEST(test_intensity_exceeded)
{
	struct event_base	*base = setup();
	struct sup_spec		 spec;
	struct supervisor	*s = supervise(base, &spec, SUP_ONE_FOR_ONE);
	int			 i;

	for (i = 0; i < 3; i++) {
		fake_now += 1000;
		crash(s, 0);
		drain(base);
	}
	ck_assert_uint_eq(sup_restarts(s), 3);
	ck_assert_int_eq(root_failed, 0);
	fake_now += 1000;	/* 4 restarts within 4 s */
	crash(s, 0);
	drain(base);
	ck_assert_int_eq(sup_failed(s), 1);
	ck_assert_int_eq(root_failed, 1);
	ck_assert_ptr_null(sup_actor(s, 0));
	ck_assert_ptr_null(sup_actor(s, 1));
	ck_assert_ptr_null(sup_actor(s, 2));
	sup_stop(s);
	event_base_free(base);
}
END_TEST

/* The same crashes spread wider than the period are fine. */
START_TEST(test_intensity_window_slides)
{
	struct event_base	*base = setup();
	struct sup_spec		 spec;
	struct supervisor	*s = supervise(base, &spec, SUP_ONE_FOR_ONE);
	int			 i;

	for (i = 0; i < 10; i++) {
		fake_now += 1700;	/* 3 in 5.1 s at most */
		crash(s, 2);
		drain(base);
	}
	ck_assert_uint_eq(sup_restarts(s), 10);
	ck_assert_int_eq(sup_failed(s), 0);
	ck_assert_int_eq(root_failed, 0);
	sup_stop(s);
	event_base_free(base);
}
END_TEST

/* A failing start counts as a crash: bounded by intensity, not a loop. */
START_TEST(test_failing_start_gives_up)
{
	struct event_base	*base = setup();
	struct sup_spec		 spec;
	struct supervisor	*s;

	fail_init = 1 << 1;
	s = supervise(base, &spec, SUP_ONE_FOR_ONE);
	drain(base);
	ck_assert_int_eq(sup_failed(s), 1);
	ck_assert_uint_eq(sup_restarts(s), 3);
	ck_assert_int_eq(root_failed, 1);
	sup_stop(s);
	event_base_free(base);
}
END_TEST

/* A sub-supervisor that gives up is its parent's crashed child. */
START_TEST(test_tree)
{
	static const struct sup_child_spec inner_kids[] = {
		CHILD("X", 3, SUP_PERMANENT),
	};
	static const struct sup_spec inner = { .name = "inner",
		.strategy = SUP_ONE_FOR_ONE, .intensity = 0,
		.period_ms = 1000, .children = inner_kids, .nchildren = 1 };
	static const struct sup_child_spec outer_kids[] = {
		CHILD("A", 0, SUP_PERMANENT),
		{ .name = "inner", .restart = SUP_PERMANENT, .sub = &inner },
	};
	struct sup_spec		 outer = { .name = "outer",
				    .strategy = SUP_ONE_FOR_ONE,
				    .intensity = 1, .period_ms = 1000,
				    .children = outer_kids, .nchildren = 2 };
	struct event_base	*base = setup();
	struct supervisor	*s;
	struct supervisor	*sub;

	root_failed = 0;
	s = sup_start(base, &outer, &opts);
	sub = sup_sub(s, 1);
	ck_assert_ptr_nonnull(sub);
	crash(sub, 0);
	drain(base);
	/* inner gave up (intensity 0); outer started a new inner. */
	ck_assert_str_eq(story, "+A+X-X+X");
	ck_assert_uint_eq(sup_restarts(s), 1);
	ck_assert_ptr_nonnull(sup_sub(s, 1));
	ck_assert_int_eq(sup_failed(sup_sub(s, 1)), 0);
	/* Again within outer's period: outer gives up too, at the root. */
	crash(sup_sub(s, 1), 0);
	drain(base);
	ck_assert_int_eq(sup_failed(s), 1);
	ck_assert_int_eq(root_failed, 1);
	ck_assert_str_eq(story, "+A+X-X+X-X-A(k)");
	sup_stop(s);
	event_base_free(base);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("actor");
	TCase	*tc = tcase_create("actor");

	tcase_add_test(tc, test_mailbox_order_and_bound);
	tcase_add_test(tc, test_turns);
	tcase_add_test(tc, test_stop_crash_and_failed_init);
	tcase_add_test(tc, test_timer);
	tcase_add_test(tc, test_one_for_one);
	tcase_add_test(tc, test_one_for_all);
	tcase_add_test(tc, test_rest_for_one);
	tcase_add_test(tc, test_restart_types);
	tcase_add_test(tc, test_intensity_exceeded);
	tcase_add_test(tc, test_intensity_window_slides);
	tcase_add_test(tc, test_failing_start_gives_up);
	tcase_add_test(tc, test_tree);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
