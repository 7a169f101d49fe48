/*
 * The zone rules (RFC 1034 4.3.2, as amended by RFC 2308, 4592, 6672).
 * One step looks a name up: walking down from the apex, it stops at the
 * first zone cut (a referral) or DNAME (a synthesized CNAME) above the
 * name, else answers from the name's node, a wildcard at its closest
 * encloser, or says NXDOMAIN.  A CNAME (real or synthesized) gives the
 * next name, followed while it stays in the zone.  Owners are written
 * in the query's case where they are the query name or a suffix of it,
 * so that compression finds them in the question.
 */
#include <string.h>

#include "dns_answer.h"
#include "dns_answer_int.h"

enum step { DONE, FOLLOW };

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static int
add_rrset(struct dns_ans *a, enum dns_section sec, const uint8_t *owner,
    const struct dns_rrset *rs)
{
	const uint8_t *rd = NULL;
	uint16_t len;

	while ((rd = dns_rrset_next(rs, rd, &len)) != NULL)
		if (dns_ans_rr(a, sec, owner, rs->type, DNS_CLASS_IN, rs->ttl,
		    rd, len) == -1)
			return -1;
	return 0;
}

/* NODATA or NXDOMAIN: the SOA, its TTL at most MINIMUM (RFC 2308 3). */
static void
negative(struct dns_ans *a, const struct dns_zone *z, int rcode)
{
	const struct dns_rrset *soa = dns_node_rrset(&z->nodes[0], DNS_T_SOA);
	const uint8_t *rd;
	uint32_t ttl, min;
	uint16_t len;

	a->rcode = rcode;
	if (soa == NULL || (rd = dns_rrset_next(soa, NULL, &len)) == NULL ||
	    len < 20)
		return;
	min = get32(rd + len - 4);
	ttl = soa->ttl < min ? soa->ttl : min;
	dns_ans_rr(a, DNS_S_NS, z->origin, DNS_T_SOA, DNS_CLASS_IN, ttl, rd,
	    len);
}

/*
 * A and AAAA of a name in the zone, for the additional section.  Glue
 * for a name server inside the delegated zone is required: without it
 * the referral is useless, so if it does not fit the response says TC
 * (RFC 9471).  Other addresses are a courtesy.
 */
static void
addresses(struct dns_ans *a, const struct dns_zone *z, const uint8_t *name,
    bool required)
{
	static const uint16_t types[] = { DNS_T_A, DNS_T_AAAA };
	const struct dns_node *n;
	const struct dns_rrset *rs;
	const uint8_t *rd;
	uint16_t len;
	size_t i;

	if ((n = dns_zone_find(z, name)) == NULL)
		return;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if ((rs = dns_node_rrset(n, types[i])) == NULL)
			continue;
		for (rd = NULL; (rd = dns_rrset_next(rs, rd, &len)) != NULL;)
			if (dns_ans_rr(a, DNS_S_AR, name, rs->type,
			    DNS_CLASS_IN, rs->ttl, rd, len) == 1 && required)
				a->flags |= DNS_F_TC;
	}
}

/* Where the target name is in NS, MX and SRV rdata; -1 for others. */
static int
target_at(uint16_t type)
{
	switch (type) {
	case DNS_T_NS:
		return 0;
	case DNS_T_MX:
		return 2;
	case DNS_T_SRV:
		return 6;
	default:
		return -1;
	}
}

/*
 * Additional-section processing (RFC 1034 3.7) for names in our zone;
 * cut is the delegation's name in a referral, else NULL.
 */
static void
additional(struct dns_ans *a, const struct dns_zone *z,
    const struct dns_rrset *rs, const uint8_t *cut)
{
	uint8_t lname[DNS_NAME_MAX];
	int at = target_at(rs->type);
	const uint8_t *rd = NULL;
	uint16_t len;

	if (at < 0)
		return;
	while ((rd = dns_rrset_next(rs, rd, &len)) != NULL) {
		if (len <= at || dns_name_check(rd + at, len - at) == -1)
			continue;
		dns_name_lower(lname, rd + at);
		addresses(a, z, rd + at, cut != NULL &&
		    dns_name_under(lname, cut));
	}
}

