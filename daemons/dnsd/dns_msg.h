/*
 * dns_msg: DNS messages on the wire (RFC 1035 4.1), the two halves the
 * answer engine needs and nothing more.
 *
 * Owns reading a query (the header, exactly one question, the EDNS OPT
 * record of RFC 6891 in the additional section; any other record is
 * walked over so that a malformed one is caught) and writing a response
 * with name compression and a size limit.  Reading decompresses names
 * but only follows pointers that go strictly backwards, each before the
 * last, so a loop or a forward pointer is malformed, not a hang.
 *
 * Writing never goes past the limit: a record that does not fit is
 * taken back whole (bytes and compression entries) and the caller
 * decides whether that truncates the message.  Names inside rdata are
 * compressed only for the RFC 1035 types that allow it (RFC 3597 4).
 */
#ifndef DNS_MSG_H
#define DNS_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns_name.h"

#define DNS_HDRLEN	12
#define DNS_UDPMIN	512		/* without EDNS, RFC 1035 4.2.1 */
#define DNS_MSGMAX	65535
#define DNS_OPTLEN	11		/* an OPT record with no options */
#define DNS_EDELEN	6		/* an Extended DNS Error, no text */
#define DNS_WR_NAMES	512		/* compression targets remembered */

#define DNS_CLASS_CH	3
#define DNS_T_HINFO	13
#define DNS_T_OPT	41
#define DNS_T_IXFR	251
#define DNS_T_AXFR	252
#define DNS_T_ANY	255

/* Header flags, in the 16-bit word after the ID. */
#define DNS_F_QR	0x8000
#define DNS_F_AA	0x0400
#define DNS_F_TC	0x0200
#define DNS_F_RD	0x0100
#define DNS_F_RA	0x0080
#define DNS_F_CD	0x0010
#define DNS_EDNS_DO	0x8000	/* in the OPT's flags */
#define DNS_OPCODE(f)	(((f) >> 11) & 0xf)

/* Extended DNS Errors (RFC 8914): the option, the codes we send. */
#define DNS_EDNS_EDE	15
#define DNS_EDE_NOTAUTH	20	/* "Not Authoritative" */

enum dns_rcode {
	DNS_R_NOERROR = 0, DNS_R_FORMERR = 1, DNS_R_SERVFAIL = 2,
	DNS_R_NXDOMAIN = 3, DNS_R_NOTIMP = 4, DNS_R_REFUSED = 5,
	DNS_R_YXDOMAIN = 6, DNS_R_BADVERS = 16
};

/* dns_msg_parse() also returns this: no answer at all. */
#define DNS_DROP	(-1)

enum dns_section { DNS_S_QD, DNS_S_AN, DNS_S_NS, DNS_S_AR };

struct dns_query {
	uint16_t	 id;
	uint16_t	 flags;
	bool		 hasq;		/* the question was read */
	uint8_t		 qname[DNS_NAME_MAX];	/* case as sent */
	uint16_t	 qtype, qclass;
	bool		 edns;		/* an OPT record was read */
	uint8_t		 ednsver;
	bool		 dnssec_ok;	/* the DO bit (RFC 3225) */
	uint16_t	 payload;	/* requester's UDP size, >= 512 */
	/* An SOA in the authority section: IXFR's "what I have" (RFC 1995). */
	bool		 has_soa;
	uint32_t	 soa_serial;
};

/*
 * DNS_DROP when the message deserves no answer (shorter than a header,
 * or a response); otherwise an rcode: NOERROR for a query to answer,
 * FORMERR, NOTIMP (an opcode other than QUERY) or BADVERS (EDNS version
 * above 0).  Whatever was read before a problem is filled in.
 */
int	dns_msg_parse(const uint8_t *, size_t, struct dns_query *);

/*
 * The name at *off in message m (len octets), decompressed into out
 * (DNS_NAME_MAX); *off moves past it.  -1 if malformed.
 */
int	dns_msg_name(const uint8_t *m, size_t len, size_t *off, uint8_t *out);

struct dns_wr {
	uint8_t		*buf;
	size_t		 len, limit;
	uint16_t	 count[4];	/* by enum dns_section */
	size_t		 qend, qnames;	/* len and nnames after the question */
	size_t		 nnames;
	uint16_t	 names[DNS_WR_NAMES];	/* offsets of written labels */
};

/* Leaves room for the header; limit is at least DNS_HDRLEN. */
void	dns_wr_init(struct dns_wr *, uint8_t *buf, size_t limit);
/* -1, with nothing written, if it does not fit. */
int	dns_wr_question(struct dns_wr *, const uint8_t *name, uint16_t type,
	    uint16_t class);
int	dns_wr_rr(struct dns_wr *, enum dns_section, const uint8_t *owner,
	    uint16_t type, uint16_t class, uint32_t ttl, const uint8_t *rdata,
	    uint16_t rdlen);
/*
 * An OPT record: our payload size, the upper 8 bits of a 12-bit rcode,
 * the DO bit, and an Extended DNS Error code unless ede is -1 (left
 * out, not the OPT, if only the bare OPT fits).
 */
int	dns_wr_opt(struct dns_wr *, uint16_t payload, uint8_t extrcode,
	    bool dnssec_ok, int ede);
/* Drop every record after the question: how truncation starts over. */
void	dns_wr_cut(struct dns_wr *);
/* Write the header; returns the message's length. */
size_t	dns_wr_finish(struct dns_wr *, uint16_t id, uint16_t flags);

#endif /* DNS_MSG_H */
