/*
 * rpc-testd: the RPC layer's test service (proto/services/test.json).
 *
 *	rpc-testd [--policy FILE] [--socket PATH] [-v]
 *
 * Registers service "test" in its domain and serves echo, sleep (answered
 * from a timer, so calls overlap), count (a stream), whoami and relay (a
 * call to another service, in another domain), plus the
 * sys.* methods every daemon has.  SIGHUP rereads the policy; SIGTERM
 * exits 0 after freeing everything.
 */
#include <getopt.h>
#include <stdlib.h>

#include <event2/event.h>

#include "evloop.h"
#include "log.h"
#include "rpc_client.h"
#include "rpc_server.h"
#include "rpc_wire.h"

struct pending {
	struct rpc_call	*call;
	struct event	*timer;
	json_int_t	 left, every, i;
};

static void
pending_free(struct pending *p)
{
	event_free(p->timer);
	free(p);
}

static void
cancelled(struct rpc_call *c, void *arg)
{
	(void)c;
	pending_free(arg);
}

static void
echo(struct rpc_call *c, json_t *params, void *arg)
{
	(void)arg;
	rpc_reply(c, json_pack("{s:O}", "text", json_object_get(params,
	    "text")));
}

static void
whoami(struct rpc_call *c, json_t *params, void *arg)
{
	(void)params;
	(void)arg;
	rpc_reply(c, json_pack("{s:i}", "domid", (int)rpc_call_caller(c)));
}

static void
slept(evutil_socket_t fd, short what, void *arg)
{
	struct pending	*p = arg;

	(void)fd;
	(void)what;
	rpc_reply(p->call, json_pack("{s:I}", "slept", p->every));
	pending_free(p);
}

static struct pending *
pending_new(struct rpc_call *c, struct event_base *base,
    event_callback_fn fn, json_int_t ms)
{
	struct pending	*p;
	struct timeval	 tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) *
			    1000 };

	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->timer = evtimer_new(base, fn, p)) == NULL) {
		free(p);
		rpc_fail(c, RPC_E_INTERNAL, "out of memory");
		return NULL;
	}
	p->call = c;
	p->every = ms;
	rpc_call_on_cancel(c, cancelled, p);
	evtimer_add(p->timer, &tv);
	return p;
}

static void
do_sleep(struct rpc_call *c, json_t *params, void *arg)
{
	pending_new(c, arg, slept, json_integer_value(json_object_get(params,
	    "ms")));
}

static void
tick(evutil_socket_t fd, short what, void *arg)
{
	struct pending	*p = arg;
	struct timeval	 tv = { (time_t)(p->every / 1000),
			    (suseconds_t)(p->every % 1000) * 1000 };

	(void)fd;
	(void)what;
	/* A burst when ms is 0, so that a reader that does not read falls
	 * behind the stream's bound. */
	do {
		if (p->i == p->left) {
			rpc_call_on_cancel(p->call, NULL, NULL);
			rpc_stream_end(p->call);
			pending_free(p);
			return;
		}
		p->i++;
		if (rpc_stream_event(p->call, json_pack("{s:I}", "i",
		    p->i)) != 0)
			return;		/* ended: cancelled() freed p */
	} while (p->every == 0 && p->i % 256 != 0);
	evtimer_add(p->timer, &tv);
}

static void
count(struct rpc_call *c, json_t *params, void *arg)
{
	struct pending	*p;

	if ((p = pending_new(c, arg, tick, json_integer_value(
	    json_object_get(params, "ms")))) != NULL)
		p->left = json_integer_value(json_object_get(params, "n"));
}

/*
 * One daemon calling another: with the blocking client, so the service
 * waits meanwhile (bounded by the timeout); a test of the path between
 * two services in two domains, not a model for production daemons.
 */
static void
relay(struct rpc_call *c, json_t *params, void *arg)
{
	struct rpc_client	*cl;
	json_t			*res = NULL, *e = NULL;
	char			 err[256];
	int			 rc;

	(void)arg;
	cl = rpc_client_vchan((unsigned)json_integer_value(json_object_get(
	    params, "domid")), json_string_value(json_object_get(params,
	    "service")), NULL, 5000, err, sizeof(err));
	if (cl == NULL) {
		rpc_fail(c, RPC_E_FAILED, "%s", err);
		return;
	}
	rc = rpc_client_call(cl, json_string_value(json_object_get(params,
	    "method")), NULL, &res, &e, 5000, err, sizeof(err));
	rpc_client_close(cl);
	if (rc == 0)
		rpc_reply(c, json_pack("{s:o}", "result", res));
	else {
		rpc_fail(c, RPC_E_FAILED, "%s", rc < 0 ? err :
		    json_string_value(json_object_get(e, "message")));
		json_decref(e);
	}
}

static struct rpc_server	*server;

static void
reload(void *arg)
{
	(void)arg;
	rpc_server_reload_policy(server);
}

int
main(int argc, char **argv)
{
	static const struct option	 longopts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "socket", required_argument, NULL, 's' },
		{ "max-connections", required_argument, NULL, 'C' },
		{ "pending-per-domain", required_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 }
	};
	static const struct rpc_method	 methods[] = {
		{ "echo", echo }, { "sleep", do_sleep }, { "count", count },
		{ "whoami", whoami }, { "relay", relay }, { NULL, NULL }
	};
	struct rpc_server_opts		 o = { .service = "test",
					    .daemon = "rpc-testd",
					    .version = "0.1",
					    .methods = methods };
	const char			*sock = NULL;
	struct evloop			*loop;
	int				 ch, verbose = 0, rc;

	while ((ch = getopt_long(argc, argv, "p:s:v", longopts, NULL)) != -1)
		switch (ch) {
		case 'p': o.policy_path = optarg; break;
		case 's': sock = optarg; break;
		case 'C': o.limits.connections = atoi(optarg); break;
		case 'P': o.limits.pending_per_domain = atoi(optarg); break;
		case 'v': verbose++; break;
		default: return 2;
		}
	log_init("rpc-testd", 0, verbose);
	if ((loop = evloop_new()) == NULL)
		return 1;
	o.arg = evloop_base(loop);
	if ((server = rpc_server_new(evloop_base(loop), &o)) == NULL ||
	    (sock != NULL && rpc_server_listen(server, sock) != 0))
		return 1;
	evloop_set_reload(loop, reload, NULL);
	rc = evloop_run(loop);
	rpc_server_free(server);
	evloop_free(loop);
	return rc == 0 ? 0 : 1;
}
