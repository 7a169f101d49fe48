/*
 * dns_zone: one authoritative zone, loaded from an RFC 1035 master file
 * by Knot's zone scanner (libzscanner) and held in memory for lookup.
 *
 * Owns the file's reading ($ORIGIN, $TTL and $INCLUDE are the scanner's;
 * includes are followed here, DNS_ZONE_MAXDEPTH deep at most, so that a
 * file including itself is an error and not a crash), the checks that
 * make a set of records a zone, and the data the server will answer from.
 *
 * Layout: nodes[] holds every name that exists in the zone in RFC 4034
 * canonical order, the apex first.  That includes empty non-terminals
 * (a name with no records but with names below it, RFC 4592 2.2.2), so
 * that "does this name exist" is one binary search, and the closest
 * encloser of any name below the apex is found by dropping labels until
 * one search succeeds.  A node's RRsets are sorted by type; an RRset's
 * records are in canonical order (RFC 4034 6.3), duplicates dropped, in
 * one block of (16-bit big-endian length, rdata) pairs, rdata exactly
 * as the scanner wrote it in wire form.  Owner names are lowercase;
 * names inside rdata keep the case of the file.
 *
 * Refused, with "FILE:LINE: what" (the line on which the record ends)
 * or "FILE: what": scanner errors, a class other than IN, an owner
 * outside the origin, no SOA at the apex or an SOA anywhere else, more
 * than one SOA, CNAME or DNAME record at a name, a CNAME beside other
 * data (RRSIG and NSEC aside, RFC 2181 10.1, RFC 4035 2.5), names below
 * a DNAME (RFC 6672 2.4), includes nested too deep, and a zone whose
 * records and index would take more than maxbytes.  A record without a
 * TTL before any $TTL gets DNS_ZONE_DEFTTL; records of one RRset with
 * different TTLs all get the smallest (RFC 2181 5.2).
 *
 * A loaded zone never changes.  It is reference-counted so that a set of
 * zones (dns_zones) built on reload can share those that did not change.
 * A dynamic update makes a new version (dns_zedit.h) that carries the
 * last few differences that led to it, for IXFR.
 */
#ifndef DNS_ZONE_H
#define DNS_ZONE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns_name.h"

struct dns_diff;

#define DNS_ZONE_DEFTTL		3600
#define DNS_ZONE_MAXDEPTH	8
#define DNS_ZONE_MAXBYTES	((size_t)256 << 20)
#define DNS_ZONE_HISTORY	64	/* diffs kept for IXFR */

#define DNS_CLASS_IN	1
enum {
	DNS_T_A = 1, DNS_T_NS = 2, DNS_T_CNAME = 5, DNS_T_SOA = 6,
	DNS_T_PTR = 12, DNS_T_MX = 15, DNS_T_TXT = 16, DNS_T_AAAA = 28,
	DNS_T_SRV = 33, DNS_T_DNAME = 39, DNS_T_DS = 43, DNS_T_RRSIG = 46,
	DNS_T_NSEC = 47, DNS_T_CAA = 257
};

struct dns_rrset {
	uint16_t	 type;
	uint16_t	 count;		/* records */
	uint32_t	 ttl;
	size_t		 len;		/* of data */
	uint8_t		*data;		/* count x (len16, rdata) */
};

struct dns_node {
	const uint8_t		*name;	/* lowercase wire; not owned */
	uint8_t			 namelen;	/* octets, the root's 0 too */
	uint16_t		 nrrsets;	/* 0: empty non-terminal */
	struct dns_rrset	*rrsets;	/* by type */
};

struct dns_zone {
	atomic_int	 refs;
	uint8_t		 origin[DNS_NAME_MAX];	/* lowercase wire */
	size_t		 olen;			/* its length */
	char		*file;
	uint32_t	 serial;
	size_t		 bytes;		/* what its data takes */
	size_t		 nnodes;
	struct dns_node	*nodes;		/* canonical order; [0] is the apex */
	size_t		 nnames;
	uint8_t		**names;	/* owned storage nodes' names point into */
	/*
	 * Exact lookup by hash: node index + 1 (0: empty slot), open
	 * addressing, at most half full.  Binary search over nodes[] would
	 * do, but comparing names in canonical order is the costliest step
	 * of answering, and most lookups are exact.
	 */
	uint32_t	*index;
	size_t		 imask;		/* slots - 1 */
	/* A dynamic zone's (dns_zedit.h, dns_journal.h). */
	char		*journal;	/* NULL: updates are not kept */
	struct dns_diff	**hist;		/* the last diffs, oldest first */
	size_t		 nhist;
	uint64_t	 jpos;		/* journal octets this version holds */
	bool		 jreset;	/* the file won: restart the journal */
};

/*
 * origin is text ("example.com" or "example.com."); maxbytes 0 means
 * DNS_ZONE_MAXBYTES.  NULL with err filled; the zone has one reference.
 */
struct dns_zone	*dns_zone_load(const char *file, const char *origin,
		    size_t maxbytes, char *err, size_t errlen);
struct dns_zone	*dns_zone_ref(struct dns_zone *);
/* The index's hash of a lowercase wire name of len octets. */
uint32_t	 dns_zone_hash(const uint8_t *lname, size_t len);
void		 dns_zone_unref(struct dns_zone *);

/* Exact match, any case; NULL if the name does not exist in the zone. */
const struct dns_node	*dns_zone_find(const struct dns_zone *,
			    const uint8_t *name);
/* The same for a name already lowercase (no copy made). */
const struct dns_node	*dns_zone_find_lower(const struct dns_zone *,
			    const uint8_t *lname);
/*
 * The longest existing name that name equals or is below: the closest
 * encloser when *exact comes back false.  NULL if name is not at or
 * below the origin.  Zone cuts are not considered here.
 */
const struct dns_node	*dns_zone_encloser(const struct dns_zone *,
			    const uint8_t *name, bool *exact);
const struct dns_rrset	*dns_node_rrset(const struct dns_node *,
			    uint16_t type);
/* Walk an RRset's records: start with NULL; NULL after the last. */
const uint8_t		*dns_rrset_next(const struct dns_rrset *,
			    const uint8_t *prev, uint16_t *len);

#endif /* DNS_ZONE_H */
