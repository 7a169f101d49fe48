/*
 * fuzz_dnsd: libFuzzer over dnsd's answer engine, dns_answer(), from the
 * bytes of a query to the bytes of its response, over a fixed set of
 * zones loaded once: tests/dnsd/zones/answer.zone (example.com),
 * child.example.com.zone, and fuzz.zone beside this file (fz), which
 * adds the corners those two leave out.
 *
 * An input is a 3-byte prefix, then the query as it came off the wire:
 *
 *	p[0]	bit 0: over TCP, else UDP
 *		bit 1: a configuration with CHAOS strings, else none (NULL)
 *		bit 2: with bit 1, an id.server string too; the version
 *		       string is then over 255 octets, to be cut
 *		bits 3-4: our EDNS size: the default, 512, 4096, 65535
 *		bits 5-7: unused
 *	p[1..2]	the small buffer of the second round: 12 + (p[1..2] % 589)
 *
 * Each query is answered twice: into a buffer of 65535 octets, then into
 * a buffer exactly as big as the small size chosen (allocated to that
 * size, so ASan sees a write past it).  Beyond the sanitizers, it aborts
 * when a response:
 *
 *	- is longer than its buffer, or than what the requester may take:
 *	  512 octets over UDP without EDNS, max(512, min(its size, ours))
 *	  with it, 65535 over TCP;
 *	- is missing for a query that deserves one, or exists for one that
 *	  does not (shorter than a header, QR set, buffer under 23 octets);
 *	- does not carry the query's id, opcode and RD, or lacks QR;
 *	- has a question other than the query's, octet for octet;
 *	- does not parse back: counts, names (pointers strictly backwards,
 *	  at most 255 octets), record headers and rdata lengths, names
 *	  inside NS/CNAME/PTR/DNAME/MX/SOA rdata, nothing after the last
 *	  record, at most one OPT, last, owned by the root, with our size
 *	  and its options filling its rdata;
 *	- has an OPT where the query had none;
 *	- differs between the two rounds when the first one fit the small
 *	  buffer (writing is sequential, so a bigger limit must change
 *	  nothing once everything fits);
 *	- gives an rcode other than NOTIMP for an opcode other than QUERY,
 *	  or other than FORMERR for a question count other than one.
 *
 * The walker below is this file's own, not dns_msg.c's, so that a bug
 * shared by reader and writer does not hide itself.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_answer.h"
#include "dns_zones.h"
#include "log.h"

#define PREFIX		3
#define HDR		12
#define MSGMAX		65535
#define UDPMIN		512
#define OPTMIN		23	/* a header and an OPT: less gets nothing */
#define SMALLMIN	12
#define SMALLSPAN	589	/* second-round buffers of 12..600 octets */

#define T_NS		2
#define T_CNAME		5
#define T_SOA		6
#define T_PTR		12
#define T_MX		15
#define T_DNAME		39
#define T_OPT		41

#define F_QR		0x8000
#define F_RD		0x0100
#define OPCODE(f)	(((f) >> 11) & 0xf)

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct dns_zones	*zones;
static uint8_t		 big[MSGMAX];
static bool		 trace;		/* $FUZZ_DNS_TRACE: print responses */
static char		 longver[300];	/* cut to 255 in the TXT answer */

/* What the walker learned about one message. */
struct walk {
	uint16_t	 id, flags, count[4];
	bool		 hasq;
	uint8_t		 qname[256];	/* the first question, uncompressed */
	size_t		 qnamelen;
	uint16_t	 qtype, qclass;
	int		 nopt;
	uint16_t	 optclass;	/* the response's OPT: our size */
	bool		 rootopt;	/* an OPT owned by the root in AR */
	size_t		 maxopt;	/* the largest such OPT's size */
};

