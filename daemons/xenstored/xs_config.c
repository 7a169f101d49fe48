#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xs_config.h"
#include "xs_perm.h"
#include "xs_server.h"

#define QMAX	0x7fffffff

static const struct config_field quota_schema[] = {
	CONFIG_INT("nodes", false, struct xs_quota, nodes, 0, QMAX),
	CONFIG_INT("watches", false, struct xs_quota, watches, 0, QMAX),
	CONFIG_INT("transactions", false, struct xs_quota, transactions, 0,
	    QMAX),
	CONFIG_INT("outstanding", false, struct xs_quota, outstanding, 0,
	    QMAX),
	CONFIG_INT("transaction-nodes", false, struct xs_quota, txn_nodes, 0,
	    QMAX),
	CONFIG_INT("memory", false, struct xs_quota, mem_hard, 0, QMAX),
	CONFIG_INT("node-size", false, struct xs_quota, node_size, 0, QMAX),
	CONFIG_INT("permissions", false, struct xs_quota, perms, 0, QMAX),
	CONFIG_INT("write-rate", false, struct xs_quota, write_rate, 0, QMAX),
	CONFIG_INT("write-burst", false, struct xs_quota, write_burst, 0,
	    QMAX),
	CONFIG_END
};

static const struct config_field soft_schema[] = {
	CONFIG_INT("memory", false, struct xs_quota, mem_soft, 0, QMAX),
	CONFIG_END
};

static const struct config_field schema[] = {
	CONFIG_STRING("socket", false, struct xs_config, socket),
	CONFIG_INT("max-queued-events", false, struct xs_config, max_events,
	    1, 1 << 20),
	CONFIG_BOOL("keep-orphans", false, struct xs_config, keep_orphans),
	CONFIG_INT("priv-domid", false, struct xs_config, priv_domid, 0,
	    XS_DOMID_MAX),
	CONFIG_OBJECT("quota", false, struct xs_config, quota, quota_schema),
	CONFIG_OBJECT("quota-soft", false, struct xs_config, quota,
	    soft_schema),
	CONFIG_OBJECT("rpc", false, struct xs_config, rpc, rpc_limits_schema),
	CONFIG_END
};

static void
defaults(struct xs_config *c)
{
	static const struct xs_quota	 q = XS_QUOTA_DEFAULTS;

	memset(c, 0, sizeof(*c));
	c->max_events = XS_DEFAULT_MAX_EVENTS;
	c->quota = q;
}

int
xs_config_load(const char *path, struct xs_config *c, char *err,
    size_t errlen)
{
	defaults(c);
	if (path == NULL)
		return 0;
	return config_load_file(path, schema, c, err, errlen);
}

void
xs_config_free(struct xs_config *c)
{
	config_free(schema, c);
}

char *
xs_config_socket(const struct xs_config *c, const char *opt)
{
	const char	*env;
	char		*p;

	if (opt != NULL)
		return strdup(opt);
	if ((env = getenv("XENSTORED_PATH")) != NULL && *env != '\0')
		return strdup(env);
	if ((env = getenv("XENSTORED_RUNDIR")) != NULL && *env != '\0')
		return asprintf(&p, "%s/socket", env) == -1 ? NULL : p;
	return strdup(c->socket != NULL ? c->socket : XS_DEFAULT_SOCKET);
}
