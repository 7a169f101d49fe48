/*
 * Reading: the scanner is driven record by record (zs_parse_record), not
 * with callbacks, so that $INCLUDE comes back to us: we open the included
 * file with a scanner of our own, under a depth limit, and every error
 * names the file it is in.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libzscanner/scanner.h>

#include "dns_zone.h"
#include "dns_zone_int.h"

static int	scan(struct dns_load *, const char *file, const char *origin,
		    uint32_t ttl, int depth, const struct dns_rec *from);

int
dns_zload_error(struct dns_load *ld, const struct dns_rec *at,
    const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (at != NULL)
		n = snprintf(ld->err, ld->errlen, "%s:%u: ",
		    ld->files[at->file], at->line);
	if (n < 0 || (size_t)n >= ld->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(ld->err + n, ld->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Count n more bytes against the zone's budget. */
int
dns_zload_charge(struct dns_load *ld, const struct dns_rec *at, size_t n)
{
	ld->bytes += n;
	if (ld->bytes <= ld->maxbytes)
		return 0;
	return dns_zload_error(ld, at, "zone larger than %zu bytes",
	    ld->maxbytes);
}

static int
add_file(struct dns_load *ld, const char *file)
{
	char **v, *f;

	if ((f = strdup(file)) == NULL)
		return -1;
	if ((v = reallocarray(ld->files, ld->nfiles + 1, sizeof(*v))) == NULL) {
		free(f);
		return -1;
	}
	ld->files = v;
	ld->files[ld->nfiles] = f;
	return (int)ld->nfiles++;
}

static int
grow(struct dns_load *ld)
{
	size_t cap = ld->caprecs == 0 ? 64 : ld->caprecs * 2;
	struct dns_rec *v;

	if ((v = reallocarray(ld->recs, cap, sizeof(*v))) == NULL)
		return -1;
	ld->recs = v;
	ld->caprecs = cap;
	return 0;
}

static int
add_record(struct dns_load *ld, const zs_scanner_t *s, struct dns_rec *r)
{
	char name[DNS_NAME_TEXTMAX], top[DNS_NAME_TEXTMAX];
	uint8_t owner[DNS_NAME_MAX];
	int olen;

	/* The scanner knows no other class today; a newer one might. */
	if (s->r_class != DNS_CLASS_IN)
		return dns_zload_error(ld, r, "class %u is not IN", s->r_class);
	if ((olen = dns_name_check(s->r_owner, s->r_owner_length)) == -1)
		return dns_zload_error(ld, r, "bad owner name");
	dns_name_lower(owner, s->r_owner);
	if (!dns_name_under(owner, ld->origin)) {
		dns_name_to_text(owner, name);
		dns_name_to_text(ld->origin, top);
		return dns_zload_error(ld, r, "%s is outside the zone %s",
		    name, top);
	}
	if (dns_zload_charge(ld, r, sizeof(*r) + olen + s->r_data_length) == -1)
		return -1;
	if (ld->nrecs == ld->caprecs && grow(ld) == -1)
		return dns_zload_error(ld, r, "out of memory");
	r->type = s->r_type;
	r->ttl = s->r_ttl;
	r->rdlen = (uint16_t)s->r_data_length;
	r->owner = malloc(olen);
	r->rdata = r->rdlen > 0 ? malloc(r->rdlen) : NULL;
	if (r->owner == NULL || (r->rdlen > 0 && r->rdata == NULL)) {
		free(r->owner);
		free(r->rdata);
		return dns_zload_error(ld, r, "out of memory");
	}
	memcpy(r->owner, owner, olen);
	r->key = dns_name_key(owner, ld->olabels);
	if (r->rdlen > 0)
		memcpy(r->rdata, s->r_data, r->rdlen);
	ld->recs[ld->nrecs++] = *r;
	return 0;
}

/* $INCLUDE: the scanner has resolved the path and put the origin in buffer. */
static int
include(struct dns_load *ld, const zs_scanner_t *s, const struct dns_rec *at,
    int depth)
{
	if (depth >= DNS_ZONE_MAXDEPTH)
		return dns_zload_error(ld, at, "$INCLUDE nested deeper than %d",
		    DNS_ZONE_MAXDEPTH);
	return scan(ld, s->include_filename, (const char *)s->buffer,
	    s->default_ttl, depth + 1, at);
}

/* Until the end of the file or the first error. */
static int
scan_loop(struct dns_load *ld, zs_scanner_t *s, uint32_t fidx, int depth)
{
	struct dns_rec at;
	int rc;

	for (;;) {
		memset(&at, 0, sizeof(at));
		rc = zs_parse_record(s);
		at.file = fidx;
		at.line = (uint32_t)s->line_counter;
		if (rc == -1 || s->state == ZS_STATE_ERROR)
			return dns_zload_error(ld, &at, "%s",
			    zs_strerror(s->error.code));
		switch (s->state) {
		case ZS_STATE_DATA:
			rc = add_record(ld, s, &at);
			break;
		case ZS_STATE_INCLUDE:
			rc = include(ld, s, &at, depth);
			break;
		case ZS_STATE_EOF:
		case ZS_STATE_STOP:
			return 0;
		default:
			break;
		}
		if (rc == -1)
			return -1;
	}
}

/* The scanner keeps no reason of its own beyond errno from open(2). */
static int
open_error(struct dns_load *ld, const char *file, const struct dns_rec *from,
    int saved)
{
	const char *why = saved != 0 ? strerror(saved) : "not a readable file";

	if (from == NULL)
		return dns_zload_error(ld, NULL, "%s: %s", file, why);
	return dns_zload_error(ld, from, "$INCLUDE %s: %s", file, why);
}

/*
 * from is where the $INCLUDE that names file stands (NULL for the zone's
 * own file): a file that cannot be opened is reported there.
 */
static int
scan(struct dns_load *ld, const char *file, const char *origin, uint32_t ttl,
    int depth, const struct dns_rec *from)
{
	zs_scanner_t *s;
	int fidx, rc, saved;

	if ((s = malloc(sizeof(*s))) == NULL)
		return dns_zload_error(ld, NULL, "out of memory");
	if (zs_init(s, origin, DNS_CLASS_IN, ttl) == -1) {
		free(s);
		return dns_zload_error(ld, NULL, "%s: bad origin %s", file,
		    origin);
	}
	errno = 0;
	if (zs_set_input_file(s, file) == -1) {
		saved = errno;
		zs_deinit(s);
		free(s);
		return open_error(ld, file, from, saved);
	}
	if ((fidx = add_file(ld, file)) == -1) {
		rc = dns_zload_error(ld, NULL, "out of memory");
	} else {
		if (from == NULL) {
			dns_name_lower(ld->origin, s->zone_origin);
			ld->olabels = dns_name_labels(ld->origin);
		}
		rc = scan_loop(ld, s, (uint32_t)fidx, depth);
	}
	zs_deinit(s);
	free(s);
	return rc;
}

int
dns_zload_read(struct dns_load *ld, const char *file, const char *origin)
{
	return scan(ld, file, origin, DNS_ZONE_DEFTTL, 0, NULL);
}

void
dns_zload_free(struct dns_load *ld)
{
	size_t i;

	for (i = 0; i < ld->nrecs; i++) {
		if (!ld->owners_moved)
			free(ld->recs[i].owner);
		free(ld->recs[i].rdata);
	}
	free(ld->recs);
	for (i = 0; i < ld->nfiles; i++)
		free(ld->files[i]);
	free(ld->files);
	memset(ld, 0, sizeof(*ld));
}
