/*
 * Writing a response.  Compression (RFC 1035 4.1.4) remembers where each
 * label written so far begins; a name to write is compared, suffix by
 * suffix from the longest, against the names at those offsets, and its
 * first suffix already present becomes a pointer.  Quadratic, but over
 * a few hundred names at most, and it needs no other structure.
 */
#include <string.h>

#include "dns_msg.h"

static bool
room(const struct dns_wr *w, size_t n)
{
	return w->len + n <= w->limit;
}

static void
put16(struct dns_wr *w, uint16_t v)
{
	w->buf[w->len++] = (uint8_t)(v >> 8);
	w->buf[w->len++] = (uint8_t)v;
}

static void
put32(struct dns_wr *w, uint32_t v)
{
	put16(w, (uint16_t)(v >> 16));
	put16(w, (uint16_t)v);
}

/* ASCII only, whatever the locale (RFC 4343). */
static inline uint8_t
fold(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

/* The name at off in our own message (pointers all go back) is name. */
static bool
same_name(const uint8_t *buf, size_t off, const uint8_t *name)
{
	uint8_t l;
	int i;

	for (;;) {
		l = buf[off];
		if ((l & 0xc0) == 0xc0) {
			off = (size_t)(l & 0x3f) << 8 | buf[off + 1];
			continue;
		}
		if (l != *name)
			return false;
		if (l == 0)
			return true;
		for (i = 1; i <= l; i++)
			if (buf[off + i] != name[i] &&
			    fold(buf[off + i]) != fold(name[i]))
				return false;
		off += 1 + (size_t)l;
		name += 1 + l;
	}
}

static int
find(const struct dns_wr *w, const uint8_t *suffix)
{
	size_t i;

	for (i = 0; i < w->nnames; i++)
		if (same_name(w->buf, w->names[i], suffix))
			return w->names[i];
	return -1;
}

/*
 * Labels are remembered only once the whole name is written, so that a
 * later suffix is never compared against a name still being written.
 */
static int
put_name(struct dns_wr *w, const uint8_t *name, bool compress)
{
	uint16_t fresh[DNS_NAME_MAX / 2 + 1];
	size_t nfresh = 0, i;
	const uint8_t *s;
	int at = -1;

	for (s = name; *s != 0; s += 1 + *s) {
		if (compress && (at = find(w, s)) != -1)
			break;
		if (!room(w, 1 + (size_t)*s))
			return -1;
		if (w->len < 0x4000)
			fresh[nfresh++] = (uint16_t)w->len;
		memcpy(w->buf + w->len, s, 1 + (size_t)*s);
		w->len += 1 + (size_t)*s;
	}
	if (at != -1) {
		if (!room(w, 2))
			return -1;
		put16(w, (uint16_t)(0xc000 | at));
	} else {
		if (!room(w, 1))
			return -1;
		w->buf[w->len++] = 0;
	}
	for (i = 0; i < nfresh && w->nnames < DNS_WR_NAMES; i++)
		w->names[w->nnames++] = fresh[i];
	return 0;
}

static int
put_raw(struct dns_wr *w, const uint8_t *p, size_t n)
{
	if (!room(w, n))
		return -1;
	if (n > 0)
		memcpy(w->buf + w->len, p, n);
	w->len += n;
	return 0;
}

/* skip octets as is, then one name, compressed, then the rest as is. */
static int
put_rdata_name(struct dns_wr *w, const uint8_t *rd, size_t len, size_t skip,
    int nnames)
{
	size_t off = skip;
	int n;

	if (put_raw(w, rd, skip) == -1)
		return -1;
	while (nnames-- > 0) {
		if ((n = dns_name_check(rd + off, len - off)) == -1)
			return put_raw(w, rd + off, len - off);
		if (put_name(w, rd + off, true) == -1)
			return -1;
		off += (size_t)n;
	}
	return put_raw(w, rd + off, len - off);
}

/* Only the types RFC 1035 defined with names in them are compressed. */
static int
put_rdata(struct dns_wr *w, uint16_t type, const uint8_t *rd, size_t len)
{
	switch (type) {
	case 2:		/* NS */
	case 5:		/* CNAME */
	case 12:	/* PTR */
		return put_rdata_name(w, rd, len, 0, 1);
	case 15:	/* MX */
		return len < 2 ? put_raw(w, rd, len) :
		    put_rdata_name(w, rd, len, 2, 1);
	case 6:		/* SOA */
		return put_rdata_name(w, rd, len, 0, 2);
	default:
		return put_raw(w, rd, len);
	}
}

void
dns_wr_init(struct dns_wr *w, uint8_t *buf, size_t limit)
{
	/* Not memset: names[] is 1 KiB that nnames says is unused. */
	w->buf = buf;
	w->limit = limit;
	w->len = w->qend = DNS_HDRLEN;
	memset(w->count, 0, sizeof(w->count));
	w->qnames = w->nnames = 0;
}

int
dns_wr_question(struct dns_wr *w, const uint8_t *name, uint16_t type,
    uint16_t class)
{
	size_t save = w->len, saven = w->nnames;

	if (put_name(w, name, true) == -1 || !room(w, 4)) {
		w->len = save;
		w->nnames = saven;
		return -1;
	}
	put16(w, type);
	put16(w, class);
	w->count[DNS_S_QD]++;
	w->qend = w->len;
	w->qnames = w->nnames;
	return 0;
}

int
dns_wr_rr(struct dns_wr *w, enum dns_section sec, const uint8_t *owner,
    uint16_t type, uint16_t class, uint32_t ttl, const uint8_t *rdata,
    uint16_t rdlen)
{
	size_t save = w->len, saven = w->nnames, at;

	if (put_name(w, owner, true) == -1 || !room(w, 10))
		goto undo;
	put16(w, type);
	put16(w, class);
	put32(w, ttl);
	at = w->len;
	w->len += 2;
	if (put_rdata(w, type, rdata, rdlen) == -1)
		goto undo;
	w->buf[at] = (uint8_t)((w->len - at - 2) >> 8);
	w->buf[at + 1] = (uint8_t)(w->len - at - 2);
	w->count[sec]++;
	return 0;
undo:
	w->len = save;
	w->nnames = saven;
	return -1;
}

int
dns_wr_opt(struct dns_wr *w, uint16_t payload, uint8_t extrcode,
    bool dnssec_ok, int ede)
{
	if (!room(w, DNS_OPTLEN))
		return -1;
	if (ede >= 0 && !room(w, DNS_OPTLEN + DNS_EDELEN))
		ede = -1;
	w->buf[w->len++] = 0;
	put16(w, DNS_T_OPT);
	put16(w, payload);
	/* Extended rcode, version 0, DO as asked (RFC 3225 3). */
	put32(w, (uint32_t)extrcode << 24 | (dnssec_ok ? DNS_EDNS_DO : 0));
	if (ede < 0)
		put16(w, 0);
	else {
		/* One option: code, length, the 16-bit INFO-CODE, no text. */
		put16(w, DNS_EDELEN);
		put16(w, DNS_EDNS_EDE);
		put16(w, 2);
		put16(w, (uint16_t)ede);
	}
	w->count[DNS_S_AR]++;
	return 0;
}

void
dns_wr_cut(struct dns_wr *w)
{
	w->len = w->qend;
	w->nnames = w->qnames;
	w->count[DNS_S_AN] = w->count[DNS_S_NS] = w->count[DNS_S_AR] = 0;
}

size_t
dns_wr_finish(struct dns_wr *w, uint16_t id, uint16_t flags)
{
	size_t end = w->len;
	int i;

	w->len = 0;
	put16(w, id);
	put16(w, flags);
	for (i = 0; i < 4; i++)
		put16(w, w->count[i]);
	w->len = end;
	return end;
}
