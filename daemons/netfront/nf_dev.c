/*
 * nf_dev: a vif's TAP, queues and handshake (nf_dev.h).
 */
#include <sys/ioctl.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <linux/if_tun.h>

#include "log.h"
#include "nf_dev.h"
#include "strnum.h"
#include "xb_frontend.h"

#define QUEUES_ASKED_MAX	0xffffu	/* a backend's offer, read bounded */

/* A backend's feature flag: "1" is on, anything else off. */
static bool
be_flag(struct xb_frontend *fe, const char *key)
{
	unsigned long	 v;

	return xb_fe_read_ulong(fe, key, 1, &v) == 0 && v == 1;
}

/* The backend's features against ours: what this connection uses. */
static int
negotiate(struct nf_dev *d)
{
	const struct nf_opts	*o = &d->opts;
	struct nf_tx_offload	*off = &d->off;
	unsigned long		 max = 1;

	/* Copying into our pages is the only way to receive left. */
	if (!be_flag(d->fe, "feature-rx-copy")) {
		log_warnx("%s: the backend does not offer feature-rx-copy",
		    xb_fe_path(d->fe));
		return -1;
	}
	off->sg = o->sg && be_flag(d->fe, "feature-sg");
	off->csum4 = o->csum && !be_flag(d->fe, "feature-no-csum-offload");
	off->csum6 = o->csum && be_flag(d->fe, "feature-ipv6-csum-offload");
	off->gso4 = o->gso && off->sg && off->csum4 &&
	    be_flag(d->fe, "feature-gso-tcpv4");
	off->gso6 = o->gso && off->sg && off->csum6 &&
	    be_flag(d->fe, "feature-gso-tcpv6");
	d->split = o->split && be_flag(d->fe, "feature-split-event-channels");
	if (xb_fe_read_ulong(d->fe, "multi-queue-max-queues",
	    QUEUES_ASKED_MAX, &max) != 0 || max == 0)
		max = 1;
	d->nqueues = d->ntap < max ? d->ntap : (unsigned)max;
	log_info("%s: %u queue(s)%s, sg %d, csum %d/%d, gso %d/%d",
	    xb_fe_path(d->fe), d->nqueues, d->split ? ", split" : "",
	    off->sg, off->csum4, off->csum6, off->gso4, off->gso6);
	return 0;
}

/* What a previous connection may have written that this one does not. */
static void
keys_stale(struct xb_keys *k)
{
	static const char *const top[] = { "tx-ring-ref", "rx-ring-ref",
	    "event-channel", "event-channel-tx", "event-channel-rx",
	    "multi-queue-num-queues", NULL };
	char		 key[24];
	unsigned	 i;

	for (i = 0; top[i] != NULL; i++)
		xb_keys_rm(k, top[i]);
	for (i = 0; i < TAP_QUEUES_MAX; i++) {
		snprintf(key, sizeof(key), "queue-%u", i);
		xb_keys_rm(k, key);
	}
}

/*
 * Our features are what we take on receive, whatever the backend takes
 * from us: fragments, segments (which need the checksum left blank),
 * and checksums left blank.
 */
static void
keys_features(const struct nf_opts *o, struct xb_keys *k)
{
	bool	 gso = o->gso && o->sg && o->csum;

	xb_keys_set(k, "request-rx-copy", "1");
	xb_keys_set(k, "feature-rx-notify", "1");
	xb_keys_set(k, "feature-sg", "%d", o->sg);
	xb_keys_set(k, "feature-gso-tcpv4", "%d", gso);
	xb_keys_set(k, "feature-gso-tcpv6", "%d", gso);
	xb_keys_set(k, "feature-no-csum-offload", "%d", !o->csum);
	xb_keys_set(k, "feature-ipv6-csum-offload", "%d", o->csum);
}

