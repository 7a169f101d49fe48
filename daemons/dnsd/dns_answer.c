/*
 * The message around an answer: reading the query, the response header,
 * echoing the question, EDNS, CHAOS and truncation.  The zone rules are
 * in dns_resolve.c.
 */
#include <string.h>

#include "dns_answer.h"
#include "dns_answer_int.h"

#define DNS_T_IXFR_Q	251

int
dns_ans_rr(struct dns_ans *a, enum dns_section sec, const uint8_t *owner,
    uint16_t type, uint16_t class, uint32_t ttl, const uint8_t *rdata,
    uint16_t rdlen)
{
	if (a->full)
		return -1;
	if (dns_wr_rr(&a->w, sec, owner, type, class, ttl, rdata, rdlen) == 0)
		return 0;
	if (sec == DNS_S_AR)
		return 1;
	/* A partial answer would look complete; start over, empty, with TC. */
	dns_wr_cut(&a->w);
	a->flags |= DNS_F_TC;
	a->full = true;
	return -1;
}

/* Lowercase wire name, as text without the final dot, is one of two. */
static bool
is_name(const uint8_t *name, const char *t1, const char *t2)
{
	uint8_t l[DNS_NAME_MAX], w1[DNS_NAME_MAX], w2[DNS_NAME_MAX];
	size_t len = dns_name_len(name);

	dns_name_lower(l, name);
	if (dns_name_from_text(t1, w1) == -1 ||
	    dns_name_from_text(t2, w2) == -1)
		return false;
	return (len == dns_name_len(w1) && memcmp(l, w1, len) == 0) ||
	    (len == dns_name_len(w2) && memcmp(l, w2, len) == 0);
}

/*
 * IXFR reaching the engine (over UDP: the daemon takes it over TCP): the
 * zone's SOA alone, which tells a secondary either that it is current or
 * to come back over TCP (RFC 1995 2, 4).  Only at one of our apexes.
 */
static void
ixfr_soa(struct dns_ans *a)
{
	uint8_t l[DNS_NAME_MAX];
	const struct dns_zone *z;
	const struct dns_rrset *rs;
	const uint8_t *rd;
	uint16_t len;

	dns_name_lower(l, a->q.qname);
	if ((z = dns_zoneset_origin(a->set, l)) == NULL ||
	    (rs = dns_node_rrset(&z->nodes[0], DNS_T_SOA)) == NULL ||
	    (rd = dns_rrset_next(rs, NULL, &len)) == NULL) {
		a->rcode = DNS_R_REFUSED;
		return;
	}
	a->flags |= DNS_F_AA;
	dns_ans_rr(a, DNS_S_AN, a->q.qname, DNS_T_SOA, DNS_CLASS_IN, rs->ttl,
	    rd, len);
}

/* version.bind and friends: one TXT string, if configured. */
static void
chaos(struct dns_ans *a, const struct dns_answer_cfg *cfg)
{
	const char *s = NULL;
	uint8_t rd[256];
	size_t n;

	if (is_name(a->q.qname, "version.bind", "version.server"))
		s = cfg->version;
	else if (is_name(a->q.qname, "id.server", "hostname.bind"))
		s = cfg->id;
	/* Other types too: there is no CHAOS zone to say NODATA from. */
	if (s == NULL || (a->q.qtype != DNS_T_TXT &&
	    a->q.qtype != DNS_T_ANY)) {
		a->rcode = DNS_R_REFUSED;
		return;
	}
	n = strlen(s) > 255 ? 255 : strlen(s);
	rd[0] = (uint8_t)n;
	memcpy(rd + 1, s, n);
	/* No AA: there is no CHAOS zone to be an authority for. */
	dns_ans_rr(a, DNS_S_AN, a->q.qname, DNS_T_TXT, DNS_CLASS_CH, 0, rd,
	    (uint16_t)(n + 1));
}

static void
answer(struct dns_ans *a, const struct dns_answer_cfg *cfg)
{
	uint16_t t = a->q.qtype;

	if (a->q.qclass == DNS_CLASS_CH)
		chaos(a, cfg);
	else if (a->q.qclass != DNS_CLASS_IN)
		a->rcode = DNS_R_REFUSED;
	else if (t == DNS_T_IXFR_Q)
		ixfr_soa(a);
	else if (t >= 251 && t <= 254)
		/* AXFR, MAILB, MAILA: not from this engine. */
		a->rcode = DNS_R_NOTIMP;
	else
		dns_resolve(a);
}

/* Over UDP: the requester's size, capped by ours, never under 512. */
static size_t
limit(const struct dns_query *q, const struct dns_answer_cfg *cfg, bool tcp,
    size_t outcap)
{
	size_t lim = DNS_UDPMIN, ours = cfg->payload ? cfg->payload :
	    DNS_PAYLOAD;

	if (tcp)
		lim = DNS_MSGMAX;
	else if (q->edns)
		lim = q->payload < ours ? q->payload : ours;
	if (lim < DNS_UDPMIN)
		lim = DNS_UDPMIN;
	return lim < outcap ? lim : outcap;
}

size_t
dns_answer(const struct dns_zoneset *set, const struct dns_answer_cfg *cfg,
    const uint8_t *in, size_t inlen, bool tcp, uint8_t *out, size_t outcap)
{
	static const struct dns_answer_cfg none;
	struct dns_ans a;
	size_t lim;
	uint16_t flags;

	if (cfg == NULL)
		cfg = &none;
	/* Field by field: a memset would clear 1.5 KiB per query. */
	a.set = set;
	a.flags = 0;
	a.ede = -1;
	a.full = false;
	if ((a.rcode = dns_msg_parse(in, inlen, &a.q)) == DNS_DROP ||
	    outcap < DNS_HDRLEN + DNS_OPTLEN)
		return 0;
	lim = limit(&a.q, cfg, tcp, outcap);
	/* The OPT record always fits: its room is kept back until the end. */
	dns_wr_init(&a.w, out, lim - (a.q.edns ? DNS_OPTLEN : 0));
	if (a.q.hasq && dns_wr_question(&a.w, a.q.qname, a.q.qtype,
	    a.q.qclass) == -1)
		a.q.hasq = false;
	if (a.rcode == DNS_R_NOERROR)
		answer(&a, cfg);
	/*
	 * Cut (TC, the sections emptied): the client asks again over TCP.
	 * What the cut-away answer would have said depends on where the cut
	 * fell (a CNAME or DNAME chain cut early never reaches the name that
	 * is missing), so a cut response says NOERROR whatever the room.
	 */
	if (a.full)
		a.rcode = DNS_R_NOERROR;
	if (a.q.edns) {
		a.w.limit = lim;
		dns_wr_opt(&a.w, cfg->payload ? cfg->payload : DNS_PAYLOAD,
		    (uint8_t)(a.rcode >> 4), a.q.dnssec_ok, a.ede);
	}
	flags = DNS_F_QR | (a.q.flags & (0x7800 | DNS_F_RD | DNS_F_CD)) |
	    a.flags | (a.rcode & 0xf);
	return dns_wr_finish(&a.w, a.q.id, flags);
}
