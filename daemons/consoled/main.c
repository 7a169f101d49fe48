/*
 * consoled: Shoal's console daemon, in place of Xen's xenconsoled.
 * main() owns, past the command line (common/daemon.h), the configuration's life (SIGHUP
 * reloads it and reopens every log file), the order things are set up
 * in, and the teardown after SIGTERM, which frees everything so that a
 * leak checker sees nothing.
 */
#include <sys/stat.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* xenctrl.h first: it tells the Xen headers after it this is a tool. */
#include <xenctrl.h>
#include <xenevtchn.h>
#include <xengnttab.h>

#include "config.h"
#include "daemon.h"
#include "privdrop.h"
#include "con_config.h"
#include "con_dom.h"
#include "con_xs.h"
#include "con_rpc.h"
#include "evloop.h"
#include "log.h"
#include "rpc_server.h"

struct daemon {
	struct daemon_args	 args;
	const char		*log_dir_opt;
	struct rpc_server	*rpc;
	bool			 reload_failed;
	bool			 stamp_opt;
	struct con_config	*cfg;
	struct con_doms		 doms;
};

enum { OPT_LOG_DIR = 0x200 };

static const struct option con_longopts[] = {
	{ "log-dir", required_argument, NULL, OPT_LOG_DIR },
	{ "timestamps", no_argument, NULL, 'T' },
	{ NULL, 0, NULL, 0 }
};

static int
con_option(int ch, const char *arg, void *d_)
{
	struct daemon	*d = d_;

	switch (ch) {
	case OPT_LOG_DIR: d->log_dir_opt = arg; return 0;
	case 'T': d->stamp_opt = true; return 0;
	}
	return -1;
}

static const struct daemon_spec spec = {
	.name = "consoled",
	.user = "shoal-consoled",
	.shortopts = "T",
	.longopts = con_longopts,
	.option = con_option,
	.usage = "  --log-dir DIR       where guest-NAME.log files go "
	    "(default " CON_DEFAULT_LOGDIR ")\n"
	    "  -T, --timestamps    a timestamp before each logged line\n",
	.notes = "SIGHUP reloads the configuration and reopens the log "
	    "files.\n",
};

/* The file, then the command line over it.  NULL with err filled. */
static struct con_config *
load(struct daemon *d, char *err, size_t errlen)
{
	struct con_config *c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (con_config_load(d->args.config_path, c, err, errlen) != 0) {
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
	    d->args.config_path != NULL ? "reloaded" : "unchanged");
}

/* sys.reload: as SIGHUP; nonzero if the configuration did not load. */
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

	return con_rpc_stats(&d->doms);
}

/*
 * Once the event channels and grant tables are open: consoled keeps
 * writing its log directory and making ptys, and reading its
 * configuration (docs/privilege.md).
 */
static int
drop(struct daemon *d)
{
	struct privdrop	 p;

	privdrop_base(&p);
	if (privdrop_ro(&p, d->args.config_path) != 0 ||
	    privdrop_rw(&p, d->cfg->log_dir) != 0 ||
	    privdrop_rw(&p, "/dev/ptmx") != 0 ||
	    privdrop_rw(&p, "/dev/pts") != 0 ||
	    con_xs_store_rules(&p.store) != 0)
		return -1;
	return daemon_drop(&d->args, &p);
}

/* Without RPC the consoles are still served: it is logged, not fatal. */
static void
start_rpc(struct daemon *d, struct evloop *loop)
{
	struct rpc_server_opts	 o = {
		.service = "console", .daemon = "consoled",
		.version = SHOAL_VERSION, .methods = con_rpc_methods,
		.arg = &d->doms, .hook_arg = d,
		.reload = rpc_reload, .stats = rpc_stats,
		.limits = d->cfg->rpc,
	};

	d->rpc = daemon_rpc(&d->args, evloop_base(loop), &o);
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
	else if (drop(d) == 0 && (xs = con_xs_open(&d->doms)) != NULL) {
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
	int			 rc;

	if (daemon_start(&spec, argc, argv, &d.args, &d) != 0)
		return 2;
	if ((d.cfg = load(&d, err, sizeof(err))) == NULL)
		fatalx("%s", err);
	if (d.args.check) {
		log_info("configuration OK, logs in %s", d.cfg->log_dir);
		con_config_free(d.cfg);
		free(d.cfg);
		return 0;
	}
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
