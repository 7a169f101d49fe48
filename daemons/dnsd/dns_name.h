/*
 * dns_name: domain names in wire form (RFC 1035 3.1), the one
 * representation dnsd keeps: a sequence of length-prefixed labels ending
 * with the root's zero length, at most DNS_NAME_MAX octets, never
 * compressed.
 *
 * Owns checking, case folding, RFC 4034 6.1 canonical ordering (labels
 * compared right to left, each as lowercase octets) and the two text
 * conversions, for configuration on the way in and for messages on the
 * way out.  Functions other than dns_name_check() and
 * dns_name_from_text() take names that are already known to be valid.
 */
#ifndef DNS_NAME_H
#define DNS_NAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_NAME_MAX	255
#define DNS_LABEL_MAX	63
/* "\DDD" for every octet, the dots, and the NUL. */
#define DNS_NAME_TEXTMAX	(DNS_NAME_MAX * 4 + 2)

/* Length of a valid name within len octets of p, or -1. */
int		 dns_name_check(const uint8_t *p, size_t len);
size_t		 dns_name_len(const uint8_t *);
int		 dns_name_labels(const uint8_t *);
/* dst may be src. */
void		 dns_name_lower(uint8_t *dst, const uint8_t *src);
/* The name with its first label removed; NULL for the root. */
const uint8_t	*dns_name_parent(const uint8_t *);
/* Canonical order of two lowercase names: <0, 0 or >0. */
int		 dns_name_cmp(const uint8_t *, const uint8_t *);
/*
 * A sort key for a lowercase name: the first 8 octets of its labels
 * below the rightmost skip, right to left, each label's octets plus one
 * followed by a 0 (an octet of 254 or 255 ends the key with all ones,
 * and zeros pad a short one).  A key less than another's
 * means the name sorts before the other's in canonical order; equal keys
 * say nothing, and dns_name_cmp decides.  Sorting a zone compares keys
 * almost always, and they cost one integer comparison.
 */
uint64_t	 dns_name_key(const uint8_t *, int skip);
/* name equals top or is below it (both lowercase). */
bool		 dns_name_under(const uint8_t *name, const uint8_t *top);

/*
 * Text with \X and \DDD escapes, absolute whether or not it ends in
 * "."; "." alone is the root.  Case is kept.  -1 if malformed.
 */
int		 dns_name_from_text(const char *, uint8_t out[DNS_NAME_MAX]);
/* Always NUL-terminated; printable octets other than . and \ as is. */
void		 dns_name_to_text(const uint8_t *, char out[DNS_NAME_TEXTMAX]);

#endif /* DNS_NAME_H */
