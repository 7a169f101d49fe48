#include <signal.h>
#include <stdlib.h>

#include <check.h>

#include "unit.h"
#include <event2/event.h>

#include "evloop.h"
#include "fake_xenevtchn.h"
#include "log.h"

static struct evloop	*loop;
static int		 reloads;
static int		 ports[4];
static int		 nports;
static int		 unmasked_at_callback;

static void
setup(void)
{
	log_init("unit_evloop", 0, 0);
	ck_assert_ptr_nonnull(loop = evloop_new());
}

static void
teardown(void)
{
	evloop_free(loop);
}

static void
raise_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	raise(*(const int *)arg);
}

static void
exit_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	evloop_exit(arg);
}

static void
after_ms(int ms, event_callback_fn cb, void *arg)
{
	struct timeval	 tv = { 0, ms * 1000 };

	ck_assert_int_eq(event_base_once(evloop_base(loop), -1, EV_TIMEOUT,
	    cb, arg, &tv), 0);
}

static void
on_reload(void *arg)
{
	ck_assert_ptr_eq(arg, &reloads);
	reloads++;
	evloop_exit(loop);
}

START_TEST(test_sighup_reloads)
{
	static const int	 sig = SIGHUP;

	evloop_set_reload(loop, on_reload, &reloads);
	after_ms(10, raise_cb, (void *)&sig);
	ck_assert_int_eq(evloop_run(loop), 0);
	ck_assert_int_eq(reloads, 1);
}
END_TEST

/* Without a hook SIGHUP must not kill us, and the loop keeps running. */
START_TEST(test_sighup_no_hook)
{
	static const int	 sig = SIGHUP;

	after_ms(10, raise_cb, (void *)&sig);
	after_ms(60, exit_cb, loop);
	ck_assert_int_eq(evloop_run(loop), 0);
}
END_TEST

static const int	 exit_signals[] = { SIGTERM, SIGINT };

START_TEST(test_signal_exits)
{
	after_ms(10, raise_cb, (void *)&exit_signals[_i]);
	ck_assert_int_eq(evloop_run(loop), 0);
}
END_TEST

static void
on_port(evtchn_port_t port, void *arg)
{
	ck_assert_ptr_eq(arg, ports);
	unmasked_at_callback = fake_evtchn_nunmasked;
	ports[nports++] = (int)port;
	evloop_exit(loop);
}

START_TEST(test_evtchn)
{
	xenevtchn_handle	*xce;

	ck_assert_ptr_nonnull(xce = xenevtchn_open(NULL, 0));
	ck_assert_int_eq(evloop_add_evtchn(loop, xce, on_port, ports), 0);
	fake_evtchn_fire(xce, 7);
	ck_assert_int_eq(evloop_run(loop), 0);
	ck_assert_int_eq(nports, 1);
	ck_assert_int_eq(ports[0], 7);
	ck_assert_int_eq(unmasked_at_callback, 0);
	ck_assert_int_eq(fake_evtchn_nunmasked, 1);
	ck_assert_uint_eq(fake_evtchn_unmasked[0], 7);
	evloop_free(loop);
	loop = NULL;
	xenevtchn_close(xce);
}
END_TEST

/* A failed xenevtchn_pending() is logged; no callback, no unmask. */
START_TEST(test_evtchn_pending_fails)
{
	xenevtchn_handle	*xce;

	ck_assert_ptr_nonnull(xce = xenevtchn_open(NULL, 0));
	ck_assert_int_eq(evloop_add_evtchn(loop, xce, on_port, ports), 0);
	fake_evtchn_fire(xce, FAKE_EVTCHN_FAIL);
	fake_evtchn_fire(xce, 3);
	ck_assert_int_eq(evloop_run(loop), 0);
	ck_assert_int_eq(nports, 1);
	ck_assert_int_eq(ports[0], 3);
	ck_assert_int_eq(fake_evtchn_nunmasked, 1);
	ck_assert_uint_eq(fake_evtchn_unmasked[0], 3);
	evloop_free(loop);
	loop = NULL;
	xenevtchn_close(xce);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("evloop");
	TCase	*tc = tcase_create("evloop");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_sighup_reloads);
	tcase_add_test(tc, test_sighup_no_hook);
	tcase_add_loop_test(tc, test_signal_exits, 0, 2);
	tcase_add_test(tc, test_evtchn);
	tcase_add_test(tc, test_evtchn_pending_fails);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
