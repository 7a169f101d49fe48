/*
 * xs-wire-conform: raw-wire conformance against a running xenstored
 * over its Unix socket (XENSTORED_PATH), as dom0.  The rules only an
 * unprivileged domain can exercise are in test_xs_ops.c; this checks
 * the same wire format on the real transport, with more than one
 * client, pipelining and hostile input.  Check, one test per rule.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>
#include <stdint.h>

#include <xen/io/xs_wire.h>

#include "harness.h"
#include "unit.h"

#define EQ(a, b)	ck_assert_str_eq((a), (b))
#define DO(t, ty, a)	xt_do((t), (ty), 0, (a))

static const char	*sock;

static struct xt *
open_client(void)
{
	struct xt	*t = xt_sock(sock);

	ck_assert_ptr_nonnull(t);
	return t;
}

START_TEST(test_read_write)
{
	struct xt	*c = open_client();

	EQ(DO(c, XS_WRITE, "/conf/rw|value"), "OK|");
	EQ(DO(c, XS_READ, "/conf/rw|"), "value");
	EQ(xt_do_raw(c, XS_WRITE, 0, "/conf/bin\0a\0b", 13), "OK|");
	EQ(DO(c, XS_READ, "/conf/bin|"), "a|b");
	EQ(DO(c, XS_READ, "/conf/none|"), "E:ENOENT");
	EQ(DO(c, XS_READ, "/conf/|"), "E:EINVAL");
	EQ(DO(c, XS_DIRECTORY, "/conf|"), "bin|rw|");
	EQ(DO(c, XS_GET_PERMS, "/conf/rw|"), "n0|");
	EQ(DO(c, XS_SET_PERMS, "/conf/rw|n0|r3|"), "OK|");
	EQ(DO(c, XS_GET_PERMS, "/conf/rw|"), "n0|r3|");
	EQ(DO(c, XS_RM, "/conf|"), "OK|");
	EQ(DO(c, XS_RM, "/conf/x/y|"), "E:ENOENT");
	xt_close(c);
}
END_TEST

START_TEST(test_socket_is_dom0)
{
	struct xt	*c = open_client();

	EQ(DO(c, XS_WRITE, "rel|1"), "OK|");
	EQ(DO(c, XS_READ, "/local/domain/0/rel|"), "1");
	EQ(DO(c, XS_IS_DOMAIN_INTRODUCED, "0|"), "T|");
	EQ(DO(c, XS_GET_DOMAIN_PATH, "0|"), "/local/domain/0|");
	EQ(DO(c, XS_CONTROL, "check|"), "OK|");
	EQ(DO(c, XS_RM, "/local/domain/0/rel|"), "OK|");
	xt_close(c);
}
END_TEST

START_TEST(test_watch_across_clients)
{
	struct xt	*w = open_client(), *c = open_client();

	EQ(DO(w, XS_WATCH, "/cw|tok|"), "OK|");
	EQ(xt_event(w), "/cw|tok|");
	EQ(DO(c, XS_WRITE, "/cw/a|1"), "OK|");
	EQ(xt_event(w), "/cw/a|tok|");
	EQ(DO(c, XS_RM, "/cw|"), "OK|");
	EQ(xt_event(w), "/cw|tok|");
	EQ(xt_event(w), "NONE");
	xt_close(c);
	xt_close(w);
}
END_TEST

START_TEST(test_txn_across_clients)
{
	struct xt	*a = open_client(), *b = open_client();
	uint32_t	 ta, tb;

	EQ(DO(a, XS_WRITE, "/ct|0"), "OK|");
	ta = xt_txn(a);
	tb = xt_txn(b);
	ck_assert_uint_ne(ta, tb);
	EQ(xt_do(a, XS_READ, ta, "/ct|"), "0");
	EQ(xt_do(b, XS_READ, tb, "/ct|"), "0");
	EQ(xt_do(a, XS_WRITE, ta, "/ct|a"), "OK|");
	EQ(xt_do(b, XS_WRITE, tb, "/ct|b"), "OK|");
	EQ(xt_do(a, XS_TRANSACTION_END, ta, "T|"), "OK|");
	EQ(xt_do(b, XS_TRANSACTION_END, tb, "T|"), "E:EAGAIN");
	EQ(DO(b, XS_READ, "/ct|"), "a");
	/* Another client cannot use a's transaction. */
	ta = xt_txn(a);
	EQ(xt_do(b, XS_READ, ta, "/ct|"), "E:ENOENT");
	EQ(xt_do(a, XS_TRANSACTION_END, ta, "F|"), "OK|");
	EQ(DO(a, XS_RM, "/ct|"), "OK|");
	xt_close(a);
	xt_close(b);
}
END_TEST

