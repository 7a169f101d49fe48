/*
 * bf_dev: a vbd's handshake, its disk and its queues (bf_dev.h).
 */
/* xenctrl.h first: it tells the Xen headers after it this is a tool. */
#include <xenctrl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <xen/io/protocols.h>

#include "bf_dev.h"
#include "log.h"
#include "xb_frontend.h"

#define OFFER_MAX	0xffffu		/* a backend's offer, read bounded */
/* 2^50 sectors of 512 bytes: a size that cannot wrap in bytes. */
#define SECTORS_MAX	(1ull << 50)

/* A backend's flag: "1" is on; absent, anything else, off. */
static bool
be_flag(struct xb_frontend *fe, const char *key)
{
	unsigned long	 v;

	return xb_fe_read_ulong(fe, key, 1, &v) == 0 && v == 1;
}

static unsigned
be_number(struct xb_frontend *fe, const char *key, unsigned dflt)
{
	unsigned long	 v;

	return xb_fe_read_ulong(fe, key, OFFER_MAX, &v) == 0 ?
	    (unsigned)v : dflt;
}

/*
 * What the backend offers before we connect (at InitWait): queues, ring
 * pages, indirect segments.  The disk itself (size, sector size, flush,
 * discard, read-only) may be written only when the backend goes
 * Connected, as Linux's xen-blkback does: read_disk() reads it then.
 */
static void
read_offers(struct bf_dev *d)
{
	struct bf_disk	*k = &d->disk;

	k->be_indirect = be_number(d->fe, "feature-max-indirect-segments", 0);
	k->be_queues = be_number(d->fe, "multi-queue-max-queues", 1);
	k->be_order = be_number(d->fe, "max-ring-page-order", 0);
}

/* The disk as the Connected backend describes it: -1 if unusable. */
static int
read_disk(struct bf_dev *d)
{
	struct bf_disk	*k = &d->disk;
	unsigned long	 v;

	if (xb_fe_read_ulong(d->fe, "sectors", SECTORS_MAX, &v) != 0) {
		log_warnx("%s: no usable sectors", xb_fe_backend_path(d->fe));
		return -1;
	}
	k->sectors = v;
	k->sector_size = be_number(d->fe, "sector-size", BF_SECTOR);
	if (k->sector_size != 512 && k->sector_size != 4096) {
		log_warnx("%s: sector-size %u: 512 or 4096 only",
		    xb_fe_backend_path(d->fe), k->sector_size);
		return -1;
	}
	k->info = be_number(d->fe, "info", 0);
	k->ro = (k->info & VDISK_READONLY) != 0;
	k->flush = be_flag(d->fe, "feature-flush-cache");
	k->discard = be_flag(d->fe, "feature-discard") && !k->ro;
	log_info("%s: %llu sectors of %u%s%s%s, %u queue(s) of %u page(s), "
	    "indirect %u", xb_fe_backend_path(d->fe),
	    (unsigned long long)k->sectors, k->sector_size,
	    k->ro ? ", read-only" : "", k->flush ? ", flush" : "",
	    k->discard ? ", discard" : "", d->nqueues, 1u << d->order,
	    k->indirect);
	return 0;
}

/* Ours against the backend's: queues, ring pages, indirect segments. */
static void
negotiate(struct bf_dev *d)
{
	struct bf_disk	*k = &d->disk;
	unsigned	 ind = k->be_indirect;

	d->nqueues = (unsigned)d->cfg->queues;
	if (k->be_queues < d->nqueues)
		d->nqueues = k->be_queues == 0 ? 1 : k->be_queues;
	d->order = (unsigned)d->cfg->ring_order;
	if (k->be_order < d->order)
		d->order = k->be_order;
	/* At most an indirect page's worth, and half the pool, so that
	 * two pieces can be in flight on a queue. */
	if (ind > BF_INDIRECT_SEGS_MAX)
		ind = BF_INDIRECT_SEGS_MAX;
	if (ind > (unsigned)d->cfg->pool_pages / 2)
		ind = (unsigned)d->cfg->pool_pages / 2;
	k->indirect = ind > BF_DIRECT_SEGS ? ind : 0;
}

