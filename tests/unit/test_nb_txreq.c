/*
 * netback's checks of a guest's TX requests (daemons/netback/nb_txreq.c)
 * and the walk to a frame's checksum (common/net_frame.c) with the
 * offload header made from them (nb_pkt.c): the rules of
 * docs/netback.md, slot by slot, with no hypervisor.
 */
#include <string.h>

#include <check.h>

#include "unit.h"

#include "net_frame.h"
#include "nb_pkt.h"
#include "nb_txreq.h"

static netif_tx_request_t
req(uint32_t gref, uint16_t off, uint16_t flags, uint16_t id, uint16_t size)
{
	netif_tx_request_t	 r = { .gref = gref, .offset = off,
				    .flags = flags, .id = id, .size = size };

	return r;
}

static netif_tx_request_t
extra(uint8_t type, uint8_t flags, uint16_t gso_size, uint8_t gso_type)
{
	netif_extra_info_t	 x;
	netif_tx_request_t	 r;

	memset(&x, 0, sizeof(x));
	x.type = type;
	x.flags = flags;
	x.u.gso.size = gso_size;
	x.u.gso.type = gso_type;
	memset(&r, 0, sizeof(r));
	memcpy(&r, &x, sizeof(x));
	return r;
}

START_TEST(test_one_slot)
{
	struct nb_txreq		 t;
	netif_tx_request_t	 r = req(8, 100, NETTXF_data_validated, 3,
				    60);

	nb_txreq_init(&t);
	ck_assert_int_eq(nb_txreq_feed(&t, &r), NB_TX_DONE);
	ck_assert_int_eq(t.drop, NB_DROP_NONE);
	ck_assert_uint_eq(t.len, 60);
	ck_assert_uint_eq(t.nseg, 1);
	ck_assert_uint_eq(t.seg[0].offset, 100);
	ck_assert_uint_eq(t.seg[0].len, 60);
	ck_assert_uint_eq(t.id[0], 3);
}
END_TEST

/* First slot: the whole size; fragments after a GSO extra. */
START_TEST(test_chain_with_gso)
{
	struct nb_txreq		 t;
	netif_tx_request_t	 r[4] = {
		req(8, 4000, NETTXF_more_data | NETTXF_extra_info |
		    NETTXF_csum_blank, 1, 5000),
		extra(XEN_NETIF_EXTRA_TYPE_GSO, 0, 1448,
		    XEN_NETIF_GSO_TYPE_TCPV4),
		req(9, 0, NETTXF_more_data, 2, 4096),
		req(10, 0, 0, 3, 808),
	};

	nb_txreq_init(&t);
	ck_assert_int_eq(nb_txreq_feed(&t, &r[0]), NB_TX_NEED);
	ck_assert_int_eq(nb_txreq_feed(&t, &r[1]), NB_TX_NEED);
	ck_assert_int_eq(nb_txreq_feed(&t, &r[2]), NB_TX_NEED);
	ck_assert_int_eq(nb_txreq_feed(&t, &r[3]), NB_TX_DONE);
	ck_assert_int_eq(t.drop, NB_DROP_NONE);
	ck_assert_uint_eq(t.slots, 4);
	ck_assert(t.extra[1] && !t.extra[0] && !t.extra[2]);
	ck_assert_uint_eq(t.nseg, 3);
	ck_assert_uint_eq(t.seg[0].len, 96);	/* 5000 - 4096 - 808 */
	ck_assert_uint_eq(t.gso_type, XEN_NETIF_GSO_TYPE_TCPV4);
	ck_assert_uint_eq(t.gso_size, 1448);
}
END_TEST