/* A zone cut above or at the name: the child's NS and their glue. */
static void
referral(struct dns_ans *a, const struct dns_zone *z,
    const struct dns_node *cut, const uint8_t *owner)
{
	const struct dns_rrset *ns = dns_node_rrset(cut, DNS_T_NS);

	/* We are not authoritative for what is below the cut. */
	if (a->w.count[DNS_S_AN] == 0)
		a->flags &= ~DNS_F_AA;
	if (add_rrset(a, DNS_S_NS, owner, ns) == 0)
		additional(a, z, ns, cut->name);
}

/*
 * RFC 6672 2.2: the DNAME, then a CNAME from name to name with the
 * DNAME's owner replaced by its target; YXDOMAIN if that is too long.
 */
static enum step
dname(struct dns_ans *a, const struct dns_node *d, uint8_t *name,
    const uint8_t *owner)
{
	const struct dns_rrset *rs = dns_node_rrset(d, DNS_T_DNAME);
	uint8_t syn[DNS_NAME_MAX];
	const uint8_t *target;
	size_t pre = (size_t)(owner - name), tlen;
	uint16_t len;

	if (add_rrset(a, DNS_S_AN, owner, rs) == -1 ||
	    (target = dns_rrset_next(rs, NULL, &len)) == NULL)
		return DONE;
	tlen = dns_name_len(target);
	if (pre + tlen > DNS_NAME_MAX) {
		a->rcode = DNS_R_YXDOMAIN;
		return DONE;
	}
	memcpy(syn, name, pre);
	memcpy(syn + pre, target, tlen);
	if (dns_ans_rr(a, DNS_S_AN, name, DNS_T_CNAME, DNS_CLASS_IN, rs->ttl,
	    syn, (uint16_t)(pre + tlen)) == -1)
		return DONE;
	memcpy(name, syn, pre + tlen);
	return a->q.qtype == DNS_T_CNAME ? DONE : FOLLOW;
}

/* RFC 8482 4.1: one RRset of those at the name, not all of them. */
static const struct dns_rrset *
any_rrset(const struct dns_node *n)
{
	uint16_t i;

	for (i = 0; i < n->nrrsets; i++)
		if (n->rrsets[i].type != DNS_T_RRSIG &&
		    n->rrsets[i].type != DNS_T_NSEC)
			return &n->rrsets[i];
	return NULL;
}

/* The name exists (or a wildcard stands for it): answer from n. */
static enum step
from_node(struct dns_ans *a, const struct dns_zone *z,
    const struct dns_node *n, uint8_t *name)
{
	const struct dns_rrset *rs, *cn = dns_node_rrset(n, DNS_T_CNAME);
	uint16_t len;
	const uint8_t *target;

	if (a->q.qtype == DNS_T_ANY)
		rs = any_rrset(n);
	else if (cn != NULL && a->q.qtype != DNS_T_CNAME) {
		if (add_rrset(a, DNS_S_AN, name, cn) == -1 ||
		    (target = dns_rrset_next(cn, NULL, &len)) == NULL)
			return DONE;
		memcpy(name, target, dns_name_len(target));
		return FOLLOW;
	} else
		rs = dns_node_rrset(n, a->q.qtype);
	if (rs == NULL) {
		negative(a, z, DNS_R_NOERROR);
		return DONE;
	}
	a->rcode = DNS_R_NOERROR;
	if (add_rrset(a, DNS_S_AN, name, rs) == 0)
		additional(a, z, rs, NULL);
	return DONE;
}

