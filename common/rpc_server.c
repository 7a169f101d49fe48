#include <sys/queue.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <libxenvchan.h>
#include <xenstore.h>

#include "config.h"
#include "log.h"
#include "rpc_conn.h"
#include "rpc_policy.h"
#include "rpc_schema.h"
#include "rpc_server.h"
#include "rpc_server_int.h"
#include "rpc_sock.h"
#include "rpc_vchan.h"
#include "rpc_wire.h"

/*
 * From the vchan made to the caller's hello.  Generous: on a loaded
 * machine a caller's connect and first frame can take seconds (100
 * callers at once on xensim took over 5 s), and a caller dropped here
 * finds no vchan and waits out its own timeout.  A silent caller holds
 * one vchan that long, within the per-domain cap.
 */
#define HELLO_TIMEOUT	30	/* seconds */

static void	peer_msg(struct rpc_conn *, json_t *, void *);
static void	peer_closed(struct rpc_conn *, enum rpc_close, const char *,
		    void *);

/* ---- calls ---- */

static void
call_free(struct rpc_call *c)
{
	TAILQ_REMOVE(&c->peer->calls, c, entry);
	c->peer->ninflight--;
	free(c->method);
	free(c);
}

static void
send_msg(struct rpc_peer *p, json_t *m)
{
	if (m == NULL || rpc_conn_send(p->conn, m) != 0)
		rpc_conn_close(p->conn, RPC_CLOSE_LOCAL,
		    "cannot queue a reply: reader too slow");
	json_decref(m);
}

void
rpc_reply(struct rpc_call *c, json_t *result)
{
	c->peer->srv->stats.calls++;
	send_msg(c->peer, rpc_msg_result(c->id, result));
	call_free(c);
}

static void
fail_id(struct rpc_peer *p, uint64_t id, const char *code, const char *msg)
{
	p->srv->stats.errors++;
	send_msg(p, rpc_msg_error(id, code, msg));
}

void
rpc_fail(struct rpc_call *c, const char *code, const char *fmt, ...)
{
	char	 buf[512];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fail_id(c->peer, c->id, code, buf);
	call_free(c);
}

int
rpc_stream_event(struct rpc_call *c, json_t *data)
{
	struct rpc_peer	*p = c->peer;
	json_t		*m = rpc_msg_event(c->id, data);

	if (m != NULL && rpc_conn_send_bulk(p->conn, m) == 0) {
		json_decref(m);
		return 0;
	}
	json_decref(m);
	/* The reader is too slow: end this stream, keep the connection. */
	if (c->cancel != NULL)
		c->cancel(c, c->cancel_arg);
	p->srv->stats.overflows++;
	rpc_fail(c, RPC_E_OVERFLOW, "stream ended: the reader fell behind");
	return -1;
}

void
rpc_stream_end(struct rpc_call *c)
{
	c->peer->srv->stats.calls++;
	send_msg(c->peer, rpc_msg_end(c->id));
	call_free(c);
}

void
rpc_call_on_cancel(struct rpc_call *c, void (*fn)(struct rpc_call *, void *),
    void *arg)
{
	c->cancel = fn;
	c->cancel_arg = arg;
}

unsigned
rpc_call_caller(const struct rpc_call *c)
{
	return c->peer->domid;
}

const char *
rpc_call_method(const struct rpc_call *c)
{
	return c->method;
}

/* The method never answers now: tell it, then forget the call. */
static void
call_cancel(struct rpc_call *c)
{
	if (c->cancel != NULL)
		c->cancel(c, c->cancel_arg);
	call_free(c);
}

static struct rpc_call *
call_find(struct rpc_peer *p, uint64_t id)
{
	struct rpc_call	*c;

	TAILQ_FOREACH(c, &p->calls, entry)
		if (c->id == id)
			return c;
	return NULL;
}

/* ---- dispatch ---- */

