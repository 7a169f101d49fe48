#include <errno.h>
#include <stdbool.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <libxenvchan.h>
#include <xenstore.h>

#include "rpc_client.h"
#include "rpc_conn.h"
#include "rpc_sock.h"
#include "rpc_vchan.h"
#include "rpc_wire.h"

struct rpc_client {
	const struct rpc_transport	*tp;
	void				*t;
	struct evbuffer			*in;
	json_t				*hello;
	uint64_t			 next_id;
};

static long long
now_ms(void)
{
	struct timespec	 t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Wait for the transport's fd; then take the notification. */
static int
wait_fd(struct rpc_client *c, short events, long long deadline)
{
	struct pollfd	 p = { .fd = c->tp->fd(c->t), .events = events };
	long long	 left = deadline - now_ms();
	int		 r;

	if (left <= 0)
		return 0;
	if ((r = poll(&p, 1, (int)left)) == 1 && (p.revents & POLLIN))
		c->tp->wakeup(c->t);
	return r;
}

static int
write_all(struct rpc_client *c, const void *buf, size_t len,
    long long deadline, char *err, size_t errlen)
{
	const char	*p = buf;
	ssize_t		 n;

	while (len > 0) {
		if ((n = c->tp->write(c->t, p, len)) < 0) {
			snprintf(err, errlen, "the service went away");
			return -1;
		}
		p += n;
		len -= (size_t)n;
		if (n == 0 && wait_fd(c, c->tp->poll_write ? POLLOUT : POLLIN,
		    deadline) <= 0) {
			snprintf(err, errlen, "timed out sending");
			return -1;
		}
	}
	return 0;
}

/* recv_until's answer when the deadline passed with nothing to read. */
#define RECV_TIMEOUT	(-2)

static int
recv_until(struct rpc_client *c, json_t **msg, long long deadline, char *err,
    size_t errlen)
{
	unsigned char	 buf[16384];
	const char	*why;
	ssize_t		 n;
	int		 r;

	for (;;) {
		if ((r = rpc_wire_take(c->in, RPC_FRAME_MAX, msg, &why)) != 0) {
			if (r < 0)
				snprintf(err, errlen, "bad frame: %s", why);
			return r > 0 ? 0 : -1;
		}
		if ((n = c->tp->read(c->t, buf, sizeof(buf))) < 0) {
			snprintf(err, errlen, "the service closed the "
			    "connection");
			return -1;
		}
		if (n > 0) {
			evbuffer_add(c->in, buf, (size_t)n);
			continue;
		}
		if (wait_fd(c, POLLIN, deadline) <= 0) {
			snprintf(err, errlen, "timed out waiting for the "
			    "service");
			return RECV_TIMEOUT;
		}
	}
}

int
rpc_client_send(struct rpc_client *c, const json_t *m, char *err,
    size_t errlen)
{
	struct evbuffer	*b = evbuffer_new();
	size_t		 len;
	int		 rc = -1;

	if (b != NULL && rpc_wire_put(b, m, RPC_FRAME_MAX) == 0) {
		len = evbuffer_get_length(b);
		rc = write_all(c, evbuffer_pullup(b, -1), len,
		    now_ms() + 10000, err, errlen);
	} else
		snprintf(err, errlen, "message too big");
	if (b != NULL)
		evbuffer_free(b);
	return rc;
}

int
rpc_client_send_bytes(struct rpc_client *c, const void *p, size_t len,
    char *err, size_t errlen)
{
	return write_all(c, p, len, now_ms() + 10000, err, errlen);
}

int
rpc_client_recv(struct rpc_client *c, json_t **msg, int timeout_ms,
    char *err, size_t errlen)
{
	return recv_until(c, msg, now_ms() + timeout_ms, err, errlen) == 0 ?
	    0 : -1;
}

static struct rpc_client *
client_new(const struct rpc_transport *tp, void *t)
{
	struct rpc_client	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->in = evbuffer_new()) == NULL) {
		free(c);
		tp->close(t);
		return NULL;
	}
	c->tp = tp;
	c->t = t;
	c->next_id = 1;
	return c;
}

static int
hello(struct rpc_client *c, const json_t *versions, int timeout_ms,
    char *err, size_t errlen)
{
	json_t		*h, *r = NULL;
	const char	*type;
	int		 rc = -1, got;

	if (json_is_false(versions))
		return 0;
	h = rpc_msg_hello_client("shoal");
	if (h != NULL && versions != NULL)
		json_object_set(h, "versions", (json_t *)versions);
	if (h == NULL || rpc_client_send(c, h, err, errlen) != 0)
		goto out;
	if ((got = recv_until(c, &r, now_ms() + timeout_ms, err,
	    errlen)) != 0) {
		if (got == RECV_TIMEOUT)
			snprintf(err, errlen, "connected, but the service "
			    "did not answer hello within %d ms", timeout_ms);
		goto out;
	}
	type = rpc_wire_type(r);
	if (type != NULL && strcmp(type, "hello") == 0) {
		c->hello = json_incref(r);
		rc = 0;
	} else
		snprintf(err, errlen, "refused: %s: %s",
		    json_string_value(json_object_get(r, "code")),
		    json_string_value(json_object_get(r, "message")));
out:
	json_decref(h);
	json_decref(r);
	return rc;
}

