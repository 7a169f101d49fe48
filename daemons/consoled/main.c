/*
 * consoled: Shoal's console daemon, in place of Xen's xenconsoled.
 * main() owns the command line, the configuration's life (SIGHUP
 * reloads it and reopens every log file), the order things are set up
 * in, and the teardown after SIGTERM, which frees everything so that a
 * leak checker sees nothing.
 */
#include <sys/stat.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* xenctrl.h first: it tells the Xen headers after it this is a tool. */
#include <xenctrl.h>
#include <xenevtchn.h>
#include <xengnttab.h>

#include "config.h"
#include "con_config.h"
#include "con_dom.h"
#include "con_xs.h"
#include "con_rpc.h"
#include "evloop.h"
#include "log.h"
#include "rpc_server.h"

struct daemon {
	const char		*config_path;
	const char		*log_dir_opt;
	const char		*policy;	/* RPC policy file */
	const char		*rpc_socket;	/* also serve RPC here */
	struct rpc_server	*rpc;
	bool			 reload_failed;
	bool			 stamp_opt;
	struct con_config	*cfg;
	struct con_doms		 doms;
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: consoled [-c config.json] [-v|-q] [--log-dir DIR] "
	    "[-T|--timestamps]\n"
	    "                [--policy FILE] [--rpc-socket PATH] [--help]\n"
	    "  -c, --config FILE   JSON configuration (docs/consoled.md)\n"
	    "  --log-dir DIR       where guest-NAME.log files go (default %s)\n"
	    "  -T, --timestamps    a timestamp before each logged line\n"
	    "  -v, -q              more or less logging\n"
	    "  --policy FILE       who may call console.* (docs/rpc.md); "
	    "default:\n"
	    "                      dom0 only\n"
	    "  --rpc-socket PATH   also take RPC calls on this Unix socket\n"
	    "SIGHUP reloads the configuration and reopens the log files.\n",
	    CON_DEFAULT_LOGDIR);
}

/* The file, then the command line over it.  NULL with err filled. */
static struct con_config *
load(struct daemon *d, char *err, size_t errlen)
{
	struct con_config *c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (con_config_load(d->config_path, c, err, errlen) != 0) {
		free(c);
		return NULL;
	}
	if (d->stamp_opt)
		c->timestamps = true;
	if (d->log_dir_opt != NULL &&
	    con_config_set_logdir(c, d->log_dir_opt) == -1) {
		snprintf(err, errlen, "out of memory");
		con_config_free(c);
		free(c);
		return NULL;
	}
	if (mkdir(c->log_dir, 0750) == -1 && errno != EEXIST)
		log_warn("%s", c->log_dir);
	return c;
}

static void
reload(void *arg)
{
	struct daemon		*d = arg;
	struct con_config	*fresh;
	char			 err[CONFIG_ERRMAX];

	d->reload_failed = false;
	if ((fresh = load(d, err, sizeof(err))) == NULL) {
		log_warnx("reload failed, keeping the running configuration: "
		    "%s", err);
		fresh = d->cfg;		/* the logs are reopened all the same */
		d->reload_failed = true;
	}
	if (d->rpc != NULL) {
		rpc_server_reload_policy(d->rpc);
		rpc_server_set_limits(d->rpc, &fresh->rpc);
	}
	con_doms_reconfigure(&d->doms, fresh);
	if (fresh != d->cfg) {
		con_config_free(d->cfg);
		free(d->cfg);
		d->cfg = fresh;
	}
	log_info("SIGHUP: configuration %s, log files reopened",
	    d->config_path != NULL ? "reloaded" : "unchanged");
}

static int
parse_args(int argc, char **argv, struct daemon *d, int *verbose)
{
	static const struct option	 longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "log-dir", required_argument, NULL, 'L' },
		{ "timestamps", no_argument, NULL, 'T' },
		{ "policy", required_argument, NULL, 'P' },
		{ "rpc-socket", required_argument, NULL, 'R' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int				 ch;

	while ((ch = getopt_long(argc, argv, "c:Tvqh", longopts, NULL)) != -1)
		switch (ch) {
		case 'c': d->config_path = optarg; break;
		case 'L': d->log_dir_opt = optarg; break;
		case 'T': d->stamp_opt = true; break;
		case 'P': d->policy = optarg; break;
		case 'R': d->rpc_socket = optarg; break;
		case 'v': (*verbose)++; break;
		case 'q': (*verbose)--; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	return optind == argc ? 0 : (usage(stderr), -1);
}

/*
 * sys.reload: as SIGHUP; nonzero if the configuration did not load.  The
 * RPC hooks get the methods' argument, the domains, inside the daemon.
 */
static int
rpc_reload(void *arg)
{
	struct daemon	*d = (struct daemon *)((char *)arg -
			    offsetof(struct daemon, doms));

	reload(d);
	return d->reload_failed ? -1 : 0;
}

/* Without RPC the consoles are still served: it is logged, not fatal. */
static void
start_rpc(struct daemon *d, struct evloop *loop)
{
	struct rpc_server_opts	 o = {
		.service = "console", .daemon = "consoled",
		.version = SHOAL_VERSION, .methods = con_rpc_methods,
		.arg = &d->doms, .policy_path = d->policy,
		.reload = rpc_reload, .stats = con_rpc_stats,
		.limits = d->cfg->rpc,
	};

	if ((d->rpc = rpc_server_new(evloop_base(loop), &o)) == NULL)
		log_warnx("no RPC: console.* cannot be called");
	else if (d->rpc_socket != NULL &&
	    rpc_server_listen(d->rpc, d->rpc_socket) != 0)
		log_warnx("RPC socket %s not served", d->rpc_socket);
}

static int
serve(struct daemon *d, xenevtchn_handle *xce, xengnttab_handle *xgt)
{
	struct evloop	*loop;
	struct con_xs	*xs = NULL;
	int		 rc = 1;

	if ((loop = evloop_new()) == NULL) {
		log_warnx("cannot set up the event loop");
		return 1;
	}
	evloop_set_reload(loop, reload, d);
	if (con_doms_init(&d->doms, evloop_base(loop), d->cfg, xce, xgt) != 0)
		log_warnx("cannot watch event channels");
	else if ((xs = con_xs_open(&d->doms)) != NULL) {
		log_info("serving consoles, logs in %s", d->cfg->log_dir);
		start_rpc(d, loop);
		rc = evloop_run(loop) == 0 ? 0 : 1;
	}
	/* RPC callers and watches first, then the domains, then the base. */
	rpc_server_free(d->rpc);
	d->rpc = NULL;
	con_xs_close(xs);
	con_doms_fini(&d->doms);
	evloop_free(loop);
	return rc;
}

int
main(int argc, char **argv)
{
	struct daemon		 d = { 0 };
	xenevtchn_handle	*xce;
	xengnttab_handle	*xgt;
	char			 err[CONFIG_ERRMAX];
	int			 verbose = 0, rc;

	log_init("consoled", 0, 0);
	if (parse_args(argc, argv, &d, &verbose) != 0)
		return 2;
	log_setverbose(verbose);
	if ((d.cfg = load(&d, err, sizeof(err))) == NULL)
		fatalx("%s", err);
	if ((xce = xenevtchn_open(NULL, 0)) == NULL)
		fatal("xenevtchn_open: no event channels (neither Xen nor "
		    "xensim?)");
	if ((xgt = xengnttab_open(NULL, 0)) == NULL)
		fatal("xengnttab_open");
	rc = serve(&d, xce, xgt);
	xengnttab_close(xgt);
	xenevtchn_close(xce);
	con_config_free(d.cfg);
	free(d.cfg);
	return rc;
}
