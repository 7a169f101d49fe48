/*
 * httpd: Shoal's web server, static files over HTTP/1.1.
 *
 * main() owns the order of set-up (the command line through
 * common/daemon.h, the configuration, the sockets and the file cache,
 * the privilege drop, RPC), SIGHUP (a reload: a new configuration is
 * loaded aside and swapped in only if it is whole) and the teardown after
 * SIGTERM, which frees everything so that a leak checker sees nothing.
 */
#include <sys/resource.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "daemon.h"
#include "evloop.h"
#include "http_config.h"
#include "http_file.h"
#include "http_mime.h"
#include "http_rpc.h"
#include "http_server.h"
#include "log.h"
#include "privdrop.h"
#include "rpc_server.h"
#include "rpc_vchan.h"

struct daemon {
	struct daemon_args	 args;
	const char		*listen;	/* --listen: in place of "listen" */
	struct http_config	*cfg;
	struct http_server	 srv;
	struct http_rpc		 rpc;
	struct rpc_server	*rpcs;
};

static int	option(int, const char *, void *);

static const struct option longopts[] = {
	{ "listen", required_argument, NULL, 'L' },
	{ NULL, 0, NULL, 0 }
};

static const struct daemon_spec spec = {
	.name = "httpd",
	.user = "shoal-httpd",
	.config_required = true,
	.shortopts = "L:",
	.longopts = longopts,
	.usage = "  -L, --listen ADDR:PORT  listen there, not at the "
	    "configuration's \"listen\"\n",
	.option = option,
	.notes = "The configuration names the listen addresses and the "
	    "document root; --check\nloads it and the media types.  SIGHUP "
	    "(or http.reload) rereads it and reopens\nthe access log; "
	    "connections stay open.\n",
};

static int
option(int ch, const char *arg, void *dp)
{
	struct daemon	*d = dp;

	if (ch != 'L')
		return -1;
	d->listen = arg;
	return 0;
}

/*
 * --listen: one address in place of the file's (each web domain of a
 * fleet on xensim has its own, "127.0.1.{n}:80" in the agent's command).
 * The file's TLS and admin addresses stay.
 */