static void
keys_stale(struct xb_keys *k)
{
	static const char *const top[] = { "ring-ref", "event-channel",
	    "ring-page-order", "multi-queue-num-queues", NULL };
	char		 key[24];
	unsigned	 i;

	for (i = 0; top[i] != NULL; i++)
		xb_keys_rm(k, top[i]);
	for (i = 0; i < (1u << BF_RING_ORDER_MAX); i++) {
		snprintf(key, sizeof(key), "ring-ref%u", i);
		xb_keys_rm(k, key);
	}
	for (i = 0; i < BF_QUEUES_MAX; i++) {
		snprintf(key, sizeof(key), "queue-%u", i);
		xb_keys_rm(k, key);
	}
}

static void
keys_queue(const struct bf_dev *d, const struct bf_queue *q,
    struct xb_keys *k, const char *prefix)
{
	char		 key[48];
	unsigned	 i;

	if (d->order == 0) {
		snprintf(key, sizeof(key), "%sring-ref", prefix);
		xb_keys_set(k, key, "%u", q->ring_refs[0]);
	} else
		for (i = 0; i < 1u << d->order; i++) {
			snprintf(key, sizeof(key), "%sring-ref%u", prefix, i);
			xb_keys_set(k, key, "%u", q->ring_refs[i]);
		}
	snprintf(key, sizeof(key), "%sevent-channel", prefix);
	xb_keys_set(k, key, "%u", q->port);
}

static int
write_keys(struct bf_dev *d)
{
	struct xb_keys	*k;
	char		 prefix[24];
	unsigned	 i;
	int		 rc;

	if ((k = xb_keys_new()) == NULL)
		return -1;
	keys_stale(k);
	if (d->order > 0)
		xb_keys_set(k, "ring-page-order", "%u", d->order);
	if (d->nqueues == 1)
		keys_queue(d, &d->q[0], k, "");
	else {
		xb_keys_set(k, "multi-queue-num-queues", "%u", d->nqueues);
		for (i = 0; i < d->nqueues; i++) {
			snprintf(prefix, sizeof(prefix), "queue-%u/", i);
			keys_queue(d, &d->q[i], k, prefix);
		}
	}
	xb_keys_set(k, "protocol", "%s", XEN_IO_PROTO_ABI_NATIVE);
	if ((rc = xb_fe_write_keys(d->fe, k)) != 0)
		log_warn("%s: writing our keys", xb_fe_path(d->fe));
	xb_keys_free(k);
	return rc;
}

static void
queues_down(struct bf_dev *d)
{
	struct bf_queue	*q;
	unsigned	 i, j;

	for (i = 0; i < d->nqueues; i++) {
		q = &d->q[i];
		if (q->slots != NULL)
			bf_ring_fail(q, NBD_EIO, bf_sched_finish, d);
		bf_ring_down(q);
		for (j = 0; j < BF_OP_MAX; j++) {
			d->past.reqs[j] += q->stats.reqs[j];
			d->past.bytes[j] += q->stats.bytes[j];
		}
		d->past.indirect += q->stats.indirect;
		d->past.errors += q->stats.errors;
		d->past.notsup += q->stats.notsup;
		memset(&q->stats, 0, sizeof(q->stats));
	}
	d->nqueues = 0;
}

/* The backend waits for us: our rings, ports and keys. */
static int
dev_connect(struct xb_frontend *fe)
{
	struct bf_dev	*d = xb_fe_arg(fe);
	unsigned	 i, be = xb_fe_backend_id(fe);

	if (d->broken)
		return -1;
	read_offers(d);
	negotiate(d);
	for (i = 0; i < d->nqueues; i++) {
		d->q[i].index = i;
		d->q[i].xce = d->xce;
		d->q[i].xgs = d->xgs;
		if (bf_ring_up(&d->q[i], be, d->order, d->disk.indirect,
		    (unsigned)d->cfg->pool_pages) != 0)
			goto fail;
	}
	if (write_keys(d) != 0)
		goto fail;
	return 0;
fail:
	queues_down(d);
	return -1;
}

static void
dev_connected(struct xb_frontend *fe)
{
	struct bf_dev	*d = xb_fe_arg(fe);

	if (read_disk(d) != 0) {
		d->broken = true;
		event_active(d->shut_ev, EV_TIMEOUT, 0);
		return;
	}
	d->connected = d->ever = true;
	d->connects++;
	log_info("vbd %u: connected to %s", xb_fe_devid(fe),
	    xb_fe_backend_path(fe));
	if (d->on_connected != NULL)
		d->on_connected(d->cb_arg);
	bf_sched_kick(d);
}

