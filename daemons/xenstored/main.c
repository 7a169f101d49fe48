/*
 * xenstored: Shoal's XenStore daemon (the store over a Unix socket and
 * domain rings).  main() owns the command line, the configuration's life
 * (SIGHUP reloads the quotas; the socket path needs a restart), the
 * choice between a fresh start and one restored by a live update, and
 * the orderly teardown after SIGTERM, which frees everything so that a
 * leak checker sees nothing.
 */
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "daemon.h"
#include "privdrop.h"
#include "evloop.h"
#include "log.h"
#include "strnum.h"
#include "xs_config.h"
#include "xs_lu.h"
#include "xs_monitor.h"
#include "xs_perm.h"
#include "xs_ring.h"
#include "xs_rpc.h"
#include "xs_server.h"
#include "xs_sock.h"
#include "xs_state.h"

struct daemon {
	struct daemon_args	 args;
	const char		*sockopt;	/* --socket */
	int			 state_fd;	/* live update: -1, or ours */
	int			 monitor;	/* its channel (--user), or -1 */
	int			 argc;
	char			**argv;
	bool			 keep_orphans_opt;
	long long		 priv_domid_opt;	/* -1: not given */
	long long		 dom0_event;	/* --event, -1: not given */
	struct xs_rpc		*rpc_helper;
	struct xs_config	 cfg;
	struct xs_server	 srv;
};

enum { OPT_STATE_FD = 0x200, OPT_INTERNAL_DB };

static const struct option xs_longopts[] = {
	{ "socket", required_argument, NULL, 's' },
	/* Xen's xenstored forks unless told not to; ours never does. */
	{ "no-fork", no_argument, NULL, 'N' },
	{ "keep-orphans", no_argument, NULL, 'K' },
	{ "priv-domid", required_argument, NULL, 'p' },
	{ "event", required_argument, NULL, 'e' },
	/* init-xenstore-domain passes it to every xenstore domain. */
	{ "internal-db", no_argument, NULL, OPT_INTERNAL_DB },
	/* Given by the previous process at a live update (xs_lu). */
	{ "live-update-state", required_argument, NULL, OPT_STATE_FD },
	{ NULL, 0, NULL, 0 }
};

static int
xs_option(int ch, const char *arg, void *d_)
{
	struct daemon	*d = d_;
	long long	 n;

	switch (ch) {
	case 's': d->sockopt = arg; return 0;
	case 'N': return 0;
	case OPT_INTERNAL_DB: return 0;	/* the tree is always in memory */
	case 'K': d->keep_orphans_opt = true; return 0;
	case 'e':
		if (strnum(arg, 1, UINT32_MAX, &d->dom0_event) == -1) {
			log_warnx("--event %s: not an event channel", arg);
			return -1;
		}
		return 0;
	case 'p':
		if (strnum(arg, 0, XS_DOMID_MAX, &d->priv_domid_opt) == -1) {
			log_warnx("--priv-domid %s: not a domain id", arg);
			return -1;
		}
		return 0;
	case OPT_STATE_FD:
		if (strnum(arg, 0, INT_MAX, &n) == -1) {
			log_warnx("--live-update-state %s: not a descriptor",
			    arg);
			return -1;
		}
		d->state_fd = (int)n;
		return 0;
	}
	return -1;
}

