/*
 * con_rpc: consoled's methods on Shoal's RPC (proto/services/console.json):
 * console.list, console.tail, console.follow (a stream), console.write,
 * each a thin wrapper of con_api.  Console bytes become JSON strings with
 * invalid UTF-8 replaced by '?', so any client can print them.
 */
#ifndef CON_RPC_H
#define CON_RPC_H

#include "rpc_server.h"

extern const struct rpc_method con_rpc_methods[];
/* sys.stats' daemon part: domains, bytes seen and dropped, bad rings. */
json_t	*con_rpc_stats(void *doms);

#endif /* CON_RPC_H */
