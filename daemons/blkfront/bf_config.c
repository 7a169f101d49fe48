/*
 * bf_config: the schema, the defaults and the options (bf_config.h).
 */
/* xenctrl.h first: it tells the Xen headers after it this is a tool. */
#include <xenctrl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "bf_config.h"
#include "bf_ring.h"

static const struct config_field schema[] = {
	CONFIG_INT("devid", false, struct bf_config, devid, 0, BF_DEVID_MAX),
	CONFIG_STRING("nbd-socket", false, struct bf_config, nbd_socket),
	CONFIG_INT("nbd-tcp-port", false, struct bf_config, nbd_tcp_port, 0,
	    65535),
	CONFIG_STRING("export-name", false, struct bf_config, export_name),
	CONFIG_INT("queues", false, struct bf_config, queues, 1,
	    BF_QUEUES_MAX),
	CONFIG_INT("ring-page-order", false, struct bf_config, ring_order, 0,
	    BF_RING_ORDER_MAX),
	CONFIG_INT("pool-pages", false, struct bf_config, pool_pages,
	    BF_POOL_MIN, BF_POOL_MAX),
	CONFIG_INT("max-request", false, struct bf_config, max_request,
	    BF_REQUEST_MIN, BF_REQUEST_MAX),
	CONFIG_INT("max-connections", false, struct bf_config, max_conns, 1,
	    BF_CONNS_MAX),
	CONFIG_OBJECT("rpc", false, struct bf_config, rpc, rpc_limits_schema),
	CONFIG_END
};

void
bf_opts_default(struct bf_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->devid = o->nbd_tcp_port = o->queues = o->ring_order = -1;
}

static void
defaults(struct bf_config *c)
{
	memset(c, 0, sizeof(*c));
	c->devid = 51712;	/* xvda */
	c->queues = 1;
	/* 8 MiB: eight requests of 1 MiB in flight a queue (fio's and
	 * qemu's usual depth for large ones); 1024 held it to four. */
	c->pool_pages = 2048;
	c->max_request = 32 << 20;
	c->max_conns = 8;
}

static int
set_string(char **dst, const char *v)
{
	char	*s;

	if ((s = strdup(v)) == NULL)
		return -1;
	free(*dst);
	*dst = s;
	return 0;
}

static int
apply(struct bf_config *c, const struct bf_opts *o, char *err,
    size_t errlen)
{
	if (o->devid >= 0)
		c->devid = o->devid;
	if (o->nbd_tcp_port >= 0)
		c->nbd_tcp_port = o->nbd_tcp_port;
	if (o->queues >= 0)
		c->queues = o->queues;
	if (o->ring_order >= 0)
		c->ring_order = o->ring_order;
	if ((o->nbd_socket != NULL && set_string(&c->nbd_socket,
	    o->nbd_socket) != 0) || (c->export_name == NULL &&
	    set_string(&c->export_name, "") != 0)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static int
check(const struct bf_config *c, char *err, size_t errlen)
{
	if (c->nbd_socket == NULL && c->nbd_tcp_port == 0) {
		snprintf(err, errlen, "no NBD listener: --nbd-socket or "
		    "--nbd-tcp (or nbd-socket in the configuration)");
		return -1;
	}
	if (c->nbd_socket != NULL && (c->nbd_socket[0] != '/' ||
	    strlen(c->nbd_socket) >= sizeof(((struct sockaddr_un *)0)->
	    sun_path))) {
		snprintf(err, errlen, "nbd-socket: an absolute path shorter "
		    "than %zu bytes",
		    sizeof(((struct sockaddr_un *)0)->sun_path));
		return -1;
	}
	if (strlen(c->export_name) > 4096) {
		snprintf(err, errlen, "export-name: 4096 bytes at most");
		return -1;
	}
	return 0;
}

int
bf_config_load(const char *path, const struct bf_opts *o,
    struct bf_config *c, char *err, size_t errlen)
{
	defaults(c);
	if (path != NULL &&
	    config_load_file(path, schema, c, err, errlen) != 0)
		return -1;
	if (apply(c, o, err, errlen) != 0 || check(c, err, errlen) != 0) {
		bf_config_free(c);
		return -1;
	}
	return 0;
}

void
bf_config_free(struct bf_config *c)
{
	config_free(schema, c);
}
