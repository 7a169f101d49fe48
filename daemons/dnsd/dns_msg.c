/*
 * Reading a query.  Every length is checked against the message before
 * it is used; names are copied out uncompressed so the rest of dnsd
 * never sees a pointer.
 */
#include <string.h>

#include "dns_msg.h"

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/*
 * A name at *off, decompressed into out; *off moves past it.  A pointer
 * must point before the start of the labels it was reached from, so
 * every jump goes strictly backwards and the walk ends.
 */
int
dns_msg_name(const uint8_t *m, size_t len, size_t *off, uint8_t *out)
{
	size_t p = *off, lim = *off, o = 0, end = 0;
	uint8_t l;

	for (;;) {
		if (p >= len)
			return -1;
		l = m[p];
		if ((l & 0xc0) == 0xc0) {
			size_t t;

			if (p + 1 >= len)
				return -1;
			t = (size_t)(l & 0x3f) << 8 | m[p + 1];
			if (t >= lim)
				return -1;
			if (end == 0)
				end = p + 2;
			p = lim = t;
			continue;
		}
		/* 0x40 and 0x80 are the retired extended label types. */
		if (l > DNS_LABEL_MAX || o + 1 + l > DNS_NAME_MAX ||
		    p + 1 + l > len)
			return -1;
		memcpy(out + o, m + p, 1 + (size_t)l);
		o += 1 + (size_t)l;
		p += 1 + (size_t)l;
		if (l == 0)
			break;
	}
	*off = end != 0 ? end : p;
	return 0;
}

/* The OPT record's fixed part: owner is the root (RFC 6891 6.1.2). */
static int
read_opt(struct dns_query *q, const uint8_t *owner, const uint8_t *f)
{
	if (owner[0] != 0 || q->edns)
		return -1;
	q->edns = true;
	q->payload = get16(f + 2);
	if (q->payload < DNS_UDPMIN)
		q->payload = DNS_UDPMIN;
	q->ednsver = f[5];
	q->dnssec_ok = (get16(f + 6) & DNS_EDNS_DO) != 0;
	return 0;
}

/* The serial of an SOA whose rdata is at rd (rdlen octets) in m. */
static void
read_soa(const uint8_t *m, size_t len, size_t rd, size_t rdlen,
    struct dns_query *q)
{
	uint8_t name[DNS_NAME_MAX];
	size_t p = rd;

	if (dns_msg_name(m, len, &p, name) == -1 ||
	    dns_msg_name(m, len, &p, name) == -1 || p + 4 > rd + rdlen)
		return;
	q->has_soa = true;
	q->soa_serial = (uint32_t)get16(m + p) << 16 | get16(m + p + 2);
}

/*
 * One resource record; only OPT, and only in the additional section.
 * The first SOA outside it is kept for IXFR.
 */
static int
read_rr(const uint8_t *m, size_t len, size_t *off, struct dns_query *q,
    bool additional)
{
	uint8_t owner[DNS_NAME_MAX];
	uint16_t type, rdlen;

	if (dns_msg_name(m, len, off, owner) == -1 || *off + 10 > len)
		return -1;
	type = get16(m + *off);
	rdlen = get16(m + *off + 8);
	if (*off + 10 + rdlen > len)
		return -1;
	if (type == DNS_T_OPT && (!additional ||
	    read_opt(q, owner, m + *off) == -1))
		return -1;
	if (type == 6 && !additional && !q->has_soa)
		read_soa(m, len, *off + 10, rdlen, q);
	*off += 10 + (size_t)rdlen;
	return 0;
}

static int
read_question(const uint8_t *m, size_t len, size_t *off, struct dns_query *q)
{
	if (dns_msg_name(m, len, off, q->qname) == -1 || *off + 4 > len)
		return -1;
	q->qtype = get16(m + *off);
	q->qclass = get16(m + *off + 2);
	*off += 4;
	q->hasq = true;
	/* OPT is a pseudo-type: it can be asked for by no one. */
	return q->qtype == DNS_T_OPT ? -1 : 0;
}

int
dns_msg_parse(const uint8_t *m, size_t len, struct dns_query *q)
{
	size_t off = DNS_HDRLEN;
	unsigned i, n;

	/* Not memset: qname is only read once hasq says it was written. */
	q->id = q->flags = q->qtype = q->qclass = 0;
	q->hasq = q->edns = q->dnssec_ok = false;
	q->ednsver = 0;
	q->has_soa = false;
	q->soa_serial = 0;
	q->qname[0] = 0;
	q->payload = DNS_UDPMIN;
	if (len < DNS_HDRLEN)
		return DNS_DROP;
	q->id = get16(m);
	q->flags = get16(m + 2);
	/* Answering a response is how loops between servers start. */
	if (q->flags & DNS_F_QR)
		return DNS_DROP;
	if (DNS_OPCODE(q->flags) != 0)
		return DNS_R_NOTIMP;
	if (get16(m + 4) != 1 || read_question(m, len, &off, q) == -1)
		return DNS_R_FORMERR;
	n = (unsigned)get16(m + 6) + get16(m + 8);
	for (i = 0; i < n; i++)
		if (read_rr(m, len, &off, q, false) == -1)
			return DNS_R_FORMERR;
	n = get16(m + 10);
	for (i = 0; i < n; i++)
		if (read_rr(m, len, &off, q, true) == -1)
			return DNS_R_FORMERR;
	if (q->edns && q->ednsver > 0)
		return DNS_R_BADVERS;
	return DNS_R_NOERROR;
}