static rpc_method_fn
handler(struct rpc_server *s, const char *svc, const char *name)
{
	const struct rpc_method	*m;

	if (strcmp(svc, "sys") == 0)
		return rpc_sys_method(name);
	for (m = s->opts.methods; m != NULL && m->name != NULL; m++)
		if (strcmp(m->name, name) == 0)
			return m->fn;
	return NULL;
}

/* The checks in order: known method, policy, params, room. */
static void
on_call(struct rpc_peer *p, json_t *msg)
{
	struct rpc_server	*s = p->srv;
	const char		*full = json_string_value(json_object_get(msg,
				    "method")), *dot;
	uint64_t		 id = rpc_wire_id(msg);
	json_t			*params = json_object_get(msg, "params");
	char			 svc[64], err[256];
	const json_t		*schema;
	rpc_method_fn		 fn;
	struct rpc_call		*c;
	int			 line;

	if (id == 0 || full == NULL || call_find(p, id) != NULL) {
		fail_id(p, id, RPC_E_REQUEST, "a call needs a new id and a "
		    "method");
		return;
	}
	if ((dot = strchr(full, '.')) == NULL ||
	    (size_t)(dot - full) >= sizeof(svc)) {
		fail_id(p, id, RPC_E_METHOD, "methods are SERVICE.METHOD");
		return;
	}
	memcpy(svc, full, (size_t)(dot - full));
	svc[dot - full] = '\0';
	if ((strcmp(svc, "sys") != 0 && strcmp(svc, s->opts.service) != 0) ||
	    (schema = rpc_schema_method(s->schema, svc, dot + 1)) == NULL ||
	    (fn = handler(s, svc, dot + 1)) == NULL) {
		fail_id(p, id, RPC_E_METHOD, full);
		return;
	}
	if (!rpc_policy_allows(s->policy, full, p->domid, p->name, &line)) {
		s->stats.denied++;
		log_warnx("rpc: %s denied to domain %u%s%s (policy %s)", full,
		    p->domid, p->name[0] != '\0' ? " " : "", p->name,
		    rpc_policy_broken(s->policy) ? "broken: denying all" :
		    line ? "rule" : "has no rule for it");
		fail_id(p, id, RPC_E_DENIED, "the policy does not allow this "
		    "caller to call this method");
		return;
	}
	params = params != NULL ? json_incref(params) : json_object();
	if (rpc_schema_check(schema, params, err, sizeof(err)) != 0) {
		fail_id(p, id, RPC_E_PARAMS, err);
		json_decref(params);
		return;
	}
	if (p->ninflight >= s->max_inflight) {
		fail_id(p, id, RPC_E_BUSY, "too many calls in flight");
		json_decref(params);
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->method = strdup(full)) == NULL) {
		free(c);
		fail_id(p, id, RPC_E_INTERNAL, "out of memory");
		json_decref(params);
		return;
	}
	c->peer = p;
	c->id = id;
	c->stream = rpc_schema_is_stream(schema);
	TAILQ_INSERT_TAIL(&p->calls, c, entry);
	p->ninflight++;
	fn(c, params, strcmp(svc, "sys") == 0 ? (void *)s : s->opts.arg);
	json_decref(params);
}

static void
on_cancel(struct rpc_peer *p, json_t *msg)
{
	struct rpc_call	*c = call_find(p, rpc_wire_id(msg));

	if (c == NULL)
		return;		/* already answered: nothing to do */
	if (c->cancel != NULL)
		c->cancel(c, c->cancel_arg);
	c->cancel = NULL;
	rpc_stream_end(c);
}

static void
on_hello(struct rpc_peer *p, json_t *msg)
{
	struct rpc_server	*s = p->srv;
	int			 v;
	const char		*type = rpc_wire_type(msg);

	if (type == NULL || strcmp(type, "hello") != 0) {
		fail_id(p, 0, RPC_E_REQUEST, "say hello first");
		rpc_conn_close(p->conn, RPC_CLOSE_BROKEN, "no hello");
		return;
	}
	if ((v = rpc_wire_pick_version(msg)) == 0) {
		fail_id(p, 0, RPC_E_VERSION, "this server speaks protocol 1");
		rpc_conn_close(p->conn, RPC_CLOSE_LOCAL,
		    "no common protocol version");
		return;
	}
	event_del(p->timer);
	p->hello = true;
	send_msg(p, rpc_msg_hello_server(v, s->opts.service, s->opts.daemon,
	    RPC_FRAME_MAX, s->max_inflight));
}

