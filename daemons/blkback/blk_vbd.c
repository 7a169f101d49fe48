/*
 * blk_vbd: vbds through the xenbus handshake, their backing files, rings
 * and event channels (blk_vbd.h).
 */
/* xenctrl.h first: it tells the Xen headers after it this is a tool. */
#include <xenctrl.h>
#include <sys/mman.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <xen/io/protocols.h>

#include "evloop.h"
#include "log.h"
#include "xb_backend.h"
#include "xb_copy.h"
#include "blk_vbd.h"

/* One round's copies: 32 requests of at most 256 segments. */
#define COPY_BATCH	(32 * BLK_SEGS_MAX)

static const struct blk_io_ops io_ops = {
	.done = blk_ring_done,
	.batch_end = blk_ring_batch_end,
};

void
blk_vbd_fail(struct blk_vbd *v, const char *why)
{
	v->st.ring_errors++;
	v->broken = true;
	log_warnx("%s %u/%u: %s: shut until the guest connects again",
	    v->type->name, v->domid, v->devid, why);
	(void)xb_dev_write(v->dev, "error", "%s", why);
}

/* ---- event channels ------------------------------------------------ */


static void
on_evtchn(evtchn_port_t port, void *arg)
{
	struct blkback		*bb = arg;
	struct blk_queue	*q;

	if ((q = xb_ports_get(&bb->ports, port)) != NULL)
		blk_ring_run(q);
}

static void
on_again(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	blk_ring_run(arg);
}

/* ---- the backing file ---------------------------------------------- */

/*
 * The path in the toolstack's "params".  libxl writes a vbd's
 * (backendtype=phy) as the path alone, a qdisk's as FORMAT:PATH, "aio"
 * being its raw format; only raw disks are served.  NULL with why.
 */
static char *
params_path(const char *type, const char *params, const char **why)
{
	const char	*colon = strchr(params, ':');
	size_t		 flen;

	if (strcmp(type, "qdisk") == 0 && colon != NULL) {
		flen = (size_t)(colon - params);
		if (!((flen == 3 && strncmp(params, "aio", 3) == 0) ||
		    (flen == 3 && strncmp(params, "raw", 3) == 0))) {
			*why = "params: only raw disks (aio:PATH) are served";
			return NULL;
		}
		params = colon + 1;
	}
	if (params[0] != '/') {
		*why = "params: not an absolute path (an empty drive?)";
		return NULL;
	}
	return strdup(params);
}

/* Our own key as a flag: "1", or mode "w"; absent is def. */
static bool
own_flag(struct xb_dev *dev, const char *key, const char *yes, bool def)
{
	char	*s;
	bool	 on;

	if ((s = xb_dev_read_own(dev, key)) == NULL)
		return def;
	on = strncmp(s, yes, strlen(yes)) == 0;
	free(s);
	return on;
}

/* The backing file opened, the disk described; NULL, or why not. */
static const char *
open_disk(struct blk_vbd *v)
{
	const struct blk_config	*c = v->bb->cfg;
	struct blk_io_params	 p;
	const char		*why = NULL;
	char			*params, err[256];
	static char		 msg[300];

	if ((params = xb_dev_read_own(v->dev, "params")) == NULL)
		return "no params";
	v->path = params_path(v->type->name, params, &why);
	free(params);
	if (v->path == NULL)
		return why != NULL ? why : "out of memory";
	/* A toolstack that says nothing gets a read-only disk. */
	v->disk.readonly = !own_flag(v->dev, "mode", "w", false);
	v->cdrom = own_flag(v->dev, "device-type", "cdrom", false);
	memset(&p, 0, sizeof(p));
	p.path = v->path;
	p.readonly = v->disk.readonly;
	p.direct = c->direct_io;
	p.sector_size = (unsigned)c->sector_size;
	p.depth = (unsigned)c->max_inflight;
	if ((v->io = blk_io_open(v->bb->base, &p, &io_ops, v, err,
	    sizeof(err))) == NULL) {
		snprintf(msg, sizeof(msg), "%.290s", err);
		return msg;
	}
	v->disk.sectors = blk_io_size(v->io) / BLK_SECTOR;
	v->disk.sector_size = blk_io_sector_size(v->io);
	v->disk.flush = c->flush;
	v->disk.discard = c->discard && !v->disk.readonly &&
	    blk_io_can_discard(v->io) &&
	    own_flag(v->dev, "discard-enable", "1", true);
	v->disk.max_indirect = (unsigned)c->max_indirect;
	return NULL;
}

