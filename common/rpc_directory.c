#include <stdio.h>
#include <stdlib.h>

#include <xenstore.h>

#include "rpc_directory.h"

/* /local/domain/ID/KEY, or ID's service SVC's KEY when svc is set. */
static char *
rd(struct xs_handle *xs, unsigned id, const char *svc, const char *key)
{
	char		 path[256];
	unsigned int	 len;

	if (svc != NULL)
		snprintf(path, sizeof(path), "/local/domain/%u/data/shoal/%s/%s",
		    id, svc, key);
	else
		snprintf(path, sizeof(path), "/local/domain/%u/%s", id, key);
	return xs_read(xs, XBT_NULL, path, &len);
}

void
rpc_directory_services(struct xs_handle *xs, unsigned id, rpc_directory_fn fn,
    void *arg)
{
	char		**svcs, path[128], *name, *daemon;
	unsigned int	 ns, k;

	snprintf(path, sizeof(path), "/local/domain/%u/data/shoal", id);
	if ((svcs = xs_directory(xs, XBT_NULL, path, &ns)) == NULL)
		return;
	/* Names are the toolstack's, readable by dom0 (and the domain). */
	name = rd(xs, id, NULL, "name");
	for (k = 0; k < ns; k++) {
		daemon = rd(xs, id, svcs[k], "daemon");
		fn(id, name != NULL ? name : "?", svcs[k],
		    daemon != NULL ? daemon : "?", arg);
		free(daemon);
	}
	free(name);
	free(svcs);
}

int
rpc_directory_all(struct xs_handle *xs, rpc_directory_fn fn, void *arg)
{
	char		**doms;
	unsigned int	 nd, i;

	if ((doms = xs_directory(xs, XBT_NULL, "/local/domain", &nd)) == NULL)
		return -1;
	for (i = 0; i < nd; i++)
		rpc_directory_services(xs, (unsigned)strtoul(doms[i], NULL, 10),
		    fn, arg);
	free(doms);
	return 0;
}