/* RFC 4592 3.3.1: the source of synthesis is "*" at the closest encloser. */
static enum step
wildcard(struct dns_ans *a, const struct dns_zone *z,
    const struct dns_node *ce, uint8_t *name)
{
	uint8_t star[DNS_NAME_MAX];
	size_t len = dns_name_len(ce->name);
	const struct dns_node *n;

	star[0] = 1;
	star[1] = '*';
	if (len + 2 <= DNS_NAME_MAX)
		memcpy(star + 2, ce->name, len);
	if (len + 2 > DNS_NAME_MAX || (n = dns_zone_find(z, star)) == NULL) {
		negative(a, z, DNS_R_NXDOMAIN);
		return DONE;
	}
	return from_node(a, z, n, name);
}

/*
 * One lookup of name in z, from the apex down.  up[k] is name with k
 * labels dropped (up[0] the name, up[top] the apex), in the query's
 * case; lname is the same, folded.
 */
static enum step
step(struct dns_ans *a, const struct dns_zone *z, uint8_t *name,
    const uint8_t *lname)
{
	const struct dns_node *n, *ce = &z->nodes[0];
	int top, k, j;
	bool ds = a->q.qtype == DNS_T_DS;
	const uint8_t *p;

	top = dns_name_labels(name) - dns_name_labels(z->origin);
	for (k = top; k >= 0; k--) {
		for (p = lname, j = 0; j < k; j++)
			p = dns_name_parent(p);
		/* k == top is the apex, nodes[0]: no lookup needed. */
		n = k == top ? &z->nodes[0] : dns_zone_find_lower(z, p);
		if (n == NULL)
			return wildcard(a, z, ce, name);
		ce = n;
		p = name + (p - lname);
		/* At a cut, DS belongs to the parent (RFC 4035 3.1.4.1). */
		if (k < top && dns_node_rrset(n, DNS_T_NS) != NULL &&
		    !(k == 0 && ds)) {
			referral(a, z, n, p);
			return DONE;
		}
		if (k > 0 && dns_node_rrset(n, DNS_T_DNAME) != NULL)
			return dname(a, n, name, p);
	}
	return from_node(a, z, ce, name);
}

/*
 * The zone for the name; DS at an apex is the parent's to answer when
 * the parent is ours too.
 */
static const struct dns_zone *
zone_for(const struct dns_ans *a, const uint8_t *lname)
{
	const struct dns_zone *z, *parent;

	if ((z = dns_zoneset_find_lower(a->set, lname)) == NULL)
		return NULL;
	if (a->q.qtype == DNS_T_DS && lname[0] != 0 &&
	    dns_name_cmp(lname, z->origin) == 0 &&
	    (parent = dns_zoneset_find_lower(a->set,
	    dns_name_parent(lname))) != NULL)
		return parent;
	return z;
}

void
dns_resolve(struct dns_ans *a)
{
	uint8_t name[DNS_NAME_MAX], lname[DNS_NAME_MAX];
	uint8_t seen[DNS_CHAIN_MAX + 1][DNS_NAME_MAX];	/* folded */
	const struct dns_zone *z;
	int i, j;

	memcpy(name, a->q.qname, dns_name_len(a->q.qname));
	dns_name_lower(lname, name);
	if ((z = zone_for(a, lname)) == NULL) {
		/* Said in the OPT too, when there is one (RFC 8914 4.21). */
		a->rcode = DNS_R_REFUSED;
		a->ede = DNS_EDE_NOTAUTH;
		return;
	}
	a->flags |= DNS_F_AA;
	for (i = 0; i <= DNS_CHAIN_MAX; i++) {
		memcpy(seen[i], lname, dns_name_len(lname));
		if (step(a, z, name, lname) == DONE)
			return;
		/* A target outside the zone is the resolver's to chase. */
		dns_name_lower(lname, name);
		if (!dns_name_under(lname, z->origin))
			return;
		/*
		 * A loop stops at the first name already answered for, as
		 * NSD and Knot do: no record twice in the answer.
		 */
		for (j = 0; j <= i; j++)
			if (dns_name_cmp(seen[j], lname) == 0)
				return;
	}
}
