/*
 * nb_vif: vifs through the xenbus handshake, their rings and event
 * channels (nb_vif.h).
 */
/* xenctrl.h first: it tells the Xen headers after it this is a tool. */
#include <xenctrl.h>
#include <sys/mman.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "evloop.h"
#include "log.h"
#include "xb_backend.h"
#include "xb_copy.h"
#include "xb_ports.h"
#include "nb_switch.h"
#include "nb_tap.h"
#include "nb_vif.h"

/* One round's copies: a TX round's 64 packets of 18 slots at most. */
#define COPY_BATCH	(64 * NB_TX_DATA_SLOTS_MAX)

void
nb_vif_drop(struct nb_vif *v, enum nb_drop why)
{
	if ((unsigned)why < NB_DROP_COUNT)
		v->st.drops[why]++;
}

void
nb_vif_fail(struct nb_vif *v, const char *why)
{
	unsigned	 i;

	v->st.ring_errors++;
	v->broken = true;
	for (i = 0; i < v->nqueues; i++)
		nb_rx_flush(&v->q[i]);
	log_warnx("vif%u.%u: %s: shut until the guest connects again",
	    v->domid, v->devid, why);
	(void)xb_dev_write(v->dev, "error", "%s", why);
}

struct nb_vif *
netback_find(struct netback *nb, unsigned domid, unsigned devid)
{
	struct nb_vif	*v;

	LIST_FOREACH(v, &nb->vifs, link)
		if (v->domid == domid && v->devid == devid)
			return v;
	return NULL;
}

/* ---- event channels ------------------------------------------------ */


static void
on_evtchn(evtchn_port_t port, void *arg)
{
	struct netback	*nb = arg;
	struct nb_queue	*q;

	if ((q = xb_ports_get(&nb->ports, port)) == NULL)
		return;
	if (port == q->port_tx)
		nb_tx_run(q);
	if (port == q->port_rx)
		nb_rx_run(q);
}

