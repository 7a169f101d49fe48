/*
 * netfront's pure parts (daemons/netfront/nf_wire.h, nf_config.h): a TAP
 * frame cut into tx requests (one a page, the whole length first, the
 * GSO extra after the first, and the frames refused), rx responses
 * walked into a frame across the ring's wrap and the hostile ones
 * (an id not its slot's, bytes past the page, an error status, chains
 * of fragments or extras that never end), the virtio_net_hdr made for
 * a received TCP frame, the software checksum over pages split at an
 * odd offset, and the MAC's parse.
 */
#include <string.h>

#include <check.h>

#include "unit.h"

#include "nf_config.h"
#include "nf_wire.h"

static const struct nf_tx_offload all = { true, true, true, true, true };
static const uint16_t ids[NF_TX_DATA_MAX] = { 7, 3, 9, 11, 12, 13, 14, 15,
    16, 17, 18, 19, 20, 21, 22, 23 };
static const grant_ref_t refs[NF_TX_DATA_MAX] = { 107, 103, 109, 111, 112,
    113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123 };

START_TEST(test_tx_slices)
{
	struct virtio_net_hdr	 vh = { 0 };
	netif_tx_request_t	 out[NF_TX_SLOTS_MAX];
	enum nf_drop		 why;
	bool			 sw;

	ck_assert_int_eq(nf_tx_build(&vh, 10000, false, &all, ids, refs, out,
	    &sw, &why), 3);
	ck_assert_uint_eq(out[0].size, 10000);	/* the whole frame */
	ck_assert_uint_eq(out[0].flags, NETTXF_more_data);
	ck_assert_uint_eq(out[0].id, 7);
	ck_assert_uint_eq(out[0].gref, 107);
	ck_assert_uint_eq(out[1].size, 4096);
	ck_assert_uint_eq(out[1].flags, NETTXF_more_data);
	ck_assert_uint_eq(out[1].gref, 103);
	ck_assert_uint_eq(out[2].size, 10000 - 8192);
	ck_assert_uint_eq(out[2].flags, 0);
	ck_assert(!sw);
	/* The largest frame: 16 pages. */
	ck_assert_int_eq(nf_tx_build(&vh, 65535, false, &all, ids, refs, out,
	    &sw, &why), 16);
	ck_assert_uint_eq(out[15].size, 65535 - 15 * 4096);
	/* A page exactly: one slot. */
	ck_assert_int_eq(nf_tx_build(&vh, 4096, false, &all, ids, refs, out,
	    &sw, &why), 1);
	ck_assert_uint_eq(out[0].flags, 0);
}
END_TEST

START_TEST(test_tx_gso)
{
	struct virtio_net_hdr	 vh = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
	    .gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .gso_size = 1448,
	    .csum_start = 34, .csum_offset = 16, .hdr_len = 54 };
	struct nf_tx_offload	 no6 = all;
	netif_tx_request_t	 out[NF_TX_SLOTS_MAX];
	netif_extra_info_t	 x;
	enum nf_drop		 why;
	bool			 sw;

	no6.gso6 = false;
	ck_assert_int_eq(nf_tx_build(&vh, 5000, false, &all, ids, refs, out,
	    &sw, &why), 3);
	ck_assert_uint_eq(out[0].flags, NETTXF_csum_blank |
	    NETTXF_data_validated | NETTXF_extra_info | NETTXF_more_data);
	ck_assert_uint_eq(out[0].size, 5000);
	memcpy(&x, &out[1], sizeof(x));
	ck_assert_uint_eq(x.type, XEN_NETIF_EXTRA_TYPE_GSO);
	ck_assert_uint_eq(x.flags, 0);
	ck_assert_uint_eq(x.u.gso.size, 1448);
	ck_assert_uint_eq(x.u.gso.type, XEN_NETIF_GSO_TYPE_TCPV4);
	ck_assert_uint_eq(out[2].size, 5000 - 4096);
	ck_assert_uint_eq(out[2].gref, 103);	/* the second page */
	ck_assert_uint_eq(out[2].flags, 0);
	/* IPv6 segments, not offered: refused. */
	vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	ck_assert_int_eq(nf_tx_build(&vh, 5000, true, &no6, ids, refs, out,
	    &sw, &why), -1);
	ck_assert_int_eq(why, NF_DROP_TX_GSO);
	/* ECN, never offered. */
	vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN;
	ck_assert_int_eq(nf_tx_build(&vh, 5000, false, &all, ids, refs, out,
	    &sw, &why), -1);
	ck_assert_int_eq(why, NF_DROP_TX_GSO);
}
END_TEST

