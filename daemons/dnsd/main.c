/*
 * dnsd: Shoal's authoritative-only DNS server.
 *
 * main() owns the command line, the order things are set up in (the
 * configuration, the zones, the sockets, RPC), SIGHUP (a reload, see
 * dns_reload.h) and the teardown after SIGTERM, which frees everything so
 * that a leak checker sees nothing.  The listening addresses are read
 * once: a reload that changes them is told so and keeps the old ones.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "dns_config.h"
#include "dns_notify.h"
#include "dns_reload.h"
#include "dns_rpc.h"
#include "dns_server.h"
#include "evloop.h"
#include "log.h"
#include "rpc_server.h"

struct daemon {
	const char		*config_path;
	const char		*policy;
	const char		*rpc_socket;
	bool			 no_rpc;
	bool			 syslog;
	struct dns_config	*cfg;
	struct dns_zones	*zones;
	struct dns_server	 srv;
	struct dns_reload	*reload;
	struct dns_rpc		 rpc;
	struct rpc_server	*rpcs;
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: dnsd -c config.json [-v|-q] [--policy FILE] "
	    "[--rpc-socket PATH]\n"
	    "            [--no-rpc] [--check] [--syslog] [--help]\n"
	    "  -c, --config FILE   JSON configuration: listen addresses, zones "
	    "(docs/dnsd.md)\n"
	    "  -n, --check         load the configuration and the zones, "
	    "report, exit\n"
	    "  -v, -q              more or less logging\n"
	    "  --syslog            log to syslog (daemon facility), not stderr\n"
	    "  --policy FILE       who may call dns.* (docs/rpc.md); default: "
	    "dom0 only\n"
	    "  --rpc-socket PATH   also take RPC calls on this Unix socket\n"
	    "  --no-rpc            no RPC service at all\n"
	    "SIGHUP (or dns.reload) rereads the configuration and every zone "
	    "file;\n"
	    "a zone that does not load keeps serving its previous version.\n");
}

static int
parse_args(int argc, char **argv, struct daemon *d, int *verbose,
    bool *check)
{
	static const struct option	 longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'n' },
		{ "policy", required_argument, NULL, 'P' },
		{ "rpc-socket", required_argument, NULL, 'R' },
		{ "no-rpc", no_argument, NULL, 'N' },
		{ "syslog", no_argument, NULL, 'S' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int				 ch;

	while ((ch = getopt_long(argc, argv, "c:nvqh", longopts, NULL)) != -1)
		switch (ch) {
		case 'c': d->config_path = optarg; break;
		case 'n': *check = true; break;
		case 'P': d->policy = optarg; break;
		case 'R': d->rpc_socket = optarg; break;
		case 'N': d->no_rpc = true; break;
		case 'S': d->syslog = true; break;
		case 'v': (*verbose)++; break;
		case 'q': (*verbose)--; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	if (optind != argc || d->config_path == NULL) {
		usage(stderr);
		return -1;
	}
	return 0;
}

static bool
same_listen(const struct dns_config *a, const struct dns_config *b)
{
	size_t	 i;

	if (a->listen.n != b->listen.n)
		return false;
	for (i = 0; i < a->listen.n; i++)
		if (strcmp(a->listen.v[i].text, b->listen.v[i].text) != 0)
			return false;
	return true;
}

/* From dns_reload, on the main thread: the new configuration is in. */
static void
install(void *arg, struct dns_config *fresh)
{
	struct daemon	*d = arg;

	if (!same_listen(d->cfg, fresh))
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

/* Without RPC the zones are still served: it is logged, not fatal. */
static void
start_rpc(struct daemon *d, struct evloop *loop)
{
	struct rpc_server_opts	 o = {
		.service = "dns", .daemon = "dnsd",
		.version = SHOAL_VERSION, .methods = dns_rpc_methods,
		.arg = &d->rpc, .policy_path = d->policy,
		.reload = dns_rpc_sys_reload, .stats = dns_rpc_stats,
		.limits = d->cfg->rpc,
	};

	if (d->no_rpc)
		return;
	if ((d->rpcs = rpc_server_new(evloop_base(loop), &o)) == NULL)
		log_warnx("no RPC: dns.* cannot be called");
	else if (d->rpc_socket != NULL &&
	    rpc_server_listen(d->rpcs, d->rpc_socket) != 0)
		log_warnx("RPC socket %s not served", d->rpc_socket);
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
	    d->config_path, install, d);
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
		start_rpc(d, loop);
		log_info("serving %zu zones", d->cfg->zones.n);
		rc = evloop_run(loop) == 0 ? 0 : 1;
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
	int		 verbose = 0, rc, failed;
	bool		 check = false;

	log_init("dnsd", 0, 0);
	if (parse_args(argc, argv, &d, &verbose, &check) != 0)
		return 2;
	log_init("dnsd", d.syslog, verbose);
	if ((d.cfg = calloc(1, sizeof(*d.cfg))) == NULL)
		fatal("calloc");
	if (dns_config_load(d.config_path, d.cfg, err, sizeof(err)) == -1)
		fatalx("%s", err);
	if ((d.zones = dns_zones_new(0)) == NULL)
		fatal("dns_zones_new");
	if ((failed = dns_reload_initial(d.zones, d.cfg)) != 0)
		log_warnx("%d of %zu zones did not load", failed < 0 ?
		    (int)d.cfg->zones.n : failed, d.cfg->zones.n);
	if (check)
		rc = failed == 0 ? 0 : 1;
	else
		rc = serve(&d);
	dns_zones_free(d.zones);
	dns_config_free(d.cfg);
	free(d.cfg);
	return rc;
}