/* What the fragments leave of the first slot must fit its page. */
START_TEST(test_crossing_page)
{
	struct nb_txreq		 t;
	netif_tx_request_t	 r = req(8, 4090, 0, 1, 60);
	netif_tx_request_t	 f[2] = { req(8, 0, NETTXF_more_data, 1, 100),
				    req(9, 0, 0, 2, 101) };

	nb_txreq_init(&t);
	ck_assert_int_eq(nb_txreq_feed(&t, &r), NB_TX_DONE);
	ck_assert_int_eq(t.drop, NB_DROP_SIZE);
	/* A fragment larger than the whole. */
	nb_txreq_init(&t);
	ck_assert_int_eq(nb_txreq_feed(&t, &f[0]), NB_TX_NEED);
	ck_assert_int_eq(nb_txreq_feed(&t, &f[1]), NB_TX_DONE);
	ck_assert_int_eq(t.drop, NB_DROP_SIZE);
	ck_assert_uint_eq(t.slots, 2);
	/* Smaller than an Ethernet header. */
	r = req(8, 0, 0, 1, 13);
	nb_txreq_init(&t);
	ck_assert_int_eq(nb_txreq_feed(&t, &r), NB_TX_DONE);
	ck_assert_int_eq(t.drop, NB_DROP_SIZE);
}
END_TEST

/* 19 data slots: every one consumed and answered, the packet dropped;
 * a chain of 64 with no end is fatal. */
START_TEST(test_slots)
{
	struct nb_txreq		 t;
	netif_tx_request_t	 r;
	unsigned		 i;

	nb_txreq_init(&t);
	for (i = 0; i < 19; i++) {
		r = req(i, 0, i < 18 ? NETTXF_more_data : 0, (uint16_t)i,
		    i == 0 ? 1900 : 100);
		ck_assert_int_eq(nb_txreq_feed(&t, &r),
		    i < 18 ? NB_TX_NEED : NB_TX_DONE);
	}
	ck_assert_int_eq(t.drop, NB_DROP_SLOTS);
	ck_assert_uint_eq(t.slots, 19);
	ck_assert_uint_eq(t.id[18], 18);
	nb_txreq_init(&t);
	r = req(1, 0, NETTXF_more_data, 1, 100);
	for (i = 0; i < NB_TX_CHAIN_MAX - 1; i++)
		ck_assert_int_eq(nb_txreq_feed(&t, &r), NB_TX_NEED);
	ck_assert_int_eq(nb_txreq_feed(&t, &r), NB_TX_FATAL);
}
END_TEST

START_TEST(test_extras)
{
	struct nb_txreq		 t;
	netif_tx_request_t	 r[2];
	netif_extra_info_t	 x;

	/* A GSO of no known type. */
	r[0] = req(8, 0, NETTXF_extra_info, 1, 100);
	r[1] = extra(XEN_NETIF_EXTRA_TYPE_GSO, 0, 1448, 7);
	nb_txreq_init(&t);
	ck_assert_int_eq(nb_txreq_feed(&t, &r[0]), NB_TX_NEED);
	ck_assert_int_eq(nb_txreq_feed(&t, &r[1]), NB_TX_DONE);
	ck_assert_int_eq(t.drop, NB_DROP_EXTRA);
	/* Joining a group: a control, no packet. */
	memset(&x, 0, sizeof(x));
	x.type = XEN_NETIF_EXTRA_TYPE_MCAST_ADD;
	memcpy(x.u.mcast.addr, "\x01\x00\x5e\x00\x00\xfb", 6);
	r[0] = req(0, 0, NETTXF_extra_info, 2, 0);
	memcpy(&r[1], &x, sizeof(x));
	nb_txreq_init(&t);
	ck_assert_int_eq(nb_txreq_feed(&t, &r[0]), NB_TX_NEED);
	ck_assert_int_eq(nb_txreq_feed(&t, &r[1]), NB_TX_DONE);
	ck_assert(t.control);
	ck_assert_int_eq(t.drop, NB_DROP_NONE);
	ck_assert_uint_eq(t.mcast_op, XEN_NETIF_EXTRA_TYPE_MCAST_ADD);
	/* A unicast "group" is refused. */
	x.u.mcast.addr[0] = 0;
	memcpy(&r[1], &x, sizeof(x));
	nb_txreq_init(&t);
	(void)nb_txreq_feed(&t, &r[0]);
	ck_assert_int_eq(nb_txreq_feed(&t, &r[1]), NB_TX_DONE);
	ck_assert_int_eq(t.drop, NB_DROP_EXTRA);
}
END_TEST

