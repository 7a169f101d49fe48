/*
 * Building: the records read by dns_zload.c are sorted once, in
 * canonical order by owner, then type, then rdata; the nodes are every
 * owner and every name between an owner and the apex, sorted the same
 * way; one walk over both then groups records into RRsets under their
 * node.  Node names are pointers into the owners' own storage (an empty
 * non-terminal is a suffix of a name below it), so they cost nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_zedit.h"
#include "dns_zone.h"
#include "dns_zone_int.h"

static int
rdata_cmp(const struct dns_rec *a, const struct dns_rec *b)
{
	size_t n = a->rdlen < b->rdlen ? a->rdlen : b->rdlen;
	/* Empty rdata is NULL (dns_zone_int.h): memcmp may not see it. */
	int c = n > 0 ? memcmp(a->rdata, b->rdata, n) : 0;

	if (c != 0 || a->rdlen == b->rdlen)
		return c;
	return a->rdlen < b->rdlen ? -1 : 1;
}

static int
rec_cmp(const void *pa, const void *pb)
{
	const struct dns_rec *a = pa, *b = pb;
	int c;

	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	if ((c = dns_name_cmp(a->owner, b->owner)) != 0)
		return c;
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	if ((c = rdata_cmp(a, b)) != 0)
		return c;
	/* Equal records: keep file order, so the first is reported. */
	return a->line < b->line ? -1 : a->line > b->line;
}

/* A node's name with its sort key (dns_name_key). */
struct keyed {
	uint64_t	 key;
	const uint8_t	*name;
};

static int
keyed_cmp(const void *pa, const void *pb)
{
	const struct keyed *a = pa, *b = pb;

	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return dns_name_cmp(a->name, b->name);
}

/* Give each distinct owner one buffer, moved into the zone. */
static int
take_owners(struct dns_load *ld, struct dns_zone *z)
{
	size_t i;

	if ((z->names = calloc(ld->nrecs, sizeof(*z->names))) == NULL)
		return -1;
	for (i = 0; i < ld->nrecs; i++) {
		struct dns_rec *r = &ld->recs[i];

		if (z->nnames > 0 &&
		    dns_name_cmp(z->names[z->nnames - 1], r->owner) == 0) {
			free(r->owner);
			r->owner = z->names[z->nnames - 1];
		} else
			z->names[z->nnames++] = r->owner;
	}
	/* From here on the zone frees them, not the loader. */
	ld->owners_moved = true;
	return 0;
}

/*
 * Every owner and its ancestors down to the apex, sorted, unique.  The
 * owners come sorted, and a subtree is contiguous in canonical order, so
 * an ancestor of an owner is new unless the owner before it is at or
 * below that ancestor: the walk up stops there, and each node is listed
 * once (a million-name zone would otherwise list its apex a million
 * times).
 */
static int
make_nodes(struct dns_load *ld, struct dns_zone *z)
{
	int top = dns_name_labels(z->origin);
	struct keyed *v;
	const uint8_t *p, *prev = NULL;
	size_t i, n = 0, k = 0;

	for (i = 0; i < z->nnames; i++)
		n += dns_name_labels(z->names[i]) - top + 1;
	if ((v = calloc(n, sizeof(*v))) == NULL)
		return -1;
	for (i = 0; i < z->nnames; prev = z->names[i++])
		for (p = z->names[i]; k < n; p = dns_name_parent(p)) {
			if (prev != NULL && dns_name_under(prev, p))
				break;
			v[k].key = dns_name_key(p, top);
			v[k++].name = p;
			if (dns_name_labels(p) == top)
				break;
		}
	if (dns_zload_charge(ld, NULL, k * sizeof(struct dns_node)) == -1) {
		free(v);
		return -1;
	}
	qsort(v, k, sizeof(*v), keyed_cmp);
	if ((z->nodes = calloc(k > 0 ? k : 1, sizeof(*z->nodes))) == NULL) {
		free(v);
		return -1;
	}
	for (i = 0; i < k; i++)
		if (z->nnodes == 0 ||
		    dns_name_cmp(z->nodes[z->nnodes - 1].name, v[i].name) != 0) {
			z->nodes[z->nnodes].namelen =
			    (uint8_t)dns_name_len(v[i].name);
			z->nodes[z->nnodes++].name = v[i].name;
		}
	free(v);
	return 0;
}

/* recs[from..to) are one RRset; duplicates are dropped. */
static int
fill_rrset(struct dns_rrset *rs, const struct dns_rec *recs, size_t from,
    size_t to)
{
	size_t i, len = 0;
	uint8_t *p;

	rs->type = recs[from].type;
	rs->ttl = recs[from].ttl;
	for (i = from; i < to; i++)
		if (i == from || rdata_cmp(&recs[i - 1], &recs[i]) != 0)
			len += 2 + recs[i].rdlen;
	if ((rs->data = p = malloc(len > 0 ? len : 1)) == NULL)
		return -1;
	rs->len = len;
	for (i = from; i < to; i++) {
		if (recs[i].ttl < rs->ttl)
			rs->ttl = recs[i].ttl;
		if (i > from && rdata_cmp(&recs[i - 1], &recs[i]) == 0)
			continue;
		*p++ = recs[i].rdlen >> 8;
		*p++ = recs[i].rdlen & 0xff;
		if (recs[i].rdlen > 0)
			memcpy(p, recs[i].rdata, recs[i].rdlen);
		p += recs[i].rdlen;
		rs->count++;
	}
	return 0;
}

