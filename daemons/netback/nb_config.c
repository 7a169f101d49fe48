/*
 * nb_config: the schema and defaults (nb_config.h).
 */
#include <string.h>

#include "config.h"
#include "nb_config.h"

/* "tap" or "switch", reported where it stands in the file. */
static int
parse_mode(struct config_ctx *ctx, json_t *v, void *dst)
{
	bool		*switched = dst;
	const char	*s = json_string_value(v);

	if (s != NULL && strcmp(s, "tap") == 0)
		*switched = false;
	else if (s != NULL && strcmp(s, "switch") == 0)
		*switched = true;
	else
		return config_error(ctx, v, "\"tap\" or \"switch\"");
	return 0;
}

static const struct config_field schema[] = {
	CONFIG_RAW("mode", false, struct nb_config, switched, parse_mode,
	    NULL),
	CONFIG_STRING("uplink", false, struct nb_config, uplink),
	CONFIG_INT("max-queues", false, struct nb_config, max_queues, 1,
	    NB_QUEUES_MAX),
	CONFIG_INT("mtu", false, struct nb_config, mtu, 68, 65535),
	CONFIG_INT("rx-queue-bytes", false, struct nb_config, rx_queue_bytes,
	    262144, 1 << 30),
	CONFIG_INT("rx-stall-ms", false, struct nb_config, rx_stall_ms, 10,
	    3600000),
	CONFIG_BOOL("sg", false, struct nb_config, sg),
	CONFIG_BOOL("gso", false, struct nb_config, gso),
	CONFIG_BOOL("csum", false, struct nb_config, csum),
	CONFIG_BOOL("split-event-channels", false, struct nb_config,
	    split_evtchn),
	CONFIG_BOOL("multicast-control", false, struct nb_config, mcast_ctrl),
	CONFIG_OBJECT("rpc", false, struct nb_config, rpc, rpc_limits_schema),
	CONFIG_END
};

static void
defaults(struct nb_config *c)
{
	memset(c, 0, sizeof(*c));
	c->max_queues = 4;
	c->mtu = 1500;
	c->rx_queue_bytes = 2 << 20;
	c->rx_stall_ms = 10000;
	c->sg = c->gso = c->csum = true;
	c->split_evtchn = c->mcast_ctrl = true;
}

int
nb_config_load(const char *path, struct nb_config *c, char *err,
    size_t errlen)
{
	defaults(c);
	if (path != NULL &&
	    config_load_file(path, schema, c, err, errlen) != 0)
		return -1;
	/* GSO needs scatter-gather and the checksum left to us. */
	if (!c->sg || !c->csum)
		c->gso = false;
	return 0;
}

void
nb_config_free(struct nb_config *c)
{
	config_free(schema, c);
}
