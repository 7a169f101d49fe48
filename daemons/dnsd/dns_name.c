#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "dns_name.h"

int
dns_name_check(const uint8_t *p, size_t len)
{
	size_t off = 0;

	while (off < len && off < DNS_NAME_MAX) {
		uint8_t l = p[off];

		if (l == 0)
			return (int)off + 1;
		if (l > DNS_LABEL_MAX)
			return -1;
		off += 1 + l;
	}
	return -1;
}

size_t
dns_name_len(const uint8_t *p)
{
	size_t off = 0;

	while (p[off] != 0)
		off += 1 + p[off];
	return off + 1;
}

int
dns_name_labels(const uint8_t *p)
{
	int n = 0;

	for (; *p != 0; p += 1 + *p)
		n++;
	return n;
}

/*
 * DNS folds ASCII letters only (RFC 4343), whatever the locale; one pass
 * over the labels, so length octets are copied, never folded.
 */
void
dns_name_lower(uint8_t *dst, const uint8_t *src)
{
	size_t o = 0, end;
	uint8_t c;

	while ((c = src[o]) != 0) {
		dst[o] = c;
		for (end = o + 1 + c, o++; o < end; o++) {
			c = src[o];
			dst[o] = c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
		}
	}
	dst[o] = 0;
}

const uint8_t *
dns_name_parent(const uint8_t *p)
{
	return *p == 0 ? NULL : p + 1 + *p;
}

/* Offsets of each label, leftmost first; returns how many. */
static int
label_offsets(const uint8_t *p, uint8_t off[DNS_NAME_MAX / 2 + 1])
{
	int n = 0;
	size_t o = 0;

	while (p[o] != 0) {
		off[n++] = (uint8_t)o;
		o += 1 + p[o];
	}
	return n;
}

int
dns_name_cmp(const uint8_t *a, const uint8_t *b)
{
	uint8_t oa[DNS_NAME_MAX / 2 + 1], ob[DNS_NAME_MAX / 2 + 1];
	int na = label_offsets(a, oa), nb = label_offsets(b, ob);

	while (na > 0 && nb > 0) {
		const uint8_t *la = a + oa[--na], *lb = b + ob[--nb];
		int c = memcmp(la + 1, lb + 1, *la < *lb ? *la : *lb);

		if (c != 0)
			return c;
		if (*la != *lb)
			return *la < *lb ? -1 : 1;
	}
	return na - nb;
}

uint64_t
dns_name_key(const uint8_t *name, int skip)
{
	uint8_t off[DNS_NAME_MAX / 2 + 1];
	int n = label_offsets(name, off) - skip, i, k = 0;
	uint64_t key = 0;

	while (n > 0 && k < 8) {
		const uint8_t *l = name + off[--n];

		for (i = 1; i <= l[0] && k < 8; i++, k++) {
			if (l[i] >= 254) {
				/*
				 * 257 symbols do not fit an octet: 254 and
				 * 255 end the key (all ones), so two keys
				 * that meet here are equal, never misordered.
				 */
				for (; k < 8; k++)
					key = key << 8 | 0xff;
				return key;
			}
			key = key << 8 | (uint64_t)(l[i] + 1);
		}
		if (k < 8) {
			key <<= 8;	/* the label's end: below any octet */
			k++;
		}
	}
	if (k == 0)
		return 0;
	return k < 8 ? key << (8 * (8 - k)) : key;
}

bool
dns_name_under(const uint8_t *name, const uint8_t *top)
{
	int skip = dns_name_labels(name) - dns_name_labels(top);
	size_t len;

	if (skip < 0)
		return false;
	while (skip-- > 0)
		name = dns_name_parent(name);
	/* Same label count, maybe not the same length: never read past. */
	len = dns_name_len(top);
	return dns_name_len(name) == len && memcmp(name, top, len) == 0;
}

/* One character of a label, escapes decoded; returns chars consumed. */
static int
text_char(const char *s, uint8_t *c)
{
	if (s[0] != '\\') {
		*c = (uint8_t)s[0];
		return 1;
	}
	if (isdigit((unsigned char)s[1]) && isdigit((unsigned char)s[2]) &&
	    isdigit((unsigned char)s[3])) {
		int v = (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');

		if (v > 255)
			return -1;
		*c = (uint8_t)v;
		return 4;
	}
	if (s[1] == '\0')
		return -1;
	*c = (uint8_t)s[1];
	return 2;
}

int
dns_name_from_text(const char *s, uint8_t out[DNS_NAME_MAX])
{
	size_t len = 0, lab;
	int n;

	if (strcmp(s, ".") == 0) {
		out[0] = 0;
		return 0;
	}
	while (*s != '\0') {
		lab = len++;
		out[lab] = 0;
		while (*s != '\0' && *s != '.') {
			if (len >= DNS_NAME_MAX - 1 || out[lab] == DNS_LABEL_MAX)
				return -1;
			if ((n = text_char(s, &out[len])) == -1)
				return -1;
			s += n;
			len++;
			out[lab]++;
		}
		if (out[lab] == 0)
			return -1;	/* empty label: ".." or leading "." */
		if (*s == '.')
			s++;
	}
	if (len == 0 || len >= DNS_NAME_MAX)
		return -1;
	out[len] = 0;
	return 0;
}

void
dns_name_to_text(const uint8_t *p, char out[DNS_NAME_TEXTMAX])
{
	char *o = out;
	int i;

	if (*p == 0) {
		strcpy(out, ".");
		return;
	}
	for (; *p != 0; p += 1 + *p) {
		for (i = 1; i <= *p; i++) {
			uint8_t c = p[i];

			if (c == '.' || c == '\\')
				o += sprintf(o, "\\%c", c);
			else if (c > 0x20 && c < 0x7f)
				*o++ = (char)c;
			else
				o += sprintf(o, "\\%03u", c);
		}
		*o++ = '.';
	}
	*o = '\0';
}
