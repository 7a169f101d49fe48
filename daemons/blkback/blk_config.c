/*
 * blk_config: the schema and defaults (blk_config.h).
 */
#include <string.h>

#include "blk_config.h"
#include "blk_req.h"

/* A list of "vbd" and "qdisk", at least one, reported where it stands. */
static int
parse_types(struct config_ctx *ctx, json_t *v, void *dst)
{
	struct blk_types	*t = dst;
	const char		*s;
	json_t			*e;
	size_t			 i;

	if (!json_is_array(v) || json_array_size(v) == 0)
		return config_error(ctx, v, "a list of \"vbd\" and \"qdisk\"");
	t->vbd = t->qdisk = false;
	json_array_foreach(v, i, e) {
		s = json_string_value(e);
		if (s != NULL && strcmp(s, "vbd") == 0)
			t->vbd = true;
		else if (s != NULL && strcmp(s, "qdisk") == 0)
			t->qdisk = true;
		else
			return config_error(ctx, e, "\"vbd\" or \"qdisk\"");
	}
	return 0;
}

static int
parse_sector(struct config_ctx *ctx, json_t *v, void *dst)
{
	int		*sz = dst;
	json_int_t	 n = json_integer_value(v);

	if (!json_is_integer(v) || (n != 0 && n != 512 && n != 4096))
		return config_error(ctx, v, "0, 512 or 4096");
	*sz = (int)n;
	return 0;
}

static const struct config_field schema[] = {
	CONFIG_RAW("backend-types", false, struct blk_config, types,
	    parse_types, NULL),
	CONFIG_INT("max-queues", false, struct blk_config, max_queues, 1,
	    BLK_QUEUES_MAX),
	CONFIG_INT("max-ring-page-order", false, struct blk_config,
	    max_ring_order, 0, BLK_RING_ORDER_MAX),
	CONFIG_INT("max-indirect-segments", false, struct blk_config,
	    max_indirect, 0, BLK_INDIRECT_MAX),
	CONFIG_INT("max-inflight", false, struct blk_config, max_inflight, 1,
	    BLK_INFLIGHT_MAX),
	CONFIG_BOOL("flush", false, struct blk_config, flush),
	CONFIG_BOOL("discard", false, struct blk_config, discard),
	CONFIG_BOOL("direct-io", false, struct blk_config, direct_io),
	CONFIG_RAW("sector-size", false, struct blk_config, sector_size,
	    parse_sector, NULL),
	CONFIG_STRLIST("disk-paths", false, struct blk_config, disk_paths),
	CONFIG_OBJECT("rpc", false, struct blk_config, rpc, rpc_limits_schema),
	CONFIG_END
};

static void
defaults(struct blk_config *c)
{
	memset(c, 0, sizeof(*c));
	c->types.vbd = c->types.qdisk = true;
	c->max_queues = 4;
	c->max_ring_order = BLK_RING_ORDER_MAX;
	c->max_indirect = BLK_INDIRECT_MAX;
	c->max_inflight = 32;
	c->flush = c->discard = true;
}

int
blk_config_load(const char *path, struct blk_config *c, char *err,
    size_t errlen)
{
	defaults(c);
	if (path != NULL &&
	    config_load_file(path, schema, c, err, errlen) != 0)
		return -1;
	return 0;
}

void
blk_config_free(struct blk_config *c)
{
	config_free(schema, c);
}