static void
dev_disconnect(struct xb_frontend *fe)
{
	struct bf_dev	*d = xb_fe_arg(fe);

	d->connected = false;
	queues_down(d);
	if (d->broken)
		bf_sched_fail_pending(d, NBD_ESHUTDOWN);
	log_info("vbd %u: disconnected", xb_fe_devid(fe));
}

static const struct xb_frontend_ops dev_ops = {
	.connect = dev_connect,
	.connected = dev_connected,
	.disconnect = dev_disconnect,
};

/* A backend that broke a ring: the vbd closed, everything answered. */
static void
on_shut(evutil_socket_t fd, short what, void *arg)
{
	struct bf_dev	*d = arg;

	(void)fd;
	(void)what;
	log_warnx("vbd %u: the backend broke the protocol: the device is shut",
	    (unsigned)d->cfg->devid);
	bf_sched_fail_pending(d, NBD_ESHUTDOWN);
	xb_frontend_close(d->fe, 5000);
}

/* What the loop's pass submitted, put on the rings and pushed at once. */
static void
on_kick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	bf_sched_kick(arg);
}

int
bf_dev_open(struct bf_dev *d, const struct bf_config *c,
    struct event_base *base, xenevtchn_handle *xce, xengntshr_handle *xgs,
    char *err, size_t errlen)
{
	d->cfg = c;
	d->base = base;
	d->xce = xce;
	d->xgs = xgs;
	TAILQ_INIT(&d->pending);
	if ((d->shut_ev = event_new(base, -1, 0, on_shut, d)) == NULL ||
	    (d->kick_ev = event_new(base, -1, 0, on_kick, d)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if ((d->fe = xb_frontend_start(base, "vbd", (unsigned)c->devid,
	    &dev_ops, d, err, errlen)) == NULL)
		return -1;
	log_info("vbd %d, backend %s", c->devid, xb_fe_backend_path(d->fe));
	return 0;
}

void
bf_dev_export(const struct bf_dev *d, uint32_t max_request,
    struct bf_nbd_export *e)
{
	const struct bf_disk	*k = &d->disk;

	memset(e, 0, sizeof(*e));
	e->size = k->sectors * BF_SECTOR;
	e->min_block = k->sector_size;
	e->max_request = max_request;
	e->tflags = NBD_TF_HAS_FLAGS;
	if (k->ro)
		e->tflags |= NBD_TF_READ_ONLY;
	if (k->flush)
		e->tflags |= NBD_TF_SEND_FLUSH | NBD_TF_SEND_FUA;
	if (k->discard)
		e->tflags |= NBD_TF_SEND_TRIM;
	/* A flush is the backend's fdatasync of the whole disk: it covers
	 * what any connection had answered, which is what multi-conn
	 * asks.  Without flush, nothing to promise. */
	if (k->flush || k->ro)
		e->tflags |= NBD_TF_CAN_MULTI_CONN;
}

void
bf_dev_close(struct bf_dev *d, unsigned timeout_ms)
{
	if (d->fe != NULL)
		xb_frontend_close(d->fe, timeout_ms);
}

bool
bf_dev_closed(const struct bf_dev *d)
{
	return d->fe == NULL || xb_frontend_closed(d->fe);
}

void
bf_dev_free(struct bf_dev *d)
{
	xb_frontend_stop(d->fe);	/* disconnects if need be */
	d->fe = NULL;
	bf_sched_fail_pending(d, NBD_ESHUTDOWN);
	if (d->shut_ev != NULL)
		event_free(d->shut_ev);
	if (d->kick_ev != NULL)
		event_free(d->kick_ev);
	d->shut_ev = d->kick_ev = NULL;
}

void
bf_dev_stats(const struct bf_dev *d, struct bf_qstats *s)
{
	const struct bf_queue	*q;
	unsigned		 i, j;

	*s = d->past;
	for (i = 0; i < d->nqueues; i++) {
		q = &d->q[i];
		for (j = 0; j < BF_OP_MAX; j++) {
			s->reqs[j] += q->stats.reqs[j];
			s->bytes[j] += q->stats.bytes[j];
		}
		s->indirect += q->stats.indirect;
		s->errors += q->stats.errors;
		s->notsup += q->stats.notsup;
	}
}

const char *
bf_dev_state(const struct bf_dev *d)
{
	if (d->broken)
		return "shut";
	if (d->connected)
		return "connected";
	return d->ever ? "disconnected" : "connecting";
}
