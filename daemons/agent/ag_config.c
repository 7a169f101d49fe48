#include <stdio.h>
#include <string.h>

#include "ag_config.h"

static const struct config_field domain_schema[] = {
	CONFIG_STRLIST("command", true, struct ag_domain_conf, command),
	CONFIG_INT("memory-mb", false, struct ag_domain_conf, memory_mb, 1,
	    65536),
	CONFIG_STRING("prefix", false, struct ag_domain_conf, prefix),
	CONFIG_STRING("ready", false, struct ag_domain_conf, ready),
	CONFIG_END
};

static const struct config_field schema[] = {
	CONFIG_STRING("xensim", true, struct ag_config, xensim),
	CONFIG_OBJECT("domain", true, struct ag_config, domain, domain_schema),
	CONFIG_INT("pool", false, struct ag_config, pool, 0, AG_POOL_MAX),
	CONFIG_OBJECT("rpc", false, struct ag_config, rpc, rpc_limits_schema),
	CONFIG_END
};

/* A name xensim and xenstore both take: letters, digits, '-', '_'. */
static int
good_prefix(const char *p)
{
	size_t	 n = strlen(p);

	return n > 0 && n <= 40 && strspn(p, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") == n;
}

int
ag_config_load(const char *path, struct ag_config *c, char *err,
    size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->domain.memory_mb = 64;
	c->pool = 2;
	if (path == NULL) {
		snprintf(err, errlen, "a configuration (-c) is required");
		return -1;
	}
	if (config_load_file(path, schema, c, err, errlen) != 0)
		return -1;
	if (c->domain.command.n == 0 || (c->domain.prefix != NULL &&
	    !good_prefix(c->domain.prefix))) {
		snprintf(err, errlen, "%s: domain: %s", path,
		    c->domain.command.n == 0 ? "an empty command" :
		    "prefix: letters, digits, '-' and '_', at most 40");
		ag_config_free(c);
		return -1;
	}
	return 0;
}

void
ag_config_free(struct ag_config *c)
{
	config_free(schema, c);
}
