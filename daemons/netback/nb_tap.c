/*
 * nb_tap: a vif's TAP (nb_tap.h).
 */
/* xenctrl.h first: it tells the Xen headers after it this is a tool. */
#include <xenctrl.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/if_tun.h>

#include <event2/event.h>

#include "log.h"
#include "tap_dev.h"
#include "nb_tap.h"
#include "nb_vif.h"

#define TAP_READ_BATCH	64
#define VH_LEN		sizeof(struct virtio_net_hdr)

/* The kernel's netback gives its vifs this address, so that a bridge
 * never takes it for its own. */
static const uint8_t vif_mac[6] = { 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff };

int
nb_tap_open(struct nb_vif *v)
{
	char		 name[IFNAMSIZ];
	unsigned	 n = (unsigned)v->nb->cfg->max_queues, i;
	int		 fds[NB_QUEUES_MAX];

	if (snprintf(name, sizeof(name), "vif%u.%u", v->domid, v->devid) >=
	    (int)sizeof(name)) {
		log_warnx("vif%u.%u: name too long for a TAP", v->domid,
		    v->devid);
		return -1;
	}
	if (tap_dev_open(name, n, fds, v->ifname) == -1) {
		log_warn("%s: TAP", name);
		return -1;
	}
	for (i = 0; i < n; i++)
		v->q[i].tap_fd = fds[i];
	v->ntaps = n;
	if (tap_dev_set_mac(v->ifname, vif_mac) == -1 ||
	    tap_dev_set_mtu(v->ifname, (unsigned)v->nb->cfg->mtu) == -1 ||
	    tap_dev_set_up(v->ifname, true) == -1)
		log_warn("%s: MTU, address or up", v->ifname);
	return 0;
}

static void
set_queue(struct nb_queue *q, bool attach)
{
	struct ifreq	 ifr;

	if (q->vif->ntaps <= 1)
		return;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = attach ? IFF_ATTACH_QUEUE : IFF_DETACH_QUEUE;
	if (ioctl(q->tap_fd, TUNSETQUEUE, &ifr) == -1 && errno != EINVAL)
		log_warn("%s: queue %u %s", q->vif->ifname, q->index,
		    attach ? "attach" : "detach");
}

/* What the kernel sends, read and queued for the guest. */
static void
on_readable(evutil_socket_t fd, short what, void *arg)
{
	struct nb_queue	*q = arg;
	struct nb_vif	*v = q->vif;
	struct nb_pkt	*p;
	uint8_t		*f = v->nb->frame;
	ssize_t		 n;
	int		 i;

	(void)what;
	for (i = 0; i < TAP_READ_BATCH && !q->tap_paused; i++) {
		if ((n = read(fd, f, VH_LEN + NB_FRAME_MAX)) == -1) {
			if (errno != EAGAIN && errno != EINTR)
				log_warn("%s: read", v->ifname);
			return;
		}
		if ((size_t)n < VH_LEN + NB_ETH_HLEN)
			continue;
		if ((p = nb_pkt_new((uint32_t)(n - VH_LEN))) == NULL) {
			nb_vif_drop(v, NB_DROP_NOMEM);
			continue;
		}
		memcpy(&p->vh, f, VH_LEN);
		memcpy(p->data, f + VH_LEN, p->len);
		nb_rx_queue(v, q, p);
		/* Short of the cap the kernel's own queue holds what
		 * comes (and drops past its length), not ours. */
		if (q->rxq_bytes + NB_FRAME_MAX >
		    (size_t)v->nb->cfg->rx_queue_bytes && !q->stalled) {
			event_del(q->tap_read);
			q->tap_paused = true;
		}
	}
}

void
nb_tap_resume(struct nb_queue *q)
{
	q->tap_paused = false;
	if (q->tap_read != NULL)
		event_add(q->tap_read, NULL);
}

int
nb_tap_connect(struct nb_vif *v)
{
	struct netback	*nb = v->nb;
	struct nb_queue	*q;
	bool		 csum = v->fe_csum && nb->cfg->csum;
	unsigned	 i;

	for (i = 0; i < v->ntaps; i++) {
		q = &v->q[i];
		if (i >= v->nqueues) {
			set_queue(q, false);
			continue;
		}
		if (tap_dev_offload(q->tap_fd, csum, v->fe_gso4 && csum,
		    v->fe_gso6 && csum) == -1)
			log_warn("%s: offloads", v->ifname);
		if ((q->tap_read = event_new(nb->base, q->tap_fd,
		    EV_READ | EV_PERSIST, on_readable, q)) == NULL ||
		    event_add(q->tap_read, NULL) == -1)
			return -1;
		q->tap_paused = false;
	}
	return 0;
}

void
nb_tap_disconnect(struct nb_vif *v)
{
	unsigned	 i;

	for (i = 0; i < v->ntaps; i++) {
		if (v->q[i].tap_read != NULL)
			event_free(v->q[i].tap_read);
		v->q[i].tap_read = NULL;
		if (i >= v->nqueues)
			set_queue(&v->q[i], true);
	}
}

void
nb_tap_close(struct nb_vif *v)
{
	unsigned	 i;

	nb_tap_disconnect(v);
	for (i = 0; i < v->ntaps; i++)
		(void)close(v->q[i].tap_fd);
	v->ntaps = 0;
}

void
nb_tap_write(struct nb_queue *q, struct nb_pkt *p)
{
	struct nb_vif	*v = q->vif;
	struct iovec	 iov[2];
	int		 fd = q->tap_fd;

	if (v->ntaps == 0) {
		nb_vif_drop(v, NB_DROP_OUTPUT);
		nb_pkt_free(p);
		return;
	}
	if (q->index >= v->ntaps)
		fd = v->q[0].tap_fd;
	iov[0].iov_base = &p->vh;
	iov[0].iov_len = VH_LEN;
	iov[1].iov_base = p->data;
	iov[1].iov_len = p->len;
	if (writev(fd, iov, 2) == -1)
		nb_vif_drop(v, NB_DROP_OUTPUT);
	nb_pkt_free(p);
}