START_TEST(test_tx_refused)
{
	struct virtio_net_hdr	 vh = { 0 };
	struct nf_tx_offload	 o = all;
	netif_tx_request_t	 out[NF_TX_SLOTS_MAX];
	enum nf_drop		 why;
	bool			 sw;

	ck_assert_int_eq(nf_tx_build(&vh, 13, false, &o, ids, refs, out, &sw,
	    &why), -1);
	ck_assert_int_eq(why, NF_DROP_TX_SHORT);
	ck_assert_int_eq(nf_tx_build(&vh, 65536, false, &o, ids, refs, out,
	    &sw, &why), -1);
	ck_assert_int_eq(why, NF_DROP_TX_TOO_BIG);
	o.sg = false;
	ck_assert_int_eq(nf_tx_build(&vh, 4097, false, &o, ids, refs, out,
	    &sw, &why), -1);
	ck_assert_int_eq(why, NF_DROP_TX_TOO_BIG);
	/* A checksum whose place is past the end. */
	vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh.csum_start = 90;
	vh.csum_offset = 16;
	ck_assert_int_eq(nf_tx_build(&vh, 107, false, &o, ids, refs, out,
	    &sw, &why), -1);
	ck_assert_int_eq(why, NF_DROP_TX_CSUM);
	/* Its last two bytes: fine; IPv6 not taken blank: made here. */
	o.csum6 = false;
	ck_assert_int_eq(nf_tx_build(&vh, 108, true, &o, ids, refs, out,
	    &sw, &why), 1);
	ck_assert(sw);
	ck_assert_uint_eq(out[0].flags, NETTXF_data_validated);
	ck_assert_int_eq(nf_tx_build(&vh, 108, false, &o, ids, refs, out,
	    &sw, &why), 1);
	ck_assert(!sw);
	ck_assert_uint_eq(out[0].flags, NETTXF_csum_blank |
	    NETTXF_data_validated);
}
END_TEST

static netif_rx_response_t
data(RING_IDX idx, uint16_t off, int16_t status, uint16_t flags)
{
	netif_rx_response_t	 r = { .id = (uint16_t)(idx & 255),
	    .offset = off, .flags = flags, .status = status };

	return r;
}

static netif_rx_response_t
gso(uint8_t type, uint16_t size, uint8_t flags)
{
	netif_extra_info_t	 x = { .type = XEN_NETIF_EXTRA_TYPE_GSO,
	    .flags = flags };
	netif_rx_response_t	 r;

	x.u.gso.type = type;
	x.u.gso.size = size;
	memcpy(&r, &x, sizeof(r));
	return r;
}

START_TEST(test_rx_frame)
{
	netif_rx_response_t	 rsp[4];
	struct nf_rx_frame	 f;
	RING_IDX		 cons = 254;	/* across the ring's end */

	rsp[0] = data(cons, 0, 4096, NETRXF_more_data | NETRXF_extra_info |
	    NETRXF_csum_blank);
	rsp[1] = gso(XEN_NETIF_GSO_TYPE_TCPV4, 1448, 0);
	rsp[2] = data(cons + 2, 10, 100, 0);
	rsp[3] = data(cons + 3, 0, 60, 0);	/* the next frame */
	ck_assert_int_eq(nf_rx_parse(rsp, 2, cons, &f), 0);	/* not yet */
	ck_assert_int_eq(nf_rx_parse(rsp, 4, cons, &f), 1);
	ck_assert_int_eq(f.drop, NF_DROP_NONE);
	ck_assert_uint_eq(f.nslots, 3);
	ck_assert_uint_eq(f.nfrags, 2);
	ck_assert_uint_eq(f.len, 4196);
	ck_assert_uint_eq(f.frag[1].slot, 2);
	ck_assert_uint_eq(f.frag[1].offset, 10);
	ck_assert_uint_eq(f.gso_type, XEN_NETIF_GSO_TYPE_TCPV4);
	ck_assert_uint_eq(f.gso_size, 1448);
	ck_assert_int_eq(nf_rx_parse(&rsp[3], 1, cons + 3, &f), 1);
	ck_assert_uint_eq(f.nslots, 1);
	ck_assert_uint_eq(f.len, 60);
}
END_TEST

