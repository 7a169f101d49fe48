#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include "daemon.h"
#include "evloop.h"
#include "log.h"
#include "privdrop.h"
#include "rpc_server.h"
#include "rpc_sock.h"
#include "rpc_vchan.h"
#include "strnum.h"
#include "xs_conn.h"
#include "xs_rpc.h"
#include "xs_server.h"
#include "xs_tree.h"

#define ASK_TIMEOUT	2000	/* ms the helper waits for the daemon */
#define MSG_MAX		16384	/* sys.stats with a list of domains */

struct xs_rpc {
	int			 fd;		/* the daemon's end */
	pid_t			 pid;
	struct event		*ev;
	struct xs_server	*srv;
	void			(*reload)(void *);
	void			*arg;
};

/* ---- the helper ---- */

static int	helper_fd = -1;

/* One question to the daemon, one answer; -1 if it does not answer. */
static int
ask(const char *q, char *a, size_t alen)
{
	struct pollfd	 p = { .fd = helper_fd, .events = POLLIN };
	ssize_t		 n;

	if (send(helper_fd, q, strlen(q), MSG_NOSIGNAL) == -1 ||
	    poll(&p, 1, ASK_TIMEOUT) != 1 ||
	    (n = recv(helper_fd, a, alen - 1, 0)) <= 0)
		return -1;
	a[n] = '\0';
	return 0;
}

static int
h_ping(void *arg)
{
	char	 a[16];

	(void)arg;
	return ask("ping", a, sizeof(a)) == 0 && strcmp(a, "ok") == 0 ? 0 : -1;
}

static json_t *
h_stats(void *arg)
{
	char	 a[MSG_MAX];

	(void)arg;
	return ask("stats", a, sizeof(a)) == 0 ? json_loads(a, 0, NULL) : NULL;
}

static void
h_loglevel(void *arg, int v)
{
	char	 q[32], a[16];

	(void)arg;
	snprintf(q, sizeof(q), "level %d", v);
	(void)ask(q, a, sizeof(a));
}

static int
h_reload(void *arg)
{
	char	 a[16];

	(void)arg;
	return ask("reload", a, sizeof(a)) == 0 && strcmp(a, "ok") == 0 ?
	    0 : -1;
}

/*
 * Between questions the socket only speaks when the daemon is gone (or
 * exec'd: EOF), or with an answer that came after ask() gave up on it.
 */
static void
h_daemon_gone(evutil_socket_t fd, short what, void *arg)
{
	char	 late[MSG_MAX];

	(void)what;
	(void)arg;
	if (recv(fd, late, sizeof(late), MSG_DONTWAIT) == 0)
		_exit(0);
}

/* The daemon's socket comes up after the fork: wait for it (10 s). */
static int
h_wait_store(const char *path)
{
	int	 i, fd;

	for (i = 0; i < 100; i++) {
		if ((fd = rpc_sock_connect(path)) != -1) {
			close(fd);
			return 0;
		}
		usleep(100000);
	}
	return -1;
}

static void __attribute__((noreturn))
helper_main(const struct daemon_args *args, const char *sockpath,
    const struct rpc_limits *limits)
{
	struct rpc_server_opts	 o = { .service = "xenstore",
				    .daemon = "xenstored",
				    .version = SHOAL_VERSION,
				    .ping = h_ping,
				    .stats = h_stats, .loglevel = h_loglevel,
				    .reload = h_reload,
				    /*
				     * On xenstored's socket we count as
				     * dom0, wherever xenstored runs.
				     */
				    .self_domid = rpc_vchan_store_domid,
				    .limits = *limits };
	struct evloop		*loop;
	struct rpc_server	*s = NULL;
	struct event		*ev = NULL;
	struct privdrop		 p;

	log_init("xenstored-rpc", args->syslog, log_getverbose());
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	/*
	 * Our xenstore is the daemon, at sockpath (which XENSTORED_PATH
	 * need not name: a xenstore domain has none).
	 */
	if (getppid() == 1 || h_wait_store(sockpath) != 0 ||
	    setenv("XENSTORED_PATH", sockpath, 1) == -1 ||
	    (loop = evloop_new()) == NULL)
		_exit(1);
	/*
	 * Under --user xenstored's socket is still root's, as it is for
	 * every privileged client: the store broker daemon_drop starts
	 * connects for us, and our domain is the store's.
	 */
	privdrop_base(&p);
	p.store_self = rpc_vchan_store_domid;
	if ((ev = event_new(evloop_base(loop), helper_fd, EV_READ |
	    EV_PERSIST, h_daemon_gone, NULL)) == NULL ||
	    event_add(ev, NULL) == -1 ||
	    /* It writes nothing: only Xen's devices, for vchans. */
	    daemon_drop(args, &p) != 0 ||
	    (s = daemon_rpc(args, evloop_base(loop), &o)) == NULL)
		_exit(1);
	evloop_run(loop);
	rpc_server_free(s);
	event_free(ev);
	evloop_free(loop);
	close(helper_fd);
	/*
	 * _exit: the helper holds a copy of the daemon's memory from the
	 * fork, which is the daemon's to free, not a leak of ours.
	 */
	_exit(0);
}

