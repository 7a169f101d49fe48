/*
 * shoalctl: call any Shoal daemon's methods, in any domain, over vchan.
 *
 *	shoalctl list
 *	shoalctl help [SERVICE[.METHOD]]
 *	shoalctl [--domain D] [--json] SERVICE.METHOD [key=value | value ...]
 *	shoalctl [--domain D] console attach GUEST
 *
 * The method and its parameters are checked against proto/services
 * before anything is sent, so a typo is a usage error here, not a round
 * trip.  Exit codes: see ctl.h (and --help).
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "log.h"
#include "rpc_client.h"
#include "rpc_schema.h"
#include "rpc_wire.h"

static volatile sig_atomic_t	 interrupted;

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: shoalctl list [--json]\n"
	    "       shoalctl help [SERVICE[.METHOD]]\n"
	    "       shoalctl [--domain D] [--service S] [--socket PATH] "
	    "[--json] [--timeout MS]\n"
	    "                SERVICE.METHOD [key=value | value ...]\n"
	    "       shoalctl [--domain D] console attach GUEST   "
	    "(interactive; ^] leaves)\n"
	    "  --domain D   the domain (id or name) the service runs in;\n"
	    "               needed only if several domains serve it\n"
	    "  --service S  for sys.* methods: which service (default: the\n"
	    "               only one in the domain)\n"
	    "  --socket P   call over a Unix socket instead of vchan\n"
	    "  --json       print results as JSON\n"
	    "  -v           log the connection's steps to stderr\n"
	    "exit: 0 done, 1 the service said no (an error), 2 usage,\n"
	    "      3 service unreachable, 4 denied by the service's policy\n");
}

static void
on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

struct opts {
	const char	*domain, *socket, *service;
	int		 json, timeout;
};

/* A stream may be quiet for long: this is between its messages. */
#define CTL_STREAM_IDLE_MS	(1 << 30)

static int
help(const struct rpc_schema *s, const char *what)
{
	char		 svc[64];
	const char	*dot = what != NULL ? strchr(what, '.') : NULL;
	const char *const *n;

	if (what == NULL) {
		for (n = rpc_schema_services(s); *n != NULL; n++)
			rpc_schema_help(s, *n, NULL, stdout);
		return CTL_OK;
	}
	snprintf(svc, sizeof(svc), "%.*s", dot != NULL ? (int)(dot - what) :
	    (int)strlen(what), what);
	rpc_schema_help(s, svc, dot != NULL ? dot + 1 : NULL, stdout);
	return CTL_OK;
}

static int
on_event(json_t *data, void *arg)
{
	const struct opts	*o = arg;

	ctl_print_event(stdout, data, o->json);
	return interrupted;
}

/* The server's error as an exit code, printed for people. */
static int
server_error(const json_t *e)
{
	const char	*code = json_string_value(json_object_get(e, "code"));

	fprintf(stderr, "shoalctl: %s: %s\n", code != NULL ? code : "error",
	    json_string_value(json_object_get(e, "message")));
	if (code != NULL && strcmp(code, RPC_E_DENIED) == 0)
		return CTL_DENIED;
	if (code != NULL && (strcmp(code, RPC_E_PARAMS) == 0 ||
	    strcmp(code, RPC_E_METHOD) == 0))
		return CTL_USAGE;
	return CTL_FAILED;
}

static int
call(const struct opts *o, const char *svc, const char *method,
    const json_t *schema, json_t *params)
{
	struct rpc_client	*c;
	json_t			*res = NULL, *e = NULL;
	char			 err[256], where[64];
	unsigned		 domid = 0;
	int			 rc;

	/* sys.* belongs to every service: --service, or the only one. */
	if (strcmp(svc, "sys") == 0)
		svc = o->service;
	if (o->socket != NULL)
		c = rpc_client_sock(o->socket, NULL, o->timeout, err,
		    sizeof(err));
	else if ((rc = ctl_find(svc, o->domain, &domid, where,
	    sizeof(where))) != 0)
		return rc;
	else
		c = rpc_client_vchan(domid, where, NULL, o->timeout, err,
		    sizeof(err));
	if (c == NULL) {
		fprintf(stderr, "shoalctl: %s\n", err);
		return CTL_UNREACHABLE;
	}
	if (rpc_schema_is_stream(schema)) {
		signal(SIGINT, on_sigint);
		rc = rpc_client_stream(c, method, params, on_event, (void *)o,
		    &e, CTL_STREAM_IDLE_MS, err, sizeof(err));
	} else
		rc = rpc_client_call(c, method, params, &res, &e, o->timeout,
		    err, sizeof(err));
	rpc_client_close(c);
	if (rc < 0) {
		fprintf(stderr, "shoalctl: %s\n", err);
		return CTL_UNREACHABLE;
	}
	rc = rc == 0 ? CTL_OK : server_error(e);
	if (res != NULL)
		ctl_print_result(stdout, res, o->json);
	json_decref(res);
	json_decref(e);
	return rc;
}

static int
run(const struct opts *o, struct rpc_schema *s, int argc, char **argv)
{
	const char	*full = argv[0], *dot = strchr(full, '.');
	const json_t	*m;
	json_t		*params = NULL;
	char		 svc[64], err[256];
	int		 rc;

	if (dot == NULL || (size_t)(dot - full) >= sizeof(svc)) {
		fprintf(stderr, "shoalctl: %s: want SERVICE.METHOD\n", full);
		return CTL_USAGE;
	}
	snprintf(svc, sizeof(svc), "%.*s", (int)(dot - full), full);
	if ((m = rpc_schema_method(s, svc, dot + 1)) == NULL) {
		fprintf(stderr, "shoalctl: %s: no such method (shoalctl help)\n",
		    full);
		return CTL_USAGE;
	}
	if (rpc_schema_from_words(m, argc - 1, argv + 1, &params, err,
	    sizeof(err)) != 0 || rpc_schema_check(m, params, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "shoalctl: %s: %s\n", full, err);
		json_decref(params);
		return CTL_USAGE;
	}
	rc = call(o, svc, full, m, params);
	json_decref(params);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option	 longopts[] = {
		{ "domain", required_argument, NULL, 'd' },
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "service", required_argument, NULL, 'S' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 }
	};
	struct opts		 o = { .timeout = 5000 };
	struct rpc_schema	*s;
	int			 ch, rc;

	log_init("shoalctl", 0, -1);
	while ((ch = getopt_long(argc, argv, "+d:s:jt:hv", longopts,
	    NULL)) != -1)
		switch (ch) {
		case 'd': o.domain = optarg; break;
		case 's': o.socket = optarg; break;
		case 'j': o.json = 1; break;
		case 'S': o.service = optarg; break;
		case 't': o.timeout = atoi(optarg); break;
		case 'h': usage(stdout); return CTL_OK;
		case 'v': log_setverbose(1); break;
		default: usage(stderr); return CTL_USAGE;
		}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		usage(stderr);
		return CTL_USAGE;
	}
	if (strcmp(argv[0], "list") == 0)
		return ctl_list(stdout, o.json);
	if (strcmp(argv[0], "console") == 0 && argc == 3 &&
	    strcmp(argv[1], "attach") == 0)
		return ctl_attach(o.domain, argv[2], o.timeout);
	if ((s = rpc_schema_load()) == NULL)
		return CTL_USAGE;
	if (strcmp(argv[0], "help") == 0)
		rc = help(s, argc > 1 ? argv[1] : NULL);
	else
		rc = run(&o, s, argc, argv);
	rpc_schema_free(s);
	return rc;
}
