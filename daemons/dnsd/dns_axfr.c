#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_axfr.h"
#include "dns_zedit.h"
#include "log.h"

struct dns_axfr {
	struct dns_zone	*zone;		/* a reference */
	uint16_t	 id;
	uint8_t		 qname[DNS_NAME_MAX];	/* as asked */
	uint16_t	 qtype;
	char		 origin[DNS_NAME_TEXTMAX];
	/* The cursor: which record goes next. */
	enum { AX_SOA, AX_BODY, AX_LASTSOA, AX_LIST, AX_DONE } phase;
	size_t		 node, rrset;
	/* An incremental transfer: the records to send, in order. */
	const struct dns_rr **list;
	size_t		 nlist, next;
	const uint8_t	*rec;		/* NULL: find the next one */
	uint16_t	 reclen;
	unsigned	 msgs;
};

static size_t
error_reply(const struct dns_query *q, int rcode, uint8_t *out, size_t cap)
{
	struct dns_wr	 w;

	dns_wr_init(&w, out, cap);
	(void)dns_wr_question(&w, q->qname, q->qtype, q->qclass);
	return dns_wr_finish(&w, q->id, (uint16_t)(DNS_F_QR |
	    (q->flags & DNS_F_RD) | rcode));
}

/* Serial number arithmetic (RFC 1982): a is b or after it. */
static bool
serial_ge(uint32_t a, uint32_t b)
{
	return a == b || (int32_t)(a - b) > 0;
}

static const struct dns_rrset	*soa(const struct dns_zone *);

/* A secondary that is current gets the SOA alone (RFC 1995 2). */
static size_t
soa_only(const struct dns_query *q, const struct dns_zone *z, uint8_t *out,
    size_t cap)
{
	struct dns_wr		 w;
	const struct dns_rrset	*s = soa(z);
	const uint8_t		*rd;
	uint16_t		 len;

	dns_wr_init(&w, out, cap);
	(void)dns_wr_question(&w, q->qname, q->qtype, q->qclass);
	if ((rd = dns_rrset_next(s, NULL, &len)) != NULL)
		(void)dns_wr_rr(&w, DNS_S_AN, q->qname, DNS_T_SOA,
		    DNS_CLASS_IN, s->ttl, rd, len);
	return dns_wr_finish(&w, q->id, DNS_F_QR | DNS_F_AA);
}

static size_t
zone_records(const struct dns_zone *z)
{
	size_t	 i, n = 0;
	uint16_t j;

	for (i = 0; i < z->nnodes; i++)
		for (j = 0; j < z->nodes[i].nrrsets; j++)
			n += z->nodes[i].rrsets[j].count;
	return n;
}

/*
 * RFC 1995 4: the current SOA, then for each difference since the
 * peer's serial its old SOA and deletions, its new SOA and additions,
 * then the current SOA again.  -1 (send the whole zone) when the
 * history does not reach back to that serial, or when the differences
 * would be longer than the zone.
 */
static int
incremental(struct dns_axfr *x, uint32_t from)
{
	const struct dns_zone	*z = x->zone;
	size_t			 i, j, first, n = 2;

	for (first = 0; first < z->nhist; first++)
		if (z->hist[first]->from == from)
			break;
	if (first == z->nhist)
		return -1;
	for (i = first; i < z->nhist; i++)
		n += z->hist[i]->del.n + z->hist[i]->add.n;
	if (n > zone_records(z) ||
	    (x->list = calloc(n, sizeof(*x->list))) == NULL)
		return -1;
	x->list[x->nlist++] = &z->hist[z->nhist - 1]->add.v[0];
	for (i = first; i < z->nhist; i++) {
		for (j = 0; j < z->hist[i]->del.n; j++)
			x->list[x->nlist++] = &z->hist[i]->del.v[j];
		for (j = 0; j < z->hist[i]->add.n; j++)
			x->list[x->nlist++] = &z->hist[i]->add.v[j];
	}
	x->list[x->nlist++] = &z->hist[z->nhist - 1]->add.v[0];
	x->phase = AX_LIST;
	return 0;
}

struct dns_axfr *
dns_axfr_start(const struct dns_query *q, const struct dns_zoneset *zs,
    const struct dns_config *cfg, const struct sockaddr *peer, uint8_t *out,
    size_t outcap, size_t *outlen)
{
	const struct dns_zone	*z;
	const struct dns_zconf	*zc;
	struct dns_axfr		*x;
	uint8_t			 lower[DNS_NAME_MAX];
	char			 who[NET_ADDRSTRLEN];

	dns_name_lower(lower, q->qname);
	z = dns_zoneset_origin(zs, lower);
	zc = z != NULL ? dns_config_zone(cfg, z->origin) : NULL;
	net_addr_str(peer, who, sizeof(who));
	if (zc == NULL || !net_acl_match(&zc->axfr, peer)) {
		char name[DNS_NAME_TEXTMAX];

		dns_name_to_text(q->qname, name);
		log_info("transfer of %s refused to %s", name, who);
		*outlen = error_reply(q, DNS_R_REFUSED, out, outcap);
		return NULL;
	}
	if (q->qtype == DNS_T_IXFR && q->has_soa &&
	    serial_ge(q->soa_serial, z->serial)) {
		char name[DNS_NAME_TEXTMAX];

		dns_name_to_text(z->origin, name);
		log_info("IXFR of %s: %s has serial %u, current", name, who,
		    q->soa_serial);
		*outlen = soa_only(q, z, out, outcap);
		return NULL;
	}
	if ((x = calloc(1, sizeof(*x))) == NULL) {
		*outlen = error_reply(q, DNS_R_SERVFAIL, out, outcap);
		return NULL;
	}
	x->zone = dns_zone_ref((struct dns_zone *)z);
	x->id = q->id;
	x->qtype = q->qtype;
	memcpy(x->qname, q->qname, dns_name_len(q->qname));
	dns_name_to_text(z->origin, x->origin);
	if (q->qtype == DNS_T_IXFR && q->has_soa &&
	    incremental(x, q->soa_serial) == 0) {
		log_info("IXFR of %s from serial %u to %u to %s: %zu records",
		    x->origin, q->soa_serial, z->serial, who, x->nlist);
		return x;
	}
	/* Which one the peer asked for: an IXFR gets the whole zone too. */
	log_info("%s of %s (serial %u) to %s%s", q->qtype == DNS_T_IXFR ?
	    "IXFR" : "AXFR", x->origin, z->serial, who,
	    q->qtype == DNS_T_IXFR ? ", answered with the whole zone" : "");
	return x;
}

