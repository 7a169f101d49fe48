#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

#include "xfer_home.h"

char *
xfer_home_path(struct xs_handle *xs, const char *path,
    void (*logf)(const char *, ...))
{
	char *domid, *home, *abs = NULL;
	unsigned int len;

	if (path[0] == '/')
		return strdup(path);
	domid = xs_read(xs, XBT_NULL, "domid", &len);
	home = domid ? xs_get_domain_path(xs, atoi(domid)) : NULL;
	if (home == NULL || asprintf(&abs, "%s/%s", home, path) == -1) {
		logf("cannot resolve %s under this domain's path", path);
		abs = NULL;
	}
	free(home);
	free(domid);
	return abs;
}