static void
fail(const char *what, const uint8_t *m, size_t len)
{
	size_t i;

	fprintf(stderr, "fuzz_dnsd: %s (%zu octets:", what, len);
	for (i = 0; i < len && i < 64; i++)
		fprintf(stderr, " %02x", m[i]);
	fprintf(stderr, "%s)\n", len > 64 ? " ..." : "");
	abort();
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/*
 * The name at *off, uncompressed into out (may be NULL); *off moves past
 * it.  strict: what our writer must produce, every pointer before the
 * pointer itself.  Otherwise any pointer in the message, hops bounded,
 * so that every query the engine accepts is accepted here too.
 */
static int
name(const uint8_t *m, size_t len, size_t *off, bool strict, uint8_t *out,
    size_t *outlen)
{
	size_t p = *off, end = 0, o = 0, hops = 0;
	uint8_t l;

	for (;;) {
		if (p >= len)
			return -1;
		l = m[p];
		if ((l & 0xc0) == 0xc0) {
			size_t t;

			/*
			 * Strictly backwards chains of bare pointers are
			 * legal and may be len / 2 long; only a loop is
			 * longer.
			 */
			if (p + 1 >= len || ++hops > len)
				return -1;
			t = (size_t)(l & 0x3f) << 8 | m[p + 1];
			if (strict && t >= p)
				return -1;
			if (end == 0)
				end = p + 2;
			p = t;
			continue;
		}
		if ((l & 0xc0) != 0 || o + 1 + l > 255 || p + 1 + l > len)
			return -1;
		if (out != NULL)
			memcpy(out + o, m + p, 1 + (size_t)l);
		o += 1 + (size_t)l;
		p += 1 + (size_t)l;
		if (l == 0)
			break;
	}
	*off = end != 0 ? end : p;
	if (outlen != NULL)
		*outlen = o;
	return 0;
}

/* rdata whose names our writer may compress: they must stay inside it. */
static int
rdata(const uint8_t *m, size_t len, size_t off, size_t rdlen, uint16_t type)
{
	size_t end = off + rdlen, p = off;
	size_t nnames, i;

	switch (type) {
	case T_NS:
	case T_CNAME:
	case T_PTR:
	case T_DNAME:
		nnames = 1;
		break;
	case T_MX:
		p += 2;
		nnames = 1;
		break;
	case T_SOA:
		nnames = 2;
		break;
	default:
		return 0;
	}
	if (p > end)
		return -1;
	for (i = 0; i < nnames; i++) {
		size_t at = p;

		if (name(m, len, &p, true, NULL, NULL) == -1 || p > end)
			return -1;
		/* RFC 3597 4: a DNAME's target is never compressed. */
		if (type == T_DNAME)
			for (; at < p; at += 1 + (size_t)m[at])
				if ((m[at] & 0xc0) != 0)
					return -1;
	}
	if (type == T_SOA)
		p += 20;
	return p == end ? 0 : -1;
}

/* An OPT's rdata: (code, length, data) options that fill it exactly. */
static int
options(const uint8_t *p, size_t rdlen)
{
	size_t off = 0;

	while (off < rdlen) {
		if (off + 4 > rdlen || off + 4 + get16(p + off + 2) > rdlen)
			return -1;
		off += 4 + (size_t)get16(p + off + 2);
	}
	return 0;
}

/*
 * Walk a whole message.  A response (strict) must be exact; a query only
 * as far as it goes, for its question and the sizes in its OPTs.
 */
static int
walk(const uint8_t *m, size_t len, bool strict, struct walk *w)
{
	size_t off = HDR, i, n, nrr;
	uint8_t owner[256];
	uint16_t type, rdlen;

	memset(w, 0, sizeof(*w));
	if (len < HDR)
		return -1;
	w->id = get16(m);
	w->flags = get16(m + 2);
	for (i = 0; i < 4; i++)
		w->count[i] = get16(m + 4 + 2 * i);
	for (i = 0; i < w->count[0]; i++) {
		if (name(m, len, &off, strict, i == 0 ? w->qname : NULL,
		    i == 0 ? &w->qnamelen : NULL) == -1 || off + 4 > len)
			return -1;
		if (i == 0) {
			w->hasq = true;
			w->qtype = get16(m + off);
			w->qclass = get16(m + off + 2);
		}
		off += 4;
	}
	nrr = (size_t)w->count[1] + w->count[2] + w->count[3];
	for (n = 0; n < nrr; n++) {
		if (name(m, len, &off, strict, owner, NULL) == -1 ||
		    off + 10 > len)
			return -1;
		type = get16(m + off);
		rdlen = get16(m + off + 8);
		if (off + 10 + rdlen > len)
			return -1;
		if (type == T_OPT) {
			bool additional = n >= (size_t)w->count[1] +
			    w->count[2];

			w->nopt++;
			/* The owner may be a pointer to a root label. */
			if (!strict && additional && owner[0] == 0) {
				w->rootopt = true;
				if (get16(m + off + 2) > w->maxopt)
					w->maxopt = get16(m + off + 2);
			} else if (strict && (!additional || owner[0] != 0 ||
			    w->nopt > 1 || n + 1 != nrr ||
			    options(m + off + 10, rdlen) == -1))
				/* Ours comes last, its options well formed. */
				return -1;
			w->optclass = get16(m + off + 2);
		}
		if (strict && rdata(m, len, off + 10, rdlen, type) == -1)
			return -1;
		off += 10 + (size_t)rdlen;
	}
	if (strict && off != len)
		return -1;
	return 0;
}

static void
show(const char *round, const uint8_t *out, size_t len, size_t cap)
{
	size_t i;

	fprintf(stderr, "%s: %zu of %zu octets", round, len, cap);
	if (len >= HDR)
		fprintf(stderr, ", rcode %d, flags %04x, counts %u/%u/%u/%u",
		    out[3] & 0xf, get16(out + 2), get16(out + 4),
		    get16(out + 6), get16(out + 8), get16(out + 10));
	fprintf(stderr, "\n");
	for (i = 0; i < len; i++)
		fprintf(stderr, "%02x%s", out[i],
		    i % 32 == 31 || i + 1 == len ? "\n" : " ");
}

/* The checks one response must pass on its own. */
static void
check(const uint8_t *in, size_t inlen, const struct walk *q,
    const uint8_t *out, size_t len, size_t cap, bool tcp, uint16_t ours)
{
	struct walk r;
	size_t lim;
	uint16_t want;

	if (len > cap)
		fail("response longer than its buffer", out, len);
	if (inlen < HDR || (get16(in + 2) & F_QR) || cap < OPTMIN) {
		if (len != 0)
			fail("a response where none is due", out, len);
		return;
	}
	if (len == 0)
		fail("no response to a query", in, inlen);
	if (walk(out, len, true, &r) == -1)
		fail("response does not parse", out, len);
	if (r.id != q->id)
		fail("response id is not the query's", out, len);
	/* CD is left alone: whether to echo it is dnsd's policy, not a law. */
	want = (q->flags & (0x7800 | F_RD)) | F_QR;
	if ((r.flags & (F_QR | 0x7800 | F_RD)) != want)
		fail("response flags do not echo the query's", out, len);
	if (r.count[0] > 1)
		fail("more than one question in a response", out, len);
	if (OPCODE(q->flags) != 0 && ((r.flags & 0xf) != 4 || r.count[0] != 0))
		fail("an opcode other than QUERY not NOTIMP", out, len);
	if (OPCODE(q->flags) == 0 && q->count[0] != 1 && (r.flags & 0xf) != 1)
		fail("a question count other than one not FORMERR", out, len);
	if (r.hasq && (!q->hasq || r.qnamelen != q->qnamelen ||
	    memcmp(r.qname, q->qname, r.qnamelen) != 0 ||
	    r.qtype != q->qtype || r.qclass != q->qclass))
		fail("response question is not the query's", out, len);
	/* The engine read an OPT that a more lenient walker did not find. */
	if (r.nopt > 0 && !q->rootopt)
		fail("OPT in the response, none in the query", out, len);
	if (r.nopt > 0 && r.optclass != ours)
		fail("response OPT does not carry our size", out, len);
	if (tcp)
		lim = MSGMAX;
	else if (r.nopt == 0)
		lim = UDPMIN;
	else {
		lim = q->maxopt < ours ? q->maxopt : ours;
		if (lim < UDPMIN)
			lim = UDPMIN;
	}
	if (len > lim)
		fail("response over the requester's size", out, len);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct dns_zonecfg zc[] = {
		{ "example.com", DNSD_ZONEDIR "/answer.zone", NULL },
		{ "child.example.com", DNSD_ZONEDIR "/child.example.com.zone",
		    NULL },
		{ "fz", FUZZ_ZONEDIR "/fuzz.zone", NULL },
	};

	(void)argc;
	(void)argv;
	trace = getenv("FUZZ_DNS_TRACE") != NULL;
	memset(longver, 'v', sizeof(longver) - 1);
	log_init("fuzz_dnsd", 0, -1);
	if ((zones = dns_zones_new(0)) == NULL ||
	    dns_zones_reload(zones, zc, sizeof(zc) / sizeof(zc[0])) != 0) {
		/* A zone that does not load would quietly shrink the target. */
		fprintf(stderr, "fuzz_dnsd: the fixture zones do not load\n");
		abort();
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t sizes[] = { 0, 512, 4096, 65535 };
	struct dns_answer_cfg cfg = { NULL, NULL, 0 };
	const struct dns_answer_cfg *cp = NULL;
	const struct dns_zoneset *set = dns_zones_current(zones);
	const uint8_t *in;
	struct walk q;
	uint8_t *small;
	size_t inlen, cap, len, slen;
	bool tcp;
	uint16_t ours;

	if (size < PREFIX)
		return 0;
	tcp = data[0] & 1;
	if (data[0] & 2) {
		cfg.version = (data[0] & 4) ? longver : "shoal-fuzz";
		cfg.id = (data[0] & 4) ? "fuzz.example" : NULL;
	}
	cfg.payload = sizes[(data[0] >> 3) & 3];
	ours = cfg.payload != 0 ? cfg.payload : DNS_PAYLOAD;
	/* Nothing to configure: NULL, which the engine must take too. */
	if (cfg.version != NULL || cfg.payload != 0)
		cp = &cfg;
	cap = SMALLMIN + get16(data + 1) % SMALLSPAN;
	in = data + PREFIX;
	inlen = size - PREFIX;
	/* Only as far as it goes: a broken query still has a header. */
	(void)walk(in, inlen, false, &q);

	len = dns_answer(set, cp, in, inlen, tcp, big, sizeof(big));
	if (trace)
		show("full", big, len, sizeof(big));
	check(in, inlen, &q, big, len, sizeof(big), tcp, ours);

	if ((small = malloc(cap)) == NULL)
		abort();
	slen = dns_answer(set, cp, in, inlen, tcp, small, cap);
	if (trace)
		show("small", small, slen, cap);
	check(in, inlen, &q, small, slen, cap, tcp, ours);
	if (len <= cap && cap >= OPTMIN &&
	    (slen != len || memcmp(small, big, len) != 0))
		fail("a response that fit changed with a smaller buffer",
		    small, slen);
	free(small);
	return 0;
}