struct rpc_client *
rpc_client_vchan(unsigned domid, const char *svc, const json_t *versions,
    int timeout_ms, char *err, size_t errlen)
{
	struct xs_handle	*xs;
	struct libxenvchan	*v;
	struct rpc_client	*c;

	if ((xs = xs_open(0)) == NULL) {
		snprintf(err, errlen, "xenstore: %s", strerror(errno));
		return NULL;
	}
	v = rpc_vchan_connect(xs, domid, svc, timeout_ms, err, errlen);
	xs_close(xs);
	if (v == NULL || (c = client_new(&rpc_vchan_transport,
	    rpc_vchan_wrap(v))) == NULL)
		return NULL;
	if (hello(c, versions, timeout_ms, err, errlen) != 0) {
		rpc_client_close(c);
		return NULL;
	}
	return c;
}

struct rpc_client *
rpc_client_sock(const char *path, const json_t *versions, int timeout_ms,
    char *err, size_t errlen)
{
	struct rpc_client	*c;
	int			 fd;

	if ((fd = rpc_sock_connect(path)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if ((c = client_new(&rpc_sock_transport, rpc_sock_wrap(fd))) == NULL)
		return NULL;
	if (hello(c, versions, timeout_ms, err, errlen) != 0) {
		rpc_client_close(c);
		return NULL;
	}
	return c;
}

void
rpc_client_close(struct rpc_client *c)
{
	if (c == NULL)
		return;
	c->tp->close(c->t);
	evbuffer_free(c->in);
	json_decref(c->hello);
	free(c);
}

const json_t *
rpc_client_server(const struct rpc_client *c)
{
	return c->hello;
}

/* The next message about id (others are stale events: skipped). */
static int
reply_for(struct rpc_client *c, uint64_t id, json_t **msg,
    long long deadline, char *err, size_t errlen)
{
	for (;;) {
		int	 rc = recv_until(c, msg, deadline, err, errlen);

		if (rc != 0)
			return rc;
		if (rpc_wire_id(*msg) == id || rpc_wire_id(*msg) == 0)
			return 0;
		json_decref(*msg);
	}
}

static int
start(struct rpc_client *c, const char *method, json_t *params,
    uint64_t *id, char *err, size_t errlen)
{
	json_t	*m;
	int	 rc;

	*id = c->next_id++;
	if ((m = rpc_msg_call(*id, method, params)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rc = rpc_client_send(c, m, err, errlen);
	json_decref(m);
	return rc;
}

/* result / error / end of a call's message; 2: an event (for streams). */
static int
classify(json_t *msg, json_t **result, json_t **error)
{
	const char	*type = rpc_wire_type(msg);

	if (type != NULL && strcmp(type, "result") == 0) {
		*result = json_incref(json_object_get(msg, "result"));
		return 0;
	}
	if (type != NULL && strcmp(type, "event") == 0)
		return 2;
	if (type != NULL && strcmp(type, "end") == 0)
		return 0;
	*error = json_incref(msg);
	return 1;
}

int
rpc_client_call(struct rpc_client *c, const char *method, json_t *params,
    json_t **result, json_t **error, int timeout_ms, char *err, size_t errlen)
{
	long long	 deadline = now_ms() + timeout_ms;
	uint64_t	 id;
	json_t		*msg;
	int		 rc;

	*result = *error = NULL;
	if (start(c, method, params, &id, err, errlen) != 0)
		return -1;
	if ((rc = reply_for(c, id, &msg, deadline, err, errlen)) != 0) {
		if (rc == RECV_TIMEOUT)
			snprintf(err, errlen, "connected and sent %s (call "
			    "%llu), but no reply came within %d ms", method,
			    (unsigned long long)id, timeout_ms);
		return -1;
	}
	rc = classify(msg, result, error);
	json_decref(msg);
	return rc == 2 ? (snprintf(err, errlen, "an event for a call"), -1) :
	    rc;
}

int
rpc_client_stream(struct rpc_client *c, const char *method, json_t *params,
    int (*fn)(json_t *, void *), void *arg, json_t **error, int timeout_ms,
    char *err, size_t errlen)
{
	json_t		*msg, *result = NULL, *cancel;
	uint64_t	 id;
	int		 rc;
	bool		 stopped = false;

	*error = NULL;
	if (start(c, method, params, &id, err, errlen) != 0)
		return -1;
	for (;;) {
		/* The timeout is between messages: a stream may be long. */
		if (reply_for(c, id, &msg, now_ms() + timeout_ms, err,
		    errlen) != 0)
			return -1;
		rc = classify(msg, &result, error);
		if (rc == 2 && !stopped && fn(json_object_get(msg, "data"),
		    arg) != 0) {
			stopped = true;
			if ((cancel = rpc_msg_cancel(id)) != NULL &&
			    rpc_client_send(c, cancel, err, errlen) != 0) {
				json_decref(cancel);
				json_decref(msg);
				return -1;
			}
			json_decref(cancel);
		}
		json_decref(msg);
		if (rc != 2) {
			json_decref(result);
			return rc;
		}
	}
}
