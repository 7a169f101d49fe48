/*
 * byte_ring: wrap-around, full and empty, indices a peer broke, and no
 * lost wakeup against a producer that notifies as Linux's xenbus does.
 */
#include <sys/eventfd.h>

#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "unit.h"

#include "byte_ring.h"

static uint8_t		 buf[16];
static uint32_t		 cons, prod;
static struct byte_ring	 R = { buf, sizeof(buf), &cons, &prod };

static void
at(uint32_t index)
{
	memset(buf, 0, sizeof(buf));
	cons = prod = index;
}

START_TEST(test_write_then_read_across_the_wrap)
{
	char	 out[16];

	at(UINT32_MAX - 5);		/* the indices wrap too */
	ck_assert_int_eq(byte_ring_write(&R, "0123456789", 10), 10);
	ck_assert_uint_eq(prod, UINT32_MAX - 5 + 10);
	ck_assert_int_eq(byte_ring_avail(&R), 10);
	ck_assert_int_eq(byte_ring_read(&R, out, 4), 4);
	ck_assert_int_eq(memcmp(out, "0123", 4), 0);
	ck_assert_int_eq(byte_ring_read(&R, out, sizeof(out)), 6);
	ck_assert_int_eq(memcmp(out, "456789", 6), 0);
	ck_assert_int_eq(byte_ring_read(&R, out, sizeof(out)), 0);
	ck_assert_uint_eq(cons, prod);
}
END_TEST

START_TEST(test_full_and_consume_without_copy)
{
	at(3);
	ck_assert_int_eq(byte_ring_write(&R, "abcdefghijklmnopqrst", 20), 16);
	ck_assert_int_eq(byte_ring_write(&R, "x", 1), 0);
	ck_assert_int_eq(byte_ring_read(&R, NULL, 5), 5);
	ck_assert_int_eq(byte_ring_write(&R, "vwxyz!", 6), 5);
	ck_assert_int_eq(byte_ring_avail(&R), 16);
}
END_TEST

/* A producer more than a ring ahead, or behind: refused, nothing moved. */
START_TEST(test_bad_indices)
{
	char	 out[16];

	at(100);
	prod = 100 + 17;
	ck_assert_int_eq(byte_ring_avail(&R), -1);
	ck_assert_int_eq(byte_ring_read(&R, out, sizeof(out)), -1);
	ck_assert_int_eq(byte_ring_write(&R, "a", 1), -1);
	prod = 99;
	ck_assert_int_eq(byte_ring_read(&R, out, sizeof(out)), -1);
	ck_assert_int_eq(byte_ring_write(&R, "a", 1), -1);
	ck_assert_uint_eq(cons, 100);
	ck_assert_uint_eq(prod, 99);
}
END_TEST

/*
 * A producer thread writes a stream in random pieces and, as Linux's
 * xb_write does, notifies only when the consumer had caught up with the
 * producer index it started from.  The consumer reads once per event
 * into a buffer larger than the ring and then waits, as a daemon does
 * after a short read: data the producer added during that read and did
 * not notify must still be taken by it, or the consumer waits forever.
 */
#define STREAM_BYTES	(2u << 20)

static uint8_t		 ring_buf[4096];
static uint32_t		 ring_cons, ring_prod;
static struct byte_ring	 L = { ring_buf, sizeof(ring_buf), &ring_cons,
			    &ring_prod };
static int		 events = -1;	/* coalesces, as a pending bit does */
static volatile int	 consumer_gone;

static uint8_t
stream_byte(size_t i)
{
	return (uint8_t)(i * 7 + (i >> 9));
}

static void *
linux_like_producer(void *arg)
{
	uint8_t		 piece[64];
	size_t		 sent = 0, want, room, k;
	uint32_t	 before;
	ssize_t		 n;
	unsigned	 seed = 7;
	volatile int	 spin;

	(void)arg;
	while (sent < STREAM_BYTES && !consumer_gone) {
		before = __atomic_load_n(&ring_prod, __ATOMIC_RELAXED);
		room = sizeof(ring_buf) - (before -
		    __atomic_load_n(&ring_cons, __ATOMIC_RELAXED));
		if (room == 0) {
			sched_yield();		/* full: the consumer has it */
			continue;
		}
		/* Within the room seen, so that it is one write, one check. */
		want = 1 + (size_t)rand_r(&seed) % sizeof(piece);
		if (want > room)
			want = room;
		if (want > STREAM_BYTES - sent)
			want = STREAM_BYTES - sent;
		for (k = 0; k < want; k++)
			piece[k] = stream_byte(sent + k);
		if ((n = byte_ring_write(&L, piece, want)) != (ssize_t)want)
			break;
		/* Paced, so that writes land while the consumer is reading. */
		for (spin = rand_r(&seed) % 256; spin > 0; spin--)
			;
		sent += (size_t)n;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (__atomic_load_n(&ring_cons, __ATOMIC_RELAXED) == before)
			(void)eventfd_write(events, 1);
	}
	return NULL;
}

START_TEST(test_no_lost_wakeup_with_a_linux_like_producer)
{
	uint8_t		 in[8192];
	size_t		 got = 0, k;
	ssize_t		 n;
	pthread_t	 th;
	struct pollfd	 pfd;
	eventfd_t	 count;
	bool		 stalled = false, mismatch = false;

	ring_cons = ring_prod = 0;
	consumer_gone = 0;
	ck_assert_int_ne(events = eventfd(0, EFD_CLOEXEC), -1);
	pfd = (struct pollfd){ .fd = events, .events = POLLIN };
	ck_assert_int_eq(pthread_create(&th, NULL, linux_like_producer, NULL),
	    0);
	while (got < STREAM_BYTES) {
		if (poll(&pfd, 1, 5000) != 1 ||
		    eventfd_read(events, &count) == -1) {
			stalled = true;
			break;
		}
		if ((n = byte_ring_read(&L, in, sizeof(in))) < 0)
			break;
		for (k = 0; k < (size_t)n; k++)
			if (in[k] != stream_byte(got + k))
				mismatch = true;
		got += (size_t)n;
	}
	consumer_gone = 1;
	pthread_join(th, NULL);
	close(events);
	ck_assert_msg(!stalled, "no event for 5 s with %zu of %u bytes read "
	    "and %u in the ring", got, STREAM_BYTES, ring_prod - ring_cons);
	ck_assert_uint_eq(got, STREAM_BYTES);
	ck_assert_msg(!mismatch, "the stream came out changed");
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("byte_ring");
	TCase	*tc = tcase_create("byte_ring");

	tcase_add_test(tc, test_write_then_read_across_the_wrap);
	tcase_add_test(tc, test_full_and_consume_without_copy);
	tcase_add_test(tc, test_bad_indices);
	tcase_add_test(tc, test_no_lost_wakeup_with_a_linux_like_producer);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