/* recs[from..to) all belong to node. */
static int
fill_node(struct dns_load *ld, struct dns_node *node, size_t from, size_t to)
{
	const struct dns_rec *r = ld->recs;
	size_t i, start, n = 0;

	for (i = from; i < to; i++)
		if (i == from || r[i].type != r[i - 1].type)
			n++;
	if (dns_zload_charge(ld, &r[from], n * sizeof(struct dns_rrset)) == -1)
		return -1;
	if ((node->rrsets = calloc(n, sizeof(*node->rrsets))) == NULL)
		return dns_zload_error(ld, &r[from], "out of memory");
	for (start = from, i = from + 1; i <= to; i++) {
		if (i < to && r[i].type == r[start].type)
			continue;
		if (i - start > 0xffff)
			return dns_zload_error(ld, &r[start], "RRset too large");
		if (fill_rrset(&node->rrsets[node->nrrsets++], r, start, i)
		    == -1)
			return dns_zload_error(ld, &r[start], "out of memory");
		start = i;
	}
	return 0;
}

/* Both arrays are in the same order: one walk matches them. */
static int
group(struct dns_load *ld, struct dns_zone *z)
{
	size_t k, i = 0, from;

	for (k = 0; k < z->nnodes; k++) {
		from = i;
		while (i < ld->nrecs &&
		    dns_name_cmp(ld->recs[i].owner, z->nodes[k].name) == 0)
			i++;
		if (i > from && fill_node(ld, &z->nodes[k], from, i) == -1)
			return -1;
	}
	return 0;
}

/* FNV-1a: cheap, and good enough for names a zone file chose. */
uint32_t
dns_zone_hash(const uint8_t *p, size_t len)
{
	uint32_t h = 2166136261u;

	while (len-- > 0)
		h = (h ^ *p++) * 16777619u;
	return h;
}

static int
make_index(struct dns_load *ld, struct dns_zone *z)
{
	size_t slots = 16, i, at;

	while (slots < 2 * z->nnodes)
		slots *= 2;
	if (dns_zload_charge(ld, NULL, slots * sizeof(*z->index)) == -1)
		return -1;
	if ((z->index = calloc(slots, sizeof(*z->index))) == NULL)
		return dns_zload_error(ld, NULL, "%s: out of memory",
		    ld->files[0]);
	z->imask = slots - 1;
	for (i = 0; i < z->nnodes; i++) {
		at = dns_zone_hash(z->nodes[i].name, z->nodes[i].namelen) &
		    z->imask;
		while (z->index[at] != 0)
			at = (at + 1) & z->imask;
		z->index[at] = (uint32_t)(i + 1);
	}
	return 0;
}

static int
build(struct dns_load *ld, struct dns_zone *z)
{
	z->olen = dns_name_len(ld->origin);
	memcpy(z->origin, ld->origin, z->olen);
	if (ld->nrecs == 0)
		return 0;	/* check() says what is missing */
	qsort(ld->recs, ld->nrecs, sizeof(*ld->recs), rec_cmp);
	if (take_owners(ld, z) == -1 || make_nodes(ld, z) == -1)
		return dns_zload_error(ld, NULL, "%s: out of memory",
		    ld->files[0]);
	if (group(ld, z) == -1 || make_index(ld, z) == -1)
		return -1;
	return 0;
}

/* The line of node's first record of type t (for messages). */
static const struct dns_rec *
rec_at(const struct dns_load *ld, const struct dns_node *n, uint16_t t)
{
	size_t i;

	for (i = 0; i < ld->nrecs; i++)
		if (ld->recs[i].type == t &&
		    dns_name_cmp(ld->recs[i].owner, n->name) == 0)
			return &ld->recs[i];
	return NULL;
}

static int
node_error(struct dns_load *ld, const struct dns_node *n, uint16_t t,
    const char *what)
{
	char name[DNS_NAME_TEXTMAX];

	dns_name_to_text(n->name, name);
	return dns_zload_error(ld, rec_at(ld, n, t), "%s %s", name, what);
}

/*
 * Nothing may exist below a DNAME (RFC 6672 2.4).  Descendants follow
 * their ancestor in canonical order; the first one with records is the
 * one to name (an empty non-terminal has no line to point at).
 */
