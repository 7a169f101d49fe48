/*
 * nb_switch: the learning switch between vifs and an uplink
 * (nb_switch.h).
 */
/* xenctrl.h first: it tells the Xen headers after it this is a tool. */
#include <xenctrl.h>
#include <sys/queue.h>
#include <sys/uio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "tap_dev.h"
#include "nb_switch.h"
#include "nb_vif.h"

#define VH_LEN		sizeof(struct virtio_net_hdr)
#define UPLINK_BATCH	64

struct nb_port {
	LIST_ENTRY(nb_port)	 link;
	struct nb_switch	*sw;
	struct nb_vif		*vif;		/* NULL: the uplink */
};

struct fdb_entry {
	uint8_t		 mac[6];
	bool		 used;
	struct nb_port	*port;			/* NULL: its port left */
	time_t		 seen;
};

struct nb_switch {
	struct netback		*nb;
	LIST_HEAD(, nb_port)	 ports;
	struct nb_port		 uplink;
	char			 uplink_name[IFNAMSIZ];
	int			 uplink_fd;	/* -1: none */
	struct event		*uplink_read;
	struct fdb_entry	 fdb[NB_FDB_SIZE];
	unsigned		 fdb_used;
	uint64_t		 uplink_drops;
};

static unsigned
fdb_hash(const uint8_t *mac)
{
	uint32_t	 h = 2166136261u;
	int		 i;

	for (i = 0; i < 6; i++)
		h = (h ^ mac[i]) * 16777619u;
	return h % NB_FDB_SIZE;
}

/* The entry for mac, or the empty one it would go in (NULL: full). */
static struct fdb_entry *
fdb_slot(struct nb_switch *sw, const uint8_t *mac)
{
	unsigned	 i, h = fdb_hash(mac);

	for (i = 0; i < NB_FDB_SIZE; i++) {
		struct fdb_entry *e = &sw->fdb[(h + i) % NB_FDB_SIZE];

		if (!e->used || memcmp(e->mac, mac, 6) == 0)
			return e;
	}
	return NULL;
}

static void
learn(struct nb_switch *sw, const uint8_t *src, struct nb_port *from)
{
	struct fdb_entry	*e;

	if (src[0] & 1)
		return;			/* a group is never a source */
	/* Three quarters full: someone is inventing addresses. */
	if (sw->fdb_used >= NB_FDB_SIZE / 4 * 3) {
		memset(sw->fdb, 0, sizeof(sw->fdb));
		sw->fdb_used = 0;
	}
	if ((e = fdb_slot(sw, src)) == NULL)
		return;
	if (!e->used) {
		e->used = true;
		memcpy(e->mac, src, 6);
		sw->fdb_used++;
	}
	e->port = from;
	e->seen = time(NULL);
}

static struct nb_port *
lookup(struct nb_switch *sw, const uint8_t *dst)
{
	struct fdb_entry	*e;

	if (dst[0] & 1)
		return NULL;
	e = fdb_slot(sw, dst);
	if (e == NULL || !e->used || e->port == NULL ||
	    time(NULL) - e->seen > NB_FDB_AGE_S)
		return NULL;
	return e->port;
}

static void
uplink_write(struct nb_switch *sw, struct nb_pkt *p)
{
	struct iovec	 iov[2];

	iov[0].iov_base = &p->vh;
	iov[0].iov_len = VH_LEN;
	iov[1].iov_base = p->data;
	iov[1].iov_len = p->len;
	if (writev(sw->uplink_fd, iov, 2) == -1)
		sw->uplink_drops++;
	nb_pkt_free(p);
}

static void
output(struct nb_port *to, struct nb_pkt *p)
{
	if (to->vif == NULL) {
		if (to->sw->uplink_fd == -1)
			nb_pkt_free(p);
		else
			uplink_write(to->sw, p);
	} else if (!nb_rx_wants(to->vif, p->data))
		nb_pkt_free(p);
	else
		nb_rx_queue(to->vif, NULL, p);
}

