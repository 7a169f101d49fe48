/*
 * rpc_server: a daemon's side of Shoal's RPC.
 *
 * Owns the service's registration in xenstore (rpc_vchan.h has the
 * layout), accepting callers from any domain over vchan (and, if asked,
 * from its own domain over a Unix socket), the per-connection protocol
 * (hello and version, calls in flight, streams, cancel: proto/README.md),
 * the checks every call passes before a method sees it (the method
 * exists, the policy allows this caller, the params fit the schema), the
 * sys.* methods every daemon has, and the counters behind sys.stats.
 *
 * Limits, per connection: RPC_FRAME_MAX bytes a frame, max_inflight
 * calls at once (beyond: "busy"), max_out bytes queued to a slow reader
 * (a stream that would pass it is ended with "overflow"), 30 s to say
 * hello.  Per service (struct rpc_limits, from the daemon's config):
 * vchans open at once for all callers, connections per caller domain,
 * and unfinished inbox entries per caller domain.  A call over the first
 * two is refused with "busy" (the caller's rpc_client says so at once);
 * past the third, the newest unfinished entry is removed.  A peer that
 * breaks the framing is dropped; one that breaks a message rule gets an
 * error and keeps its connection.
 */
#ifndef RPC_SERVER_H
#define RPC_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "rpc_limits.h"

struct event_base;
struct rpc_call;
struct rpc_server;
struct xs_handle;

/* A method: reply now or later (rpc_reply, rpc_fail, rpc_stream_*). */
typedef void	(*rpc_method_fn)(struct rpc_call *, json_t *params,
		    void *arg);

struct rpc_method {
	const char	*name;		/* without the service: "tail" */
	rpc_method_fn	 fn;
};


struct rpc_server_opts {
	const char		*service;	/* "console": proto/services */
	const char		*daemon;	/* "consoled" */
	const char		*version;
	const struct rpc_method	*methods;	/* NULL-name ended */
	void			*arg;		/* for methods */
	void			*hook_arg;	/* for the hooks below */
	const char		*policy_path;	/* NULL: allow dom0 only */
	/* sys.reload: 0 or -1; sys.stats: the daemon's own object. */
	int			(*reload)(void *arg);
	json_t			*(*stats)(void *arg);
	/*
	 * For a server run by a helper process on a daemon's behalf
	 * (xenstored's): sys.ping asks the daemon (0: it answered), and
	 * sys.loglevel sets the daemon's level too.  NULL: this process.
	 */
	int			(*ping)(void *arg);
	void			(*loglevel)(void *arg, int verbosity);
	/*
	 * The domain this process runs in, or -1.  NULL: the "domid" node
	 * of our own xenstore connection, which is right for every process
	 * but one on xenstored's socket (xs_rpc.h).
	 */
	int			(*self_domid)(struct xs_handle *);
	/*
	 * A xenstore connection opened before a privilege drop, which the
	 * server then owns; NULL: it opens its own.
	 */
	struct xs_handle	*xs;
	unsigned		 max_inflight;	/* 0: 64 */
	size_t			 max_out;	/* 0: 1 MiB */
	struct rpc_limits	 limits;
};

/* NULL after logging why.  Registers in xenstore when it can. */
struct rpc_server *rpc_server_new(struct event_base *,
		    const struct rpc_server_opts *);
/* Also listen on a Unix socket (callers count as our own domain). */
int		 rpc_server_listen(struct rpc_server *, const char *path);
/* The same with a socket already listening there (rpc_sock_listen, bound
 * before a privilege drop); the server owns fd from then on. */
int		 rpc_server_listen_fd(struct rpc_server *, int fd,
		    const char *path);
/* Unregisters, closes every connection (cancelling calls). */
void		 rpc_server_free(struct rpc_server *);
/* Rereads the policy file; a broken one denies all until fixed. */
void		 rpc_server_reload_policy(struct rpc_server *);
/* New limits (SIGHUP); connections over them are kept, new ones refused. */
void		 rpc_server_set_limits(struct rpc_server *,
		    const struct rpc_limits *);

/* ---- for methods ---- */

/* Takes result (a new reference; NULL: an empty object). */
void		 rpc_reply(struct rpc_call *, json_t *result);
void		 rpc_fail(struct rpc_call *, const char *code,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Streams: takes data; -1 if the stream ended (reader too slow, gone). */
int		 rpc_stream_event(struct rpc_call *, json_t *data);
void		 rpc_stream_end(struct rpc_call *);
/*
 * Called if the call ends before the method answered (the caller
 * cancelled it or went away): drop every pointer to the call there.
 */
void		 rpc_call_on_cancel(struct rpc_call *,
		    void (*)(struct rpc_call *, void *), void *);
unsigned	 rpc_call_caller(const struct rpc_call *);
const char	*rpc_call_method(const struct rpc_call *);

#endif /* RPC_SERVER_H */