/* ---- the handshake ------------------------------------------------- */

static int
write_features(struct blk_vbd *v)
{
	const struct blk_config	*c = v->bb->cfg;
	struct xb_dev		*d = v->dev;
	unsigned		 info = 0;
	int			 rc = 0;

	if (v->disk.readonly)
		info |= VDISK_READONLY;
	if (v->cdrom)
		info |= VDISK_CDROM | VDISK_REMOVABLE;
	rc |= xb_dev_write(d, "feature-flush-cache", "%d", v->disk.flush);
	rc |= xb_dev_write(d, "feature-barrier", "0");
	rc |= xb_dev_write(d, "feature-persistent", "0");
	rc |= xb_dev_write(d, "feature-discard", "%d", v->disk.discard);
	if (v->disk.discard) {
		rc |= xb_dev_write(d, "discard-granularity", "%u",
		    v->disk.sector_size);
		rc |= xb_dev_write(d, "discard-alignment", "0");
		rc |= xb_dev_write(d, "discard-secure", "0");
	}
	/* Absent, not 0, when indirect requests are not served (blkif). */
	if (v->disk.max_indirect > 0)
		rc |= xb_dev_write(d, "feature-max-indirect-segments", "%u",
		    v->disk.max_indirect);
	rc |= xb_dev_write(d, "max-ring-page-order", "%d", c->max_ring_order);
	rc |= xb_dev_write(d, "multi-queue-max-queues", "%d", c->max_queues);
	rc |= xb_dev_write(d, "sector-size", "%u", v->disk.sector_size);
	rc |= xb_dev_write(d, "physical-sector-size", "%u",
	    v->disk.sector_size);
	/* blkif's sectors are 512 bytes, whatever sector-size says. */
	rc |= xb_dev_write(d, "sectors", "%llu",
	    (unsigned long long)v->disk.sectors);
	rc |= xb_dev_write(d, "info", "%u", info);
	return rc == 0 ? 0 : -1;
}

static void
vbd_free(struct blk_vbd *v)
{
	blk_io_close(v->io);
	free(v->path);
	free(v);
}

static int
probe(struct xb_dev *dev)
{
	struct blk_type	*t = xb_dev_arg(dev);
	struct blk_vbd	*v;
	const char	*why;
	unsigned	 i;

	if ((v = calloc(1, sizeof(*v))) == NULL)
		return -1;
	v->bb = t->bb;
	v->type = t;
	v->dev = dev;
	v->domid = xb_dev_frontend_id(dev);
	v->devid = xb_dev_id(dev);
	TAILQ_INIT(&v->free);
	TAILQ_INIT(&v->done);
	for (i = 0; i < BLK_QUEUES_MAX; i++) {
		v->q[i].vbd = v;
		v->q[i].index = i;
	}
	if ((why = open_disk(v)) != NULL) {
		log_warnx("%s %u/%u: refused: %s", t->name, v->domid,
		    v->devid, why);
		(void)xb_dev_write(dev, "error", "%s", why);
		vbd_free(v);
		return -1;
	}
	if (write_features(v) != 0)
		log_warn("%s %u/%u: features", t->name, v->domid, v->devid);
	xb_dev_set_data(dev, v);
	LIST_INSERT_HEAD(&v->bb->vbds, v, link);
	log_info("%s %u/%u: %s, %llu sectors of 512 (%u-byte disk sectors)"
	    "%s", t->name, v->domid, v->devid, v->path,
	    (unsigned long long)v->disk.sectors, v->disk.sector_size,
	    v->disk.readonly ? ", read-only" : "");
	return 0;
}

static int
refuse(struct blk_vbd *v, const char *why)
{
	log_warnx("%s %u/%u: refused: %s", v->type->name, v->domid,
	    v->devid, why);
	(void)xb_dev_write(v->dev, "error", "%s", why);
	return -1;
}

