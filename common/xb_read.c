/*
 * xb_read: bounded reads of the other end's keys (xb_read.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

#include "strnum.h"
#include "xb_read.h"

#define XB_READ_PATH	512

char *
xb_read_bounded(struct xs_handle *xs, const char *dir, const char *key)
{
	char		 path[XB_READ_PATH];
	char		*v;
	unsigned int	 len;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, key) >=
	    sizeof(path) || (v = xs_read(xs, XBT_NULL, path, &len)) == NULL)
		return NULL;
	if (len > XB_READ_MAX || strlen(v) != len) {
		free(v);
		return NULL;
	}
	return v;
}

int
xb_read_ulong(struct xs_handle *xs, const char *dir, const char *key,
    unsigned long max, unsigned long *out)
{
	char		*v = xb_read_bounded(xs, dir, key);
	long long	 n;
	int		 rc;

	if (v == NULL)
		return -1;
	rc = strnum(v, 0, (long long)max, &n);
	free(v);
	if (rc == 0)
		*out = (unsigned long)n;
	return rc == 0 ? 0 : -1;
}