/* Every port but from: clones for all but the last. */
static void
flood(struct nb_switch *sw, struct nb_port *from, struct nb_pkt *p)
{
	struct nb_port	*port, *last = NULL;
	struct nb_pkt	*c;

	if (sw->uplink_fd != -1 && from != &sw->uplink)
		last = &sw->uplink;
	LIST_FOREACH(port, &sw->ports, link) {
		if (port == from)
			continue;
		if (last != NULL && (c = nb_pkt_clone(p)) != NULL)
			output(last, c);
		last = port;
	}
	if (last != NULL)
		output(last, p);
	else
		nb_pkt_free(p);
}

void
nb_switch_input(struct nb_port *from, struct nb_pkt *p)
{
	struct nb_switch	*sw = from->sw;
	struct nb_port		*to;

	learn(sw, p->data + 6, from);
	if ((to = lookup(sw, p->data)) == NULL)
		flood(sw, from, p);
	else if (to == from)
		nb_pkt_free(p);		/* it is already there */
	else
		output(to, p);
}

static void
uplink_readable(evutil_socket_t fd, short what, void *arg)
{
	struct nb_switch	*sw = arg;
	struct nb_pkt		*p;
	uint8_t			*f = sw->nb->frame;
	ssize_t			 n;
	int			 i;

	(void)what;
	for (i = 0; i < UPLINK_BATCH; i++) {
		if ((n = read(fd, f, VH_LEN + NB_FRAME_MAX)) == -1) {
			if (errno != EAGAIN && errno != EINTR)
				log_warn("%s: read", sw->uplink_name);
			return;
		}
		if ((size_t)n < VH_LEN + NB_ETH_HLEN ||
		    (p = nb_pkt_new((uint32_t)(n - VH_LEN))) == NULL)
			continue;
		memcpy(&p->vh, f, VH_LEN);
		memcpy(p->data, f + VH_LEN, p->len);
		nb_switch_input(&sw->uplink, p);
	}
}

static int
uplink_open(struct nb_switch *sw, const char *name)
{
	if (tap_dev_open(name, 1, &sw->uplink_fd, sw->uplink_name) == -1) {
		log_warn("uplink %s", name);
		return -1;
	}
	/* The guests take GSO frames; one that does not has them
	 * dropped as too big, and counted (docs/netback.md). */
	if (tap_dev_offload(sw->uplink_fd, true, true, true) == -1 ||
	    tap_dev_set_mtu(sw->uplink_name,
	    (unsigned)sw->nb->cfg->mtu) == -1 ||
	    tap_dev_set_up(sw->uplink_name, true) == -1)
		log_warn("uplink %s: offloads, MTU or up", name);
	sw->uplink_read = event_new(sw->nb->base, sw->uplink_fd,
	    EV_READ | EV_PERSIST, uplink_readable, sw);
	if (sw->uplink_read == NULL || event_add(sw->uplink_read, NULL) == -1)
		return -1;
	return 0;
}

struct nb_switch *
nb_switch_new(struct netback *nb, const char *uplink)
{
	struct nb_switch	*sw;

	if ((sw = calloc(1, sizeof(*sw))) == NULL)
		return NULL;
	sw->nb = nb;
	LIST_INIT(&sw->ports);
	sw->uplink.sw = sw;
	sw->uplink_fd = -1;
	if (uplink != NULL && uplink[0] != '\0' &&
	    uplink_open(sw, uplink) == -1) {
		nb_switch_free(sw);
		return NULL;
	}
	return sw;
}

void
nb_switch_free(struct nb_switch *sw)
{
	if (sw == NULL)
		return;
	if (sw->uplink_read != NULL)
		event_free(sw->uplink_read);
	if (sw->uplink_fd != -1)
		(void)close(sw->uplink_fd);
	free(sw);
}

struct nb_port *
nb_switch_attach(struct nb_switch *sw, struct nb_vif *v)
{
	struct nb_port	*port;

	if ((port = calloc(1, sizeof(*port))) == NULL)
		return NULL;
	port->sw = sw;
	port->vif = v;
	LIST_INSERT_HEAD(&sw->ports, port, link);
	return port;
}

void
nb_switch_detach(struct nb_port *port)
{
	struct nb_switch	*sw = port->sw;
	unsigned		 i;

	for (i = 0; i < NB_FDB_SIZE; i++)
		if (sw->fdb[i].port == port)
			sw->fdb[i].port = NULL;
	LIST_REMOVE(port, link);
	free(port);
}
