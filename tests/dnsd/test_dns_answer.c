/*
 * dnsd's answer engine with no network: queries are built here octet by
 * octet, dns_answer() turns them into responses, and a small decoder of
 * our own (independent of dns_msg.c) checks rcode, flags and sections.
 * The zones are zones/answer.zone (example.com) and its child
 * zones/child.example.com.zone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_answer.h"
#include "dns_msg.h"
#include "dns_name.h"
#include "dns_zones.h"
#include "log.h"
#include "unit.h"

#define Z(f)	ZONEDIR "/" f
#define NOEDNS	0
#define LONG	"llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllll"

static struct dns_zones *zones;
static struct dns_answer_cfg cfg = { "shoal-test", NULL, 0 };

struct rr {
	char		 owner[DNS_NAME_TEXTMAX];
	uint16_t	 type, class;
	uint32_t	 ttl;
	char		 target[DNS_NAME_TEXTMAX];	/* of NS, CNAME, ... */
	size_t		 rdoff, rdlen;
};

struct resp {
	uint8_t		 buf[DNS_MSGMAX];
	size_t		 len;
	uint16_t	 flags, count[4];
	int		 rcode;		/* with the OPT's upper bits */
	bool		 opt;
	uint16_t	 payload;
	size_t		 nrr;
	struct rr	 rr[64];	/* answer, authority, additional */
};

static struct resp r;

static void
setup(void)
{
	struct dns_zonecfg zc[] = {
		{ "example.com", Z("answer.zone"), NULL },
		{ "child.example.com", Z("child.example.com.zone"), NULL },
	};

	log_init("unit_dnsd_answer", 0, -1);
	zones = dns_zones_new(0);
	ck_assert_int_eq(dns_zones_reload(zones, zc, 2), 0);
}

