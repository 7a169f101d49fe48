/*
 * consoled's own code with no hypervisor: the ring arithmetic against
 * hostile indices, the byte FIFO, the token bucket, timestamps in the
 * log, and the service interface (con_api.h) over domains whose console
 * page is plain memory (con_dom_attach_page) and whose clock the test
 * turns: list, tail by lines and bytes, follow and its end, write into
 * `in`, the held-then-dropped policy with its marker, and a bad ring
 * that leaves its neighbour alone.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <xen/io/console.h>

#include "con_api.h"
#include "con_buf.h"
#include "con_dom.h"
#include "con_log.h"
#include "con_rate.h"
#include "con_ring.h"
#include "log.h"
#include "unit.h"

#define OUT_SIZE	sizeof(((struct xencons_interface *)0)->out)

static uint64_t fake_now;

static uint64_t
fake_clock(void)
{
	return fake_now;
}

/* The guest's side: put s into out. */
static void
guest_put(struct xencons_interface *c, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		c->out[MASK_XENCONS_IDX(c->out_prod + i, c->out)] = s[i];
	c->out_prod += (XENCONS_RING_IDX)n;
}

START_TEST(test_ring_hostile)
{
	struct xencons_interface *c = calloc(1, sizeof(*c));
	char buf[4096];

	guest_put(c, "abc", 3);
	ck_assert_int_eq(con_ring_out_avail(c), 3);
	ck_assert_int_eq(con_ring_read(c, buf, sizeof(buf)), 3);
	ck_assert_int_eq(memcmp(buf, "abc", 3), 0);
	/* Wrapping indices are fine; a producer a ring ahead is not. */
	c->out_cons = c->out_prod = 0xfffffffe;
	guest_put(c, "wxyz", 4);
	ck_assert_int_eq(con_ring_read(c, buf, sizeof(buf)), 4);
	ck_assert_int_eq(memcmp(buf, "wxyz", 4), 0);
	c->out_prod = c->out_cons + OUT_SIZE + 1;
	ck_assert_int_eq(con_ring_out_avail(c), -1);
	ck_assert_int_eq(con_ring_read(c, buf, sizeof(buf)), -1);
	c->out_prod = c->out_cons - 1;		/* behind the consumer */
	ck_assert_int_eq(con_ring_read(c, buf, sizeof(buf)), -1);
	/* in: only what fits; a consumer past the producer is refused. */
	memset(buf, 'i', sizeof(buf));
	ck_assert_int_eq(con_ring_write(c, buf, 2000), 1024);
	ck_assert_int_eq(con_ring_write(c, buf, 10), 0);
	c->in_cons = c->in_prod + 5;
	ck_assert_int_eq(con_ring_write(c, buf, 10), -1);
	free(c);
}
END_TEST

START_TEST(test_buf)
{
	struct con_buf b;
	char out[16] = "";

	ck_assert_int_eq(con_buf_init(&b, 8), 0);
	ck_assert_uint_eq(con_buf_put(&b, "0123456789", 10), 8);
	con_buf_drop(&b, 3);
	ck_assert_uint_eq(con_buf_put(&b, "ab", 2), 2);	/* wraps */
	ck_assert_uint_eq(con_buf_copy(&b, 0, out, 7), 7);
	ck_assert_str_eq(out, "34567ab");
	con_buf_put_evict(&b, "a\nb\nc", 5);
	memset(out, 0, sizeof(out));
	con_buf_copy(&b, 0, out, b.len);
	ck_assert_str_eq(out, "7aba\nb\nc");
	ck_assert_uint_eq(con_buf_tail_lines(&b, 1), 1);	/* "c" */
	ck_assert_uint_eq(con_buf_tail_lines(&b, 2), 3);	/* "b\nc" */
	ck_assert_uint_eq(con_buf_tail_lines(&b, 9), 8);
	con_buf_free(&b);
	ck_assert_int_eq(con_buf_init(&b, 0), 0);	/* holds nothing */
	con_buf_put_evict(&b, "x", 1);
	ck_assert_uint_eq(b.len, 0);
	con_buf_free(&b);
}
END_TEST

START_TEST(test_rate)
{
	struct con_rate r;

	con_rate_init(&r, 1000, 500, 0);
	ck_assert_uint_eq(con_rate_take(&r, 0, 800), 500);
	ck_assert_uint_eq(con_rate_take(&r, 0, 1), 0);
	ck_assert_uint_eq(con_rate_take(&r, 100000000, 1000), 100);
	ck_assert_uint_eq(con_rate_take(&r, 10000000000ull, 1000), 500);
	con_rate_init(&r, 0, 1, 0);			/* no limit */
	ck_assert_uint_eq(con_rate_take(&r, 0, 1 << 30), 1 << 30);
}
END_TEST