static const struct daemon_spec spec = {
	.name = "xenstored",
	.user = "shoal-xenstored",
	.shortopts = "s:NKp:e:",
	.longopts = xs_longopts,
	.option = xs_option,
	.usage = "  -s, --socket PATH   the socket (default: "
	    "$XENSTORED_PATH, or the config's, or\n"
	    "                      " XS_DEFAULT_SOCKET ")\n"
	    "  -K, --keep-orphans  when a domain goes, give the nodes it "
	    "owned to dom0\n"
	    "                      instead of deleting them\n"
	    "  -e, --event PORT    in a xenstore domain: dom0's ring is its "
	    "grant ref 1,\n"
	    "                      this its event channel\n"
	    "  -p, --priv-domid ID privilege domain ID as dom0 is (a control "
	    "domain\n"
	    "                      other than dom0)\n"
	    "  -N, --no-fork       accepted as Xen's xenstored does; this one "
	    "stays in the\n"
	    "                      foreground (with --user as root its "
	    "privileged parent\n"
	    "                      is the process started)\n"
	    "      --internal-db   accepted as init-xenstore-domain passes "
	    "it; the tree\n"
	    "                      is always in memory\n",
	.notes = "The RPC service (sys.ping, sys.version, sys.stats, "
	    "sys.loglevel, sys.reload)\nruns in a helper process that asks "
	    "the daemon over a socketpair.\n",
};

/* The option wins over the file's "priv-domid". */
static void
set_priv_domid(struct daemon *d, const struct xs_config *cfg)
{
	unsigned	 id = d->priv_domid_opt >= 0 ?
			    (unsigned)d->priv_domid_opt : (unsigned)cfg->priv_domid;

	if (id != d->srv.priv_domid && id != 0)
		log_info("domain %u is privileged", id);
	d->srv.priv_domid = id;
}

static void
reload(void *arg)
{
	struct daemon		*d = arg;
	struct xs_config	 fresh;
	char			 err[CONFIG_ERRMAX];

	if (d->args.config_path == NULL) {
		log_info("SIGHUP: no configuration file, nothing to reload");
		return;
	}
	if (xs_config_load(d->args.config_path, &fresh, err, sizeof(err)) != 0) {
		log_warnx("reload failed, keeping the running configuration: "
		    "%s", err);
		return;
	}
	if ((fresh.socket == NULL) != (d->cfg.socket == NULL) ||
	    (fresh.socket != NULL && strcmp(fresh.socket, d->cfg.socket)))
		log_warnx("reload: a new socket path takes a restart");
	xs_server_set_limits(&d->srv, &fresh.quota, fresh.max_events);
	d->srv.keep_orphans = d->keep_orphans_opt || fresh.keep_orphans;
	set_priv_domid(d, &fresh);
	xs_config_free(&d->cfg);
	d->cfg = fresh;
	log_info("configuration reloaded from %s", d->args.config_path);
}

/*
 * Once the socket, the rings and Xen's handles are set up.  xenstored
 * keeps its uid unless --user says otherwise (then its privileged
 * parent executes a live update's new image, which reopens Xen's
 * devices) and may read anything (the new image can be anywhere), but
 * writes only its socket's directory and Xen's devices
 * (docs/privilege.md).
 */
static int
drop(struct daemon *d, const char *sockpath)
{
	static char	 sockdir[PATH_MAX];
	struct privdrop	 p;

	privdrop_base(&p);
	/* Without a monitor a live update executes the new image here. */
	p.keep_exec = d->monitor < 0;
	p.is_store = true;	/* its RPC helper is the store's client */
	snprintf(sockdir, sizeof(sockdir), "%s", sockpath);
	if (privdrop_ro(&p, "/") != 0 ||
	    privdrop_rw(&p, dirname(sockdir)) != 0)
		return -1;
	return daemon_drop(&d->args, &p);
}

/*
 * The socket, then the drop: a fresh socket is bound first (its
 * directory may be root's).  A live update's state was written by the
 * previous process, which served guests: it is parsed only once
 * privileges are gone.
 */
static struct xs_listener *
set_up(struct daemon *d, struct evloop *loop, const char *sockpath)
{
	struct xs_listener	*l = NULL;

	if (d->state_fd < 0) {
		if ((l = xs_sock_listen(evloop_base(loop), &d->srv,
		    sockpath)) != NULL && drop(d, sockpath) != 0) {
			xs_sock_close(l);
			l = NULL;
		}
		return l;
	}
	if (drop(d, sockpath) != 0)
		return NULL;
	if (xs_state_restore(d->state_fd, &d->srv, evloop_base(loop),
	    &l) != 0) {
		xs_sock_close(l);
		return NULL;
	}
	return l;
}