struct xs_rpc *
xs_rpc_fork(const struct daemon_args *args, const char *sockpath,
    const struct rpc_limits *limits)
{
	struct xs_rpc	*r;
	int		 sv[2];

	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1) {
		free(r);
		log_warn("rpc helper");
		return NULL;
	}
	switch (r->pid = fork()) {
	case -1:
		log_warn("rpc helper: fork");
		close(sv[0]);
		close(sv[1]);
		free(r);
		return NULL;
	case 0:
		close(sv[0]);
		free(r);
		helper_fd = sv[1];
		helper_main(args, sockpath, limits);
	}
	close(sv[1]);
	r->fd = sv[0];
	return r;
}

/* ---- the daemon's side ---- */

/* One domain's record for sys.stats: its name is the toolstack's node. */
static void
add_dom(const struct xs_dom *d, void *arg)
{
	void			**a = arg;
	const struct xs_tree	*tree = a[0];
	json_t			*list = a[1], *name = NULL;
	const struct xs_node	*n;
	char			 path[64];

	snprintf(path, sizeof(path), "/local/domain/%u/name", d->domid);
	if ((n = xs_tree_lookup(tree, path)) != NULL)
		name = json_stringn((const char *)xs_node_value(n), xs_node_vlen(n));
	json_array_append_new(list, json_pack("{s:I, s:o, s:b, s:I, s:I, "
	    "s:i, s:i}", "domid", (json_int_t)d->domid, "name",
	    name != NULL ? name : json_null(), "introduced", d->introduced,
	    "nodes", (json_int_t)d->nodes, "bytes", (json_int_t)d->bytes,
	    "watches", d->watches, "transactions", d->txns));
}

/*
 * The store's size and each domain's use of it (what quotas are judged
 * on); the list is left out, and said so, past what one answer holds.
 */
static void
answer_stats(struct xs_rpc *r, char *a, size_t alen)
{
	const struct xs_conn	*c;
	json_t			*o, *list = json_array();
	void			*arg[2] = { r->srv->tree, list };
	char			*text = NULL;
	int			 nconn = 0;

	TAILQ_FOREACH(c, &r->srv->conns, entry)
		nconn++;
	if (list != NULL)
		xs_doms_foreach(r->srv->doms, add_dom, arg);
	o = json_pack("{s:I, s:i, s:I, s:I}", "nodes",
	    (json_int_t)r->srv->tree->nnodes, "connections", nconn,
	    "domains", (json_int_t)json_array_size(list), "events_dropped",
	    (json_int_t)r->srv->events_dropped);
	if (o != NULL && list != NULL) {
		json_object_set(o, "per_domain", list);
		if ((text = json_dumps(o, JSON_COMPACT)) != NULL &&
		    strlen(text) >= alen) {
			free(text);
			json_object_del(o, "per_domain");
			json_object_set_new(o, "per_domain_left_out",
			    json_true());
			text = json_dumps(o, JSON_COMPACT);
		}
	}
	snprintf(a, alen, "%s", text != NULL ? text : "{}");
	free(text);
	json_decref(o);
	json_decref(list);
}

static void
on_helper(evutil_socket_t fd, short what, void *arg)
{
	struct xs_rpc	*r = arg;
	char		 q[64], a[MSG_MAX] = "ok";
	long long	 level;
	ssize_t		 n;

	(void)what;
	if ((n = recv(fd, q, sizeof(q) - 1, MSG_DONTWAIT)) <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
			log_warnx("rpc helper gone: sys.* no longer served");
			event_del(r->ev);
		}
		return;
	}
	q[n] = '\0';
	if (strcmp(q, "stats") == 0)
		answer_stats(r, a, sizeof(a));
	else if (strncmp(q, "level ", 6) == 0 &&
	    strnum(q + 6, -2, 2, &level) == 0)
		log_setverbose((int)level);
	else if (strcmp(q, "reload") == 0 && r->reload != NULL)
		r->reload(r->arg);
	else if (strcmp(q, "ping") != 0)
		snprintf(a, sizeof(a), "unknown");
	(void)send(fd, a, strlen(a), MSG_NOSIGNAL | MSG_DONTWAIT);
}

int
xs_rpc_serve(struct xs_rpc *r, struct event_base *base, struct xs_server *srv,
    void (*reload)(void *), void *arg)
{
	r->srv = srv;
	r->reload = reload;
	r->arg = arg;
	if ((r->ev = event_new(base, r->fd, EV_READ | EV_PERSIST, on_helper,
	    r)) == NULL || event_add(r->ev, NULL) == -1) {
		log_warnx("rpc helper: cannot listen to it");
		return -1;
	}
	return 0;
}

/*
 * The helper is not waited for: its last act, unregistering, needs this
 * daemon's loop, which has stopped.  It sees EOF and exits on its own.
 */
void
xs_rpc_stop(struct xs_rpc *r)
{
	if (r == NULL)
		return;
	if (r->ev != NULL)
		event_free(r->ev);
	close(r->fd);
	free(r);
}