/* The queue's ring pages: "ring-ref" for one, "ring-refN" for more. */
static const char *
map_ring(struct blk_queue *q, const char *prefix)
{
	struct blk_vbd	*v = q->vbd;
	uint32_t	 refs[1u << BLK_RING_ORDER_MAX];
	unsigned long	 ref;
	char		 key[24];
	unsigned	 i;
	RING_IDX	 at;

	q->npages = 1u << v->ring_order;
	for (i = 0; i < q->npages; i++) {
		if (v->ring_order == 0)
			snprintf(key, sizeof(key), "ring-ref");
		else
			snprintf(key, sizeof(key), "ring-ref%u", i);
		if (xb_dev_read_ulong_in(v->dev, prefix, key, UINT32_MAX,
		    &ref) != 0)
			return "no ring-ref";
		refs[i] = (uint32_t)ref;
	}
	if ((q->sring = xengnttab_map_domain_grant_refs(v->bb->xgt,
	    q->npages, v->domid, refs, PROT_READ | PROT_WRITE)) == NULL)
		return "cannot map the ring";
	/*
	 * Taken up where the responses stand: a frontend still Connected
	 * when blkback starts again keeps its ring (see netback's
	 * attach_rings).  A hostile rsp_prod only moves where we start.
	 */
	at = __atomic_load_n(&((blkif_sring_t *)q->sring)->rsp_prod,
	    __ATOMIC_RELAXED);
	BACK_RING_ATTACH(&q->ring, (blkif_sring_t *)q->sring, at,
	    XB_PAGE_SIZE * q->npages);
	return NULL;
}

static const char *
queue_up(struct blk_queue *q, const char *prefix)
{
	struct blkback		*bb = q->vbd->bb;
	unsigned long		 remote;
	xenevtchn_port_or_error_t p;
	const char		*why;

	if ((q->again = event_new(bb->base, -1, 0, on_again, q)) == NULL)
		return "out of memory";
	if (xb_dev_read_ulong_in(q->vbd->dev, prefix, "event-channel",
	    XB_PORTS_MAX, &remote) != 0)
		return "no event-channel";
	if ((why = map_ring(q, prefix)) != NULL)
		return why;
	if ((p = xenevtchn_bind_interdomain(bb->xce, q->vbd->domid,
	    (evtchn_port_t)remote)) < 0)
		return "cannot bind event-channel";
	q->port = (evtchn_port_t)p;
	q->bound = true;
	if (xb_ports_set(&bb->ports, q->port, q) == -1)
		return "out of memory";
	return NULL;
}

static void
queue_down(struct blk_queue *q)
{
	struct blkback	*bb = q->vbd->bb;

	if (q->bound) {
		(void)xb_ports_set(&bb->ports, q->port, NULL);
		(void)xenevtchn_unbind(bb->xce, q->port);
		q->bound = false;
	}
	if (q->sring != NULL)
		(void)xengnttab_unmap(bb->xgt, q->sring, q->npages);
	q->sring = NULL;
	if (q->again != NULL)
		event_free(q->again);
	q->again = NULL;
	q->waiting = false;
}

/* Native requests only: a 32-bit guest's are laid out otherwise. */
static const char *
check_protocol(struct blk_vbd *v)
{
	char		*proto;
	const char	*why = NULL;

	if ((proto = xb_dev_read(v->dev, "protocol")) == NULL)
		return NULL;
	if (strcmp(proto, XEN_IO_PROTO_ABI_NATIVE) != 0)
		why = "protocol: only the native ABI (" XEN_IO_PROTO_ABI_NATIVE
		    ") is served";
	free(proto);
	return why;
}

/*
 * The frontend's number, def if it wrote none; -1 if it wrote one that
 * is not a number within [0, max] (refused, not taken as absent).
 */
static int
fe_number(struct blk_vbd *v, const char *key, unsigned long max,
    unsigned long def, unsigned long *out)
{
	char	*s;

	if ((s = xb_dev_read(v->dev, key)) == NULL) {
		*out = def;
		return 0;
	}
	free(s);
	return xb_dev_read_ulong(v->dev, key, max, out);
}

static int
make_pool(struct blk_vbd *v)
{
	unsigned	 i, n = (unsigned)v->bb->cfg->max_inflight;

	/* No more than the file takes at once, whatever a reload says. */
	if (n > blk_io_depth(v->io))
		n = blk_io_depth(v->io);
	if ((v->pool = calloc(n, sizeof(*v->pool))) == NULL)
		return -1;
	v->npool = n;
	for (i = 0; i < n; i++)
		TAILQ_INSERT_TAIL(&v->free, &v->pool[i], link);
	v->nfree = n;
	return 0;
}

static void disconnect(struct xb_dev *);