static int
serve(struct daemon *d, const char *sockpath)
{
	struct evloop		*loop;
	struct xs_listener	*l = NULL;
	int			 rc = 1;

	if ((loop = evloop_new()) == NULL) {
		log_warnx("cannot set up the event loop");
		return 1;
	}
	evloop_set_reload(loop, reload, d);
	if (d->rpc_helper != NULL)
		xs_rpc_serve(d->rpc_helper, evloop_base(loop), &d->srv, reload,
		    d);
	if (xs_server_attach(&d->srv, evloop_base(loop)) != 0)
		log_warnx("no reaper: broken connections wait for a wakeup");
	d->srv.rings = xs_rings_open(loop, &d->srv);
	/* A live update finds dom0's ring in the state, with the others. */
	if (d->dom0_event > 0 && d->state_fd < 0 && (d->srv.rings == NULL ||
	    xs_ring_dom0(d->srv.rings, (unsigned)d->dom0_event) != 0))
		log_warnx("--event %lld: dom0's ring is not served",
		    d->dom0_event);
	if ((d->srv.lu = xs_lu_new(loop, d->argc, d->argv)) == NULL)
		log_warnx("no memory for live update: it is refused");
	xs_lu_set_monitor(d->srv.lu, d->monitor);
	if ((l = set_up(d, loop, sockpath)) != NULL) {
		if (d->state_fd < 0 && d->srv.rings != NULL)
			xs_rings_kick_all(d->srv.rings);
		/* A live update that returns failed: carry on serving. */
		while ((rc = evloop_run(loop) == 0 ? 0 : 1) == 0 &&
		    xs_lu_pending(d->srv.lu))
			xs_lu_exec(d->srv.lu, &d->srv, l);
	}
	xs_sock_close(l);
	xs_rpc_stop(d->rpc_helper);
	d->rpc_helper = NULL;
	xs_lu_free(d->srv.lu);
	d->srv.lu = NULL;
	/*
	 * Clients hold libevent events: free them before the base; the
	 * event-channel handle goes after the loop that watches it.
	 */
	xs_server_fini(&d->srv);
	evloop_free(loop);
	xs_rings_close(d->srv.rings);
	return rc;
}

int
main(int argc, char **argv)
{
	struct daemon	 d = { .state_fd = -1, .monitor = -1,
			    .argc = argc, .argv = argv,
			    .priv_domid_opt = -1, .dom0_event = -1 };
	char		 err[CONFIG_ERRMAX], *sockpath;
	int		 rc;

	if (daemon_start(&spec, argc, argv, &d.args, &d) != 0)
		return 2;
	if (xs_config_load(d.args.config_path, &d.cfg, err, sizeof(err)) != 0)
		fatalx("%s", err);
	if (d.args.check) {
		log_info("configuration OK");
		xs_config_free(&d.cfg);
		return 0;
	}
	if ((sockpath = xs_config_socket(&d.cfg, d.sockopt)) == NULL)
		fatalx("out of memory");
	/* Another user: a privileged parent keeps root for live updates. */
	if (d.args.user != NULL && geteuid() == 0 &&
	    (d.monitor = xs_monitor_start(argc, argv, sockpath)) == -1)
		fatalx("cannot start the privileged parent");
	if (xs_server_init(&d.srv, &d.cfg.quota, d.cfg.max_events) != 0)
		fatalx("cannot set up the store");
	/* Before the loop and any Xen handle: the helper inherits neither. */
	if (!d.args.no_rpc && (d.rpc_helper = xs_rpc_fork(&d.args,
	    sockpath, &d.cfg.rpc)) == NULL)
		log_warnx("no RPC helper: sys.* is not served");
	d.srv.keep_orphans = d.keep_orphans_opt || d.cfg.keep_orphans;
	set_priv_domid(&d, &d.cfg);
	rc = serve(&d, sockpath);
	free(sockpath);
	xs_config_free(&d.cfg);
	return rc;
}