static const uint8_t tcp4_frame[] = {
	0, 0x16, 0x3e, 0, 0, 2, 0, 0x16, 0x3e, 0, 0, 1, 0x08, 0x00,
	0x45, 0, 0, 40, 0, 0, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
	0x04, 0xd2, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x18, 4, 0, 0, 0,
	0, 0,
};

START_TEST(test_frame_l4)
{
	struct net_frame_l4	 l4;
	uint8_t			 f[sizeof(tcp4_frame) + 4];

	ck_assert_int_eq(net_frame_l4(tcp4_frame, sizeof(tcp4_frame), &l4),
	    0);
	ck_assert_uint_eq(l4.l4_start, 34);
	ck_assert_uint_eq(l4.csum_offset, 16);
	ck_assert_uint_eq(l4.hdr_len, 54);
	/* Cut inside the TCP header. */
	ck_assert_int_eq(net_frame_l4(tcp4_frame, 50, &l4), -1);
	/* Behind an 802.1Q tag. */
	memcpy(f, tcp4_frame, 12);
	memcpy(f + 12, "\x81\x00\x00\x05", 4);
	memcpy(f + 16, tcp4_frame + 12, sizeof(tcp4_frame) - 12);
	ck_assert_int_eq(net_frame_l4(f, sizeof(f), &l4), 0);
	ck_assert_uint_eq(l4.l4_start, 38);
	/* A later IPv4 fragment has no TCP header. */
	memcpy(f, tcp4_frame, sizeof(tcp4_frame));
	f[20] = 0x00;
	f[21] = 0x10;
	ck_assert_int_eq(net_frame_l4(f, sizeof(tcp4_frame), &l4), -1);
	/* An IHL below 5. */
	memcpy(f, tcp4_frame, sizeof(tcp4_frame));
	f[14] = 0x44;
	ck_assert_int_eq(net_frame_l4(f, sizeof(tcp4_frame), &l4), -1);
}
END_TEST

/* The guest's flags into a TAP's header. */
START_TEST(test_offload_header)
{
	struct nb_txreq		 t;
	struct nb_pkt		*p = nb_pkt_new(sizeof(tcp4_frame));

	memcpy(p->data, tcp4_frame, sizeof(tcp4_frame));
	nb_txreq_init(&t);
	t.flags = NETTXF_csum_blank | NETTXF_data_validated;
	t.gso_type = XEN_NETIF_GSO_TYPE_TCPV4;
	t.gso_size = 1448;
	ck_assert_int_eq(nb_pkt_from_guest(p, &t), NB_DROP_NONE);
	ck_assert_uint_eq(p->vh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	ck_assert_uint_eq(p->vh.csum_start, 34);
	ck_assert_uint_eq(p->vh.csum_offset, 16);
	ck_assert_uint_eq(p->vh.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	ck_assert_uint_eq(p->vh.hdr_len, 54);
	ck_assert_uint_eq(nb_pkt_rx_flags(p),
	    NETRXF_csum_blank | NETRXF_data_validated);
	ck_assert_uint_eq(nb_pkt_gso_type(p), XEN_NETIF_GSO_TYPE_TCPV4);
	/* A blank checksum on an ARP frame cannot be finished. */
	p->data[12] = 0x08;
	p->data[13] = 0x06;
	ck_assert_int_eq(nb_pkt_from_guest(p, &t), NB_DROP_CSUM);
	nb_pkt_free(p);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("nb_txreq");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_one_slot);
	tcase_add_test(tc, test_chain_with_gso);
	tcase_add_test(tc, test_crossing_page);
	tcase_add_test(tc, test_slots);
	tcase_add_test(tc, test_extras);
	tcase_add_test(tc, test_frame_l4);
	tcase_add_test(tc, test_offload_header);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