static int
listen_override(const struct daemon *d, struct http_config *cfg, char *err,
    size_t errlen)
{
	struct net_listen	*l;
	const char		*why;

	if (d->listen == NULL)
		return 0;
	if ((l = calloc(1, sizeof(*l))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (net_addr_parse_listen(d->listen, &l->ss, &l->len, &why) == -1) {
		snprintf(err, errlen, "--listen %s: %s", d->listen, why);
		free(l);
		return -1;
	}
	net_addr_str((struct sockaddr *)&l->ss, l->text, sizeof(l->text));
	free(cfg->listen.v);
	cfg->listen.v = l;
	cfg->listen.n = 1;
	return 0;
}

/* A new configuration, whole or not at all. */
static int
reload(void *arg, char *err, size_t errlen)
{
	struct daemon		*d = arg;
	struct http_config	*fresh;

	if ((fresh = calloc(1, sizeof(*fresh))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (http_config_load(d->args.config_path, fresh, err, errlen) != 0 ||
	    listen_override(d, fresh, err, errlen) != 0 ||
	    http_server_configure(&d->srv, fresh, err, errlen) != 0) {
		http_config_free(fresh);
		free(fresh);
		return -1;
	}
	if (!net_listens_equal(&d->cfg->listen, &fresh->listen) ||
	    !net_listens_equal(&d->cfg->tls.listen, &fresh->tls.listen) ||
	    !net_listens_equal(&d->cfg->admin, &fresh->admin))
		log_warnx("reload: listen addresses changed; they take effect "
		    "on restart");
	http_config_free(d->cfg);
	free(d->cfg);
	d->cfg = fresh;
	http_server_status(&d->srv);
	d->srv.stats.reloads++;
	if (d->rpcs != NULL) {
		rpc_server_reload_policy(d->rpcs);
		rpc_server_set_limits(d->rpcs, &fresh->rpc);
	}
	log_info("reloaded %s", d->args.config_path);
	return 0;
}

static void
sighup(void *arg)
{
	char	 err[CONFIG_ERRMAX];

	log_info("SIGHUP: reloading");
	if (reload(arg, err, sizeof(err)) != 0)
		log_warnx("reload failed, the old configuration stays: %s",
		    err);
}

/*
 * Once the sockets are bound: httpd keeps reading its configuration,
 * the media types, the document root and the TLS certificate and key
 * (a reload rereads them: only at the paths allowed here), and writes
 * only its access log's folder (docs/privilege.md).
 */
static int
drop(struct daemon *d)
{
	static char	 logdir[PATH_MAX];
	struct privdrop	 p;

	privdrop_base(&p);
	if (privdrop_ro(&p, d->args.config_path) != 0 ||
	    privdrop_ro(&p, d->cfg->root) != 0 ||
	    privdrop_ro(&p, d->cfg->mime_types) != 0 ||
	    privdrop_ro(&p, d->cfg->tls.certificate) != 0 ||
	    privdrop_ro(&p, d->cfg->tls.key) != 0 ||
	    /* The status collector calls every domain's services. */
	    rpc_vchan_caller_rules(&p.store) != 0)
		return -1;
	if (d->cfg->access_log != NULL) {
		snprintf(logdir, sizeof(logdir), "%s", d->cfg->access_log);
		if (privdrop_rw(&p, dirname(logdir)) != 0)
			return -1;
	}
	return daemon_drop(&d->args, &p);
}

static void
start_rpc(struct daemon *d, struct evloop *loop)
{
	struct rpc_server_opts	 o = {
		.service = "http", .daemon = "httpd",
		.version = SHOAL_VERSION, .methods = http_rpc_methods,
		.arg = &d->rpc, .hook_arg = &d->rpc,
		.reload = http_rpc_sys_reload, .stats = http_rpc_stats,
		.limits = d->cfg->rpc,
	};

	d->rpc.srv = &d->srv;
	d->rpc.reload = reload;
	d->rpc.reload_arg = d;
	d->rpcs = daemon_rpc(&d->args, evloop_base(loop), &o);
}

/* Every connection and cached file is a descriptor: take all we may. */
static void
raise_nofile(void)
{
	struct rlimit	 rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int
serve(struct daemon *d)
{
	struct evloop	*loop;
	char		 err[CONFIG_ERRMAX];
	int		 rc = 1;

	if ((loop = evloop_new()) == NULL) {
		log_warnx("cannot set up the event loop");
		return 1;
	}
	raise_nofile();
	if (http_server_open(&d->srv, evloop_base(loop), d->cfg, err,
	    sizeof(err)) != 0)
		log_warnx("%s", err);
	else {
		evloop_set_reload(loop, sighup, d);
		if (drop(d) == 0) {
			/* The collector is forked while we have one thread. */
			http_server_status(&d->srv);
			start_rpc(d, loop);
			log_info("serving %s", d->cfg->root);
			rc = evloop_run(loop) == 0 ? 0 : 1;
		}
		rpc_server_free(d->rpcs);
		d->rpcs = NULL;
		http_server_close(&d->srv);
	}
	evloop_free(loop);
	return rc;
}

/* --check: the configuration, its media types and its root. */
static int
check(struct daemon *d)
{
	char			 err[CONFIG_ERRMAX];
	struct http_files	*files;
	struct http_mime	*mime;
	struct http_file_opts	 o = {
		.root = d->cfg->root,
		.index = (const char *const *)d->cfg->index.v,
		.max_entries = 1,
	};

	if ((mime = http_mime_load(d->cfg->mime_types, err,
	    sizeof(err))) == NULL) {
		log_warnx("%s", err);
		return 1;
	}
	files = http_files_new(&o, mime, err, sizeof(err));
	if (files == NULL)
		log_warnx("%s", err);
	else
		log_info("%s: ok (%zu media types)", d->args.config_path,
		    http_mime_count(mime));
	http_files_free(files);
	http_mime_free(mime);
	return files == NULL;
}

int
main(int argc, char **argv)
{
	struct daemon	 d = { 0 };
	char		 err[CONFIG_ERRMAX];
	int		 rc;

	if (daemon_start(&spec, argc, argv, &d.args, &d) != 0)
		return 2;
	if ((d.cfg = calloc(1, sizeof(*d.cfg))) == NULL)
		fatal("calloc");
	if (http_config_load(d.args.config_path, d.cfg, err, sizeof(err)) != 0 ||
	    listen_override(&d, d.cfg, err, sizeof(err)) != 0)
		fatalx("%s", err);
	rc = d.args.check ? check(&d) : serve(&d);
	http_config_free(d.cfg);
	free(d.cfg);
	return rc;
}