static int
write_keys(struct nf_dev *d)
{
	struct xb_keys	*k;
	char		 prefix[24];
	unsigned	 i;
	int		 rc;

	if ((k = xb_keys_new()) == NULL)
		return -1;
	keys_stale(k);
	if (d->nqueues == 1)
		nf_queue_keys(&d->q[0], k, "", d->split);
	else {
		xb_keys_set(k, "multi-queue-num-queues", "%u", d->nqueues);
		for (i = 0; i < d->nqueues; i++) {
			snprintf(prefix, sizeof(prefix), "queue-%u/", i);
			nf_queue_keys(&d->q[i], k, prefix, d->split);
		}
	}
	keys_features(&d->opts, k);
	if ((rc = xb_fe_write_keys(d->fe, k)) != 0)
		log_warn("%s: writing our keys", xb_fe_path(d->fe));
	xb_keys_free(k);
	return rc;
}

static void
queues_down(struct nf_dev *d)
{
	unsigned	 i;

	for (i = 0; i < d->nqueues; i++) {
		nf_queue_teardown(&d->q[i], d->xgs);
		nf_stats_add(&d->past, &d->q[i].stats);
		memset(&d->q[i].stats, 0, sizeof(d->q[i].stats));
	}
	d->nqueues = 0;
}

/* The backend waits for us: our pages, ports and keys. */
static int
dev_connect(struct xb_frontend *fe)
{
	struct nf_dev	*d = xb_fe_arg(fe);
	unsigned	 i, be = xb_fe_backend_id(fe);

	if (negotiate(d) != 0)
		return -1;
	for (i = 0; i < d->nqueues; i++) {
		d->q[i].off = &d->off;
		if (nf_queue_share(&d->q[i], d->xgs, be) != 0 ||
		    nf_queue_bind(&d->q[i], be, d->split) != 0)
			goto fail;
	}
	if (write_keys(d) != 0)
		goto fail;
	return 0;
fail:
	queues_down(d);
	return -1;
}

/* A multi-queue TAP steers frames to every attached queue: only the
 * ones this connection uses stay attached. */
static void
tap_queues(struct nf_dev *d)
{
	struct ifreq	 ifr;
	unsigned	 i;

	if (d->ntap < 2)
		return;
	for (i = 0; i < d->ntap; i++) {
		memset(&ifr, 0, sizeof(ifr));
		ifr.ifr_flags = i < d->nqueues ? IFF_ATTACH_QUEUE :
		    IFF_DETACH_QUEUE;
		/* EINVAL: it already was. */
		if (ioctl(d->tapfd[i], TUNSETQUEUE, &ifr) == -1 &&
		    errno != EINVAL)
			log_warn("%s: queue %u", d->ifname, i);
	}
}

static void
dev_connected(struct xb_frontend *fe)
{
	struct nf_dev	*d = xb_fe_arg(fe);
	unsigned	 i;

	tap_queues(d);
	for (i = 0; i < d->nqueues; i++) {
		if (tap_dev_offload(d->tapfd[i], d->off.csum4 || d->off.csum6,
		    d->off.gso4, d->off.gso6) == -1)
			log_warn("%s: offloads", d->ifname);
		nf_rx_refill(&d->q[i]);
		if (nf_tx_start(&d->q[i]) == -1)
			log_warnx("%s: queue %u: cannot read the TAP",
			    d->ifname, i);
	}
	if (tap_dev_set_up(d->ifname, true) == -1)
		log_warn("%s: up", d->ifname);
	log_info("%s: connected to %s", d->ifname, xb_fe_backend_path(fe));
}

static void
dev_disconnect(struct xb_frontend *fe)
{
	struct nf_dev	*d = xb_fe_arg(fe);

	/* Down: the stack stops sending into a link with no carrier. */
	if (tap_dev_set_up(d->ifname, false) == -1)
		log_warn("%s: down", d->ifname);
	queues_down(d);
	log_info("%s: disconnected", d->ifname);
}

static const struct xb_frontend_ops dev_ops = {
	.connect = dev_connect,
	.connected = dev_connected,
	.disconnect = dev_disconnect,
	/* Linux's xen-netback waits for our Connected. */
	.connected_with_keys = true,
};

