/*
 * rpc_wire: frames and messages of Shoal's RPC (proto/README.md).
 *
 * Owns the byte format: a frame is a 4-byte big-endian length then that
 * many bytes of one JSON object; and the message kinds carried in frames
 * (hello, call, result, error, event, end, cancel) with their fields.
 * Buffers are libevent evbuffers.  Nothing here knows transports.
 */
#ifndef RPC_WIRE_H
#define RPC_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct evbuffer;

#define RPC_PROTOCOL		1	/* the version this code speaks */
#define RPC_FRAME_MAX		65536	/* bytes of JSON in one frame */
#define RPC_HDR_LEN		4

/* Error codes, the "code" of an error message. */
#define RPC_E_VERSION		"version"	/* no common protocol */
#define RPC_E_FRAME		"bad-frame"	/* framing or JSON broken */
#define RPC_E_REQUEST		"bad-request"	/* a message we cannot use */
#define RPC_E_METHOD		"no-such-method"
#define RPC_E_PARAMS		"invalid-params"
#define RPC_E_DENIED		"denied"	/* by the policy */
#define RPC_E_BUSY		"busy"		/* too many calls in flight */
#define RPC_E_OVERFLOW		"overflow"	/* reader too slow: stream ended */
#define RPC_E_FAILED		"failed"	/* the method could not do it */
#define RPC_E_INTERNAL		"internal"

/*
 * Takes one frame off in if a whole one is there: 1 and *msg (a JSON
 * object, the caller's), 0 if more bytes are needed, -1 if the bytes are
 * not a frame we accept (*why says which rule); the connection is then
 * beyond repair.
 */
int	 rpc_wire_take(struct evbuffer *in, size_t max, json_t **msg,
	    const char **why);
/* Appends msg as a frame; -1 if it does not fit max or memory. */
int	 rpc_wire_put(struct evbuffer *out, const json_t *msg, size_t max);

/* The message kind, or NULL if msg has none. */
const char *rpc_wire_type(const json_t *msg);
/* A call, result... id: 1..2^53, or 0 if absent or bad. */
uint64_t rpc_wire_id(const json_t *msg);

/* Constructors: new references, NULL only when out of memory. */
json_t	*rpc_msg_hello_client(const char *client);
json_t	*rpc_msg_hello_server(int version, const char *service,
	    const char *daemon, size_t max_frame, unsigned max_inflight);
json_t	*rpc_msg_call(uint64_t id, const char *method, json_t *params);
json_t	*rpc_msg_result(uint64_t id, json_t *result);
json_t	*rpc_msg_error(uint64_t id, const char *code, const char *message);
json_t	*rpc_msg_event(uint64_t id, json_t *data);
json_t	*rpc_msg_end(uint64_t id);
json_t	*rpc_msg_cancel(uint64_t id);

/* The highest version both sides speak, from a client hello; 0: none. */
int	 rpc_wire_pick_version(const json_t *hello);

#endif /* RPC_WIRE_H */