START_TEST(test_log_timestamps)
{
	char dir[] = "/tmp/con-unit.XXXXXX", path[4096], buf[256] = "";
	struct con_log l;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(con_log_name(path, sizeof(path), dir, "../x y"), 0);
	ck_assert_ptr_nonnull(strstr(path, "/guest-_._x_y.log"));
	ck_assert_int_eq(con_log_open(&l, path, true), 0);
	con_log_write(&l, "one\ntw", 6);
	con_log_write(&l, "o\nthree\n", 8);
	con_log_close(&l);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fread(buf, 1, sizeof(buf) - 1, f), 3 * 26 + 14);
	fclose(f);
	/* "[YYYY-MM-DD HH:MM:SS.mmm] " before each line, once. */
	ck_assert_int_eq(buf[0], '[');
	ck_assert_int_eq(buf[24], ']');
	ck_assert_int_eq(strncmp(buf + 26, "one\n[", 5), 0);
	ck_assert_int_eq(strncmp(buf + 56, "two\n[", 5), 0);
	ck_assert_int_eq(strncmp(buf + 86, "three\n", 6), 0);
	unlink(path);
	rmdir(dir);
}
END_TEST

/* ---- the service interface ---- */

static struct con_config cfg;
static struct event_base *base;
static struct con_doms doms;
static char logdir[32];