/* Binds the guest's port; ours in *local.  0, or -1 (errno). */
static int
bind_port(struct nb_queue *q, unsigned long remote, evtchn_port_t *local)
{
	struct netback	*nb = q->vif->nb;
	xenevtchn_port_or_error_t p;

	if ((p = xenevtchn_bind_interdomain(nb->xce, q->vif->domid,
	    (evtchn_port_t)remote)) < 0)
		return -1;
	*local = (evtchn_port_t)p;
	if (xb_ports_set(&nb->ports, *local, q) == -1) {
		(void)xenevtchn_unbind(nb->xce, *local);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/* ---- queues -------------------------------------------------------- */

static void
on_tx_again(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	nb_tx_run(arg);
}

static void
on_rx_kick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	nb_rx_run(arg);
}

static void
on_stall(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	nb_rx_stalled(arg);
}

static int
queue_events(struct nb_queue *q)
{
	struct event_base *base = q->vif->nb->base;

	q->tx_again = event_new(base, -1, 0, on_tx_again, q);
	q->rx_kick = event_new(base, -1, 0, on_rx_kick, q);
	q->stall = evtimer_new(base, on_stall, q);
	return q->tx_again && q->rx_kick && q->stall ? 0 : -1;
}

static void *
map_ring(struct nb_vif *v, unsigned long ref)
{
	return xengnttab_map_grant_ref(v->nb->xgt, v->domid,
	    (uint32_t)ref, PROT_READ | PROT_WRITE);
}

static void
queue_down(struct nb_queue *q)
{
	struct netback	*nb = q->vif->nb;

	nb_rx_flush(q);
	q->stalled = false;
	if (q->bound) {
		(void)xb_ports_set(&nb->ports, q->port_tx, NULL);
		(void)xenevtchn_unbind(nb->xce, q->port_tx);
		if (q->port_rx != q->port_tx) {
			(void)xb_ports_set(&nb->ports, q->port_rx, NULL);
			(void)xenevtchn_unbind(nb->xce, q->port_rx);
		}
		q->bound = false;
	}
	if (q->tx_page != NULL)
		(void)xengnttab_unmap(nb->xgt, q->tx_page, 1);
	if (q->rx_page != NULL)
		(void)xengnttab_unmap(nb->xgt, q->rx_page, 1);
	q->tx_page = q->rx_page = NULL;
	if (q->tx_again != NULL)
		event_free(q->tx_again);
	if (q->rx_kick != NULL)
		event_free(q->rx_kick);
	if (q->stall != NULL)
		event_free(q->stall);
	q->tx_again = q->rx_kick = q->stall = NULL;
}

/*
 * Taken up where the responses stand, not at 0: a frontend still
 * Connected when a netback is started again keeps its rings, and every
 * request before the last response was answered by the netback before
 * (it answers a round's requests before it takes more).  A hostile
 * rsp_prod only moves where we start; XB_RING_REQ_PROD still bounds
 * what we read from there.
 */
static void
attach_rings(struct nb_queue *q)
{
	netif_tx_sring_t	*txs = q->tx_page;
	netif_rx_sring_t	*rxs = q->rx_page;
	RING_IDX		 tx_at, rx_at;

	tx_at = __atomic_load_n(&txs->rsp_prod, __ATOMIC_RELAXED);
	rx_at = __atomic_load_n(&rxs->rsp_prod, __ATOMIC_RELAXED);
	BACK_RING_ATTACH(&q->tx, txs, tx_at, XB_PAGE_SIZE);
	BACK_RING_ATTACH(&q->rx, rxs, rx_at, XB_PAGE_SIZE);
}

/* One queue's rings mapped and channels bound; NULL, or what failed. */
static const char *
queue_up(struct nb_queue *q, const char *prefix)
{
	struct nb_vif	*v = q->vif;
	struct xb_dev	*d = v->dev;
	unsigned long	 txref, rxref, tx_port, rx_port;

	if (xb_dev_read_ulong_in(d, prefix, "tx-ring-ref", UINT32_MAX,
	    &txref) != 0 || xb_dev_read_ulong_in(d, prefix, "rx-ring-ref",
	    UINT32_MAX, &rxref) != 0)
		return "no tx-ring-ref or rx-ring-ref";
	if (v->nb->cfg->split_evtchn && xb_dev_read_ulong_in(d, prefix,
	    "event-channel-tx", XB_PORTS_MAX, &tx_port) == 0) {
		if (xb_dev_read_ulong_in(d, prefix, "event-channel-rx",
		    XB_PORTS_MAX, &rx_port) != 0)
			return "event-channel-tx without event-channel-rx";
	} else if (xb_dev_read_ulong_in(d, prefix, "event-channel",
	    XB_PORTS_MAX, &tx_port) == 0)
		rx_port = tx_port;
	else
		return "no event-channel";
	if (queue_events(q) == -1)
		return "out of memory";
	if ((q->tx_page = map_ring(v, txref)) == NULL ||
	    (q->rx_page = map_ring(v, rxref)) == NULL)
		return "cannot map tx-ring-ref or rx-ring-ref";
	attach_rings(q);
	if (bind_port(q, tx_port, &q->port_tx) == -1)
		return "cannot bind event-channel";
	q->port_rx = q->port_tx;
	q->bound = true;
	if (rx_port != tx_port && bind_port(q, rx_port, &q->port_rx) == -1) {
		q->port_rx = q->port_tx;
		return "cannot bind event-channel-rx";
	}
	return NULL;
}

/* ---- the handshake ------------------------------------------------- */

static bool
fe_flag(struct nb_vif *v, const char *key)
{
	unsigned long	 x;

	return xb_dev_read_ulong(v->dev, key, 1, &x) == 0 && x == 1;
}

static int
probe(struct xb_dev *dev)
{
	struct netback		*nb = xb_dev_arg(dev);
	const struct nb_config	*c = nb->cfg;
	struct nb_vif		*v;
	unsigned		 i;

	if ((v = calloc(1, sizeof(*v))) == NULL)
		return -1;
	v->nb = nb;
	v->dev = dev;
	v->domid = xb_dev_frontend_id(dev);
	v->devid = xb_dev_id(dev);
	for (i = 0; i < NB_QUEUES_MAX; i++) {
		v->q[i].vif = v;
		v->q[i].index = i;
		v->q[i].tap_fd = -1;
		TAILQ_INIT(&v->q[i].rxq);
	}
	if (c->switched ? (v->port = nb_switch_attach(nb->sw, v)) == NULL :
	    nb_tap_open(v) == -1) {
		free(v);
		return -1;
	}
	if (xb_dev_write(dev, "feature-rx-copy", "1") != 0 ||
	    xb_dev_write(dev, "feature-rx-flip", "0") != 0 ||
	    xb_dev_write(dev, "feature-sg", "%d", c->sg) != 0 ||
	    xb_dev_write(dev, "feature-gso-tcpv4", "%d", c->gso) != 0 ||
	    xb_dev_write(dev, "feature-gso-tcpv6", "%d", c->gso) != 0 ||
	    xb_dev_write(dev, "feature-ipv6-csum-offload", "%d",
	    c->csum) != 0 ||
	    xb_dev_write(dev, "feature-multicast-control", "%d",
	    c->mcast_ctrl) != 0 ||
	    xb_dev_write(dev, "feature-dynamic-multicast-control", "%d",
	    c->mcast_ctrl) != 0 ||
	    xb_dev_write(dev, "feature-split-event-channels", "%d",
	    c->split_evtchn) != 0 ||
	    xb_dev_write(dev, "multi-queue-max-queues", "%d",
	    c->max_queues) != 0)
		log_warn("vif%u.%u: features", v->domid, v->devid);
	xb_dev_set_data(dev, v);
	LIST_INSERT_HEAD(&nb->vifs, v, link);
	log_info("vif%u.%u: found%s%s", v->domid, v->devid,
	    v->ntaps ? ", TAP " : ", a switch port", v->ifname);
	return 0;
}

static void
read_features(struct nb_vif *v)
{
	const struct nb_config	*c = v->nb->cfg;

	v->fe_sg = c->sg && fe_flag(v, "feature-sg");
	v->fe_gso4 = c->gso && v->fe_sg && fe_flag(v, "feature-gso-tcpv4");
	v->fe_gso6 = c->gso && v->fe_sg && fe_flag(v, "feature-gso-tcpv6");
	v->fe_csum = c->csum && !fe_flag(v, "feature-no-csum-offload");
	v->fe_csum6 = v->fe_csum && fe_flag(v, "feature-ipv6-csum-offload");
	v->fe_mcast_ctrl = c->mcast_ctrl &&
	    fe_flag(v, "request-multicast-control");
	v->nmcast = 0;
}

static int
refuse(struct nb_vif *v, const char *why)
{
	log_warnx("vif%u.%u: refused: %s", v->domid, v->devid, why);
	(void)xb_dev_write(v->dev, "error", "%s", why);
	return -1;
}

static void disconnect(struct xb_dev *);

static int
connect_fe(struct xb_dev *dev)
{
	struct nb_vif	*v = xb_dev_data(dev);
	unsigned long	 nq = 1;
	const char	*err = NULL;
	char		 prefix[32] = "";
	unsigned	 i;

	if (!fe_flag(v, "request-rx-copy"))
		return refuse(v, "the frontend does not ask for rx-copy, the "
		    "one receive mode served");
	if (xb_dev_read_ulong(v->dev, "multi-queue-num-queues",
	    NB_QUEUES_MAX, &nq) == 0 &&
	    (nq == 0 || nq > (unsigned long)v->nb->cfg->max_queues))
		return refuse(v, "multi-queue-num-queues out of range");
	read_features(v);
	v->nqueues = (unsigned)nq;
	v->connected = true;		/* disconnect() undoes what is up */
	for (i = 0; i < v->nqueues && err == NULL; i++) {
		if (v->nqueues > 1)
			(void)snprintf(prefix, sizeof(prefix), "queue-%u/", i);
		err = queue_up(&v->q[i], prefix);
	}
	if (err == NULL && v->ntaps > 0 && nb_tap_connect(v) == -1)
		err = "cannot read the TAP";
	if (err != NULL) {
		disconnect(dev);
		return refuse(v, err);
	}
	v->broken = false;
	for (i = 0; i < v->nqueues; i++) {
		event_active(v->q[i].tx_again, EV_TIMEOUT, 0);
		event_active(v->q[i].rx_kick, EV_TIMEOUT, 0);
	}
	log_info("vif%u.%u: connected, %u queue%s%s%s%s", v->domid, v->devid,
	    v->nqueues, v->nqueues == 1 ? "" : "s", v->fe_sg ? ", sg" : "",
	    v->fe_gso4 || v->fe_gso6 ? ", gso" : "",
	    v->fe_csum ? ", csum" : "");
	return 0;
}

static void
disconnect(struct xb_dev *dev)
{
	struct nb_vif	*v = xb_dev_data(dev);
	unsigned	 i;

	if (v->ntaps > 0)
		nb_tap_disconnect(v);
	for (i = 0; i < NB_QUEUES_MAX; i++)
		queue_down(&v->q[i]);
	v->connected = false;
	v->nqueues = 0;
	log_info("vif%u.%u: disconnected", v->domid, v->devid);
}

static void
remove_dev(struct xb_dev *dev)
{
	struct nb_vif	*v = xb_dev_data(dev);

	if (v->ntaps > 0)
		nb_tap_close(v);
	if (v->port != NULL)
		nb_switch_detach(v->port);
	LIST_REMOVE(v, link);
	log_info("vif%u.%u: gone", v->domid, v->devid);
	free(v);
}

static const struct xb_backend_ops ops = {
	.probe = probe,
	.connect = connect_fe,
	.disconnect = disconnect,
	.remove = remove_dev,
};

int
netback_start(struct netback *nb)
{
	char	 err[256];

	LIST_INIT(&nb->vifs);
	if ((nb->frame = malloc(sizeof(struct virtio_net_hdr) +
	    NB_FRAME_MAX)) == NULL ||
	    (nb->copy = xb_copy_new(nb->xgt, COPY_BATCH)) == NULL) {
		log_warnx("out of memory");
		return -1;
	}
	if (nb->cfg->switched &&
	    (nb->sw = nb_switch_new(nb, nb->cfg->uplink)) == NULL)
		return -1;
	if (evloop_add_evtchn(nb->loop, nb->xce, on_evtchn, nb) == -1) {
		log_warnx("cannot watch event channels");
		return -1;
	}
	if ((nb->xb = xb_backend_start(nb->base, "vif", &ops, nb, err,
	    sizeof(err))) == NULL) {
		log_warnx("%s", err);
		return -1;
	}
	return 0;
}

void
netback_stop(struct netback *nb)
{
	if (nb->xb != NULL)
		xb_backend_stop(nb->xb);
	nb->xb = NULL;
	nb_switch_free(nb->sw);
	nb->sw = NULL;
	xb_copy_free(nb->copy);
	nb->copy = NULL;
	xb_ports_free(&nb->ports);
	free(nb->frame);
	nb->frame = NULL;
}

/* SIGHUP: limits apply at once; features and mode at the next connect
 * (a guest's features were agreed at its handshake). */
void
netback_reconfigure(struct netback *nb, const struct nb_config *c)
{
	nb->cfg = c;
}
