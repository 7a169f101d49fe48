/*
 * rpc_conn: one RPC connection over some transport, both ends.
 *
 * Owns moving frames: reading what the transport has into an input
 * buffer and handing each whole message to the owner, and queueing
 * messages to send, written as the transport takes them.  Memory is
 * bounded: input never holds more than one frame plus one read; output
 * past max_out bytes is refused (the owner decides: end a stream, drop
 * the peer).  A peer that breaks framing is dropped.  The owner may close
 * or free the connection from inside its callbacks.
 *
 * Transports are small tables: vchan (rpc_vchan.h) between domains, a
 * Unix socket (rpc_sock.h) for local tests and benchmarks.
 */
#ifndef RPC_CONN_H
#define RPC_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

struct event_base;
struct rpc_conn;

struct rpc_transport {
	const char	*name;
	/* Bytes moved; 0: nothing now (try when the fd fires); -1: gone. */
	ssize_t		(*read)(void *t, void *buf, size_t len);
	ssize_t		(*write)(void *t, const void *buf, size_t len);
	int		(*fd)(void *t);
	/* The fd fired: take the notification (vchan: libxenvchan_wait). */
	void		(*wakeup)(void *t);
	void		(*close)(void *t);
	/* Write readiness comes as EV_WRITE (a socket), not on the read fd. */
	bool		 poll_write;
};

/* Why a connection ended, for counting; the text is for the log. */
enum rpc_close {
	RPC_CLOSE_PEER,		/* the peer went */
	RPC_CLOSE_BROKEN,	/* it broke the protocol: framing, hello */
	RPC_CLOSE_LOCAL		/* our decision: too slow a reader, memory */
};

struct rpc_conn_cb {
	/* msg is borrowed for the call. */
	void	(*msg)(struct rpc_conn *, json_t *msg, void *arg);
	/* The connection is finished; free it here. */
	void	(*closed)(struct rpc_conn *, enum rpc_close, const char *why,
		    void *arg);
};

struct rpc_conn_limits {
	size_t	 max_frame;	/* RPC_FRAME_MAX */
	size_t	 max_out;	/* bytes queued to send */
};

struct rpc_conn	*rpc_conn_new(struct event_base *, const struct rpc_transport *,
		    void *t, const struct rpc_conn_limits *,
		    const struct rpc_conn_cb *, void *arg);
/* Frees the transport too.  Safe inside callbacks (deferred). */
void		 rpc_conn_free(struct rpc_conn *);

/*
 * 0, or -1 if it would pass the bound (nothing is queued then) or break
 * a frame.  Bulk messages (stream events) must fit max_out; others
 * (replies, errors, the end of a stream) may go two frames past it, so
 * that a stream cut short for a slow reader can still say so.
 */
int		 rpc_conn_send(struct rpc_conn *, const json_t *msg);
int		 rpc_conn_send_bulk(struct rpc_conn *, const json_t *msg);
/* Ends the connection: the closed callback runs from the loop. */
void		 rpc_conn_close(struct rpc_conn *, enum rpc_close,
		    const char *why);
size_t		 rpc_conn_queued(const struct rpc_conn *);
/* Counters for sys.stats. */
unsigned long long rpc_conn_bytes_in(const struct rpc_conn *);
unsigned long long rpc_conn_bytes_out(const struct rpc_conn *);
/* Try reading now (a transport that may hold data before its fd fires). */
void		 rpc_conn_kick(struct rpc_conn *);

#endif /* RPC_CONN_H */
