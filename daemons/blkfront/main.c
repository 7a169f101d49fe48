/*
 * blkfront: a Xen block frontend as a program.  A domain's vbd
 * (device/vbd/DEVID, written by the toolstack: xensim create --disk, or
 * libxl) is connected to its backend (blkback, in dom0 or a driver
 * domain) through xen/io/blkif.h, and exported to Linux over NBD on a
 * Unix socket (and TCP on loopback if asked), so that nbd-client,
 * qemu-img, nbdcopy or fio reach the disk through the backend as a
 * guest kernel's xvda would.  main() owns, past the command line
 * (common/daemon.h), the configuration's life, the order things are set
 * up in (the NBD listener only once the vbd is connected: a client
 * never sees a disk of unknown size) and the teardown after SIGTERM:
 * no new clients, the vbd closed as a frontend owes its backend
 * (Closing, the backend lets go, Closed), the clients answered and
 * let go, everything freed so that a leak checker sees nothing.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* xenctrl.h first: it tells the Xen headers after it this is a tool. */
#include <xenctrl.h>
#include <xenevtchn.h>
#include <xengnttab.h>

#include <event2/event.h>

#include "bf_config.h"
#include "bf_dev.h"
#include "bf_nbd.h"
#include "bf_rpc.h"
#include "daemon.h"
#include "evloop.h"
#include "log.h"
#include "rpc_server.h"
#include "strnum.h"

#define CLOSE_TIMEOUT_MS	5000	/* a backend that is gone */

struct daemon {
	struct daemon_args	 args;
	struct bf_opts		 opts;
	struct bf_config	*cfg;
	struct bf_dev		 dev;
	struct bf_nbd		*nbd;
	struct bf_rpc_ctx	 ctx;
	struct rpc_server	*rpc;
	bool			 reload_failed;
};

enum {
	OPT_DEVID = 0x200, OPT_NBD_SOCKET, OPT_NBD_TCP, OPT_QUEUES, OPT_ORDER
};

static const struct option bf_longopts[] = {
	{ "devid", required_argument, NULL, OPT_DEVID },
	{ "nbd-socket", required_argument, NULL, OPT_NBD_SOCKET },
	{ "nbd-tcp", required_argument, NULL, OPT_NBD_TCP },
	{ "queues", required_argument, NULL, OPT_QUEUES },
	{ "ring-page-order", required_argument, NULL, OPT_ORDER },
	{ NULL, 0, NULL, 0 }
};

/* A number option within [lo, hi]; -1 (a usage error) if not. */
static int
num(const char *arg, long long lo, long long hi, int *out)
{
	long long	 n;

	if (strnum(arg, lo, hi, &n) != 0)
		return -1;
	*out = (int)n;
	return 0;
}

static int
bf_option(int ch, const char *arg, void *d_)
{
	struct bf_opts	*o = &((struct daemon *)d_)->opts;

	switch (ch) {
	case OPT_DEVID: return num(arg, 0, BF_DEVID_MAX, &o->devid);
	case OPT_NBD_SOCKET: o->nbd_socket = arg; return 0;
	case OPT_NBD_TCP: return num(arg, 1, 65535, &o->nbd_tcp_port);
	case OPT_QUEUES: return num(arg, 1, BF_QUEUES_MAX, &o->queues);
	case OPT_ORDER: return num(arg, 0, BF_RING_ORDER_MAX, &o->ring_order);
	}
	return -1;
}

static const struct daemon_spec spec = {
	.name = "blkfront",
	/* Stays root, as netfront: docs/blkfront.md. */
	.user = NULL,
	.longopts = bf_longopts,
	.option = bf_option,
	.usage =
	    "  --devid N           the vbd: device/vbd/N (default 51712, "
	    "xvda)\n"
	    "  --nbd-socket PATH   serve NBD on this Unix socket\n"
	    "  --nbd-tcp PORT      serve NBD on 127.0.0.1:PORT too\n"
	    "  --queues N          queues asked for, 1-8 (default 1)\n"
	    "  --ring-page-order N ring pages asked for: 2^N, 0-4 "
	    "(default 0)\n",
	.notes = "SIGTERM closes the vbd (Closing, then Closed once the "
	    "backend let go).\nSIGHUP reloads max-request, max-connections "
	    "and rpc; the rest needs a restart.\n",
};

static struct bf_config *
load(struct daemon *d, char *err, size_t errlen)
{
	struct bf_config	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (bf_config_load(d->args.config_path, &d->opts, c, err,
	    errlen) != 0) {
		free(c);
		return NULL;
	}
	return c;
}

static void
free_config(struct bf_config *c)
{
	if (c == NULL)
		return;
	bf_config_free(c);
	free(c);
}

/* What a running blkfront keeps: everything but the limits. */
static void
keep_structure(struct bf_config *old, struct bf_config *fresh)
{
	struct bf_config	 t = *fresh;

	*fresh = *old;
	fresh->max_request = t.max_request;
	fresh->max_conns = t.max_conns;
	fresh->rpc = t.rpc;
	/* The strings swap owners: each struct frees its own. */
	old->nbd_socket = t.nbd_socket;
	old->export_name = t.export_name;
}

