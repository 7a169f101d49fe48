/*
 * agent: the small dom0 program that holds the toolstack for the scaler
 * (docs/agent.md), which runs in an unprivileged domain.  It offers
 * domain.create, .destroy, .pause, .unpause and .list over Shoal's RPC,
 * acts only on the domains it made, and keeps a warm pool of them built
 * and paused.  main() owns the order of set-up (command line through
 * common/daemon.h, configuration, the driver, the privilege drop, RPC,
 * adopting what a previous agent left), SIGHUP (the pool size, the RPC
 * policy and limits; a new driver or domain command on restart) and the
 * teardown after SIGTERM, which waits for the toolstack's commands.
 */
#include <sys/stat.h>

#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ag_config.h"
#include "ag_driver.h"
#include "ag_fleet.h"
#include "ag_rpc.h"
#include "daemon.h"
#include "evloop.h"
#include "log.h"
#include "privdrop.h"
#include "rpc_server.h"

struct daemon {
	struct daemon_args	 args;
	struct ag_config	 cfg;
	struct ag_fleet		*fleet;
	struct rpc_server	*rpcs;
};

static const struct daemon_spec spec = {
	.name = "agent",
	.config_required = true,
	.notes = "The configuration names the toolstack (\"xensim\": its "
	    "command; or \"libxl\": a\nlibxl domain configuration), the "
	    "one kind of domain made and the warm\npool's size; --check "
	    "loads it.  Give --policy a file that lets only the\nscaler's "
	    "domain call domain.* (docs/agent.md).\n",
};

static bool
same(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

static void
sighup(void *arg)
{
	struct daemon		*d = arg;
	struct ag_config	 fresh;
	char			 err[CONFIG_ERRMAX];

	log_info("SIGHUP: reloading");
	if (ag_config_load(d->args.config_path, &fresh, err,
	    sizeof(err)) != 0) {
		log_warnx("reload failed, the old configuration stays: %s",
		    err);
		return;
	}
	if (!same(fresh.xensim, d->cfg.xensim) ||
	    !same(fresh.libxl.domain_config, d->cfg.libxl.domain_config))
		log_warnx("reload: a new toolstack takes a restart");
	/* The command and prefix stay: the pool was built from them. */
	if (d->rpcs != NULL) {
		rpc_server_reload_policy(d->rpcs);
		rpc_server_set_limits(d->rpcs, &fresh.rpc);
	}
	d->cfg.pool = fresh.pool;
	d->cfg.rpc = fresh.rpc;
	ag_config_free(&fresh);
	ag_fleet_set_config(d->fleet, &d->cfg);
	log_info("reloaded %s: a pool of %d", d->args.config_path,
	    d->cfg.pool);
}

/*
 * The agent is the toolstack's holder and stays root (docs/privilege.md).
 * With xensim it executes only the toolstack's command and writes only
 * xensim's run directory.  With libxl it is Xen's toolstack itself: it
 * runs the hotplug scripts (and what they run: ip, xenstore-write) and
 * keeps libxl's state, so it may read and execute the file system but
 * write only libxl's directories and /dev (a script's 2>/dev/null).
 */
static const char *const libxl_dirs[] = {
	"/var/lib/xen", "/var/log/xen", "/var/run/xen", "/run/xen", NULL
};

static int
drop(struct daemon *d)
{
	static char	 dir[PATH_MAX];
	struct privdrop	 p;
	size_t		 i;

	privdrop_base(&p);
	p.keep_exec = true;
	if (d->cfg.libxl.domain_config != NULL) {
		if (privdrop_ro(&p, "/") != 0 || privdrop_rw(&p, "/dev") != 0)
			return -1;
		/* Made now if missing: a rule covers what exists. */
		for (i = 0; libxl_dirs[i] != NULL; i++) {
			(void)mkdir(libxl_dirs[i], 0755);
			if (privdrop_rw(&p, libxl_dirs[i]) != 0)
				return -1;
		}
		return daemon_drop(&d->args, &p);
	}
	/* xensim's tree: its command in bin/, its libraries in lib/. */
	snprintf(dir, sizeof(dir), "%s", d->cfg.xensim);
	if (privdrop_ro(&p, d->args.config_path) != 0 ||
	    privdrop_ro(&p, dirname(dirname(dir))) != 0)
		return -1;
	return daemon_drop(&d->args, &p);
}

static int
serve(struct daemon *d)
{
	struct rpc_server_opts	 o = {
		.service = "domain", .daemon = "agent",
		.version = SHOAL_VERSION, .methods = ag_rpc_methods,
		.stats = ag_rpc_stats, .limits = d->cfg.rpc,
	};
	struct ag_driver	*drv;
	struct evloop		*loop;
	char			 err[256];
	int			 rc = 1;

	if ((loop = evloop_new()) == NULL) {
		log_warnx("cannot set up the event loop");
		return 1;
	}
	if ((drv = ag_driver_open(evloop_base(loop), &d->cfg, err,
	    sizeof(err))) == NULL) {
		log_warnx("%s", err);
		evloop_free(loop);
		return 1;
	}
	if ((d->fleet = ag_fleet_new(evloop_base(loop), drv, &d->cfg)) ==
	    NULL) {
		log_warnx("out of memory");
		ag_driver_free(drv);
		evloop_free(loop);
		return 1;
	}
	o.arg = o.hook_arg = d->fleet;
	evloop_set_reload(loop, sighup, d);
	if (drop(d) == 0 && ag_fleet_start(d->fleet) == 0) {
		d->rpcs = daemon_rpc(&d->args, evloop_base(loop), &o);
		log_info("serving domain.* with the %s toolstack (%s)",
		    ag_driver_name(drv), d->cfg.xensim != NULL ?
		    d->cfg.xensim : d->cfg.libxl.domain_config);
		rc = evloop_run(loop) == 0 ? 0 : 1;
	}
	/* Callers first, then the toolstack's commands under way. */
	rpc_server_free(d->rpcs);
	d->rpcs = NULL;
	ag_fleet_free(d->fleet);
	d->fleet = NULL;
	evloop_free(loop);
	return rc;
}

int
main(int argc, char **argv)
{
	struct daemon	 d = { 0 };
	char		 err[CONFIG_ERRMAX];
	int		 rc;

	if (daemon_start(&spec, argc, argv, &d.args, &d) != 0)
		return 2;
	if (ag_config_load(d.args.config_path, &d.cfg, err, sizeof(err)) != 0)
		fatalx("%s", err);
	if (d.args.check) {
		log_info("configuration OK");
		rc = 0;
	} else
		rc = serve(&d);
	ag_config_free(&d.cfg);
	return rc;
}
