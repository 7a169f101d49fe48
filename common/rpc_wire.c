#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "rpc_wire.h"

int
rpc_wire_take(struct evbuffer *in, size_t max, json_t **msg,
    const char **why)
{
	unsigned char	 h[RPC_HDR_LEN];
	json_error_t	 e;
	size_t		 len;
	json_t		*j;
	char		*text;

	*msg = NULL;
	if (evbuffer_get_length(in) < RPC_HDR_LEN)
		return 0;
	evbuffer_copyout(in, h, RPC_HDR_LEN);
	len = (size_t)h[0] << 24 | (size_t)h[1] << 16 | (size_t)h[2] << 8 | h[3];
	if (len == 0 || len > max) {
		*why = "frame length out of bounds";
		return -1;
	}
	if (evbuffer_get_length(in) < RPC_HDR_LEN + len)
		return 0;
	evbuffer_drain(in, RPC_HDR_LEN);
	if ((text = (char *)evbuffer_pullup(in, (ssize_t)len)) == NULL) {
		*why = "out of memory";
		return -1;
	}
	/* Exactly one value, no NULs smuggled past the parser. */
	j = json_loadb(text, len, JSON_REJECT_DUPLICATES,
	    &e);
	evbuffer_drain(in, len);
	if (j == NULL || !json_is_object(j)) {
		json_decref(j);
		*why = "not a JSON object";
		return -1;
	}
	*msg = j;
	return 1;
}

int
rpc_wire_put(struct evbuffer *out, const json_t *msg, size_t max)
{
	unsigned char	 h[RPC_HDR_LEN];
	char		*text;
	size_t		 len;
	int		 rc = -1;

	if ((text = json_dumps(msg, JSON_COMPACT)) == NULL)
		return -1;
	if ((len = strlen(text)) > 0 && len <= max) {
		h[0] = (unsigned char)(len >> 24);
		h[1] = (unsigned char)(len >> 16);
		h[2] = (unsigned char)(len >> 8);
		h[3] = (unsigned char)len;
		if (evbuffer_add(out, h, sizeof(h)) == 0 &&
		    evbuffer_add(out, text, len) == 0)
			rc = 0;
	}
	free(text);
	return rc;
}

const char *
rpc_wire_type(const json_t *msg)
{
	return json_string_value(json_object_get(msg, "type"));
}

uint64_t
rpc_wire_id(const json_t *msg)
{
	json_t		*id = json_object_get(msg, "id");
	json_int_t	 v;

	if (!json_is_integer(id) || (v = json_integer_value(id)) < 1 ||
	    v > (json_int_t)1 << 53)
		return 0;
	return (uint64_t)v;
}

json_t *
rpc_msg_hello_client(const char *client)
{
	return json_pack("{s:s, s:[i], s:s}", "type", "hello", "versions",
	    RPC_PROTOCOL, "client", client);
}

json_t *
rpc_msg_hello_server(int version, const char *service, const char *daemon,
    size_t max_frame, unsigned max_inflight)
{
	return json_pack("{s:s, s:i, s:s, s:s, s:{s:I, s:i}}", "type", "hello",
	    "version", version, "service", service, "daemon", daemon,
	    "limits", "max_frame", (json_int_t)max_frame, "max_inflight",
	    (int)max_inflight);
}

json_t *
rpc_msg_call(uint64_t id, const char *method, json_t *params)
{
	if (params == NULL)
		return json_pack("{s:s, s:I, s:s, s:{}}", "type", "call", "id",
		    (json_int_t)id, "method", method, "params");
	return json_pack("{s:s, s:I, s:s, s:O}", "type", "call", "id",
	    (json_int_t)id, "method", method, "params", params);
}

json_t *
rpc_msg_result(uint64_t id, json_t *result)
{
	return json_pack("{s:s, s:I, s:o}", "type", "result", "id",
	    (json_int_t)id, "result", result != NULL ? result : json_object());
}

json_t *
rpc_msg_error(uint64_t id, const char *code, const char *message)
{
	json_t	*m = json_pack("{s:s, s:s, s:s}", "type", "error", "code", code,
	    "message", message);

	if (m != NULL && id != 0)
		json_object_set_new(m, "id", json_integer((json_int_t)id));
	return m;
}

json_t *
rpc_msg_event(uint64_t id, json_t *data)
{
	return json_pack("{s:s, s:I, s:o}", "type", "event", "id",
	    (json_int_t)id, "data", data);
}

json_t *
rpc_msg_end(uint64_t id)
{
	return json_pack("{s:s, s:I}", "type", "end", "id", (json_int_t)id);
}

json_t *
rpc_msg_cancel(uint64_t id)
{
	return json_pack("{s:s, s:I}", "type", "cancel", "id", (json_int_t)id);
}

int
rpc_wire_pick_version(const json_t *hello)
{
	json_t	*vs = json_object_get(hello, "versions"), *v;
	size_t	 i;
	int	 best = 0;

	json_array_foreach(vs, i, v)
		if (json_is_integer(v) && json_integer_value(v) == RPC_PROTOCOL)
			best = RPC_PROTOCOL;
	return best;
}