static void
reload(void *arg)
{
	struct daemon		*d = arg;
	struct bf_config	*fresh;
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
	free_config(d->cfg);
	d->cfg = fresh;
	d->dev.cfg = fresh;
	log_info("SIGHUP: max-request %d, max-connections %d",
	    fresh->max_request, fresh->max_conns);
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
	return bf_rpc_stats(&((struct daemon *)arg)->ctx);
}

static void
on_port(evtchn_port_t port, void *arg)
{
	bf_dev_port(arg, port);
}

/* The vbd is Connected: NBD clients may come (the first time). */
static void
on_connected(void *arg)
{
	struct daemon	*d = arg;

	if (!bf_nbd_listening(d->nbd) && bf_nbd_listen(d->nbd) != 0)
		log_warnx("no NBD listener: the disk is not exported");
}

/* Without RPC the disk is still exported: logged, not fatal. */
static void
start_rpc(struct daemon *d, struct evloop *loop)
{
	struct rpc_server_opts	 o = {
		.service = "blkfront", .daemon = "blkfront",
		.version = SHOAL_VERSION, .methods = bf_rpc_methods,
		.arg = &d->ctx, .hook_arg = d,
		.reload = rpc_reload, .stats = rpc_stats,
		.limits = d->cfg->rpc,
	};

	d->rpc = daemon_rpc(&d->args, evloop_base(loop), &o);
}

/* The vbd's close handshake, run on the loop SIGTERM ended. */
static void
close_vbd(struct daemon *d, struct evloop *loop)
{
	struct bf_qstats	 s;

	bf_nbd_stop_listening(d->nbd);
	bf_dev_close(&d->dev, CLOSE_TIMEOUT_MS);
	while (!bf_dev_closed(&d->dev))
		if (event_base_loop(evloop_base(loop), EVLOOP_ONCE) == -1)
			break;
	bf_dev_stats(&d->dev, &s);
	log_info("vbd %d closed: %llu reads, %llu writes, %llu flushes",
	    d->cfg->devid, (unsigned long long)s.reqs[BF_OP_READ],
	    (unsigned long long)s.reqs[BF_OP_WRITE],
	    (unsigned long long)s.reqs[BF_OP_FLUSH]);
}

static int
serve(struct daemon *d, xenevtchn_handle *xce, xengntshr_handle *xgs)
{
	struct evloop	*loop;
	char		 err[256];
	int		 rc = 1;

	if ((loop = evloop_new()) == NULL) {
		log_warnx("cannot set up the event loop");
		return 1;
	}
	evloop_set_reload(loop, reload, d);
	d->dev.on_connected = on_connected;
	d->dev.cb_arg = d;
	if (evloop_add_evtchn(loop, xce, on_port, &d->dev) != 0)
		log_warnx("cannot watch event channels");
	else if ((d->nbd = bf_nbd_new(evloop_base(loop), &d->dev,
	    (const struct bf_config *const *)&d->cfg)) == NULL)
		log_warnx("cannot set up the NBD server");
	else if (bf_dev_open(&d->dev, d->cfg, evloop_base(loop), xce, xgs,
	    err, sizeof(err)) != 0)
		log_warnx("%s", err);
	else {
		d->ctx.dev = &d->dev;
		d->ctx.nbd = d->nbd;
		start_rpc(d, loop);
		rc = evloop_run(loop) == 0 ? 0 : 1;
		close_vbd(d, loop);
	}
	rpc_server_free(d->rpc);
	d->rpc = NULL;
	bf_nbd_free(d->nbd);
	d->nbd = NULL;
	bf_dev_free(&d->dev);
	evloop_free(loop);
	return rc;
}

int
main(int argc, char **argv)
{
	struct daemon		 d;
	xenevtchn_handle	*xce;
	xengntshr_handle	*xgs;
	char			 err[CONFIG_ERRMAX];
	int			 rc;

	/*
	 * Each request's buffer is allocated and freed (up to max-request,
	 * 32 MiB): glibc would give large ones back to the kernel at each
	 * free (munmap, or trimming the heap's top) and fault them in again
	 * at the next request.  Kept instead; what is held is still bounded
	 * by the requests' own bounds (docs/blkfront.md).
	 */
	(void)mallopt(M_MMAP_THRESHOLD, 32 << 20);
	(void)mallopt(M_TRIM_THRESHOLD, 64 << 20);
	memset(&d, 0, sizeof(d));
	bf_opts_default(&d.opts);
	if (daemon_start(&spec, argc, argv, &d.args, &d) != 0)
		return 2;
	if ((d.cfg = load(&d, err, sizeof(err))) == NULL) {
		log_warnx("%s", err);
		return 1;
	}
	if (d.args.check) {
		log_info("configuration OK (vbd %d)", d.cfg->devid);
		free_config(d.cfg);
		return 0;
	}
	if ((xce = xenevtchn_open(NULL, 0)) == NULL)
		fatal("xenevtchn_open: no event channels (neither Xen nor "
		    "xensim?)");
	if ((xgs = xengntshr_open(NULL, 0)) == NULL)
		fatal("xengntshr_open");
	rc = serve(&d, xce, xgs);
	xengntshr_close(xgs);
	xenevtchn_close(xce);
	free_config(d.cfg);
	return rc;
}
