/*
 * The backends' shared pieces that need no hypervisor: a request ring's
 * producer index read once and checked (xb_ring.h), across the 32-bit
 * wrap and against a frontend claiming more than the ring holds; and a
 * grant-copy batch's own checks (xb_copy.h): an empty segment, one
 * crossing the granted page, a full batch.  The copies themselves are
 * tests/xenbus/it_copy.sh's, on xensim.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
/* xenctrl.h first: it tells the Xen headers after it this is a tool. */
#include <xenctrl.h>
#include <xen/io/netif.h>

#include "unit.h"

#include "xb_copy.h"
#include "xb_ring.h"

static netif_tx_sring_t		*sring;
static netif_tx_back_ring_t	 ring;

static void
ring_at(RING_IDX cons)
{
	sring = aligned_alloc(4096, 4096);
	ck_assert_ptr_nonnull(sring);
	SHARED_RING_INIT(sring);
	BACK_RING_INIT(&ring, sring, 4096);
	ring.req_cons = cons;
	sring->req_prod = cons;
}

START_TEST(test_req_prod)
{
	RING_IDX	 rp;

	ring_at(0);
	ck_assert_uint_eq(RING_SIZE(&ring), 256);
	sring->req_prod = 3;
	ck_assert_int_eq(XB_RING_REQ_PROD(&ring, &rp), 0);
	ck_assert_uint_eq(rp, 3);
	/* A full ring is fine; one more is a lie. */
	sring->req_prod = 256;
	ck_assert_int_eq(XB_RING_REQ_PROD(&ring, &rp), 0);
	sring->req_prod = 257;
	ck_assert_int_eq(XB_RING_REQ_PROD(&ring, &rp), -1);
	/* Behind the consumer: a lie too (the distance wraps huge). */
	ring.req_cons = 10;
	sring->req_prod = 9;
	ck_assert_int_eq(XB_RING_REQ_PROD(&ring, &rp), -1);
	free(sring);
}
END_TEST

START_TEST(test_req_prod_wraps)
{
	RING_IDX	 rp;

	ring_at(0xfffffffeu);
	sring->req_prod = 2;		/* four requests, across the wrap */
	ck_assert_int_eq(XB_RING_REQ_PROD(&ring, &rp), 0);
	ck_assert_uint_eq(rp - ring.req_cons, 4);
	free(sring);
}
END_TEST

START_TEST(test_copy_checks)
{
	struct xb_copy	*c = xb_copy_new(NULL, 2);
	char		 buf[4096];

	ck_assert_ptr_nonnull(c);
	errno = 0;
	ck_assert_int_eq(xb_copy_from(c, 1, 8, 0, buf, 0, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(xb_copy_from(c, 1, 8, 4000, buf, 97, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(xb_copy_to(c, buf, 1, 8, 4000, 200, NULL), -1);
	ck_assert_int_eq(xb_copy_queued(c), 0);
	/* The page's last byte is in; two fill the batch of two. */
	ck_assert_int_eq(xb_copy_from(c, 1, 8, 4000, buf, 96, NULL), 0);
	ck_assert_int_eq(xb_copy_to(c, buf, 1, 9, 0, 4096, NULL), 0);
	ck_assert_int_eq(xb_copy_from(c, 1, 8, 0, buf, 1, NULL), -1);
	ck_assert_int_eq(errno, ENOSPC);
	ck_assert_int_eq(xb_copy_queued(c), 2);
	xb_copy_free(c);
	ck_assert_ptr_null(xb_copy_new(NULL, 0));
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("xb_ring");
	TCase	*tc = tcase_create("xb_ring");

	tcase_add_test(tc, test_req_prod);
	tcase_add_test(tc, test_req_prod_wraps);
	tcase_add_test(tc, test_copy_checks);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
