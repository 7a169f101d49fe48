/*
 * rpc_server_int: what rpc_server.c and rpc_sys.c (the sys.* methods)
 * share about a server's insides; nothing else includes it.
 */
#ifndef RPC_SERVER_INT_H
#define RPC_SERVER_INT_H

#include <sys/queue.h>

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "rpc_server.h"

struct rpc_conn;
struct rpc_policy;
struct rpc_schema;
struct rpc_transport;
struct xs_handle;

struct rpc_call {
	TAILQ_ENTRY(rpc_call)	 entry;
	struct rpc_peer		*peer;
	uint64_t		 id;
	char			*method;
	bool			 stream;
	void			(*cancel)(struct rpc_call *, void *);
	void			*cancel_arg;
};

struct rpc_peer {
	LIST_ENTRY(rpc_peer)	 entry;
	struct rpc_server	*srv;
	struct rpc_conn		*conn;
	struct event		*timer;		/* hello deadline */
	unsigned		 domid;
	char			 name[64];	/* "" if unknown */
	bool			 hello;
	TAILQ_HEAD(, rpc_call)	 calls;
	unsigned		 ninflight;
};

struct rpc_stats {
	unsigned long long	 accepted, calls, errors, denied, dropped;
	unsigned long long	 overflows, bytes_in, bytes_out;
};

struct rpc_server {
	struct event_base	*base;
	struct rpc_server_opts	 opts;
	struct rpc_schema	*schema;
	struct rpc_policy	*policy;
	struct xs_handle	*xs;
	struct event		*xsev;
	int			 self;		/* our domid, -1 unknown */
	char			 base_path[256];
	int			 listen_fd;
	char			*listen_path;
	struct event		*listen_ev;
	LIST_HEAD(, rpc_peer)	 peers;
	unsigned		 nconns;
	unsigned		 max_inflight, max_per_domain;
	size_t			 max_out;
	struct rpc_stats	 stats;
	struct timespec		 started;
};

/* A connection from a caller in domid over tp (which it now owns). */
struct rpc_peer	*rpc_server_adopt(struct rpc_server *,
		    const struct rpc_transport *, void *t, unsigned domid);
/* The built-in sys.NAME, or NULL.  Their arg is the rpc_server. */
rpc_method_fn	 rpc_sys_method(const char *name);

#endif /* RPC_SERVER_INT_H */
