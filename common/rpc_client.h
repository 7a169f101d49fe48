/*
 * rpc_client: the calling side of Shoal's RPC, blocking, for shoalctl,
 * tests and benchmarks (a daemon calling another would use rpc_conn on
 * its event loop instead).
 *
 * Owns connecting (the vchan rendezvous through xenstore, or a Unix
 * socket), the hello, and calls: one at a time, streamed, or raw frames
 * for tests that want to pipeline or misbehave.  Every wait has a
 * deadline.
 */
#ifndef RPC_CLIENT_H
#define RPC_CLIENT_H

#include <stddef.h>

#include <jansson.h>

struct rpc_client;

/*
 * NULL with err set.  Both say hello with versions (NULL: ours), except
 * when versions is JSON false: then nothing is sent (tests of what a
 * server does with a peer that breaks the rules).
 */
struct rpc_client *rpc_client_vchan(unsigned domid, const char *svc,
		    const json_t *versions, int timeout_ms, char *err,
		    size_t errlen);
struct rpc_client *rpc_client_sock(const char *path, const json_t *versions,
		    int timeout_ms, char *err, size_t errlen);
void		 rpc_client_close(struct rpc_client *);
/* The server's hello (borrowed). */
const json_t	*rpc_client_server(const struct rpc_client *);

/*
 * One call: 0 with *result, 1 with *error (the server's error object),
 * -1 with err (transport gone, timeout).  Results are the caller's.
 */
int		 rpc_client_call(struct rpc_client *, const char *method,
		    json_t *params, json_t **result, json_t **error,
		    int timeout_ms, char *err, size_t errlen);
/* A stream: fn per event (nonzero stops: a cancel is sent); as call. */
int		 rpc_client_stream(struct rpc_client *, const char *method,
		    json_t *params, int (*fn)(json_t *data, void *), void *arg,
		    json_t **error, int timeout_ms, char *err, size_t errlen);

/* Raw: a message out, the next message in (0, or -1 with err). */
int		 rpc_client_send(struct rpc_client *, const json_t *,
		    char *err, size_t errlen);
int		 rpc_client_send_bytes(struct rpc_client *, const void *,
		    size_t, char *err, size_t errlen);
int		 rpc_client_recv(struct rpc_client *, json_t **msg,
		    int timeout_ms, char *err, size_t errlen);

#endif /* RPC_CLIENT_H */