bool
dns_axfr_incremental(const struct dns_axfr *x)
{
	return x->list != NULL;
}

static const struct dns_rrset *
soa(const struct dns_zone *z)
{
	return dns_node_rrset(&z->nodes[0], DNS_T_SOA);
}

/* Move the cursor to the next record of the body; false at its end. */
static bool
advance(struct dns_axfr *x)
{
	const struct dns_zone	*z = x->zone;
	const struct dns_node	*n;
	const struct dns_rrset	*set;

	for (; x->node < z->nnodes; x->node++, x->rrset = 0) {
		n = &z->nodes[x->node];
		for (; x->rrset < n->nrrsets; x->rrset++) {
			set = &n->rrsets[x->rrset];
			/* The apex SOA opens and closes; never in between. */
			if (x->node == 0 && set->type == DNS_T_SOA)
				continue;
			x->rec = dns_rrset_next(set, NULL, &x->reclen);
			if (x->rec != NULL)
				return true;
		}
	}
	return false;
}

/* Write the record at the cursor; -1 if it does not fit. */
static int
put(struct dns_wr *w, const uint8_t *owner, const struct dns_rrset *set,
    const uint8_t *rec, uint16_t len)
{
	return dns_wr_rr(w, DNS_S_AN, owner, set->type, DNS_CLASS_IN,
	    set->ttl, rec, len);
}

static int
put_soa(struct dns_axfr *x, struct dns_wr *w)
{
	const struct dns_rrset	*s = soa(x->zone);
	const uint8_t		*rec;
	uint16_t		 len;

	rec = dns_rrset_next(s, NULL, &len);
	return put(w, x->zone->nodes[0].name, s, rec, len);
}

/*
 * Fill one message: DNS_AXFR_MSG octets, or more for a record that does
 * not fit in that alone (up to the 65535 a message may have).
 */
size_t
dns_axfr_next(struct dns_axfr *x, uint8_t *out, size_t outcap)
{
	struct dns_wr		 w;
	const struct dns_rrset	*set;
	size_t			 limit = DNS_AXFR_MSG;

	if (x->phase == AX_DONE)
		return 0;
again:
	dns_wr_init(&w, out, limit < outcap ? limit : outcap);
	/* The question goes in the first message only (RFC 5936 2.2). */
	if (x->msgs == 0 &&
	    dns_wr_question(&w, x->qname, x->qtype, DNS_CLASS_IN) == -1)
		return 0;
	while (x->phase == AX_LIST) {
		const struct dns_rr *r = x->list[x->next];

		if (dns_wr_rr(&w, DNS_S_AN, r->owner, r->type, DNS_CLASS_IN,
		    r->ttl, r->rdata, r->rdlen) == -1)
			goto full;
		if (++x->next == x->nlist)
			x->phase = AX_DONE;
	}
	if (x->phase == AX_SOA) {
		if (put_soa(x, &w) == -1)
			goto bigger;
		x->phase = AX_BODY;
	}
	while (x->phase == AX_BODY) {
		if (x->rec == NULL && !advance(x)) {
			x->phase = AX_LASTSOA;
			break;
		}
		set = &x->zone->nodes[x->node].rrsets[x->rrset];
		if (put(&w, x->zone->nodes[x->node].name, set, x->rec,
		    x->reclen) == -1)
			goto full;
		if ((x->rec = dns_rrset_next(set, x->rec, &x->reclen)) == NULL)
			x->rrset++;
	}
	if (x->phase == AX_LASTSOA) {
		if (put_soa(x, &w) == -1)
			goto full;
		x->phase = AX_DONE;
	}
	x->msgs++;
	return dns_wr_finish(&w, x->id, DNS_F_QR | DNS_F_AA);
full:
	if (w.count[DNS_S_AN] > 0) {
		x->msgs++;
		return dns_wr_finish(&w, x->id, DNS_F_QR | DNS_F_AA);
	}
bigger:
	if (limit >= DNS_MSGMAX || limit >= outcap)
		return 0;	/* cannot happen: a record fits in 65535 */
	limit = DNS_MSGMAX;
	goto again;
}

void
dns_axfr_free(struct dns_axfr *x)
{
	if (x == NULL)
		return;
	dns_zone_unref(x->zone);
	free(x->list);
	free(x);
}

const char *
dns_axfr_zone(const struct dns_axfr *x)
{
	return x->origin;
}