static int
connect_fe(struct xb_dev *dev)
{
	struct blk_vbd		*v = xb_dev_data(dev);
	const struct blk_config	*c = v->bb->cfg;
	unsigned long		 nq, order;
	const char		*err;
	char			 prefix[32] = "";
	unsigned		 i;

	if ((err = check_protocol(v)) != NULL)
		return refuse(v, err);
	if (fe_number(v, "multi-queue-num-queues", BLK_QUEUES_MAX, 1,
	    &nq) != 0 || nq == 0 || nq > (unsigned long)c->max_queues)
		return refuse(v, "multi-queue-num-queues out of range");
	if (fe_number(v, "ring-page-order", BLK_RING_ORDER_MAX, 0,
	    &order) != 0 || order > (unsigned long)c->max_ring_order)
		return refuse(v, "ring-page-order out of range");
	v->nqueues = (unsigned)nq;
	v->ring_order = (unsigned)order;
	v->connected = true;		/* disconnect() undoes what is up */
	err = make_pool(v) == -1 ? "out of memory" : NULL;
	for (i = 0; i < v->nqueues && err == NULL; i++) {
		if (v->nqueues > 1)
			(void)snprintf(prefix, sizeof(prefix), "queue-%u/", i);
		err = queue_up(&v->q[i], prefix);
	}
	if (err != NULL) {
		disconnect(dev);
		return refuse(v, err);
	}
	v->broken = false;
	for (i = 0; i < v->nqueues; i++)
		event_active(v->q[i].again, EV_TIMEOUT, 0);
	log_info("%s %u/%u: connected, %u queue%s of %u page%s",
	    v->type->name, v->domid, v->devid, v->nqueues,
	    v->nqueues == 1 ? "" : "s", 1u << v->ring_order,
	    v->ring_order == 0 ? "" : "s");
	return 0;
}

static void
disconnect(struct xb_dev *dev)
{
	struct blk_vbd	*v = xb_dev_data(dev);
	unsigned	 i;

	/* Not connected from here: what the file still answers is only
	 * freed, never copied into the guest's pages. */
	v->connected = false;
	blk_io_drain(v->io);
	for (i = 0; i < BLK_QUEUES_MAX; i++)
		queue_down(&v->q[i]);
	TAILQ_INIT(&v->free);
	TAILQ_INIT(&v->done);
	blk_ring_free(v);
	free(v->pool);
	v->pool = NULL;
	v->npool = v->nfree = 0;
	v->nqueues = 0;
	log_info("%s %u/%u: disconnected", v->type->name, v->domid,
	    v->devid);
}

static void
remove_dev(struct xb_dev *dev)
{
	struct blk_vbd	*v = xb_dev_data(dev);

	LIST_REMOVE(v, link);
	log_info("%s %u/%u: gone", v->type->name, v->domid, v->devid);
	vbd_free(v);
}

static const struct xb_backend_ops ops = {
	.probe = probe,
	.connect = connect_fe,
	.disconnect = disconnect,
	.remove = remove_dev,
};

static int
start_type(struct blkback *bb, struct blk_type *t, const char *name)
{
	char	 err[256];

	t->bb = bb;
	t->name = name;
	if ((t->xb = xb_backend_start(bb->base, name, &ops, t, err,
	    sizeof(err))) == NULL) {
		log_warnx("%s", err);
		return -1;
	}
	return 0;
}

int
blkback_start(struct blkback *bb)
{
	LIST_INIT(&bb->vbds);
	if ((bb->copy = xb_copy_new(bb->xgt, COPY_BATCH)) == NULL) {
		log_warnx("out of memory");
		return -1;
	}
	if (evloop_add_evtchn(bb->loop, bb->xce, on_evtchn, bb) == -1) {
		log_warnx("cannot watch event channels");
		return -1;
	}
	if (bb->cfg->types.vbd && start_type(bb, &bb->types[0], "vbd") == -1)
		return -1;
	if (bb->cfg->types.qdisk &&
	    start_type(bb, &bb->types[1], "qdisk") == -1)
		return -1;
	return 0;
}

void
blkback_stop(struct blkback *bb)
{
	unsigned	 i;

	for (i = 0; i < 2; i++) {
		if (bb->types[i].xb != NULL)
			xb_backend_stop(bb->types[i].xb);
		bb->types[i].xb = NULL;
	}
	xb_copy_free(bb->copy);
	bb->copy = NULL;
	xb_ports_free(&bb->ports);
}

/* SIGHUP: features and limits apply at each vbd's next probe or
 * connect (a guest's were agreed at its handshake). */
void
blkback_reconfigure(struct blkback *bb, const struct blk_config *c)
{
	bb->cfg = c;
}
