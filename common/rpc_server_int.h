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
	bool			 vchan;		/* counts in nvchans */
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
	unsigned long long	 refused;	/* over a connection limit */
	unsigned long long	 pending_dropped; /* unfinished inbox entries */
};

#define RPC_INBOX_BUCKETS	64
LIST_HEAD(rpc_pending_list, rpc_pending);
LIST_HEAD(rpc_pending_doms, rpc_pending_dom);

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
	unsigned		 nconns, nvchans;
	struct rpc_limits	 limits;	/* 0s replaced by defaults */
	struct rpc_pending_list	 pending[RPC_INBOX_BUCKETS];
	struct rpc_pending_doms	 pending_doms[RPC_INBOX_BUCKETS];
	unsigned		 npending;
	unsigned		 max_inflight;
	size_t			 max_out;
	struct rpc_stats	 stats;
	struct timespec		 started;
};

/* A connection from a caller in domid over tp (which it now owns). */
struct rpc_peer	*rpc_server_adopt(struct rpc_server *,
		    const struct rpc_transport *, void *t, unsigned domid);
/* The same for a vchan made by the inbox (counted against the limits). */
struct libxenvchan;
void		 rpc_server_adopt_vchan(struct rpc_server *,
		    struct libxenvchan *, unsigned domid);
unsigned	 rpc_server_peers_of(struct rpc_server *, unsigned domid);

/* rpc_inbox.c: one watch event on the service's path; forget it all. */
void		 rpc_inbox_event(struct rpc_server *, const char *path);
void		 rpc_inbox_clear(struct rpc_server *);
unsigned	 rpc_inbox_bucket(const char *nonce);
/* The built-in sys.NAME, or NULL.  Their arg is the rpc_server. */
rpc_method_fn	 rpc_sys_method(const char *name);

#endif /* RPC_SERVER_INT_H */
