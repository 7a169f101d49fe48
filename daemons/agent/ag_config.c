#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ag_config.h"

static const struct config_field domain_schema[] = {
	CONFIG_STRLIST("command", false, struct ag_domain_conf, command),
	CONFIG_INT("memory-mb", false, struct ag_domain_conf, memory_mb, 1,
	    65536),
	CONFIG_STRING("prefix", false, struct ag_domain_conf, prefix),
	CONFIG_STRING("ready", false, struct ag_domain_conf, ready),
	CONFIG_INT("ready-ms", false, struct ag_domain_conf, ready_ms, 100,
	    600000),
	CONFIG_END
};

static const struct config_field libxl_schema[] = {
	CONFIG_STRING("domain-config", true, struct ag_libxl_conf,
	    domain_config),
	CONFIG_STRING("module", false, struct ag_libxl_conf, module),
	CONFIG_END
};

static const struct config_field schema[] = {
	CONFIG_STRING("xensim", false, struct ag_config, xensim),
	CONFIG_OBJECT("libxl", false, struct ag_config, libxl, libxl_schema),
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
	c->pool = 2;
	c->domain.ready_ms = 30000;
	if (path == NULL) {
		snprintf(err, errlen, "a configuration (-c) is required");
		return -1;
	}
	if (config_load_file(path, schema, c, err, errlen) != 0)
		return -1;
	if ((c->xensim == NULL) == (c->libxl.domain_config == NULL))
		snprintf(err, errlen, "%s: one toolstack: \"xensim\" or "
		    "\"libxl\"", path);
	else if (c->xensim != NULL && c->domain.command.n == 0)
		snprintf(err, errlen, "%s: domain: xensim needs a command",
		    path);
	else if (c->domain.prefix != NULL && !good_prefix(c->domain.prefix))
		snprintf(err, errlen, "%s: domain: prefix: letters, digits, "
		    "'-' and '_', at most 40", path);
	else
		return 0;
	ag_config_free(c);
	return -1;
}

void
ag_config_free(struct ag_config *c)
{
	config_free(schema, c);
}

char *
ag_config_number(const char *tmpl, unsigned n)
{
	char		 num[16], *out, *w;
	const char	*p, *at;
	size_t		 k = 0, len;

	len = (size_t)snprintf(num, sizeof(num), "%u", n);
	for (p = tmpl; (at = strstr(p, "{n}")) != NULL; p = at + 3)
		k++;
	/* Each "{n}" given room for the whole number: more than enough. */
	if ((out = malloc(strlen(tmpl) + k * len + 1)) == NULL)
		return NULL;
	for (w = out, p = tmpl; (at = strstr(p, "{n}")) != NULL; p = at + 3) {
		memcpy(w, p, (size_t)(at - p));
		w += at - p;
		memcpy(w, num, len);
		w += len;
	}
	strcpy(w, p);
	return out;
}