START_TEST(test_rx_hostile)
{
	netif_rx_response_t	 rsp[40];
	struct nf_rx_frame	 f;
	unsigned		 i;

	rsp[0] = data(5, 0, 60, 0);		/* another slot's id */
	ck_assert_int_eq(nf_rx_parse(rsp, 1, 4, &f), 1);
	ck_assert_int_eq(f.drop, NF_DROP_RX_BAD_SLOT);
	rsp[0] = data(4, 4000, 97, 0);		/* past the page */
	ck_assert_int_eq(nf_rx_parse(rsp, 1, 4, &f), 1);
	ck_assert_int_eq(f.drop, NF_DROP_RX_BAD_SLOT);
	rsp[0] = data(4, 4000, 96, 0);		/* its last byte: fine */
	ck_assert_int_eq(nf_rx_parse(rsp, 1, 4, &f), 1);
	ck_assert_int_eq(f.drop, NF_DROP_NONE);
	rsp[0] = data(4, 0, NETIF_RSP_ERROR, NETRXF_more_data);
	rsp[1] = data(5, 0, 100, 0);		/* the chain is still taken */
	ck_assert_int_eq(nf_rx_parse(rsp, 2, 4, &f), 1);
	ck_assert_int_eq(f.drop, NF_DROP_RX_ERROR);
	ck_assert_uint_eq(f.nslots, 2);
	rsp[0] = data(0, 0, 0, 0);
	ck_assert_int_eq(nf_rx_parse(rsp, 1, 0, &f), 1);
	ck_assert_int_eq(f.drop, NF_DROP_RX_EMPTY);
	/* Fragments that never end: cut at the chain's bound. */
	for (i = 0; i < 40; i++)
		rsp[i] = data(i, 0, 100, NETRXF_more_data);
	ck_assert_int_eq(nf_rx_parse(rsp, 40, 0, &f), 1);
	ck_assert_int_eq(f.drop, NF_DROP_RX_TOO_LONG);
	ck_assert_uint_le(f.nslots, NF_RX_CHAIN_MAX);
	/* Extras that never end. */
	rsp[0] = data(0, 0, 100, NETRXF_extra_info);
	for (i = 1; i < 40; i++)
		rsp[i] = gso(XEN_NETIF_GSO_TYPE_TCPV4, 1000,
		    XEN_NETIF_EXTRA_FLAG_MORE);
	ck_assert_int_eq(nf_rx_parse(rsp, 40, 0, &f), 1);
	ck_assert_int_eq(f.drop, NF_DROP_RX_BAD_EXTRA);
	ck_assert_uint_le(f.nslots, NF_RX_CHAIN_MAX);
	/* A GSO extra of no known type. */
	rsp[1] = gso(9, 1000, 0);
	ck_assert_int_eq(nf_rx_parse(rsp, 2, 0, &f), 1);
	ck_assert_int_eq(f.drop, NF_DROP_RX_BAD_EXTRA);
}
END_TEST

/* Ethernet, IPv4 (20 bytes), TCP (20 bytes), and payload. */
static size_t
tcp4_frame(uint8_t *p, size_t payload)
{
	size_t	 len = 14 + 20 + 20 + payload;

	memset(p, 0, len);
	p[12] = 0x08;
	p[14] = 0x45;
	p[16] = (uint8_t)((len - 14) >> 8);
	p[17] = (uint8_t)(len - 14);
	p[22] = 64;
	p[23] = 6;			/* TCP */
	p[14 + 20 + 12] = 5 << 4;	/* data offset */
	return len;
}