void
nf_dev_port(struct nf_dev *d, evtchn_port_t port)
{
	struct nf_queue	*q;
	unsigned	 i;

	for (i = 0; i < d->nqueues; i++) {
		q = &d->q[i];
		if (!q->running)
			continue;
		if (q->bound_tx && port == q->port_tx)
			nf_tx_responses(q);
		if (q->bound_tx && port == q->port_rx)
			nf_rx_responses(q);
	}
}

/* The toolstack's MAC and MTU (or ours) on the TAP, while it is down. */
static void
tap_settings(struct nf_dev *d)
{
	uint8_t		 mac[6];
	char		*v;
	long long	 mtu = d->opts.mtu;

	if ((v = xb_fe_read_own(d->fe, "mac")) == NULL ||
	    nf_parse_mac(v, mac) != 0)
		log_warnx("%s: no usable mac: the kernel's stays",
		    xb_fe_path(d->fe));
	else if (tap_dev_set_mac(d->ifname, mac) == -1)
		log_warn("%s: mac %s", d->ifname, v);
	free(v);
	if (mtu == 0 && ((v = xb_fe_read_own(d->fe, "mtu")) == NULL ||
	    strnum(v, NF_MTU_MIN, NF_FRAME_MAX, &mtu) != 0))
		mtu = NF_MTU_DEFAULT;
	free(v);
	/* Without fragments a frame (and a VLAN tag) fits one page. */
	if (!d->opts.sg && mtu > NF_PAGE - 18) {
		log_warnx("%s: mtu %lld without scatter-gather: %u",
		    d->ifname, mtu, NF_PAGE - 18);
		mtu = NF_PAGE - 18;
	}
	if (tap_dev_set_mtu(d->ifname, (unsigned)mtu) == -1)
		log_warn("%s: mtu %lld", d->ifname, mtu);
}

static void
queues_init(struct nf_dev *d)
{
	unsigned	 i;

	for (i = 0; i < d->ntap; i++) {
		d->q[i].index = i;
		d->q[i].base = d->base;
		d->q[i].xce = d->xce;
		d->q[i].tapfd = d->tapfd[i];
		d->q[i].off = &d->off;
	}
}

int
nf_dev_open(struct nf_dev *d, const struct nf_opts *o,
    struct event_base *base, xenevtchn_handle *xce, xengntshr_handle *xgs,
    char *err, size_t errlen)
{
	memset(d, 0, sizeof(*d));
	d->opts = *o;
	d->base = base;
	d->xce = xce;
	d->xgs = xgs;
	if (tap_dev_open(o->tap, o->queues, d->tapfd, d->ifname) == -1) {
		snprintf(err, errlen, "TAP %s: %s", o->tap ? o->tap : "",
		    strerror(errno));
		return -1;
	}
	d->ntap = o->queues;
	queues_init(d);
	if ((d->fe = xb_frontend_start(base, "vif", o->devid, &dev_ops, d,
	    err, errlen)) == NULL) {
		nf_dev_free(d);
		return -1;
	}
	tap_settings(d);
	log_info("%s: vif %u, backend %s", d->ifname, o->devid,
	    xb_fe_backend_path(d->fe));
	return 0;
}

void
nf_dev_close(struct nf_dev *d, unsigned timeout_ms)
{
	xb_frontend_close(d->fe, timeout_ms);
}

bool
nf_dev_closed(const struct nf_dev *d)
{
	return d->fe == NULL || xb_frontend_closed(d->fe);
}

void
nf_dev_free(struct nf_dev *d)
{
	unsigned	 i;

	xb_frontend_stop(d->fe);	/* disconnects if need be */
	d->fe = NULL;
	for (i = 0; i < d->ntap; i++) {
		if (d->q[i].tap_ev != NULL)
			event_free(d->q[i].tap_ev);
		free(d->q[i].rx_buf);
		(void)close(d->tapfd[i]);
	}
	d->ntap = 0;
}

void
nf_dev_stats(const struct nf_dev *d, struct nf_stats *s)
{
	unsigned	 i;

	*s = d->past;
	for (i = 0; i < d->nqueues; i++)
		nf_stats_add(s, &d->q[i].stats);
}
