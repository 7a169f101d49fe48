/*
 * netfront: a Xen network frontend as a program.  A domain's vif is
 * connected to its backend (netback, in dom0 or a driver domain) and
 * shown to Linux as a TAP, so that the domain's programs, in a network
 * namespace whose only link is that TAP, talk through the backend as a
 * guest kernel's eth0 would.  main() owns, past the command line
 * (common/daemon.h), the order things are set up in (the namespace
 * entered before the TAP is made in it) and the teardown after SIGTERM:
 * the vif closed as a frontend owes its backend (Closing, the backend
 * lets go, Closed, our pages taken back), then everything freed so that
 * a leak checker sees nothing.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* xenctrl.h first: it tells the Xen headers after it this is a tool. */
#include <xenctrl.h>
#include <xenevtchn.h>
#include <xengnttab.h>

#include <event2/event.h>

#include "daemon.h"
#include "evloop.h"
#include "log.h"
#include "nf_config.h"
#include "nf_dev.h"
#include "nf_rpc.h"
#include "rpc_server.h"
#include "strnum.h"

#define CLOSE_TIMEOUT_MS	5000	/* a backend that is gone */

struct daemon {
	struct daemon_args	 args;
	struct nf_opts		 opts;
	struct nf_dev		 dev;
	struct rpc_server	*rpc;
};

enum {
	OPT_DEVID = 0x200, OPT_TAP, OPT_QUEUES, OPT_MTU, OPT_NETNS,
	OPT_NO_SG, OPT_NO_GSO, OPT_NO_CSUM, OPT_NO_SPLIT
};

static const struct option nf_longopts[] = {
	{ "devid", required_argument, NULL, OPT_DEVID },
	{ "tap", required_argument, NULL, OPT_TAP },
	{ "queues", required_argument, NULL, OPT_QUEUES },
	{ "mtu", required_argument, NULL, OPT_MTU },
	{ "netns", required_argument, NULL, OPT_NETNS },
	{ "no-sg", no_argument, NULL, OPT_NO_SG },
	{ "no-gso", no_argument, NULL, OPT_NO_GSO },
	{ "no-csum", no_argument, NULL, OPT_NO_CSUM },
	{ "no-split", no_argument, NULL, OPT_NO_SPLIT },
	{ NULL, 0, NULL, 0 }
};

/* A number option within [lo, hi]; -1 (a usage error) if not. */
static int
num(const char *arg, long long lo, long long hi, unsigned *out)
{
	long long	 n;

	if (strnum(arg, lo, hi, &n) != 0)
		return -1;
	*out = (unsigned)n;
	return 0;
}

static int
nf_option(int ch, const char *arg, void *d_)
{
	struct nf_opts	*o = &((struct daemon *)d_)->opts;

	switch (ch) {
	case OPT_DEVID: return num(arg, 0, 0xffffff, &o->devid);
	case OPT_TAP: o->tap = arg; return 0;
	case OPT_QUEUES: return num(arg, 1, TAP_QUEUES_MAX, &o->queues);
	case OPT_MTU: return num(arg, NF_MTU_MIN, NF_FRAME_MAX, &o->mtu);
	case OPT_NETNS: o->netns = arg; return 0;
	case OPT_NO_SG: o->sg = false; return 0;
	case OPT_NO_GSO: o->gso = false; return 0;
	case OPT_NO_CSUM: o->csum = false; return 0;
	case OPT_NO_SPLIT: o->split = false; return 0;
	}
	return -1;
}

static const struct daemon_spec spec = {
	.name = "netfront",
	.user = NULL,	/* it makes its TAP as root: docs/netfront.md */
	.longopts = nf_longopts,
	.option = nf_option,
	.usage =
	    "  --devid N           the vif: device/vif/N (default 0)\n"
	    "  --tap NAME          the TAP's name (default: the kernel's)\n"
	    "  --queues N          queues asked for, 1-8 (default 1)\n"
	    "  --mtu N             the TAP's MTU (default: the vif's mtu "
	    "key, or 1500)\n"
	    "  --netns NAME        make the TAP in /run/netns/NAME\n"
	    "  --no-sg             one page a frame (no scatter-gather)\n"
	    "  --no-gso            no TCP segmentation offload\n"
	    "  --no-csum           no checksum offload\n"
	    "  --no-split          one event channel even if two are "
	    "offered\n",
	.notes = "SIGTERM closes the vif (Closing, then Closed once the "
	    "backend let go).\n",
};

static void
on_port(evtchn_port_t port, void *arg)
{
	nf_dev_port(arg, port);
}

static json_t *
rpc_stats(void *arg)
{
	return nf_rpc_stats(&((struct daemon *)arg)->dev);
}

/* Without RPC the vif still works: logged, not fatal. */
static void
start_rpc(struct daemon *d, struct evloop *loop)
{
	struct rpc_server_opts	 o = {
		.service = "netfront", .daemon = "netfront",
		.version = SHOAL_VERSION, .methods = nf_rpc_methods,
		.arg = &d->dev, .hook_arg = d, .stats = rpc_stats,
	};

	d->rpc = daemon_rpc(&d->args, evloop_base(loop), &o);
}

/* The vif's close handshake, run on the loop SIGTERM ended. */
static void
close_vif(struct daemon *d, struct evloop *loop)
{
	struct nf_stats	 s;

	nf_dev_close(&d->dev, CLOSE_TIMEOUT_MS);
	while (!nf_dev_closed(&d->dev))
		if (event_base_loop(evloop_base(loop), EVLOOP_ONCE) == -1)
			break;
	nf_dev_stats(&d->dev, &s);
	log_info("%s closed: %llu packets out, %llu in", d->dev.ifname,
	    (unsigned long long)s.tx_packets,
	    (unsigned long long)s.rx_packets);
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
	if (evloop_add_evtchn(loop, xce, on_port, &d->dev) != 0)
		log_warnx("cannot watch event channels");
	else if (nf_dev_open(&d->dev, &d->opts, evloop_base(loop), xce, xgs,
	    err, sizeof(err)) != 0)
		log_warnx("%s", err);
	else {
		start_rpc(d, loop);
		rc = evloop_run(loop) == 0 ? 0 : 1;
		close_vif(d, loop);
		nf_dev_free(&d->dev);
	}
	rpc_server_free(d->rpc);
	d->rpc = NULL;
	evloop_free(loop);
	return rc;
}

int
main(int argc, char **argv)
{
	struct daemon		 d;
	xenevtchn_handle	*xce;
	xengntshr_handle	*xgs;
	char			 err[256];
	int			 rc;

	memset(&d, 0, sizeof(d));
	nf_opts_default(&d.opts);
	if (daemon_start(&spec, argc, argv, &d.args, &d) != 0)
		return 2;
	if (nf_opts_check(&d.opts, err, sizeof(err)) != 0) {
		log_warnx("%s", err);
		return 2;
	}
	if (d.args.check)
		return 0;
	/* Before the TAP: it is made in the namespace we are in. */
	if (d.opts.netns != NULL && nf_netns_enter(d.opts.netns) != 0)
		fatal("network namespace %s", d.opts.netns);
	if ((xce = xenevtchn_open(NULL, 0)) == NULL)
		fatal("xenevtchn_open: no event channels (neither Xen nor "
		    "xensim?)");
	if ((xgs = xengntshr_open(NULL, 0)) == NULL)
		fatal("xengntshr_open");
	rc = serve(&d, xce, xgs);
	xengntshr_close(xgs);
	xenevtchn_close(xce);
	return rc;
}