static void
peer_msg(struct rpc_conn *conn, json_t *msg, void *arg)
{
	struct rpc_peer	*p = arg;
	const char	*type = rpc_wire_type(msg);

	(void)conn;
	if (!p->hello)
		on_hello(p, msg);
	else if (type != NULL && strcmp(type, "call") == 0)
		on_call(p, msg);
	else if (type != NULL && strcmp(type, "cancel") == 0)
		on_cancel(p, msg);
	else
		fail_id(p, rpc_wire_id(msg), RPC_E_REQUEST,
		    "unknown message type");
}

/* ---- connections ---- */

static void
peer_free(struct rpc_peer *p)
{
	struct rpc_call	*c;

	while ((c = TAILQ_FIRST(&p->calls)) != NULL)
		call_cancel(c);
	p->srv->stats.bytes_in += rpc_conn_bytes_in(p->conn);
	p->srv->stats.bytes_out += rpc_conn_bytes_out(p->conn);
	LIST_REMOVE(p, entry);
	p->srv->nconns--;
	if (p->vchan)
		p->srv->nvchans--;
	event_free(p->timer);
	rpc_conn_free(p->conn);
	free(p);
}

static void
peer_closed(struct rpc_conn *conn, enum rpc_close kind, const char *why,
    void *arg)
{
	struct rpc_peer	*p = arg;

	(void)conn;
	log_debug("rpc: domain %u: %s", p->domid, why);
	if (kind == RPC_CLOSE_BROKEN)
		p->srv->stats.dropped++;
	peer_free(p);
}

static void
hello_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct rpc_peer	*p = arg;

	(void)fd;
	(void)what;
	if (!p->hello) {
		/* Worth a warning: a caller on a slow machine sees a timeout. */
		log_warnx("rpc: domain %u connected but said no hello within "
		    "%d s: dropped", p->domid, HELLO_TIMEOUT);
		rpc_conn_close(p->conn, RPC_CLOSE_BROKEN, "no hello in time");
	}
}

unsigned
rpc_server_peers_of(struct rpc_server *s, unsigned domid)
{
	struct rpc_peer	*p;
	unsigned	 n = 0;

	LIST_FOREACH(p, &s->peers, entry)
		n += p->domid == domid;
	return n;
}

struct rpc_peer *
rpc_server_adopt(struct rpc_server *s, const struct rpc_transport *tp,
    void *t, unsigned domid)
{
	static const struct rpc_conn_cb	 cb = { peer_msg, peer_closed };
	struct rpc_conn_limits		 lim = { RPC_FRAME_MAX, s->max_out };
	struct timeval			 tv = { HELLO_TIMEOUT, 0 };
	struct rpc_peer			*p;
	char				 path[64], *name;
	unsigned int			 len;

	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->timer = evtimer_new(s->base, hello_timeout, p)) == NULL ||
	    (p->conn = rpc_conn_new(s->base, tp, t, &lim, &cb, p)) == NULL) {
		if (p != NULL && p->timer != NULL)
			event_free(p->timer);
		free(p);
		tp->close(t);
		return NULL;
	}
	p->srv = s;
	p->domid = domid;
	TAILQ_INIT(&p->calls);
	/* The toolstack's name for the caller, if we may read it. */
	snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
	if (s->xs != NULL &&
	    (name = xs_read(s->xs, XBT_NULL, path, &len)) != NULL) {
		snprintf(p->name, sizeof(p->name), "%s", name);
		free(name);
	}
	LIST_INSERT_HEAD(&s->peers, p, entry);
	s->nconns++;
	s->stats.accepted++;
	evtimer_add(p->timer, &tv);
	return p;
}

/* ---- the vchan rendezvous, service side (rpc_inbox.c) ---- */