START_TEST(test_pipelined_requests)
{
	struct xt	*c = open_client();
	uint8_t		 buf[64 * 32];
	size_t		 n = 0;
	int		 i;
	struct xsd_sockmsg h = { XS_READ, 0, 0, 6 };

	EQ(DO(c, XS_WRITE, "/pipe|p"), "OK|");
	for (i = 0; i < 64; i++) {
		h.req_id = 1000 + (uint32_t)i;
		memcpy(buf + n, &h, sizeof(h));
		memcpy(buf + n + sizeof(h), "/pipe", 6);
		n += sizeof(h) + 6;
	}
	EQ(xt_bytes(c, buf, n), "p");
	ck_assert_uint_eq(xt_last_req_id(c), 1000);
	for (i = 1; i < 64; i++) {
		EQ(xt_bytes(c, "", 0), "p");
		ck_assert_uint_eq(xt_last_req_id(c), 1000 + (uint32_t)i);
	}
	EQ(DO(c, XS_RM, "/pipe|"), "OK|");
	xt_close(c);
}
END_TEST

START_TEST(test_bad_type)
{
	struct xt	*c = open_client();

	EQ(DO(c, 777, "|"), "E:ENOSYS");
	EQ(DO(c, XS_WATCH_EVENT, "/a|b|"), "E:ENOSYS");
	EQ(DO(c, XS_READ, "/tool|"), "");
	xt_close(c);
}
END_TEST

START_TEST(test_oversized_len_drops_client_only)
{
	struct xt		*c = open_client(), *other = open_client();
	struct xsd_sockmsg	 h = { XS_READ, 1, 0, XENSTORE_PAYLOAD_MAX + 1 };

	EQ(DO(other, XS_WATCH, "/od|t|"), "OK|");
	EQ(xt_event(other), "/od|t|");
	EQ(xt_bytes(c, &h, sizeof(h)), "DEAD");
	xt_close(c);
	EQ(DO(other, XS_WRITE, "/od|still"), "OK|");
	EQ(xt_event(other), "/od|t|");
	EQ(DO(other, XS_RM, "/od|"), "OK|");
	xt_close(other);
}
END_TEST

START_TEST(test_truncated_then_gone)
{
	struct xt		*c = open_client(), *d;
	struct xsd_sockmsg	 h = { XS_WRITE, 1, 0, 100 };

	/* Header and half the payload, then the client vanishes. */
	EQ(xt_bytes(c, &h, sizeof(h)), "NONE");
	EQ(xt_bytes(c, "/trunc\0abc", 10), "NONE");
	xt_close(c);
	d = open_client();
	EQ(DO(d, XS_READ, "/trunc|"), "E:ENOENT");
	xt_close(d);
}
END_TEST

START_TEST(test_directory_part)
{
	struct xt	*c = open_client();
	const char	*r;

	EQ(DO(c, XS_MKDIR, "/dp/a|"), "OK|");
	EQ(DO(c, XS_MKDIR, "/dp/b|"), "OK|");
	r = DO(c, XS_DIRECTORY_PART, "/dp|0|");
	ck_assert_str_eq(strchr(r, '|'), "|a|b||");
	r = DO(c, XS_DIRECTORY_PART, "/dp|2|");
	ck_assert_str_eq(strchr(r, '|'), "|b||");
	EQ(DO(c, XS_DIRECTORY_PART, "/dp|1|"), "E:EINVAL");
	EQ(DO(c, XS_RM, "/dp|"), "OK|");
	xt_close(c);
}
END_TEST

int
main(int argc, char **argv)
{
	Suite	*s = suite_create("xs_wire_conform");
	TCase	*tc = tcase_create("socket");

	sock = argc > 1 ? argv[1] : getenv("XENSTORED_PATH");
	if (sock == NULL) {
		fprintf(stderr, "usage: xs-wire-conform SOCKET\n");
		return 2;
	}
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_read_write);
	tcase_add_test(tc, test_socket_is_dom0);
	tcase_add_test(tc, test_watch_across_clients);
	tcase_add_test(tc, test_txn_across_clients);
	tcase_add_test(tc, test_pipelined_requests);
	tcase_add_test(tc, test_bad_type);
	tcase_add_test(tc, test_oversized_len_drops_client_only);
	tcase_add_test(tc, test_truncated_then_gone);
	tcase_add_test(tc, test_directory_part);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
