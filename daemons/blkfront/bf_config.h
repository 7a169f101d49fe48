/*
 * bf_config: what blkfront is asked to do: its configuration file and
 * the command line options that override it.
 *
 *	{
 *	  "devid": 51712,
 *	  "nbd-socket": "/run/blkfront/xvda.sock",
 *	  "nbd-tcp-port": 0,
 *	  "export-name": "",
 *	  "queues": 1,
 *	  "ring-page-order": 0,
 *	  "pool-pages": 1024,
 *	  "max-request": 33554432,
 *	  "max-connections": 8,
 *	  "rpc": { "connections": 1024 }
 *	}
 *
 * Every key is optional but one NBD listener must be given (here or on
 * the command line).  devid is the vbd (device/vbd/DEVID); queues and
 * ring-page-order are asked of the backend, which may give fewer;
 * pool-pages is the data pages shared with it a queue (its memory, set
 * once at connect); max-request bounds one NBD request's bytes (and so
 * our buffer for it); max-connections the NBD clients at once;
 * nbd-tcp-port listens on 127.0.0.1 too.  SIGHUP reloads max-request,
 * max-connections and rpc; the rest needs a restart.  Owns the schema,
 * the defaults and the checks between keys.
 */
#ifndef SHOAL_BF_CONFIG_H
#define SHOAL_BF_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "rpc_limits.h"

#define BF_DEVID_MAX		0xfffffff
#define BF_QUEUES_MAX		8
#define BF_POOL_MIN		64	/* an indirect piece of 256 wants more */
#define BF_POOL_MAX		4096	/* 16 MiB a queue */
#define BF_REQUEST_MIN		4096
#define BF_REQUEST_MAX		(64 << 20)
#define BF_CONNS_MAX		64

struct bf_config {
	int			 devid;
	char			*nbd_socket;
	int			 nbd_tcp_port;
	char			*export_name;
	int			 queues;
	int			 ring_order;
	int			 pool_pages;
	int			 max_request;
	int			 max_conns;
	struct rpc_limits	 rpc;
};

/* The command line's, over the file's: -1 or NULL where not given. */
struct bf_opts {
	int			 devid;
	const char		*nbd_socket;
	int			 nbd_tcp_port;
	int			 queues;
	int			 ring_order;
};

void	 bf_opts_default(struct bf_opts *);
/* Defaults, the file if path is not NULL, then the options.  -1 with
 * err filled (FILE:LINE:COL for the file's mistakes). */
int	 bf_config_load(const char *path, const struct bf_opts *,
	    struct bf_config *, char *err, size_t errlen);
void	 bf_config_free(struct bf_config *);

#endif /* SHOAL_BF_CONFIG_H */