static int
check_dname(struct dns_load *ld, const struct dns_zone *z, size_t k)
{
	const struct dns_node *n = &z->nodes[k];
	size_t j;

	for (j = k + 1; j < z->nnodes &&
	    dns_name_under(z->nodes[j].name, n->name); j++)
		if (z->nodes[j].nrrsets > 0)
			return node_error(ld, &z->nodes[j],
			    z->nodes[j].rrsets[0].type, "is below a DNAME");
	return 0;
}

/* RFC 2181 10.1, with RFC 4035 2.5's exceptions for DNSSEC. */
static int
check_node(struct dns_load *ld, const struct dns_zone *z, size_t k)
{
	const struct dns_node *n = &z->nodes[k];
	const struct dns_rrset *rs;
	uint16_t i;

	if (k > 0 && dns_node_rrset(n, DNS_T_SOA) != NULL)
		return node_error(ld, n, DNS_T_SOA, "has an SOA below the apex");
	for (i = 0; i < n->nrrsets; i++) {
		rs = &n->rrsets[i];
		if (rs->count > 1 && (rs->type == DNS_T_SOA ||
		    rs->type == DNS_T_CNAME || rs->type == DNS_T_DNAME))
			return node_error(ld, n, rs->type, rs->type == DNS_T_SOA ?
			    "has more than one SOA" : rs->type == DNS_T_CNAME ?
			    "has more than one CNAME" :
			    "has more than one DNAME");
		if (dns_node_rrset(n, DNS_T_CNAME) != NULL &&
		    rs->type != DNS_T_CNAME && rs->type != DNS_T_RRSIG &&
		    rs->type != DNS_T_NSEC)
			return node_error(ld, n, DNS_T_CNAME,
			    "has a CNAME and other data");
	}
	if (dns_node_rrset(n, DNS_T_DNAME) != NULL)
		return check_dname(ld, z, k);
	return 0;
}

/* serial is the third field of SOA rdata, after two names. */
static int
read_serial(struct dns_zone *z)
{
	const struct dns_rrset *soa = dns_node_rrset(&z->nodes[0], DNS_T_SOA);
	const uint8_t *p;
	uint16_t len;
	int a, b;

	if (soa == NULL || (p = dns_rrset_next(soa, NULL, &len)) == NULL)
		return -1;
	if ((a = dns_name_check(p, len)) == -1 ||
	    (b = dns_name_check(p + a, len - a)) == -1 || len - a - b < 20)
		return -1;
	p += a + b;
	z->serial = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
	return 0;
}

static int
check(struct dns_load *ld, struct dns_zone *z)
{
	size_t k;

	if (z->nnodes == 0 || dns_node_rrset(&z->nodes[0], DNS_T_SOA) == NULL)
		return dns_zload_error(ld, NULL, "%s: no SOA at the apex",
		    ld->files[0]);
	for (k = 0; k < z->nnodes; k++)
		if (check_node(ld, z, k) == -1)
			return -1;
	if (read_serial(z) == -1)
		return node_error(ld, &z->nodes[0], DNS_T_SOA, "bad SOA");
	return 0;
}

int
dns_zone_finish(struct dns_load *ld, struct dns_zone *z)
{
	if (build(ld, z) == -1 || check(ld, z) == -1)
		return -1;
	z->bytes = ld->bytes;
	return 0;
}

struct dns_zone *
dns_zone_load(const char *file, const char *origin, size_t maxbytes,
    char *err, size_t errlen)
{
	struct dns_load ld;
	struct dns_zone *z;

	memset(&ld, 0, sizeof(ld));
	ld.maxbytes = maxbytes > 0 ? maxbytes : DNS_ZONE_MAXBYTES;
	ld.err = err;
	ld.errlen = errlen;
	if ((z = calloc(1, sizeof(*z))) == NULL ||
	    (z->file = strdup(file)) == NULL) {
		free(z);
		snprintf(err, errlen, "%s: out of memory", file);
		return NULL;
	}
	atomic_init(&z->refs, 1);
	if (dns_zload_read(&ld, file, origin) == -1 ||
	    dns_zone_finish(&ld, z) == -1) {
		dns_zone_unref(z);
		dns_zload_free(&ld);
		return NULL;
	}
	dns_zload_free(&ld);
	return z;
}

struct dns_zone *
dns_zone_ref(struct dns_zone *z)
{
	atomic_fetch_add(&z->refs, 1);
	return z;
}

void
dns_zone_unref(struct dns_zone *z)
{
	size_t i;
	uint16_t j;

	if (z == NULL || atomic_fetch_sub(&z->refs, 1) != 1)
		return;
	for (i = 0; i < z->nnodes; i++) {
		for (j = 0; j < z->nodes[i].nrrsets; j++)
			free(z->nodes[i].rrsets[j].data);
		free(z->nodes[i].rrsets);
	}
	free(z->nodes);
	free(z->index);
	for (i = 0; i < z->nnames; i++)
		free(z->names[i]);
	free(z->names);
	for (i = 0; i < z->nhist; i++)
		dns_diff_unref(z->hist[i]);
	free(z->hist);
	free(z->journal);
	free(z->file);
	free(z);
}
