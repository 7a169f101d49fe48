#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <xen/io/xs_wire.h>

#include "xs_filter.h"

void
xs_filter_init(struct xs_filter *f)
{
	memset(f, 0, sizeof(*f));
}

void
xs_filter_self(struct xs_filter *f, unsigned self)
{
	snprintf(f->self, sizeof(f->self), "%u", self);
}

int
xs_filter_add(struct xs_filter *f, const char *pattern,
    enum xs_filter_access access)
{
	if (f->n == XS_FILTER_MAX)
		return -1;
	f->rules[f->n].pattern = pattern;
	f->rules[f->n].access = access;
	f->n++;
	return 0;
}

/* What a request needs; 0 for one that touches no node, -1 refused. */
static int
access_of(uint32_t type)
{
	switch (type) {
	case XS_READ:
	case XS_DIRECTORY:
	case XS_DIRECTORY_PART:
	case XS_GET_PERMS:
	case XS_WATCH:
	case XS_UNWATCH:
		return XS_FILTER_READ;
	case XS_WRITE:
	case XS_MKDIR:
	case XS_RM:
	case XS_SET_PERMS:
		return XS_FILTER_WRITE;
	case XS_TRANSACTION_START:
	case XS_TRANSACTION_END:
	case XS_GET_DOMAIN_PATH:
		return 0;
	default:
		return -1;
	}
}

/*
 * The characters xenstored accepts in a node name.  Checked here too so
 * that no spelling the store would read differently ("a//b", "a/")
 * slips past the pattern match.
 */
static bool
well_formed(const char *path)
{
	const char	*c;

	if (*path == '\0')
		return false;
	for (c = path; *c != '\0'; c++) {
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		    (*c >= '0' && *c <= '9') || strchr("-/_@", *c) != NULL))
			return false;
		if (*c == '/' && (c[1] == '/' || (c[1] == '\0' && c != path)))
			return false;
	}
	return true;
}

static bool
segment_matches(const struct xs_filter *f, const char *pat, size_t plen,
    const char *seg, size_t slen)
{
	if (plen == 1 && pat[0] == '*')
		return slen > 0;
	if (plen == 5 && memcmp(pat, "$self", 5) == 0)
		return strlen(f->self) == slen && memcmp(f->self, seg, slen) == 0;
	return plen == slen && memcmp(pat, seg, slen) == 0;
}

static bool
matches(const struct xs_filter *f, const char *pat, const char *path)
{
	size_t	 plen, slen;

	if (pat[0] != '/' || path[0] != '/')
		return strcmp(pat, path) == 0;
	while (*pat == '/') {
		pat++;
		plen = strcspn(pat, "/");
		if (plen == 2 && memcmp(pat, "**", 2) == 0 && pat[2] == '\0')
			return true;
		if (*path != '/')
			return false;
		path++;
		slen = strcspn(path, "/");
		if (!segment_matches(f, pat, plen, path, slen))
			return false;
		pat += plen;
		path += slen;
	}
	return *pat == '\0' && *path == '\0';
}

int
xs_filter_check(const struct xs_filter *f, uint32_t type,
    const char *payload, size_t len)
{
	const char	*path = payload;
	int		 need = access_of(type);
	size_t		 i;

	if (need < 0)
		return EACCES;
	if (need == 0)
		return 0;
	/* The path is the payload's first string, and must end in it. */
	if (len == 0 || memchr(payload, '\0', len) == NULL)
		return EINVAL;
	if (!well_formed(path) || strlen(path) > XENSTORE_ABS_PATH_MAX)
		return EINVAL;
	for (i = 0; i < f->n; i++)
		if ((f->rules[i].access & need) != 0 &&
		    matches(f, f->rules[i].pattern, path))
			return 0;
	return EACCES;
}
