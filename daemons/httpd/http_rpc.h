/*
 * http_rpc: httpd's methods on Shoal's RPC (proto/services/http.json):
 * http.stats and http.reload, and its part of sys.stats and sys.reload.
 * A reload is main.c's (it owns the configuration); this module calls it
 * through the hook it is given.
 */
#ifndef HTTP_RPC_H
#define HTTP_RPC_H

#include <jansson.h>

#include "rpc_server.h"

struct http_server;

struct http_rpc {
	struct http_server	*srv;
	/* 0, or -1 with err set; the configuration is unchanged then. */
	int			(*reload)(void *arg, char *err, size_t errlen);
	void			*reload_arg;
};

extern const struct rpc_method http_rpc_methods[];
json_t	*http_rpc_stats(void *http_rpc);
int	 http_rpc_sys_reload(void *http_rpc);

#endif /* HTTP_RPC_H */