static void
teardown(void)
{
	dns_zones_free(zones);
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Decompress a name of the response (trusting it) into text. */
static size_t
name_at(const uint8_t *m, size_t off, char *text)
{
	uint8_t w[DNS_NAME_MAX];
	size_t o = 0, end = 0;

	for (;;) {
		uint8_t l = m[off];

		if ((l & 0xc0) == 0xc0) {
			if (end == 0)
				end = off + 2;
			off = (size_t)(l & 0x3f) << 8 | m[off + 1];
			continue;
		}
		ck_assert_uint_le(o + 1 + l, DNS_NAME_MAX);
		memcpy(w + o, m + off, 1 + (size_t)l);
		o += 1 + l;
		off += 1 + l;
		if (l == 0)
			break;
	}
	if (text != NULL)
		dns_name_to_text(w, text);
	return end != 0 ? end : off;
}

static void
decode(void)
{
	size_t off = DNS_HDRLEN, i, n;
	struct rr *x;

	ck_assert_uint_ge(r.len, DNS_HDRLEN);
	r.flags = get16(r.buf + 2);
	r.rcode = r.flags & 0xf;
	for (i = 0; i < 4; i++)
		r.count[i] = get16(r.buf + 4 + 2 * i);
	for (i = 0; i < r.count[0]; i++)
		off = name_at(r.buf, off, NULL) + 4;
	n = (size_t)r.count[1] + r.count[2] + r.count[3];
	ck_assert_uint_le(n, 64);
	r.opt = false;
	for (r.nrr = 0; r.nrr < n; r.nrr++) {
		x = &r.rr[r.nrr];
		off = name_at(r.buf, off, x->owner);
		x->type = get16(r.buf + off);
		x->class = get16(r.buf + off + 2);
		x->ttl = (uint32_t)get16(r.buf + off + 4) << 16 |
		    get16(r.buf + off + 6);
		x->rdlen = get16(r.buf + off + 8);
		x->rdoff = off + 10;
		x->target[0] = '\0';
		if (x->type == DNS_T_NS || x->type == DNS_T_CNAME ||
		    x->type == DNS_T_DNAME)
			name_at(r.buf, x->rdoff, x->target);
		else if (x->type == DNS_T_MX)
			name_at(r.buf, x->rdoff + 2, x->target);
		else if (x->type == DNS_T_OPT) {
			r.opt = true;
			r.payload = x->class;
			r.rcode |= (int)(x->ttl >> 24) << 4;
		}
		off = x->rdoff + x->rdlen;
	}
	ck_assert_uint_eq(off, r.len);
}

/* A query: header, the question, an OPT if payload is not NOEDNS. */
static size_t
build(uint8_t *q, const char *name, uint16_t type, uint16_t class,
    uint16_t payload, uint8_t version)
{
	size_t len = DNS_HDRLEN;

	memset(q, 0, DNS_HDRLEN);
	q[0] = 0x12;
	q[1] = 0x34;
	q[2] = 0x01;		/* RD */
	q[5] = 1;
	ck_assert_int_eq(dns_name_from_text(name, q + len), 0);
	len += dns_name_len(q + len);
	q[len++] = (uint8_t)(type >> 8);
	q[len++] = (uint8_t)type;
	q[len++] = (uint8_t)(class >> 8);
	q[len++] = (uint8_t)class;
	if (payload != NOEDNS) {
		q[11] = 1;
		memcpy(q + len, "\0\0\x29", 3);
		q[len + 3] = (uint8_t)(payload >> 8);
		q[len + 4] = (uint8_t)payload;
		q[len + 5] = 0;
		q[len + 6] = version;
		memset(q + len + 7, 0, 4);
		len += DNS_OPTLEN;
	}
	return len;
}

static size_t
send_raw(const uint8_t *q, size_t qlen, bool tcp)
{
	r.len = dns_answer(dns_zones_current(zones), &cfg, q, qlen, tcp, r.buf,
	    sizeof(r.buf));
	if (r.len > 0)
		decode();
	return r.len;
}

static void
ask_full(const char *name, uint16_t type, uint16_t class, uint16_t payload,
    bool tcp)
{
	uint8_t q[512];
	size_t len = build(q, name, type, class, payload, 0);

	ck_assert_uint_gt(send_raw(q, len, tcp), 0);
	ck_assert_uint_eq(get16(r.buf), 0x1234);
	ck_assert(r.flags & DNS_F_QR);
	ck_assert(r.flags & DNS_F_RD);
	ck_assert(!(r.flags & DNS_F_RA));
}

static void
ask(const char *name, uint16_t type)
{
	ask_full(name, type, DNS_CLASS_IN, NOEDNS, false);
}

/* Records of a section, by enum dns_section. */
static size_t
first(int sec)
{
	size_t i, n = 0;

	for (i = 1; i < (size_t)sec; i++)
		n += r.count[i];
	return n;
}

/* The index of the only record of this owner and type in sec. */
static const struct rr *
find(int sec, const char *owner, uint16_t type)
{
	size_t i, from = first(sec);
	const struct rr *hit = NULL;

	for (i = from; i < from + r.count[sec]; i++)
		if (strcasecmp(r.rr[i].owner, owner) == 0 &&
		    r.rr[i].type == type) {
			ck_assert_msg(hit == NULL, "%s/%u twice", owner, type);
			hit = &r.rr[i];
		}
	ck_assert_msg(hit != NULL, "no %s type %u in section %d", owner, type,
	    sec);
	return hit;
}

static void
expect(int rcode, bool aa, uint16_t an, uint16_t ns, uint16_t ar)
{
	ck_assert_int_eq(r.rcode, rcode);
	ck_assert_int_eq(!!(r.flags & DNS_F_AA), aa);
	ck_assert_uint_eq(r.count[DNS_S_AN], an);
	ck_assert_uint_eq(r.count[DNS_S_NS], ns);
	ck_assert_uint_eq(r.count[DNS_S_AR], ar);
}

/* NODATA and NXDOMAIN carry the SOA at min(3600, MINIMUM 300). */
static void
expect_soa(void)
{
	const struct rr *soa = find(DNS_S_NS, "example.com.", DNS_T_SOA);

	ck_assert_uint_eq(soa->ttl, 300);
}

START_TEST(test_parse)
{
	uint8_t q[512];
	size_t len;

	/* Too short to answer, or a response: dropped. */
	len = build(q, "web.example.com", DNS_T_A, DNS_CLASS_IN, NOEDNS, 0);
	ck_assert_uint_eq(send_raw(q, 11, false), 0);
	q[2] |= 0x80;
	ck_assert_uint_eq(send_raw(q, len, false), 0);
	/* Opcode STATUS (2): NOTIMP, opcode echoed, no question. */
	q[2] = 0x10 | 0x01;
	ck_assert_uint_gt(send_raw(q, len, false), 0);
	ck_assert_int_eq(r.rcode, DNS_R_NOTIMP);
	ck_assert_int_eq(DNS_OPCODE(r.flags), 2);
	ck_assert_uint_eq(r.count[DNS_S_QD], 0);
	/* No question, two questions, a question cut short. */
	len = build(q, "web.example.com", DNS_T_A, DNS_CLASS_IN, NOEDNS, 0);
	q[5] = 0;
	send_raw(q, len, false);
	ck_assert_int_eq(r.rcode, DNS_R_FORMERR);
	q[5] = 2;
	send_raw(q, len, false);
	ck_assert_int_eq(r.rcode, DNS_R_FORMERR);
	q[5] = 1;
	send_raw(q, len - 1, false);
	ck_assert_int_eq(r.rcode, DNS_R_FORMERR);
	send_raw(q, DNS_HDRLEN + 3, false);
	ck_assert_int_eq(r.rcode, DNS_R_FORMERR);
	/* Extended label type 0x40 in the question. */
	q[DNS_HDRLEN] = 0x43;
	send_raw(q, len, false);
	ck_assert_int_eq(r.rcode, DNS_R_FORMERR);
	/* A pointer to itself, and one pointing forward. */
	q[DNS_HDRLEN] = 0xc0;
	q[DNS_HDRLEN + 1] = DNS_HDRLEN;
	send_raw(q, len, false);
	ck_assert_int_eq(r.rcode, DNS_R_FORMERR);
	q[DNS_HDRLEN + 1] = DNS_HDRLEN + 4;
	send_raw(q, len, false);
	ck_assert_int_eq(r.rcode, DNS_R_FORMERR);
	/* The additional count promises a record that is not there. */
	len = build(q, "web.example.com", DNS_T_A, DNS_CLASS_IN, NOEDNS, 0);
	q[11] = 1;
	send_raw(q, len, false);
	ck_assert_int_eq(r.rcode, DNS_R_FORMERR);
	/* OPT asked for as a type. */
	len = build(q, "web.example.com", DNS_T_OPT, DNS_CLASS_IN, NOEDNS, 0);
	send_raw(q, len, false);
	ck_assert_int_eq(r.rcode, DNS_R_FORMERR);
}
END_TEST

START_TEST(test_parse_records)
{
	uint8_t q[512];
	size_t len, qlen;

	/* Two OPT records: FORMERR (RFC 6891 6.1.1). */
	len = build(q, "web.example.com", DNS_T_A, DNS_CLASS_IN, 1232, 0);
	memcpy(q + len, q + len - DNS_OPTLEN, DNS_OPTLEN);
	q[11] = 2;
	send_raw(q, len + DNS_OPTLEN, false);
	ck_assert_int_eq(r.rcode, DNS_R_FORMERR);
	/* An OPT in the answer section. */
	q[7] = 1;
	q[11] = 0;
	send_raw(q, len, false);
	ck_assert_int_eq(r.rcode, DNS_R_FORMERR);
	/* A record whose owner points back at the question is fine. */
	qlen = build(q, "web.example.com", DNS_T_A, DNS_CLASS_IN, NOEDNS, 0);
	q[11] = 1;
	memcpy(q + qlen, "\xc0\x0c\x00\x01\x00\x01\0\0\0\0\x00\x04\xc0\0\2\1",
	    16);
	send_raw(q, qlen + 16, false);
	expect(DNS_R_NOERROR, true, 1, 0, 0);
	/* Its rdata running past the end is not. */
	send_raw(q, qlen + 15, false);
	ck_assert_int_eq(r.rcode, DNS_R_FORMERR);
}
END_TEST

/* A name over 255 octets made with a pointer that is itself valid. */
START_TEST(test_parse_long)
{
	char name[DNS_NAME_TEXTMAX];
	uint8_t q[512];
	size_t qlen;

	snprintf(name, sizeof(name), "%.63s.%.63s.%.63s.example.com", LONG,
	    LONG, LONG);
	qlen = build(q, name, DNS_T_A, DNS_CLASS_IN, NOEDNS, 0);
	q[11] = 1;
	q[qlen] = 63;
	memset(q + qlen + 1, 'b', 63);
	memcpy(q + qlen + 64, "\xc0\x0c\x00\x01\x00\x01\0\0\0\0\0\0", 12);
	send_raw(q, qlen + 76, false);
	ck_assert_int_eq(r.rcode, DNS_R_FORMERR);
	/* One label less, 206 octets: fine (NXDOMAIN). */
	q[qlen] = 0;
	memcpy(q + qlen + 1, "\x00\x01\x00\x01\0\0\0\0\0\0", 10);
	send_raw(q, qlen + 11, false);
	ck_assert_int_eq(r.rcode, DNS_R_NXDOMAIN);
}
END_TEST

START_TEST(test_class)
{
	const struct rr *x;

	/* No AA: NSD and Knot set none either (it_diff.sh). */
	ask_full("VERSION.bind", DNS_T_TXT, DNS_CLASS_CH, NOEDNS, false);
	expect(DNS_R_NOERROR, false, 1, 0, 0);
	x = find(DNS_S_AN, "version.bind.", DNS_T_TXT);
	ck_assert_uint_eq(x->class, DNS_CLASS_CH);
	ck_assert_uint_eq(r.buf[x->rdoff], strlen("shoal-test"));
	ck_assert(memcmp(r.buf + x->rdoff + 1, "shoal-test", 10) == 0);
	/* Not configured: refused, with no Extended DNS Error. */
	ask_full("id.server", DNS_T_TXT, DNS_CLASS_CH, NOEDNS, false);
	expect(DNS_R_REFUSED, false, 0, 0, 0);
	ask_full("id.server", DNS_T_TXT, DNS_CLASS_CH, 1232, false);
	expect(DNS_R_REFUSED, false, 0, 0, 1);
	ck_assert_uint_eq(r.rr[0].rdlen, 0);
	/* A configured name, another type: refused as well. */
	ask_full("version.bind", DNS_T_A, DNS_CLASS_CH, NOEDNS, false);
	expect(DNS_R_REFUSED, false, 0, 0, 0);
	/* HS, and ANY as a class: not ours. */
	ask_full("web.example.com", DNS_T_A, 4, NOEDNS, false);
	expect(DNS_R_REFUSED, false, 0, 0, 0);
	ask_full("web.example.com", DNS_T_A, 255, NOEDNS, false);
	expect(DNS_R_REFUSED, false, 0, 0, 0);
	/* Zone transfers are not this engine's. */
	ask("example.com", 252);
	expect(DNS_R_NOTIMP, false, 0, 0, 0);
	/* IXFR that reaches it (UDP): the apex's SOA alone (RFC 1995 4). */
	ask("Example.COM", 251);
	expect(DNS_R_NOERROR, true, 1, 0, 0);
	x = find(DNS_S_AN, "example.com.", DNS_T_SOA);
	ck_assert_uint_eq(x->ttl, 3600);
	/* ...at an apex of ours only. */
	ask("web.example.com", 251);
	expect(DNS_R_REFUSED, false, 0, 0, 0);
	ask("example.org", 251);
	expect(DNS_R_REFUSED, false, 0, 0, 0);
}
END_TEST

START_TEST(test_exact)
{
	const struct rr *x;

	ask("WeB.Example.COM", DNS_T_A);
	expect(DNS_R_NOERROR, true, 1, 0, 0);
	/* The question keeps the query's case, the answer points at it. */
	ck_assert(memcmp(r.buf + DNS_HDRLEN, "\3WeB\7Example\3COM", 16) == 0);
	ck_assert(memcmp(r.buf + DNS_HDRLEN + 21, "\xc0\x0c", 2) == 0);
	x = find(DNS_S_AN, "WeB.Example.COM.", DNS_T_A);
	ck_assert_uint_eq(x->ttl, 3600);
	ck_assert(memcmp(r.buf + x->rdoff, "\xc0\x00\x02\x0a", 4) == 0);
	/* MX: the exchange's address rides along. */
	ask("example.com", DNS_T_MX);
	expect(DNS_R_NOERROR, true, 1, 0, 1);
	ck_assert_str_eq(find(DNS_S_AN, "example.com.", DNS_T_MX)->target,
	    "mail.example.com.");
	find(DNS_S_AR, "mail.example.com.", DNS_T_A);
	/*
	 * Compressed: 12 header, 17 question, MX 2 + 10 + (2 + "\4mail" +
	 * pointer), A owner a pointer into the MX's rdata: 2 + 10 + 4.
	 */
	ck_assert_uint_eq(r.len, 12 + 17 + 21 + 16);
	/* SRV's target is not compressed (RFC 2782), but others point to it. */
	ask("_sip._tcp.example.com", DNS_T_SRV);
	expect(DNS_R_NOERROR, true, 1, 0, 1);
	x = find(DNS_S_AN, "_sip._tcp.example.com.", DNS_T_SRV);
	ck_assert_uint_eq(x->rdlen, 6 + 17);
	find(DNS_S_AR, "sip.example.com.", DNS_T_A);
	ck_assert(memcmp(r.buf + r.len - 16, "\xc0", 1) == 0);
	/* NS at the apex is an answer, not a referral; in-zone glue. */
	ask("example.com", DNS_T_NS);
	expect(DNS_R_NOERROR, true, 2, 0, 2);
	find(DNS_S_AR, "ns1.example.com.", DNS_T_AAAA);
}
END_TEST

START_TEST(test_negative)
{
	/* NODATA: the name is there, the type is not. */
	ask("web.example.com", DNS_T_AAAA);
	expect(DNS_R_NOERROR, true, 0, 1, 0);
	expect_soa();
	/* An empty non-terminal exists too. */
	ask("ent.w.example.com", DNS_T_A);
	expect(DNS_R_NOERROR, true, 0, 1, 0);
	ask("nothere.example.com", DNS_T_A);
	expect(DNS_R_NXDOMAIN, true, 0, 1, 0);
	expect_soa();
	ask("a.b.nothere.example.com", DNS_T_TXT);
	expect(DNS_R_NXDOMAIN, true, 0, 1, 0);
	/* Not ours: refused, no AA, nothing else. */
	ask("www.example.org", DNS_T_A);
	expect(DNS_R_REFUSED, false, 0, 0, 0);
	ask("com", DNS_T_A);
	expect(DNS_R_REFUSED, false, 0, 0, 0);
	/* With EDNS, the OPT says why: EDE 20, Not Authoritative. */
	ask_full("www.example.org", DNS_T_A, DNS_CLASS_IN, 1232, false);
	expect(DNS_R_REFUSED, false, 0, 0, 1);
	ck_assert(r.opt);
	ck_assert_uint_eq(r.rr[0].rdlen, 6);
	ck_assert(memcmp(r.buf + r.rr[0].rdoff, "\0\x0f\0\x02\0\x14", 6) ==
	    0);
	ck_assert_uint_eq(r.len, 12 + 21 + DNS_OPTLEN + DNS_EDELEN);
}
END_TEST

START_TEST(test_cname)
{
	ask("www.example.com", DNS_T_A);
	expect(DNS_R_NOERROR, true, 2, 0, 0);
	ck_assert_str_eq(find(DNS_S_AN, "www.example.com.",
	    DNS_T_CNAME)->target, "web.example.com.");
	find(DNS_S_AN, "web.example.com.", DNS_T_A);
	ask("chain.example.com", DNS_T_A);
	expect(DNS_R_NOERROR, true, 3, 0, 0);
	/* Asking for the CNAME itself does not follow it. */
	ask("www.example.com", DNS_T_CNAME);
	expect(DNS_R_NOERROR, true, 1, 0, 0);
	/* Out of the zone: the resolver chases it. */
	ask("out.example.com", DNS_T_A);
	expect(DNS_R_NOERROR, true, 1, 0, 0);
	/* The rcode is the last name's (RFC 6604). */
	ask("dangling.example.com", DNS_T_A);
	expect(DNS_R_NXDOMAIN, true, 1, 1, 0);
	/* A loop ends at the first name already answered: each CNAME once. */
	ask("loop1.example.com", DNS_T_A);
	expect(DNS_R_NOERROR, true, 2, 0, 0);
	find(DNS_S_AN, "loop1.example.com.", DNS_T_CNAME);
	find(DNS_S_AN, "loop2.example.com.", DNS_T_CNAME);
	ask("loop2.example.com", DNS_T_A);
	expect(DNS_R_NOERROR, true, 2, 0, 0);
}
END_TEST

START_TEST(test_dname)
{
	char name[DNS_NAME_TEXTMAX];
	const struct rr *x;

	ask("a.OLD.example.com", DNS_T_A);
	expect(DNS_R_NOERROR, true, 3, 0, 0);
	x = find(DNS_S_AN, "OLD.example.com.", DNS_T_DNAME);
	ck_assert_str_eq(x->target, "new.example.com.");
	x = find(DNS_S_AN, "a.OLD.example.com.", DNS_T_CNAME);
	ck_assert_str_eq(x->target, "a.new.example.com.");
	ck_assert_uint_eq(x->ttl, 3600);
	find(DNS_S_AN, "a.new.example.com.", DNS_T_A);
	/* Synthesized, then not found. */
	ask("b.old.example.com", DNS_T_A);
	expect(DNS_R_NXDOMAIN, true, 2, 1, 0);
	/* The DNAME's own name is not redirected. */
	ask("old.example.com", DNS_T_DNAME);
	expect(DNS_R_NOERROR, true, 1, 0, 0);
	ask("old.example.com", DNS_T_A);
	expect(DNS_R_NOERROR, true, 0, 1, 0);
	/* 61 + 193 + 13 octets: too long to synthesize (RFC 6672 2.2). */
	snprintf(name, sizeof(name), "%.60s.long.example.com", LONG);
	ask(name, DNS_T_A);
	expect(DNS_R_YXDOMAIN, true, 1, 0, 0);
	find(DNS_S_AN, "long.example.com.", DNS_T_DNAME);
	/* Over 512 octets: TCP. */
	snprintf(name, sizeof(name), "%.40s.long.example.com", LONG);
	ask_full(name, DNS_T_A, DNS_CLASS_IN, NOEDNS, true);
	expect(DNS_R_NXDOMAIN, true, 2, 1, 0);
}
END_TEST

START_TEST(test_referral)
{
	ask("www.sub.example.com", DNS_T_A);
	expect(DNS_R_NOERROR, false, 0, 2, 1);
	ck_assert_str_eq(find(DNS_S_AR, "ns.sub.example.com.", DNS_T_A)->owner,
	    "ns.sub.example.com.");
	ask("sub.example.com", DNS_T_NS);
	expect(DNS_R_NOERROR, false, 0, 2, 1);
	/* Glue itself is below the cut: a referral too. */
	ask("ns.sub.example.com", DNS_T_A);
	expect(DNS_R_NOERROR, false, 0, 2, 1);
	/* DS is the parent's: answered with AA. */
	ask("sub.example.com", DNS_T_DS);
	expect(DNS_R_NOERROR, true, 1, 0, 0);
	/* Below the cut, DS is the child's: still a referral. */
	ask("x.sub.example.com", DNS_T_DS);
	expect(DNS_R_NOERROR, false, 0, 2, 1);
	/* A child we serve: its own data from it, DS from the parent. */
	ask("child.example.com", DNS_T_A);
	expect(DNS_R_NOERROR, true, 1, 0, 0);
	ask("child.example.com", DNS_T_DS);
	expect(DNS_R_NOERROR, true, 1, 0, 0);
	ck_assert_uint_eq(find(DNS_S_AN, "child.example.com.", DNS_T_DS)->ttl,
	    3600);
	ask("nothere.child.example.com", DNS_T_A);
	expect(DNS_R_NXDOMAIN, true, 0, 1, 0);
	ck_assert_uint_eq(find(DNS_S_NS, "child.example.com.",
	    DNS_T_SOA)->ttl, 60);
}
END_TEST

START_TEST(test_wildcard)
{
	ask("Foo.w.example.com", DNS_T_TXT);
	expect(DNS_R_NOERROR, true, 1, 0, 0);
	find(DNS_S_AN, "Foo.w.example.com.", DNS_T_TXT);
	/* More than one label is covered too, with additional data. */
	ask("a.b.w.example.com", DNS_T_MX);
	expect(DNS_R_NOERROR, true, 1, 0, 1);
	find(DNS_S_AR, "mail.example.com.", DNS_T_A);
	/* NODATA from the wildcard. */
	ask("foo.w.example.com", DNS_T_AAAA);
	expect(DNS_R_NOERROR, true, 0, 1, 0);
	/* An existing name is not covered. */
	ask("host.w.example.com", DNS_T_TXT);
	expect(DNS_R_NOERROR, true, 0, 1, 0);
	/* The empty non-terminal ent.w is the closest encloser: no *.ent.w. */
	ask("x.ent.w.example.com", DNS_T_TXT);
	expect(DNS_R_NXDOMAIN, true, 0, 1, 0);
	/* The wildcard itself answers for "*". */
	ask("*.w.example.com", DNS_T_TXT);
	expect(DNS_R_NOERROR, true, 1, 0, 0);
	/* A wildcard CNAME is followed. */
	ask("z.cn.example.com", DNS_T_A);
	expect(DNS_R_NOERROR, true, 2, 0, 0);
	ck_assert_str_eq(find(DNS_S_AN, "z.cn.example.com.",
	    DNS_T_CNAME)->target, "web.example.com.");
}
END_TEST

START_TEST(test_edns)
{
	uint8_t q[512];
	size_t len;

	ask_full("web.example.com", DNS_T_A, DNS_CLASS_IN, 4096, false);
	expect(DNS_R_NOERROR, true, 1, 0, 1);
	ck_assert(r.opt);
	ck_assert_uint_eq(r.payload, DNS_PAYLOAD);
	ck_assert_uint_eq(r.rr[1].ttl, 0);
	/* DO is copied (RFC 3225 3), though nothing is signed yet. */
	len = build(q, "web.example.com", DNS_T_A, DNS_CLASS_IN, 4096, 0);
	q[len - 4] = 0x80;
	send_raw(q, len, false);
	expect(DNS_R_NOERROR, true, 1, 0, 1);
	ck_assert_uint_eq(r.rr[1].ttl, DNS_EDNS_DO);
	/*
	 * CD is echoed (RFC 4035 3.1.6), though NSD and Knot clear it for
	 * an unsigned zone (docs/dnsd.md, "Compared with NSD and Knot").
	 */
	q[3] |= DNS_F_CD;
	send_raw(q, len, false);
	expect(DNS_R_NOERROR, true, 1, 0, 1);
	ck_assert(r.flags & DNS_F_CD);
	ck_assert(r.flags & DNS_F_RD);
	/* Version 1: BADVERS (16), its upper bits in the OPT, version 0. */
	len = build(q, "web.example.com", DNS_T_A, DNS_CLASS_IN, 4096, 1);
	send_raw(q, len, false);
	ck_assert_int_eq(r.rcode, DNS_R_BADVERS);
	ck_assert_uint_eq(r.count[DNS_S_AN], 0);
	ck_assert_uint_eq(r.rr[0].ttl, 1u << 24);
	/* A payload under 512 counts as 512. */
	ask_full("web.example.com", DNS_T_A, DNS_CLASS_IN, 100, false);
	expect(DNS_R_NOERROR, true, 1, 0, 1);
}
END_TEST

START_TEST(test_truncation)
{
	/* 10 x 100 octets do not fit 512: TC, no partial answer. */
	ask("big.example.com", DNS_T_TXT);
	expect(DNS_R_NOERROR, true, 0, 0, 0);
	ck_assert(r.flags & DNS_F_TC);
	ck_assert_uint_le(r.len, DNS_UDPMIN);
	ck_assert_uint_eq(r.count[DNS_S_QD], 1);
	/* With EDNS the OPT still comes back. */
	ask_full("big.example.com", DNS_T_TXT, DNS_CLASS_IN, 600, false);
	expect(DNS_R_NOERROR, true, 0, 0, 1);
	ck_assert(r.flags & DNS_F_TC);
	ck_assert(r.opt);
	/* 4096 asked, 1232 ours: fits. */
	ask_full("big.example.com", DNS_T_TXT, DNS_CLASS_IN, 4096, false);
	expect(DNS_R_NOERROR, true, 10, 0, 1);
	ck_assert(!(r.flags & DNS_F_TC));
	ck_assert_uint_le(r.len, DNS_PAYLOAD);
	/* Glue for servers inside the cut is required (RFC 9471). */
	ask("www.many.example.com", DNS_T_A);
	ck_assert(r.flags & DNS_F_TC);
	ck_assert_uint_eq(r.count[DNS_S_NS], 12);
	ck_assert_uint_lt(r.count[DNS_S_AR], 24);
	ask_full("www.many.example.com", DNS_T_A, DNS_CLASS_IN, 1232, false);
	expect(DNS_R_NOERROR, false, 0, 12, 25);
	ck_assert(!(r.flags & DNS_F_TC));
	/* TCP has room. */
	ask_full("big.example.com", DNS_T_TXT, DNS_CLASS_IN, NOEDNS, true);
	expect(DNS_R_NOERROR, true, 10, 0, 0);
	ck_assert(!(r.flags & DNS_F_TC));
}
END_TEST

START_TEST(test_any)
{
	size_t i;

	/* RFC 8482: one RRset, whichever, not all of them. */
	ask("example.com", DNS_T_ANY);
	ck_assert_int_eq(r.rcode, DNS_R_NOERROR);
	ck_assert(r.flags & DNS_F_AA);
	ck_assert_uint_ge(r.count[DNS_S_AN], 1);
	for (i = 1; i < r.count[DNS_S_AN]; i++)
		ck_assert_uint_eq(r.rr[i].type, r.rr[0].type);
	ask("ns1.example.com", DNS_T_ANY);
	expect(DNS_R_NOERROR, true, 1, 0, 0);
	ask("ent.w.example.com", DNS_T_ANY);
	expect(DNS_R_NOERROR, true, 0, 1, 0);
	ask("nothere.example.com", DNS_T_ANY);
	expect(DNS_R_NXDOMAIN, true, 0, 1, 0);
}
END_TEST

/* xorshift32: the same garbage every run, so a failure can be replayed. */
static uint32_t
rnd(void)
{
	static uint32_t x = 2463534242u;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return x;
}

/*
 * Valid queries with a few octets changed and their ends cut anywhere:
 * every response must be well formed (decode() checks) and in size.
 */
START_TEST(test_garbage)
{
	static const char *names[] = { "www.example.com", "a.old.example.com",
	    "x.sub.example.com", "z.cn.example.com", "big.example.com" };
	uint8_t q[512];
	size_t len, i, k, n;
	bool tcp;

	for (i = 0; i < 20000; i++) {
		len = build(q, names[i % 5], (uint16_t)(rnd() % 260),
		    DNS_CLASS_IN, i % 2 ? 4096 : NOEDNS, 0);
		for (k = 0, n = rnd() % 4; k < n; k++)
			q[rnd() % len] = (uint8_t)rnd();
		if (rnd() % 4 == 0)
			len = rnd() % (len + 1);
		tcp = rnd() % 2;
		if (send_raw(q, len, tcp) == 0)
			continue;
		ck_assert_uint_le(r.len, tcp ? DNS_MSGMAX : DNS_PAYLOAD);
		ck_assert(r.flags & DNS_F_QR);
	}
	/* No configuration at all is allowed. */
	len = build(q, "version.bind", DNS_T_TXT, DNS_CLASS_CH, NOEDNS, 0);
	r.len = dns_answer(dns_zones_current(zones), NULL, q, len, false,
	    r.buf, sizeof(r.buf));
	decode();
	ck_assert_int_eq(r.rcode, DNS_R_REFUSED);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("dnsd_answer");
	TCase *tc = tcase_create("answer");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_parse);
	tcase_add_test(tc, test_parse_records);
	tcase_add_test(tc, test_parse_long);
	tcase_add_test(tc, test_class);
	tcase_add_test(tc, test_exact);
	tcase_add_test(tc, test_negative);
	tcase_add_test(tc, test_cname);
	tcase_add_test(tc, test_dname);
	tcase_add_test(tc, test_referral);
	tcase_add_test(tc, test_wildcard);
	tcase_add_test(tc, test_edns);
	tcase_add_test(tc, test_truncation);
	tcase_add_test(tc, test_any);
	tcase_add_test(tc, test_garbage);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
