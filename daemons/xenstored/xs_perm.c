#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "xs_perm.h"

int
xs_domid_parse(const char *s, unsigned *out)
{
	char		*end;
	unsigned long	 v;

	if (*s < '0' || *s > '9')
		return EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > 0xffff)
		return EINVAL;
	*out = (unsigned)v;
	return 0;
}

int
xs_perm_parse(const char *s, struct xs_perm *out)
{
	unsigned	 domid;

	switch (s[0]) {
	case 'n': out->mode = XS_PERM_NONE; break;
	case 'r': out->mode = XS_PERM_READ; break;
	case 'w': out->mode = XS_PERM_WRITE; break;
	case 'b': out->mode = XS_PERM_BOTH; break;
	default: return EINVAL;
	}
	if (xs_domid_parse(s + 1, &domid) != 0)
		return EINVAL;
	out->domid = domid;
	return 0;
}

size_t
xs_perm_format(const struct xs_perm *p, char *buf, size_t len)
{
	static const char	 letter[] = { 'n', 'r', 'w', 'b' };
	int			 n;

	n = snprintf(buf, len, "%c%u", letter[p->mode & XS_PERM_BOTH],
	    (unsigned)p->domid);
	return n < 0 ? 0 : (size_t)n;
}

static int
perm_find(const struct xs_perm *p, size_t n, unsigned domid)
{
	size_t	 i;

	for (i = 1; i < n; i++)
		if (p[i].domid == domid)
			return (int)i;
	return -1;
}

unsigned
xs_perm_access(const struct xs_who *w, const struct xs_perm *p, size_t n)
{
	int	 i;

	if (w->priv)
		return XS_PERM_BOTH | XS_PERM_OWNER;
	if (n == 0)
		return XS_PERM_NONE;
	if (p[0].domid == w->domid ||
	    (w->target != XS_NO_TARGET && p[0].domid == (unsigned)w->target))
		return XS_PERM_BOTH | XS_PERM_OWNER;
	if ((i = perm_find(p, n, w->domid)) >= 0)
		return p[i].mode;
	if (w->target != XS_NO_TARGET &&
	    (i = perm_find(p, n, (unsigned)w->target)) >= 0)
		return p[i].mode;
	return p[0].mode;
}

bool
xs_perm_can(const struct xs_who *w, const struct xs_perm *p, size_t n,
    unsigned want)
{
	return (xs_perm_access(w, p, n) & want) == want;
}