START_TEST(test_rx_vnet)
{
	uint8_t			 frame[2000];
	size_t			 len = tcp4_frame(frame, 1000);
	struct nf_rx_frame	 f = { .flags = NETRXF_csum_blank |
	    NETRXF_data_validated };
	struct virtio_net_hdr	 vh;
	enum nf_drop		 why;

	ck_assert_int_eq(nf_rx_vnet(&f, frame, len, &vh, &why), 0);
	ck_assert_uint_eq(vh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	ck_assert_uint_eq(vh.csum_start, 34);
	ck_assert_uint_eq(vh.csum_offset, 16);
	ck_assert_uint_eq(vh.gso_type, VIRTIO_NET_HDR_GSO_NONE);
	f.gso_type = XEN_NETIF_GSO_TYPE_TCPV4;
	f.gso_size = 500;
	ck_assert_int_eq(nf_rx_vnet(&f, frame, len, &vh, &why), 0);
	ck_assert_uint_eq(vh.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	ck_assert_uint_eq(vh.gso_size, 500);
	ck_assert_uint_eq(vh.hdr_len, 54);
	/* IPv6 segments of an IPv4 frame: a lie. */
	f.gso_type = XEN_NETIF_GSO_TYPE_TCPV6;
	ck_assert_int_eq(nf_rx_vnet(&f, frame, len, &vh, &why), -1);
	ck_assert_int_eq(why, NF_DROP_RX_BAD_EXTRA);
	/* Validated only. */
	f.gso_type = XEN_NETIF_GSO_TYPE_NONE;
	f.flags = NETRXF_data_validated;
	ck_assert_int_eq(nf_rx_vnet(&f, frame, len, &vh, &why), 0);
	ck_assert_uint_eq(vh.flags, VIRTIO_NET_HDR_F_DATA_VALID);
	/* Blank, but no TCP or UDP to put the sum in. */
	frame[12] = 0x88;
	f.flags = NETRXF_csum_blank;
	ck_assert_int_eq(nf_rx_vnet(&f, frame, len, &vh, &why), -1);
	ck_assert_int_eq(why, NF_DROP_RX_CSUM);
}
END_TEST

START_TEST(test_csum)
{
	/* An IPv4 header whose sum is known to be 0xb861. */
	uint8_t		 h[20] = { 0x45, 0, 0, 0x73, 0, 0, 0x40, 0, 0x40, 0x11,
	    0, 0, 0xc0, 0xa8, 0, 1, 0xc0, 0xa8, 0, 0xc7 };
	uint8_t		 pre[3] = { 0xaa, 0xbb, 0xcc };
	uint8_t		 buf[23];
	struct iovec	 iov[2];

	/* Split at an odd offset from where the sum starts. */
	memcpy(buf, pre, 3);
	memcpy(buf + 3, h, 20);
	iov[0].iov_base = buf;
	iov[0].iov_len = 10;
	iov[1].iov_base = buf + 10;
	iov[1].iov_len = 13;
	nf_csum_fill(iov, 2, 3, 10);
	ck_assert_uint_eq(buf[13], 0xb8);
	ck_assert_uint_eq(buf[14], 0x61);
	ck_assert_uint_eq(buf[0], 0xaa);	/* before start: untouched */
}
END_TEST

START_TEST(test_frame_ipv6)
{
	uint8_t	 f[20] = { 0 };

	f[12] = 0x86;
	f[13] = 0xdd;
	ck_assert(nf_frame_ipv6(f, 14));
	ck_assert(!nf_frame_ipv6(f, 13));
	f[12] = 0x81;		/* a VLAN tag, then IPv6 */
	f[13] = 0x00;
	f[16] = 0x86;
	f[17] = 0xdd;
	ck_assert(nf_frame_ipv6(f, 18));
}
END_TEST

START_TEST(test_mac)
{
	uint8_t	 m[6];

	ck_assert_int_eq(nf_parse_mac("00:16:3E:0a:0b:0c", m), 0);
	ck_assert_uint_eq(m[2], 0x3e);
	ck_assert_uint_eq(m[5], 0x0c);
	ck_assert_int_eq(nf_parse_mac("00:16:3e:0a:0b", m), -1);
	ck_assert_int_eq(nf_parse_mac("00:16:3e:0a:0b:0c:", m), -1);
	ck_assert_int_eq(nf_parse_mac("00-16-3e-0a-0b-0c", m), -1);
	ck_assert_int_eq(nf_parse_mac("01:00:5e:00:00:01", m), -1);
	ck_assert_int_eq(nf_parse_mac("0g:16:3e:0a:0b:0c", m), -1);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("netfront");
	TCase	*tc = tcase_create("netfront");

	tcase_add_test(tc, test_tx_slices);
	tcase_add_test(tc, test_tx_gso);
	tcase_add_test(tc, test_tx_refused);
	tcase_add_test(tc, test_rx_frame);
	tcase_add_test(tc, test_rx_hostile);
	tcase_add_test(tc, test_rx_vnet);
	tcase_add_test(tc, test_csum);
	tcase_add_test(tc, test_frame_ipv6);
	tcase_add_test(tc, test_mac);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
