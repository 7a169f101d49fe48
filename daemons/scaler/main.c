/*
 * scaler: Shoal's self-scaling web service's brain (docs/scaler.md).  It
 * opens its persistent job queue and shows it over RPC (scaler.jobs),
 * and with "fleet" in its configuration runs the control loop that sizes
 * the web domains through the dom0 agent (sc_fleet.h), when it leads the
 * hosts sharing its store.  main() owns the order of set-up (command
 * line through common/daemon.h, configuration, the store, the privilege
 * drop, the fleet, RPC), SIGHUP (the RPC policy and limits and the
 * fleet's settings; a new store takes a restart) and the teardown after
 * SIGTERM, which frees everything so that a leak checker sees nothing.
 */
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "config.h"
#include "daemon.h"
#include "evloop.h"
#include "jobq.h"
#include "log.h"
#include "privdrop.h"
#include "rpc_server.h"
#include "sc_config.h"
#include "sc_fleet.h"
#include "sc_rpc.h"
#include "worker.h"

struct daemon {
	struct daemon_args	 args;
	struct sc_config	 cfg;
	struct jobq		*q;
	struct sc_rpc		 stats;		/* sys.stats' sources */
	struct rpc_server	*rpcs;
	struct event		*lead_timer;	/* who leads the fleet */
};

/* The lock key of the fleet's leader (jobq_lead): "shoal" in ASCII. */
#define SC_LEAD_KEY	0x73686f616cLL
#define SC_LEAD_MS	1000

static const struct daemon_spec spec = {
	.name = "scaler",
	.user = "shoal-scaler",
	.notes = "The configuration names the job store (SQLite by default, "
	    "at " SC_DEFAULT_DB ",\nor PostgreSQL); --check opens it.  "
	    "SIGHUP rereads the configuration: the RPC\npolicy and limits "
	    "apply at once, a new store on restart.\n",
};

static struct jobq *
open_store(const struct sc_config *c)
{
	struct jobq_settings	 set = { .backoff_ms = c->backoff_ms,
				    .backoff_max_ms = c->backoff_max_ms };
	char			 err[CONFIG_ERRMAX];
	struct jobq		*q;

	if (c->store.postgresql != NULL)
		q = jobq_open_pg(c->store.postgresql, &set, err, sizeof(err));
	else
		q = jobq_open_sqlite(c->store.sqlite != NULL ?
		    c->store.sqlite : SC_DEFAULT_DB, &set, err, sizeof(err));
	if (q == NULL)
		log_warnx("the job store: %s", err);
	return q;
}

