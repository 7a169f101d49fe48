/*
 * dnsd: Shoal's authoritative-only DNS server.
 *
 * main() owns the order things are set up in (the command line through
 * common/daemon.h, the configuration, the zones, the sockets, RPC), SIGHUP (a reload, see
 * dns_reload.h) and the teardown after SIGTERM, which frees everything so
 * that a leak checker sees nothing.  The listening addresses are read
 * once: a reload that changes them is told so and keeps the old ones.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "daemon.h"
#include "privdrop.h"
#include "dns_config.h"
#include "dns_notify.h"
#include "dns_reload.h"
#include "dns_rpc.h"
#include "dns_server.h"
#include "evloop.h"
#include "log.h"
#include "rpc_server.h"

struct daemon {
	struct daemon_args	 args;
	struct dns_config	*cfg;
	struct dns_zones	*zones;
	struct dns_server	 srv;
	struct dns_reload	*reload;
	struct dns_rpc		 rpc;
	struct rpc_server	*rpcs;
};

static const struct daemon_spec spec = {
	.name = "dnsd",
	.user = "shoal-dnsd",
	.config_required = true,
	.notes = "The configuration names the listen addresses and the zones; "
	    "--check loads\nthem all.  SIGHUP (or dns.reload) rereads the "
	    "configuration and every zone\nfile; a zone that does not load "
	    "keeps serving its previous version.\n",
};

/* From dns_reload, on the main thread: the new configuration is in. */
static void
install(void *arg, struct dns_config *fresh)
{
	struct daemon	*d = arg;

	if (!net_listens_equal(&d->cfg->listen, &fresh->listen))
		log_warnx("reload: listen addresses changed; they take effect "
		    "on restart");
	dns_server_configure(&d->srv, fresh);
	dns_config_free(d->cfg);
	free(d->cfg);
	d->cfg = fresh;
	dns_notify_changed(d->srv.notify, fresh, d->zones);
	if (d->rpcs != NULL) {
		rpc_server_reload_policy(d->rpcs);
		rpc_server_set_limits(d->rpcs, &fresh->rpc);
	}
}

static void
sighup(void *arg)
{
	struct daemon	*d = arg;

	log_info("SIGHUP: reloading");
	d->srv.stats.reloads++;
	if (dns_reload_request(d->reload, dns_rpc_reloaded, &d->srv) == NULL)
		log_warnx("SIGHUP: out of memory");
}

/*
 * Once the sockets are bound: dnsd keeps reading its configuration and
 * the directories of its zone files (SIGHUP rereads them), and writes
 * only to journal-dir, if dynamic updates are configured
 * (docs/privilege.md).
 */
static int
drop(struct daemon *d)
{
	static char	 dirs[PRIVDROP_MAX_PATHS][PATH_MAX];
	struct privdrop	 p;
	size_t		 i, n = 0;

	privdrop_base(&p);
	if (privdrop_ro(&p, d->args.config_path) != 0 ||
	    privdrop_rw(&p, d->cfg->journal_dir) != 0)
		return -1;
	for (i = 0; i < d->cfg->zones.n && n < PRIVDROP_MAX_PATHS; i++) {
		snprintf(dirs[n], sizeof(dirs[n]), "%s",
		    d->cfg->zones.v[i].file);
		if (privdrop_ro(&p, dirname(dirs[n++])) != 0) {
			log_warnx("privilege drop: too many zone directories");
			return -1;
		}
	}
	return daemon_drop(&d->args, &p);
}

/* Without RPC the zones are still served: it is logged, not fatal. */
static void
start_rpc(struct daemon *d, struct evloop *loop)
{
	struct rpc_server_opts	 o = {
		.service = "dns", .daemon = "dnsd",
		.version = SHOAL_VERSION, .methods = dns_rpc_methods,
		.arg = &d->rpc, .hook_arg = &d->rpc,
		.reload = dns_rpc_sys_reload, .stats = dns_rpc_stats,
		.limits = d->cfg->rpc,
	};

	d->rpcs = daemon_rpc(&d->args, evloop_base(loop), &o);
}

static int
serve(struct daemon *d)
{
	struct evloop	*loop;
	int		 rc = 1;

	if ((loop = evloop_new()) == NULL) {
		log_warnx("cannot set up the event loop");
		return 1;
	}
	d->reload = dns_reload_new(evloop_base(loop), d->zones,
	    d->args.config_path, install, d);
	if (d->reload == NULL)
		log_warnx("cannot set up reloading");
	else if (dns_server_open(&d->srv, evloop_base(loop), d->cfg,
	    d->zones) == 0) {
		d->rpc.srv = &d->srv;
		d->rpc.reload = d->reload;
		/* Secondaries hear of the zones at startup (RFC 1996 4.3). */
		if ((d->srv.notify = dns_notify_new(evloop_base(loop))) == NULL)
			log_warnx("cannot send NOTIFY");
		dns_notify_changed(d->srv.notify, d->cfg, d->zones);
		evloop_set_reload(loop, sighup, d);
		if (drop(d) == 0) {
			start_rpc(d, loop);
			log_info("serving %zu zones", d->cfg->zones.n);
			rc = evloop_run(loop) == 0 ? 0 : 1;
		}
	}
	/* Callers first (they may wait on a reload), then the rest. */
	rpc_server_free(d->rpcs);
	d->rpcs = NULL;
	dns_reload_free(d->reload);
	dns_notify_free(d->srv.notify);
	d->srv.notify = NULL;
	dns_server_close(&d->srv);
	evloop_free(loop);
	return rc;
}

int
main(int argc, char **argv)
{
	struct daemon	 d = { 0 };
	char		 err[CONFIG_ERRMAX];
	int		 rc, failed;

	if (daemon_start(&spec, argc, argv, &d.args, &d) != 0)
		return 2;
	if ((d.cfg = calloc(1, sizeof(*d.cfg))) == NULL)
		fatal("calloc");
	if (dns_config_load(d.args.config_path, d.cfg, err, sizeof(err)) == -1)
		fatalx("%s", err);
	if ((d.zones = dns_zones_new(0)) == NULL)
		fatal("dns_zones_new");
	if ((failed = dns_reload_initial(d.zones, d.cfg)) != 0)
		log_warnx("%d of %zu zones did not load", failed < 0 ?
		    (int)d.cfg->zones.n : failed, d.cfg->zones.n);
	if (d.args.check)
		rc = failed == 0 ? 0 : 1;
	else
		rc = serve(&d);
	dns_zones_free(d.zones);
	dns_config_free(d.cfg);
	free(d.cfg);
	return rc;
}
