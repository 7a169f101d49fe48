/*
 * An UPDATE is read whole before anything is decided: the zone section,
 * the prerequisites and the updates into arrays of records (owners
 * lowercased, rdata names expanded), the TSIG located at the end.  Then
 * the checks run in RFC 2136's order, each returning an rcode, and the
 * changes are made to a copy of the zone's records (dns_zedit.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_journal.h"
#include "dns_msg.h"
#include "dns_tsig.h"
#include "dns_update.h"
#include "dns_zedit.h"
#include "log.h"

#define T_MAILB		253
#define T_MAILA		254
#define CLASS_NONE	254

struct upd_rr {
	uint8_t		 owner[DNS_NAME_MAX];	/* lowercase */
	uint16_t	 type, class, rdlen;
	uint32_t	 ttl;
	uint8_t		*rdata;			/* expanded, malloc'd */
};

struct upd_sec {
	struct upd_rr	*v;
	size_t		 n;
};

struct upd_msg {
	uint16_t	 id;
	size_t		 zone_end;	/* the zone section ends here; 0: none */
	uint8_t		 zone[DNS_NAME_MAX];	/* lowercase */
	uint16_t	 ztype, zclass;
	struct upd_sec	 pre, upd;
	size_t		 tsig_off;	/* 0: unsigned */
	char		 peer[NET_ADDRSTRLEN];
	char		 origin[DNS_NAME_TEXTMAX];
};

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
sec_free(struct upd_sec *s)
{
	size_t	 i;

	for (i = 0; i < s->n; i++)
		free(s->v[i].rdata);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* Append one piece of expanded rdata; -1 past the 65535 rdata may hold. */
static int
put(uint8_t *out, size_t *olen, const void *p, size_t n)
{
	if (*olen + n > 0xffff)
		return -1;
	memcpy(out + *olen, p, n);
	*olen += n;
	return 0;
}

/* A name inside rdata [*off, end), expanded into out. */
static int
put_name(const uint8_t *m, size_t end, size_t *off, uint8_t *out,
    size_t *olen)
{
	uint8_t	 name[DNS_NAME_MAX];

	if (dns_msg_name(m, end, off, name) == -1)
		return -1;
	return put(out, olen, name, dns_name_len(name));
}

static int
put_fixed(const uint8_t *m, size_t end, size_t *off, size_t n, uint8_t *out,
    size_t *olen)
{
	if (end - *off < n || put(out, olen, m + *off, n) == -1)
		return -1;
	*off += n;
	return 0;
}

/*
 * The shape of the types whose rdata holds names: fixed octets before
 * the first name ('f' followed by a count), names ('n'), the rest ('r',
 * checked by rdata_ok).  Anything else is copied as it is.
 */
static const char *
shape(uint16_t type)
{
	switch (type) {
	case DNS_T_NS: case DNS_T_CNAME: case DNS_T_PTR: case DNS_T_DNAME:
	case 3: case 4: case 7: case 8: case 9:		/* MD MF MB MG MR */
		return "n";
	case DNS_T_SOA:
		return "nnr";
	case 14:					/* MINFO */
		return "nn";
	case DNS_T_MX:
		return "2n";
	case DNS_T_SRV:
		return "6n";
	default:
		return "r";
	}
}

static int
expand(const uint8_t *m, size_t rd, size_t rdlen, struct upd_rr *r)
{
	uint8_t		 out[0xffff];
	const char	*s;
	size_t		 off = rd, end = rd + rdlen, olen = 0;

	if (rdlen > 0)
		for (s = shape(r->type); *s != '\0'; s++)
			if ((*s == 'n' ? put_name(m, end, &off, out, &olen) :
			    *s == 'r' ? put_fixed(m, end, &off, end - off, out,
			    &olen) : put_fixed(m, end, &off, (size_t)(*s - '0'),
			    out, &olen)) == -1)
				return -1;
	if (off != end)
		return -1;
	r->rdlen = (uint16_t)olen;
	if (olen > 0 && (r->rdata = malloc(olen)) == NULL)
		return -1;
	if (olen > 0)
		memcpy(r->rdata, out, olen);
	return 0;
}

static int
read_rr(const uint8_t *m, size_t len, size_t *off, struct upd_sec *s)
{
	struct upd_rr	*r = &s->v[s->n];
	uint8_t		 owner[DNS_NAME_MAX];
	uint16_t	 rdlen;

	memset(r, 0, sizeof(*r));
	if (dns_msg_name(m, len, off, owner) == -1 || len - *off < 10)
		return -1;
	dns_name_lower(r->owner, owner);
	r->type = get16(m + *off);
	r->class = get16(m + *off + 2);
	r->ttl = (uint32_t)get16(m + *off + 4) << 16 | get16(m + *off + 6);
	rdlen = get16(m + *off + 8);
	*off += 10;
	if (len - *off < rdlen || expand(m, *off, rdlen, r) == -1)
		return -1;
	*off += rdlen;
	s->n++;
	return 0;
}

static int
read_section(const uint8_t *m, size_t len, size_t *off, unsigned n,
    struct upd_sec *s)
{
	if (n > 0 && (s->v = calloc(n, sizeof(*s->v))) == NULL)
		return -1;
	while (n-- > 0)
		if (read_rr(m, len, off, s) == -1)
			return -1;
	return 0;
}

/* The additional section: OPT may be there; a TSIG must be last. */
static int
read_additional(const uint8_t *m, size_t len, size_t *off, unsigned n,
    struct upd_msg *u)
{
	uint8_t	 name[DNS_NAME_MAX];

	while (n-- > 0) {
		size_t at = *off;

		if (dns_msg_name(m, len, off, name) == -1 || len - *off < 10 ||
		    len - *off - 10 < get16(m + *off + 8))
			return -1;
		if (get16(m + *off) == DNS_T_TSIG) {
			if (n != 0)
				return -1;
			u->tsig_off = at;
		}
		*off += 10 + get16(m + *off + 8);
	}
	return *off == len ? 0 : -1;
}

/* DNS_R_NOERROR, or FORMERR for a message that does not parse. */
static int
parse(const uint8_t *m, size_t len, struct upd_msg *u)
{
	size_t	 off = DNS_HDRLEN;
	uint8_t	 zone[DNS_NAME_MAX];

	u->id = get16(m);
	if (get16(m + 4) != 1 || dns_msg_name(m, len, &off, zone) == -1 ||
	    len - off < 4)
		return DNS_R_FORMERR;
	dns_name_lower(u->zone, zone);
	dns_name_to_text(u->zone, u->origin);
	u->ztype = get16(m + off);
	u->zclass = get16(m + off + 2);
	u->zone_end = off += 4;
	if (u->ztype != DNS_T_SOA ||
	    read_section(m, len, &off, get16(m + 6), &u->pre) == -1 ||
	    read_section(m, len, &off, get16(m + 8), &u->upd) == -1 ||
	    read_additional(m, len, &off, get16(m + 10), u) == -1)
		return DNS_R_FORMERR;
	return DNS_R_NOERROR;
}

/* Records of owner (of type; 0 any) in the zone's list. */
static size_t
count(const struct dns_rrlist *l, const uint8_t *owner, uint16_t type)
{
	size_t	 first, end;

	dns_rrlist_range(l, owner, type, &first, &end);
	return end - first;
}

static bool
is_meta(uint16_t type)
{
	return type == DNS_T_ANY || type == DNS_T_AXFR || type == DNS_T_IXFR ||
	    type == T_MAILA || type == T_MAILB || type == DNS_T_OPT ||
	    type == DNS_T_TSIG;
}

/* RFC 2136 3.2.5: the value-dependent prerequisites, RRset by RRset. */
static int
rrsets_equal(const struct upd_sec *pre, const struct dns_rrlist *zone)
{
	struct dns_rrlist	 want = { 0 };
	size_t			 i, j, first, end, k;
	int			 rc = DNS_R_NOERROR;

	for (i = 0; i < pre->n; i++)
		if (pre->v[i].class == DNS_CLASS_IN &&
		    dns_rrlist_push(&want, pre->v[i].owner, pre->v[i].type, 0,
		    pre->v[i].rdata, pre->v[i].rdlen) == -1) {
			dns_rrlist_free(&want);
			return DNS_R_SERVFAIL;
		}
	dns_rrlist_sort(&want);
	for (i = 0; i < want.n && rc == DNS_R_NOERROR; i = j) {
		dns_rrlist_range(zone, want.v[i].owner, want.v[i].type, &first,
		    &end);
		for (j = i, k = first; j < want.n &&
		    dns_name_cmp(want.v[j].owner, want.v[i].owner) == 0 &&
		    want.v[j].type == want.v[i].type; j++) {
			if (j > i && dns_rr_cmp(&want.v[j - 1], &want.v[j]) == 0)
				continue;	/* the same record twice */
			if (k == end || dns_rr_cmp(&zone->v[k], &want.v[j]) != 0)
				rc = DNS_R_NXRRSET;
			k++;
		}
		if (k != end)
			rc = DNS_R_NXRRSET;
	}
	dns_rrlist_free(&want);
	return rc;
}

static int
prerequisites(const struct upd_msg *u, const struct dns_rrlist *zone)
{
	const struct upd_rr	*r;
	size_t			 i;

	for (i = 0; i < u->pre.n; i++) {
		r = &u->pre.v[i];
		if (r->ttl != 0)
			return DNS_R_FORMERR;
		if (!dns_name_under(r->owner, u->zone))
			return DNS_R_NOTZONE;
		if (r->class == DNS_CLASS_ANY || r->class == CLASS_NONE) {
			bool any = r->class == DNS_CLASS_ANY;
			size_t n = count(zone, r->owner,
			    r->type == DNS_T_ANY ? 0 : r->type);

			if (r->rdlen != 0)
				return DNS_R_FORMERR;
			if (any && n == 0)
				return r->type == DNS_T_ANY ? DNS_R_NXDOMAIN :
				    DNS_R_NXRRSET;
			if (!any && n > 0)
				return r->type == DNS_T_ANY ? DNS_R_YXDOMAIN :
				    DNS_R_YXRRSET;
		} else if (r->class != DNS_CLASS_IN || is_meta(r->type))
			return DNS_R_FORMERR;
	}
	return rrsets_equal(&u->pre, zone);
}

/* Rdata of the types dnsd reads itself must be what it says it is. */
static bool
rdata_ok(const struct upd_rr *r)
{
	size_t	 off = 0;

	switch (r->type) {
	case DNS_T_A:
		return r->rdlen == 4;
	case DNS_T_AAAA:
		return r->rdlen == 16;
	case DNS_T_SOA:
		/* Expanded as two names and the rest: the rest is 20. */
		if (r->rdlen == 0)
			return false;
		off = dns_name_len(r->rdata);
		off += dns_name_len(r->rdata + off);
		return r->rdlen - off == 20;
	case DNS_T_TXT:
		while (off < r->rdlen)
			off += 1 + (size_t)r->rdata[off];
		return r->rdlen > 0 && off == r->rdlen;
	default:
		/* The shapes with names were checked when expanded. */
		return r->rdlen > 0 || strcmp(shape(r->type), "r") == 0;
	}
}

/* RFC 2136 3.4.1.3. */
static int
prescan(const struct upd_msg *u)
{
	const struct upd_rr	*r;
	size_t			 i;

	for (i = 0; i < u->upd.n; i++) {
		r = &u->upd.v[i];
		if (!dns_name_under(r->owner, u->zone))
			return DNS_R_NOTZONE;
		if (r->class == DNS_CLASS_IN) {
			if (is_meta(r->type) || !rdata_ok(r))
				return DNS_R_FORMERR;
		} else if (r->class == DNS_CLASS_ANY) {
			if (r->ttl != 0 || r->rdlen != 0 ||
			    (is_meta(r->type) && r->type != DNS_T_ANY))
				return DNS_R_FORMERR;
		} else if (r->class == CLASS_NONE) {
			if (r->ttl != 0 || is_meta(r->type))
				return DNS_R_FORMERR;
		} else
			return DNS_R_FORMERR;
	}
	return DNS_R_NOERROR;
}

static bool
is_dnssec(uint16_t type)
{
	return type == DNS_T_RRSIG || type == DNS_T_NSEC;
}

/* Any record at owner other than a CNAME (and DNSSEC's own)? */
static bool
has_other_data(const struct dns_rrlist *l, const uint8_t *owner)
{
	size_t	 first, end, i;

	dns_rrlist_range(l, owner, 0, &first, &end);
	for (i = first; i < end; i++)
		if (l->v[i].type != DNS_T_CNAME && !is_dnssec(l->v[i].type))
			return true;
	return false;
}

static void
remove_range(struct dns_rrlist *l, const uint8_t *owner, uint16_t type,
    bool apex)
{
	size_t	 first, end;

	dns_rrlist_range(l, owner, type, &first, &end);
	while (end-- > first)
		if (!apex || (l->v[end].type != DNS_T_SOA &&
		    l->v[end].type != DNS_T_NS))
			dns_rrlist_remove(l, end);
}

static int
add_rr(struct dns_rrlist *l, const struct upd_rr *r, bool apex)
{
	struct dns_rr	 rr = { .owner = (uint8_t *)r->owner,
	    .rdata = r->rdata, .type = r->type, .rdlen = r->rdlen,
	    .ttl = r->ttl };
	struct dns_rrlist one = { .v = &rr, .n = 1 };
	uint32_t	 old, new;
	size_t		 first, end;

	if (r->type == DNS_T_CNAME ? has_other_data(l, r->owner) :
	    !is_dnssec(r->type) && count(l, r->owner, DNS_T_CNAME) > 0)
		return 0;	/* RFC 2136 3.4.2.2: ignored */
	if (r->type == DNS_T_SOA) {
		if (!apex || !dns_rrlist_serial(l, r->owner, &old) ||
		    !dns_rrlist_serial(&one, r->owner, &new) ||
		    (int32_t)(new - old) <= 0)
			return 0;
		dns_rrlist_range(l, r->owner, DNS_T_SOA, &first, &end);
		dns_rrlist_remove(l, first);
	}
	if (r->type == DNS_T_CNAME)	/* one CNAME: the new one replaces */
		remove_range(l, r->owner, DNS_T_CNAME, false);
	return dns_rrlist_insert(l, &rr);
}

static void
delete_rr(struct dns_rrlist *l, const struct upd_rr *r, bool apex)
{
	struct dns_rr	 rr = { .owner = (uint8_t *)r->owner,
	    .rdata = r->rdata, .type = r->type, .rdlen = r->rdlen };
	ssize_t		 at;

	if (r->type == DNS_T_SOA ||
	    (apex && r->type == DNS_T_NS && count(l, r->owner, DNS_T_NS) == 1))
		return;
	if ((at = dns_rrlist_find(l, &rr)) != -1)
		dns_rrlist_remove(l, (size_t)at);
}

/* RFC 2136 3.4.2, in order; -1 only without memory. */
static int
apply(const struct upd_msg *u, struct dns_rrlist *l)
{
	const struct upd_rr	*r;
	size_t			 i;
	bool			 apex;

	for (i = 0; i < u->upd.n; i++) {
		r = &u->upd.v[i];
		apex = dns_name_cmp(r->owner, u->zone) == 0;
		if (r->class == DNS_CLASS_IN) {
			if (add_rr(l, r, apex) == -1)
				return -1;
		} else if (r->class == DNS_CLASS_ANY) {
			if (r->type == DNS_T_ANY)
				remove_range(l, r->owner, 0, apex);
			else if (!apex || (r->type != DNS_T_SOA &&
			    r->type != DNS_T_NS))
				remove_range(l, r->owner, r->type, false);
		} else
			delete_rr(l, r, apex);
	}
	return 0;
}

/* May this peer, with this signature, change this zone? */
static int
allowed(const struct upd_msg *u, const struct dns_zconf *zc,
    const struct dns_tsig_state *st, const struct sockaddr *peer)
{
	size_t	 i;

	if (zc == NULL || zc->update_keys.n == 0) {
		log_info("update of %s from %s refused: the zone takes none",
		    u->origin, u->peer);
		return DNS_R_REFUSED;
	}
	if (zc->update_allow.n > 0 && !net_acl_match(&zc->update_allow, peer)) {
		log_info("update of %s from %s refused: address not in "
		    "update-allow", u->origin, u->peer);
		return DNS_R_REFUSED;
	}
	for (i = 0; st->key != NULL && i < zc->update_keys.n; i++) {
		uint8_t	 w[DNS_NAME_MAX], k[DNS_NAME_MAX];

		if (dns_name_from_text(zc->update_keys.v[i], w) == 0) {
			dns_name_lower(k, w);
			if (dns_name_cmp(k, st->key->name) == 0)
				return DNS_R_NOERROR;
		}
	}
	log_info("update of %s from %s refused: %s", u->origin, u->peer,
	    st->present ? "its key may not update the zone" : "not signed");
	return DNS_R_REFUSED;
}

/* The new version: serial bumped, checked, on disk, published. */
static int
commit(struct dns_zones *zs, const struct dns_zone *z,
    const struct dns_rrlist *old, struct dns_rrlist *new,
    const struct upd_msg *u)
{
	struct dns_diff	*d;
	struct dns_zone	*nz;
	uint32_t	 serial = z->serial;
	char		 err[1024];
	size_t		 ndel, nadd;

	if (!dns_rrlist_serial(new, z->origin, &serial) ||
	    (int32_t)(serial - z->serial) <= 0) {
		serial = z->serial + 1;
		(void)dns_rrlist_set_serial(new, z->origin, serial);
	}
	if ((d = dns_diff_make(old, new, z->serial, serial)) == NULL)
		return DNS_R_SERVFAIL;
	ndel = d->del.n - 1;
	nadd = d->add.n - 1;
	nz = dns_zone_from_rrs(z->origin, z->file, new, zs->maxbytes, z, &d,
	    1, err, sizeof(err));
	if (nz == NULL) {
		log_info("update of %s from %s refused: %s", u->origin,
		    u->peer, err);
		dns_diff_unref(d);
		return DNS_R_REFUSED;
	}
	if ((nz->journal = strdup(z->journal)) == NULL ||
	    dns_journal_append(z->journal, z, nz, d, err, sizeof(err)) == -1) {
		log_warnx("update of %s from %s failed: %s", u->origin,
		    u->peer, nz->journal != NULL ? err : "out of memory");
		dns_diff_unref(d);
		dns_zone_unref(nz);
		return DNS_R_SERVFAIL;
	}
	dns_diff_unref(d);
	if (dns_zones_replace(zs, nz) == -1)
		return DNS_R_SERVFAIL;
	log_info("update of %s from %s: %zu records deleted, %zu added, "
	    "serial %u", u->origin, u->peer, ndel, nadd, serial);
	return DNS_R_NOERROR;
}

/* Prerequisites, then the changes; *changed if a version was made. */
static int
process(struct dns_zones *zs, const struct dns_zone *z,
    const struct upd_msg *u, bool *changed)
{
	struct dns_rrlist	 old, new;
	struct dns_diff		*d;
	int			 rc;

	if (z->journal == NULL) {	/* configured since the zone loaded */
		log_info("update of %s from %s refused: the zone has no "
		    "journal yet (a reload gives it one)", u->origin, u->peer);
		return DNS_R_REFUSED;
	}
	if (dns_rrlist_from_zone(z, &old) == -1)
		return DNS_R_SERVFAIL;
	if ((rc = prerequisites(u, &old)) != DNS_R_NOERROR ||
	    (rc = prescan(u)) != DNS_R_NOERROR) {
		dns_rrlist_free(&old);
		return rc;
	}
	if (dns_rrlist_from_zone(z, &new) == -1 || apply(u, &new) == -1 ||
	    (d = dns_diff_make(&old, &new, 0, 0)) == NULL)
		rc = DNS_R_SERVFAIL;
	else {
		*changed = d->del.n + d->add.n > 0;
		dns_diff_unref(d);
		if (*changed)
			rc = commit(zs, z, &old, &new, u);
		if (rc != DNS_R_NOERROR)
			*changed = false;
	}
	dns_rrlist_free(&old);
	dns_rrlist_free(&new);
	return rc;
}

/* For the log: what a prerequisite or a check answered. */
static const char *
rcode_text(int rc)
{
	switch (rc) {
	case DNS_R_FORMERR: return "FORMERR (malformed)";
	case DNS_R_NXDOMAIN: return "NXDOMAIN (a name is not in use)";
	case DNS_R_YXDOMAIN: return "YXDOMAIN (a name is in use)";
	case DNS_R_YXRRSET: return "YXRRSET (an RRset exists)";
	case DNS_R_NXRRSET: return "NXRRSET (an RRset is not as given)";
	case DNS_R_NOTAUTH: return "NOTAUTH (not a zone of ours)";
	case DNS_R_NOTZONE: return "NOTZONE (a name outside the zone)";
	default: return "refused";
	}
}

/* Header, the zone section as sent, the TSIG. */
static size_t
reply(const uint8_t *in, const struct upd_msg *u, int rcode,
    const struct dns_tsig_state *st, uint64_t now, uint8_t *out, size_t cap)
{
	size_t	 len = DNS_HDRLEN + (u->zone_end > 0 ?
	    u->zone_end - DNS_HDRLEN : 0);
	uint16_t flags = DNS_F_QR | DNS_OPCODE_UPDATE << 11 | (rcode & 0xf);

	memset(out, 0, DNS_HDRLEN);
	out[0] = in[0];
	out[1] = in[1];
	out[2] = flags >> 8;
	out[3] = flags & 0xff;
	if (u->zone_end > 0) {
		out[5] = 1;
		memcpy(out + DNS_HDRLEN, in + DNS_HDRLEN, len - DNS_HDRLEN);
	}
	return dns_tsig_sign(st, out, len, cap, now);
}

size_t
dns_update(struct dns_zones *zs, const struct dns_config *cfg,
    const uint8_t *in, size_t len, const struct sockaddr *peer, uint64_t now,
    uint8_t *out, size_t cap, enum dns_update_outcome *outcome)
{
	struct upd_msg		 u;
	struct dns_tsig_state	 st = { 0 };
	const struct dns_zone	*z = NULL;
	int			 rc;
	bool			 changed = false;
	size_t			 n;

	*outcome = DNS_UPD_DROPPED;
	if (len < DNS_HDRLEN || (get16(in + 2) & DNS_F_QR))
		return 0;
	memset(&u, 0, sizeof(u));
	net_addr_str(peer, u.peer, sizeof(u.peer));
	if ((rc = parse(in, len, &u)) == DNS_R_NOERROR && u.tsig_off > 0 &&
	    dns_tsig_verify(&cfg->tsig_keys, in, len, u.tsig_off, now, &st) ==
	    -1) {
		st.present = false;	/* FORMERR goes unsigned */
		rc = DNS_R_FORMERR;
	}
	if (rc == DNS_R_NOERROR && st.error != 0) {
		log_info("update of %s from %s refused: TSIG %s", u.origin,
		    u.peer, st.error == DNS_TSIG_BADKEY ? "BADKEY (no such key)" :
		    st.error == DNS_TSIG_BADSIG ? "BADSIG (wrong MAC)" :
		    "BADTIME (clocks apart)");
		rc = -DNS_R_NOTAUTH;	/* said */
	}
	if (rc == DNS_R_NOERROR && (u.zclass != DNS_CLASS_IN ||
	    (z = dns_zoneset_origin(dns_zones_current(zs), u.zone)) == NULL))
		rc = DNS_R_NOTAUTH;
	if (rc == DNS_R_NOERROR)
		rc = allowed(&u, dns_config_zone(cfg, u.zone), &st, peer);
	if (rc == DNS_R_NOERROR)
		rc = process(zs, z, &u, &changed);
	if (rc == -DNS_R_NOTAUTH)
		rc = DNS_R_NOTAUTH;
	else if (rc != DNS_R_NOERROR && rc != DNS_R_REFUSED &&
	    rc != DNS_R_SERVFAIL)
		log_info("update of %s from %s: %s", u.origin, u.peer,
		    rcode_text(rc));
	sec_free(&u.pre);
	sec_free(&u.upd);
	n = reply(in, &u, rc, &st, now, out, cap);
	*outcome = rc != DNS_R_NOERROR ? DNS_UPD_REJECTED : changed ?
	    DNS_UPD_APPLIED : DNS_UPD_NOCHANGE;
	return n;
}