void
rpc_server_adopt_vchan(struct rpc_server *s, struct libxenvchan *vc,
    unsigned domid)
{
	struct rpc_peer	*p;

	p = rpc_server_adopt(s, &rpc_vchan_transport, rpc_vchan_wrap(vc),
	    domid);
	if (p != NULL) {
		p->vchan = true;
		s->nvchans++;
	}
}

static void
on_xs(evutil_socket_t fd, short what, void *arg)
{
	struct rpc_server	*s = arg;
	char			**ev;
	bool			 any = false;

	(void)fd;
	(void)what;
	while ((ev = xs_check_watch(s->xs)) != NULL) {
		rpc_inbox_event(s, ev[XS_WATCH_PATH]);
		free(ev);
		any = true;
	}
	/* xenstored went away: stop listening rather than spin on EOF. */
	if (!any && errno != EAGAIN) {
		log_warn("rpc: xenstore connection lost: no new callers");
		event_del(s->xsev);
	}
}

/* data/shoal/SVC readable by all, its inbox writable by all. */
static int
publish(struct rpc_server *s)
{
	struct xs_permissions	 ro = { (unsigned)s->self, XS_PERM_READ };
	struct xs_permissions	 wo = { (unsigned)s->self, XS_PERM_WRITE };
	struct xs_permissions	 own = { (unsigned)s->self, XS_PERM_NONE };
	char			 p[RPC_VCHAN_PATHMAX + 16];

	xs_rm(s->xs, XBT_NULL, s->base_path);	/* a previous run's */
	/* data/shoal lists the domain's services to anyone who asks. */
	snprintf(p, sizeof(p), "/local/domain/%d/data/shoal", s->self);
	if (!xs_mkdir(s->xs, XBT_NULL, p) ||
	    !xs_set_permissions(s->xs, XBT_NULL, p, &ro, 1))
		return -1;
	snprintf(p, sizeof(p), "%s/inbox", s->base_path);
	if (!xs_mkdir(s->xs, XBT_NULL, p) ||
	    !xs_set_permissions(s->xs, XBT_NULL, s->base_path, &ro, 1) ||
	    !xs_set_permissions(s->xs, XBT_NULL, p, &wo, 1))
		return -1;
	/* Shared by the domain's services; each vchan removes its own. */
	snprintf(p, sizeof(p), "/local/domain/%d/data/rpc", s->self);
	if (!xs_mkdir(s->xs, XBT_NULL, p) ||
	    !xs_set_permissions(s->xs, XBT_NULL, p, &own, 1))
		return -1;
	snprintf(p, sizeof(p), "%s/daemon", s->base_path);
	xs_write(s->xs, XBT_NULL, p, s->opts.daemon, strlen(s->opts.daemon));
	snprintf(p, sizeof(p), "%s/protocol", s->base_path);
	xs_write(s->xs, XBT_NULL, p, "1", 1);
	snprintf(p, sizeof(p), "%s/inbox", s->base_path);
	return xs_watch(s->xs, p, "inbox") ? 0 : -1;
}

static int
register_xs(struct rpc_server *s)
{
	if ((s->xs = s->opts.xs != NULL ? s->opts.xs : xs_open(0)) == NULL)
		return -1;
	s->self = s->opts.self_domid != NULL ? s->opts.self_domid(s->xs) :
	    rpc_vchan_self(s->xs);
	if (s->self < 0 ||
	    rpc_vchan_service_path(s->base_path, (unsigned)s->self,
	    s->opts.service) != 0 || publish(s) != 0) {
		log_warn("rpc: registering %s in xenstore", s->opts.service);
		return -1;
	}
	s->xsev = event_new(s->base, xs_fileno(s->xs), EV_READ | EV_PERSIST,
	    on_xs, s);
	if (s->xsev == NULL || event_add(s->xsev, NULL) == -1)
		return -1;
	log_info("rpc: service %s registered at %s", s->opts.service,
	    s->base_path);
	return 0;
}

