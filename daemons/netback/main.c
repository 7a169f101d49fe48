/*
 * netback: Shoal's userspace network backend, serving unmodified
 * netfront guests (xen/io/netif.h) in place of Linux's xen-netback, in
 * dom0 or in a driver domain.  main() owns, past the command line
 * (common/daemon.h), the configuration's life, the order things are set
 * up in, and the teardown after SIGTERM: every vif disconnected (the
 * guests see Closed) and everything freed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* xenctrl.h first: it tells the Xen headers after it this is a tool. */
#include <xenctrl.h>
#include <xenevtchn.h>
#include <xengnttab.h>

#include "config.h"
#include "daemon.h"
#include "evloop.h"
#include "log.h"
#include "privdrop.h"
#include "rpc_server.h"
#include "nb_config.h"
#include "nb_rpc.h"
#include "nb_vif.h"

struct daemon {
	struct daemon_args	 args;
	struct rpc_server	*rpc;
	bool			 reload_failed;
	struct nb_config	*cfg;
	struct netback		 nb;
};

static const struct daemon_spec spec = {
	.name = "netback",
	/* Root kept: each vif that comes is a TAP to make (CAP_NET_ADMIN)
	 * and a guest's rings to map; docs/privilege.md. */
	.user = NULL,
	.notes = "Serves the vif devices the toolstack writes under this "
	    "domain's backend/vif.\nSIGHUP reloads the configuration "
	    "(limits at once, features at a guest's next\nconnect; mode, "
	    "uplink and max-queues need a restart).\n",
};

static struct nb_config *
load(struct daemon *d, char *err, size_t errlen)
{
	struct nb_config *c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (nb_config_load(d->args.config_path, c, err, errlen) != 0) {
		free(c);
		return NULL;
	}
	return c;
}

static void
free_config(struct nb_config *c)
{
	nb_config_free(c);
	free(c);
}

/* What a running netback cannot change: its vifs were made under it. */
static void
keep_structure(const struct nb_config *old, struct nb_config *fresh)
{
	if (old->switched != fresh->switched ||
	    old->max_queues != fresh->max_queues ||
	    strcmp(old->uplink ? old->uplink : "",
	    fresh->uplink ? fresh->uplink : "") != 0)
		log_warnx("reload: mode, uplink and max-queues are kept "
		    "until a restart");
	fresh->switched = old->switched;
	fresh->max_queues = old->max_queues;
	free(fresh->uplink);
	fresh->uplink = old->uplink != NULL ? strdup(old->uplink) : NULL;
}

static void
reload(void *arg)
{
	struct daemon		*d = arg;
	struct nb_config	*fresh;
	char			 err[CONFIG_ERRMAX];

	d->reload_failed = false;
	if ((fresh = load(d, err, sizeof(err))) == NULL) {
		log_warnx("reload failed, keeping the running configuration: "
		    "%s", err);
		d->reload_failed = true;
		return;
	}
	keep_structure(d->cfg, fresh);
	if (d->rpc != NULL) {
		rpc_server_reload_policy(d->rpc);
		rpc_server_set_limits(d->rpc, &fresh->rpc);
	}
	netback_reconfigure(&d->nb, fresh);
	free_config(d->cfg);
	d->cfg = fresh;
	log_info("SIGHUP: configuration %s", d->args.config_path != NULL ?
	    "reloaded" : "unchanged");
}

static int
rpc_reload(void *arg)
{
	struct daemon	*d = arg;

	reload(d);
	return d->reload_failed ? -1 : 0;
}

static json_t *
rpc_stats(void *arg)
{
	struct daemon	*d = arg;

	return nb_rpc_stats(&d->nb);
}

/* Once serving: TAPs are still made, and the configuration read. */
static int
drop(struct daemon *d)
{
	struct privdrop	 p;

	privdrop_base(&p);
	if (privdrop_ro(&p, d->args.config_path) != 0 ||
	    privdrop_rw(&p, "/dev/net/tun") != 0)
		return -1;
	return daemon_drop(&d->args, &p);
}

static void
start_rpc(struct daemon *d, struct evloop *loop)
{
	struct rpc_server_opts	 o = {
		.service = "net", .daemon = "netback",
		.version = SHOAL_VERSION, .methods = nb_rpc_methods,
		.arg = &d->nb, .hook_arg = d,
		.reload = rpc_reload, .stats = rpc_stats,
		.limits = d->cfg->rpc,
	};

	d->rpc = daemon_rpc(&d->args, evloop_base(loop), &o);
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
	evloop_set_reload(loop, reload, d);
	d->nb.loop = loop;
	d->nb.base = evloop_base(loop);
	d->nb.cfg = d->cfg;
	if (netback_start(&d->nb) == 0 && drop(d) == 0) {
		log_info("serving vifs (%s mode%s%s)",
		    d->cfg->switched ? "switch" : "tap",
		    d->cfg->uplink && d->cfg->uplink[0] ? ", uplink " : "",
		    d->cfg->uplink ? d->cfg->uplink : "");
		start_rpc(d, loop);
		rc = evloop_run(loop) == 0 ? 0 : 1;
	}
	rpc_server_free(d->rpc);
	d->rpc = NULL;
	netback_stop(&d->nb);
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
	if ((d.cfg = load(&d, err, sizeof(err))) == NULL)
		fatalx("%s", err);
	if (d.args.check) {
		log_info("configuration OK (%s mode)",
		    d.cfg->switched ? "switch" : "tap");
		free_config(d.cfg);
		return 0;
	}
	if ((d.nb.xce = xenevtchn_open(NULL, 0)) == NULL)
		fatal("xenevtchn_open: no event channels (neither Xen nor "
		    "xensim?)");
	if ((d.nb.xgt = xengnttab_open(NULL, 0)) == NULL)
		fatal("xengnttab_open");
	rc = serve(&d);
	xengnttab_close(d.nb.xgt);
	xenevtchn_close(d.nb.xce);
	free_config(d.cfg);
	return rc;
}