/* Two optional strings, both absent or equal. */
static bool
same(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void
sighup(void *arg)
{
	struct daemon		*d = arg;
	struct sc_config	 fresh;
	char			 err[CONFIG_ERRMAX];

	log_info("SIGHUP: reloading");
	if (sc_config_load(d->args.config_path, &fresh, err,
	    sizeof(err)) != 0) {
		log_warnx("reload failed, the old configuration stays: %s",
		    err);
		return;
	}
	if (!same(fresh.store.sqlite, d->cfg.store.sqlite) ||
	    !same(fresh.store.postgresql, d->cfg.store.postgresql))
		log_warnx("reload: a new job store takes a restart");
	if (d->rpcs != NULL) {
		rpc_server_reload_policy(d->rpcs);
		rpc_server_set_limits(d->rpcs, &fresh.rpc);
	}
	if (fresh.fleet.on != d->cfg.fleet.on)
		log_warnx("reload: turning the fleet on or off takes a "
		    "restart");
	else
		sc_fleet_set(d->stats.fleet, &fresh.fleet);
	sc_config_free(&d->cfg);
	d->cfg = fresh;
	log_info("reloaded %s", d->args.config_path != NULL ?
	    d->args.config_path : "(no configuration file)");
}

/*
 * Every second: does this scaler lead the hosts sharing the store?  Only
 * the leader's control loop runs; a store it cannot reach is not led.
 */
static void
check_lead(evutil_socket_t fd, short what, void *arg)
{
	struct daemon	*d = arg;
	struct timeval	 later = { SC_LEAD_MS / 1000, 0 };
	int		 lead = jobq_lead(d->q, SC_LEAD_KEY);

	(void)fd;
	(void)what;
	if (lead < 0)
		log_debug("fleet: the store: %s", jobq_error(d->q));
	sc_fleet_lead(d->stats.fleet, lead == 1);
	evtimer_add(d->lead_timer, &later);
}

/*
 * Once the store is open: the scaler reads its configuration and writes
 * only the SQLite file's directory (its WAL and shared-memory files come
 * and go there); PostgreSQL is a socket (docs/privilege.md).
 */
static int
drop(struct daemon *d)
{
	static char	 dir[PATH_MAX];
	struct privdrop	 p;

	privdrop_base(&p);
	if (privdrop_ro(&p, d->args.config_path) != 0)
		return -1;
	if (d->cfg.store.postgresql == NULL) {
		snprintf(dir, sizeof(dir), "%s", d->cfg.store.sqlite != NULL ?
		    d->cfg.store.sqlite : SC_DEFAULT_DB);
		if (privdrop_rw(&p, dirname(dir)) != 0)
			return -1;
	}
	return daemon_drop(&d->args, &p);
}

/* The store let go of around each fork of the fleet's loop (jobq.h). */
static void
store_down(void *arg)
{
	jobq_suspend(arg);
}

static void
store_up(void *arg)
{
	if (jobq_resume(arg) != 0)
		log_warnx("the job store did not open again: %s",
		    jobq_error(arg));
}

static int
serve(struct daemon *d)
{
	struct worker_fork_hooks hooks = { store_down, store_up, d->q };
	struct rpc_server_opts	 o = {
		.service = "scaler", .daemon = "scaler",
		.version = SHOAL_VERSION, .methods = sc_rpc_methods,
		.arg = d->q, .hook_arg = &d->stats, .stats = sc_rpc_stats,
		.limits = d->cfg.rpc,
	};
	struct evloop		*loop;
	int			 rc = 1;

	if ((loop = evloop_new()) == NULL) {
		log_warnx("cannot set up the event loop");
		return 1;
	}
	evloop_set_reload(loop, sighup, d);
	d->stats.q = d->q;
	/* The fleet's process after the drop, which it inherits, and
	 * before the RPC server's threads (worker.h). */
	if (drop(d) == 0 && (!d->cfg.fleet.on ||
	    ((d->stats.fleet = sc_fleet_start(evloop_base(loop),
	    &d->cfg.fleet, jobq_lead(d->q, SC_LEAD_KEY) == 1, &hooks)) !=
	    NULL &&
	    (d->lead_timer = evtimer_new(evloop_base(loop), check_lead,
	    d)) != NULL))) {
		if (d->lead_timer != NULL)
			check_lead(-1, 0, d);
		d->rpcs = daemon_rpc(&d->args, evloop_base(loop), &o);
		log_info("serving the job queue%s", d->stats.fleet != NULL ?
		    " and running the fleet" : "");
		rc = evloop_run(loop) == 0 ? 0 : 1;
	}
	if (d->lead_timer != NULL)
		event_free(d->lead_timer);
	d->lead_timer = NULL;
	sc_fleet_stop(d->stats.fleet);
	d->stats.fleet = NULL;
	rpc_server_free(d->rpcs);
	d->rpcs = NULL;
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
	if (sc_config_load(d.args.config_path, &d.cfg, err, sizeof(err)) != 0)
		fatalx("%s", err);
	if ((d.q = open_store(&d.cfg)) == NULL)
		rc = 1;
	else if (d.args.check) {
		log_info("configuration OK, the job store opens");
		rc = 0;
	} else
		rc = serve(&d);
	jobq_close(d.q);
	sc_config_free(&d.cfg);
	return rc;
}