static void
setup(void)
{
	snprintf(logdir, sizeof(logdir), "/tmp/con-unit.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(logdir));
	ck_assert_int_eq(con_config_load(NULL, &cfg, (char[64]){ 0 }, 64), 0);
	ck_assert_int_eq(con_config_set_logdir(&cfg, logdir), 0);
	cfg.pty = false;
	cfg.rate = 1000;
	cfg.burst = 100;
	cfg.buffer = 50;
	cfg.history = 64;
	base = event_base_new();
	ck_assert_int_eq(con_doms_init(&doms, base, &cfg, NULL, NULL), 0);
	doms.clock = fake_clock;
	fake_now = 1;
}

static void
teardown(void)
{
	char cmd[64];

	con_doms_fini(&doms);
	event_base_free(base);
	con_config_free(&cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", logdir);
	ck_assert_int_eq(system(cmd), 0);
}

struct seen {
	char	buf[4096];
	size_t	len;
	int	ends;
};

static void
follow_cb(const char *p, size_t n, void *arg)
{
	struct seen *s = arg;

	if (p == NULL) {
		s->ends++;
		return;
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
}

static struct con_dom *
dom_with_page(unsigned id, const char *name, struct xencons_interface **c)
{
	struct con_dom *d = con_dom_new(&doms, id, name);

	ck_assert_ptr_nonnull(d);
	*c = calloc(1, sizeof(**c));
	ck_assert_int_eq(con_dom_attach_page(d, *c), 0);
	return d;
}

START_TEST(test_api)
{
	struct xencons_interface *c1, *c2;
	struct con_dom *d1, *d2;
	struct con_dominfo *v;
	struct con_follow *f;
	struct seen s = { .len = 0 };
	char *buf;
	size_t n, len;

	d1 = dom_with_page(1, "web1", &c1);
	d2 = dom_with_page(2, "web2", &c2);
	f = con_api_follow(&doms, "web1", follow_cb, &s);
	ck_assert_ptr_nonnull(f);
	guest_put(c1, "line one\nline two\nthree", 23);
	con_dom_kick(d1);
	ck_assert_uint_eq(s.len, 23);
	ck_assert_int_eq(memcmp(s.buf, "line one\nline two\nthree", 23), 0);

	ck_assert_int_eq(con_api_tail(&doms, "1", CON_LINES, 2, &buf, &len), 0);
	ck_assert_str_eq(buf, "line two\nthree");
	free(buf);
	ck_assert_int_eq(con_api_tail(&doms, "web1", CON_BYTES, 5, &buf, &len),
	    0);
	ck_assert_str_eq(buf, "three");
	free(buf);
	ck_assert_int_eq(con_api_tail(&doms, "nope", CON_LINES, 1, &buf, &len),
	    -1);
	ck_assert_int_eq(errno, ENOENT);

	/* write: into in, as much as fits. */
	ck_assert_int_eq(con_api_write(&doms, "web2", "hello", 5), 5);
	ck_assert_uint_eq(c2->in_prod, 5);
	ck_assert_int_eq(memcmp(c2->in, "hello", 5), 0);

	ck_assert_int_eq(con_api_list(&doms, &v, &n), 0);
	ck_assert_uint_eq(n, 2);
	for (size_t i = 0; i < n; i++) {
		if (v[i].domid != 1)
			continue;
		ck_assert_str_eq(v[i].name, "web1");
		ck_assert_uint_eq(v[i].seen, 23);
		ck_assert_uint_eq(v[i].dropped, 0);
		ck_assert(!v[i].bad && v[i].attached);
		ck_assert_ptr_nonnull(strstr(v[i].log, "guest-web1.log"));
		ck_assert_str_eq(v[i].tty, "");
	}
	free(v);

	/* The follower hears the end when the domain goes. */
	con_dom_free(d1);
	ck_assert_int_eq(s.ends, 1);
	free(c1);
	con_dom_free(d2);
	free(c2);
}
END_TEST

START_TEST(test_unfollow)
{
	struct xencons_interface *c;
	struct con_dom *d = dom_with_page(3, "u", &c);
	struct seen s = { .len = 0 };
	struct con_follow *f = con_api_follow(&doms, "u", follow_cb, &s);

	con_api_unfollow(f);
	guest_put(c, "x\n", 2);
	con_dom_kick(d);
	ck_assert_uint_eq(s.len, 0);
	ck_assert_ptr_null(con_api_follow(&doms, "u", NULL, NULL));
	con_dom_free(d);
	ck_assert_int_eq(s.ends, 0);
	free(c);
}
END_TEST

/*
 * burst 100, buffer 50: of 400 bytes at once, 100 go out, 50 are held,
 * 250 dropped; a second later the held 50 and the marker go out.
 */
START_TEST(test_discard_policy)
{
	struct xencons_interface *c;
	struct con_dom *d = dom_with_page(4, "chatty", &c);
	struct seen s = { .len = 0 };
	char data[400], want[512];
	size_t i, n;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (char)('a' + i % 26);
	ck_assert_ptr_nonnull(con_api_follow(&doms, "chatty", follow_cb, &s));
	guest_put(c, data, 200);
	con_dom_kick(d);
	guest_put(c, data + 200, 200);
	con_dom_kick(d);
	ck_assert_uint_eq(d->seen, 400);
	ck_assert_uint_eq(s.len, 100);
	ck_assert_uint_eq(d->held.len, 50);
	ck_assert_uint_eq(d->dropped, 250);
	ck_assert_uint_eq(c->out_cons, 400);	/* the guest never waits */
	fake_now += 1000000000ull;
	con_dom_kick(d);
	n = (size_t)snprintf(want, sizeof(want), "%.150s\n[consoled: 250 "
	    "bytes dropped]\n", data);
	ck_assert_uint_eq(s.len, n);
	ck_assert_int_eq(memcmp(s.buf, want, n), 0);
	con_dom_free(d);
	free(c);
}
END_TEST

/* Hostile indices mark that domain bad; its neighbour is served. */
START_TEST(test_bad_ring)
{
	struct xencons_interface *c1, *c2;
	struct con_dom *d1 = dom_with_page(5, "evil", &c1);
	struct con_dom *d2 = dom_with_page(6, "fine", &c2);
	char *buf;
	size_t len;

	guest_put(c1, "ok\n", 3);
	con_dom_kick(d1);
	c1->out_prod += 5000;
	con_dom_kick(d1);
	ck_assert(d1->bad);
	ck_assert(!con_dom_attached(d1));
	ck_assert_int_eq(con_api_write(&doms, "evil", "x", 1), -1);
	ck_assert_int_eq(errno, EIO);
	guest_put(c2, "still here\n", 11);
	con_dom_kick(d2);
	ck_assert_int_eq(con_api_tail(&doms, "fine", CON_LINES, 1, &buf, &len),
	    0);
	ck_assert_str_eq(buf, "still here\n");
	free(buf);
	ck_assert_int_eq(con_api_tail(&doms, "evil", CON_LINES, 5, &buf, &len),
	    0);
	ck_assert_str_eq(buf, "ok\n");
	free(buf);
	con_dom_free(d1);
	con_dom_free(d2);
	free(c1);
	free(c2);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("consoled");
	TCase *tc = tcase_create("parts");
	TCase *api = tcase_create("api");

	log_init("unit_consoled", 0, -1);
	tcase_add_test(tc, test_ring_hostile);
	tcase_add_test(tc, test_buf);
	tcase_add_test(tc, test_rate);
	tcase_add_test(tc, test_log_timestamps);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(api, setup, teardown);
	tcase_add_test(api, test_api);
	tcase_add_test(api, test_unfollow);
	tcase_add_test(api, test_discard_policy);
	tcase_add_test(api, test_bad_ring);
	suite_add_tcase(s, api);
	return unit_run(s);
}
