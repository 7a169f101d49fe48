/*
 * blkback: Shoal's userspace block backend, serving unmodified blkfront
 * guests (xen/io/blkif.h) from files or block devices through io_uring,
 * in place of Linux's xen-blkback or QEMU's qdisk, in dom0 or in a
 * driver domain.  main() owns, past the command line (common/daemon.h),
 * the configuration's life, the order things are set up in, and the
 * teardown after SIGTERM: every vbd disconnected once what it has in the
 * backing file is done (the guests see Closed) and everything freed.
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
#include "blk_config.h"
#include "blk_rpc.h"
#include "blk_vbd.h"

struct daemon {
	struct daemon_args	 args;
	struct rpc_server	*rpc;
	bool			 reload_failed;
	struct blk_config	*cfg;
	struct blkback		 bb;
};

static const struct daemon_spec spec = {
	.name = "blkback",
	/* Root kept: each vbd that comes is a backing file the toolstack
	 * names (anywhere below disk-paths) and a guest's ring to map;
	 * docs/blkback.md. */
	.user = NULL,
	.notes = "Serves the vbd and qdisk devices the toolstack writes under "
	    "this domain's backend/.\nSIGHUP reloads the configuration "
	    "(features and limits at a vbd's next\nconnect; backend-types "
	    "and disk-paths need a restart).\n",
};

static struct blk_config *
load(struct daemon *d, char *err, size_t errlen)
{
	struct blk_config *c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (blk_config_load(d->args.config_path, c, err, errlen) != 0) {
		free(c);
		return NULL;
	}
	return c;
}

static void
free_config(struct blk_config *c)
{
	blk_config_free(c);
	free(c);
}

/*
 * What a running blkback cannot change: its handshakes, and the drop
 * made with the old disk-paths (the old list moves into the fresh
 * configuration, so that what is reported is what is in force).
 */
static void
keep_structure(struct blk_config *old, struct blk_config *fresh)
{
	struct config_strlist	 t;

	if (old->types.vbd != fresh->types.vbd ||
	    old->types.qdisk != fresh->types.qdisk)
		log_warnx("reload: backend-types are kept until a restart");
	fresh->types = old->types;
	t = fresh->disk_paths;
	fresh->disk_paths = old->disk_paths;
	old->disk_paths = t;
}

static void
reload(void *arg)
{
	struct daemon		*d = arg;
	struct blk_config	*fresh;
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
	blkback_reconfigure(&d->bb, fresh);
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

	return blk_rpc_stats(&d->bb);
}

/* Once serving: backing files are still opened, below disk-paths. */
static int
drop(struct daemon *d)
{
	struct privdrop	 p;
	size_t		 i;

	privdrop_base(&p);
	if (privdrop_ro(&p, d->args.config_path) != 0)
		return -1;
	if (d->cfg->disk_paths.n == 0 && privdrop_rw(&p, "/") != 0)
		return -1;
	for (i = 0; i < d->cfg->disk_paths.n; i++)
		if (privdrop_rw(&p, d->cfg->disk_paths.v[i]) != 0)
			return -1;
	return daemon_drop(&d->args, &p);
}

static void
start_rpc(struct daemon *d, struct evloop *loop)
{
	struct rpc_server_opts	 o = {
		.service = "blk", .daemon = "blkback",
		.version = SHOAL_VERSION, .methods = blk_rpc_methods,
		.arg = &d->bb, .hook_arg = d,
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
	d->bb.loop = loop;
	d->bb.base = evloop_base(loop);
	d->bb.cfg = d->cfg;
	if (blkback_start(&d->bb) == 0 && drop(d) == 0) {
		log_info("serving%s%s", d->cfg->types.vbd ? " vbd" : "",
		    d->cfg->types.qdisk ? " qdisk" : "");
		start_rpc(d, loop);
		rc = evloop_run(loop) == 0 ? 0 : 1;
	}
	rpc_server_free(d->rpc);
	d->rpc = NULL;
	blkback_stop(&d->bb);
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
		log_info("configuration OK (serving%s%s)",
		    d.cfg->types.vbd ? " vbd" : "",
		    d.cfg->types.qdisk ? " qdisk" : "");
		free_config(d.cfg);
		return 0;
	}
	if ((d.bb.xce = xenevtchn_open(NULL, 0)) == NULL)
		fatal("xenevtchn_open: no event channels (neither Xen nor "
		    "xensim?)");
	if ((d.bb.xgt = xengnttab_open(NULL, 0)) == NULL)
		fatal("xengnttab_open");
	rc = serve(&d);
	xengnttab_close(d.bb.xgt);
	xenevtchn_close(d.bb.xce);
	free_config(d.cfg);
	return rc;
}
