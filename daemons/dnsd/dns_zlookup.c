/*
 * Lookups in a loaded zone.  Names from the wire come in any case; they
 * are folded once into a local copy, then compared as octets.
 */
#include <string.h>

#include "dns_zone.h"

static const struct dns_node *
search(const struct dns_zone *z, const uint8_t *lname)
{
	size_t lo = 0, hi = z->nnodes, len, at;
	const struct dns_node *n;

	if (z->index != NULL) {
		len = dns_name_len(lname);
		at = dns_zone_hash(lname, len) & z->imask;
		for (; z->index[at] != 0; at = (at + 1) & z->imask) {
			n = &z->nodes[z->index[at] - 1];
			if (n->namelen == len &&
			    memcmp(n->name, lname, len) == 0)
				return n;
		}
		return NULL;
	}

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = dns_name_cmp(lname, z->nodes[mid].name);

		if (c == 0)
			return &z->nodes[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const struct dns_node *
dns_zone_find_lower(const struct dns_zone *z, const uint8_t *lname)
{
	return search(z, lname);
}

const struct dns_node *
dns_zone_find(const struct dns_zone *z, const uint8_t *name)
{
	uint8_t lname[DNS_NAME_MAX];

	dns_name_lower(lname, name);
	return search(z, lname);
}

/*
 * Empty non-terminals are nodes, so the first ancestor found is the
 * closest encloser; the apex always exists, so the walk ends there.
 */
const struct dns_node *
dns_zone_encloser(const struct dns_zone *z, const uint8_t *name, bool *exact)
{
	uint8_t lname[DNS_NAME_MAX];
	const struct dns_node *n;
	const uint8_t *p;

	dns_name_lower(lname, name);
	if (!dns_name_under(lname, z->origin))
		return NULL;
	for (p = lname; p != NULL; p = dns_name_parent(p))
		if ((n = search(z, p)) != NULL) {
			*exact = p == lname;
			return n;
		}
	return NULL;
}

const struct dns_rrset *
dns_node_rrset(const struct dns_node *n, uint16_t type)
{
	uint16_t i;

	for (i = 0; i < n->nrrsets && n->rrsets[i].type <= type; i++)
		if (n->rrsets[i].type == type)
			return &n->rrsets[i];
	return NULL;
}

const uint8_t *
dns_rrset_next(const struct dns_rrset *rs, const uint8_t *prev, uint16_t *len)
{
	const uint8_t *p;

	if (prev == NULL)
		p = rs->data;
	else
		p = prev + ((uint16_t)prev[-2] << 8 | prev[-1]);
	if (rs->count == 0 || p >= rs->data + rs->len)
		return NULL;
	*len = (uint16_t)(p[0] << 8 | p[1]);
	return p + 2;
}