static bool
described(const struct rpc_schema *sc, const char *svc)
{
	const char *const	*n;

	for (n = rpc_schema_services(sc); *n != NULL; n++)
		if (strcmp(*n, svc) == 0)
			return true;
	return false;
}

struct rpc_server *
rpc_server_new(struct event_base *base, const struct rpc_server_opts *o)
{
	struct rpc_server	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->base = base;
	s->opts = *o;
	s->max_inflight = o->max_inflight ? o->max_inflight : 64;
	rpc_server_set_limits(s, &o->limits);
	s->max_out = o->max_out ? o->max_out : 1 << 20;
	s->self = -1;
	s->listen_fd = -1;
	clock_gettime(CLOCK_MONOTONIC, &s->started);
	LIST_INIT(&s->peers);
	if ((s->schema = rpc_schema_load()) == NULL ||
	    !described(s->schema, o->service)) {
		log_warnx("rpc: service %s is not described in proto/services",
		    o->service);
		rpc_server_free(s);
		return NULL;
	}
	rpc_server_reload_policy(s);
	if (register_xs(s) != 0)
		log_warnx("rpc: no xenstore registration: reachable over "
		    "the local socket only");
	return s;
}

void
rpc_server_set_limits(struct rpc_server *s, const struct rpc_limits *l)
{
	s->limits.connections = l->connections > 0 ? l->connections : 1024;
	s->limits.per_domain = l->per_domain > 0 ? l->per_domain : 256;
	s->limits.pending_per_domain = l->pending_per_domain > 0 ?
	    l->pending_per_domain : 16;
}

void
rpc_server_reload_policy(struct rpc_server *s)
{
	char	 err[256] = "";

	rpc_policy_free(s->policy);
	if (s->opts.policy_path == NULL)
		s->policy = rpc_policy_parse("* dom0 allow\n", "(default)", err,
		    sizeof(err));
	else
		s->policy = rpc_policy_load(s->opts.policy_path, err,
		    sizeof(err));
	if (s->policy != NULL && rpc_policy_broken(s->policy))
		log_warnx("rpc: policy: %s: every call is denied until it "
		    "is fixed", err);
}

static void
on_accept(evutil_socket_t fd, short what, void *arg)
{
	struct rpc_server	*s = arg;
	int			 c;

	(void)what;
	if ((c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) == -1)
		return;
	rpc_server_adopt(s, &rpc_sock_transport, rpc_sock_wrap(c),
	    s->self >= 0 ? (unsigned)s->self : 0);
}

int
rpc_server_listen(struct rpc_server *s, const char *path)
{
	int	 fd;

	if ((fd = rpc_sock_listen(path)) == -1) {
		log_warn("rpc: listening on %s", path);
		return -1;
	}
	return rpc_server_listen_fd(s, fd, path);
}

int
rpc_server_listen_fd(struct rpc_server *s, int fd, const char *path)
{
	if ((s->listen_fd = fd) == -1 ||
	    (s->listen_path = strdup(path)) == NULL ||
	    (s->listen_ev = event_new(s->base, s->listen_fd,
	    EV_READ | EV_PERSIST, on_accept, s)) == NULL ||
	    event_add(s->listen_ev, NULL) == -1) {
		log_warn("rpc: listening on %s", path);
		return -1;
	}
	return 0;
}

void
rpc_server_free(struct rpc_server *s)
{
	if (s == NULL)
		return;
	while (!LIST_EMPTY(&s->peers))
		peer_free(LIST_FIRST(&s->peers));
	rpc_inbox_clear(s);
	if (s->xsev != NULL)
		event_free(s->xsev);
	if (s->xs != NULL) {
		if (s->base_path[0] != '\0')
			xs_rm(s->xs, XBT_NULL, s->base_path);
		xs_close(s->xs);
	}
	if (s->listen_ev != NULL)
		event_free(s->listen_ev);
	if (s->listen_fd != -1) {
		close(s->listen_fd);
		unlink(s->listen_path);
	}
	free(s->listen_path);
	rpc_policy_free(s->policy);
	rpc_schema_free(s->schema);
	free(s);
}
