#include <stdio.h>
#include <string.h>

#include "config.h"
#include "sc_config.h"

static const struct config_field store_schema[] = {
	CONFIG_STRING("sqlite", false, struct sc_store_conf, sqlite),
	CONFIG_STRING("postgresql", false, struct sc_store_conf, postgresql),
	CONFIG_END
};

static const struct config_field schema[] = {
	CONFIG_OBJECT("store", false, struct sc_config, store, store_schema),
	CONFIG_INT("backoff-ms", false, struct sc_config, backoff_ms, 1,
	    3600000),
	CONFIG_INT("backoff-max-ms", false, struct sc_config, backoff_max_ms,
	    1, 86400000),
	CONFIG_OBJECT("rpc", false, struct sc_config, rpc, rpc_limits_schema),
	CONFIG_END
};

int
sc_config_load(const char *path, struct sc_config *c, char *err,
    size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->backoff_ms = 1000;
	c->backoff_max_ms = 60000;
	if (path != NULL &&
	    config_load_file(path, schema, c, err, errlen) != 0)
		return -1;
	if (c->store.sqlite != NULL && c->store.postgresql != NULL) {
		snprintf(err, errlen, "%s: store: \"sqlite\" or \"postgresql\","
		    " not both", path);
		sc_config_free(c);
		return -1;
	}
	return 0;
}

void
sc_config_free(struct sc_config *c)
{
	config_free(schema, c);
}
