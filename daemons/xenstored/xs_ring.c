#include <sys/mman.h>
#include <sys/queue.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* xenctrl.h first: it tells the Xen headers after it this is a tool. */
#include <xenctrl.h>
#include <xenevtchn.h>
#include <xengnttab.h>
#include <xen/grant_table.h>
#include <xen/io/xs_wire.h>

#include "byte_ring.h"
#include "evloop.h"
#include "log.h"
#include "strnum.h"
#include "xs_conn.h"
#include "xs_domain.h"
#include "xs_orphans.h"
#include "xs_ring.h"
#include "xs_server.h"
#include "xs_watch.h"

struct xs_ring {
	LIST_ENTRY(xs_ring)			 entry;
	struct xs_rings				*rs;
	unsigned				 domid;
	evtchn_port_t				 port;	/* ours */
	unsigned				 rport;	/* the guest's */
	struct xenstore_domain_interface	*intf;
	bool					 kva;	/* mmap'd, not granted */
	bool					 shut;	/* shut down, not dying */
	struct xs_conn				*conn;	/* NULL once dropped */
};

struct xs_rings {
	struct xs_server	*srv;
	xenevtchn_handle	*xce;
	xengnttab_handle	*xgt;
	xc_interface		*xch;
	evtchn_port_t		 virq_port;
	LIST_HEAD(, xs_ring)	 rings;
};

static struct xs_ring *
ring_by_domid(struct xs_rings *rs, unsigned domid)
{
	struct xs_ring *r;

	LIST_FOREACH(r, &rs->rings, entry)
		if (r->domid == domid)
			return r;
	return NULL;
}

static struct xs_ring *
ring_by_port(struct xs_rings *rs, evtchn_port_t port)
{
	struct xs_ring *r;

	LIST_FOREACH(r, &rs->rings, entry)
		if (r->port == port)
			return r;
	return NULL;
}

/* The guest broke the ring: say so in the page, and stop using it. */
static ssize_t
ring_bad(struct xs_ring *r, const char *what)
{
	log_warnx("domain %u: bad %s index on its xenstore ring, dropping "
	    "the connection", r->domid, what);
	r->intf->error = XENSTORE_ERROR_RINGIDX;
	errno = EPROTO;
	return -1;
}

/* The guest's requests: it produces, we consume. */
static struct byte_ring
req_ring(struct xs_ring *r)
{
	return (struct byte_ring){ (uint8_t *)r->intf->req, XENSTORE_RING_SIZE,
	    &r->intf->req_cons, &r->intf->req_prod };
}

/* Our responses and events: we produce, it consumes. */
static struct byte_ring
rsp_ring(struct xs_ring *r)
{
	return (struct byte_ring){ (uint8_t *)r->intf->rsp, XENSTORE_RING_SIZE,
	    &r->intf->rsp_cons, &r->intf->rsp_prod };
}

/*
 * A short read means the ring was empty after our consumer index was
 * visible (byte_ring_read), which is what lets the connection stop asking
 * until the next event: Linux's xenbus notifies only when it finds us
 * caught up, so a request half-read when its tail landed would otherwise
 * wait for an event that never comes (seen on Xen: a guest's first
 * requests stuck until a live update kicked every ring).
 */
static ssize_t
ring_recv(void *arg, void *buf, size_t len)
{
	struct xs_ring		*r = arg;
	struct byte_ring	 br = req_ring(r);
	ssize_t			 n = byte_ring_read(&br, buf, len);

	if (n < 0)
		return ring_bad(r, "request producer");
	if (n == 0) {
		errno = EAGAIN;
		return -1;
	}
	xenevtchn_notify(r->rs->xce, r->port);
	return n;
}

static ssize_t
ring_send(void *arg, const void *buf, size_t len)
{
	struct xs_ring		*r = arg;
	struct byte_ring	 br = rsp_ring(r);
	ssize_t			 n = byte_ring_write(&br, buf, len);

	if (n < 0)
		return ring_bad(r, "response consumer");
	if (n == 0) {
		errno = EAGAIN;		/* the guest notifies when it reads */
		return -1;
	}
	xenevtchn_notify(r->rs->xce, r->port);
	return n;
}

/* Readiness comes as events on the port, whatever is wanted. */
static void
ring_want(void *arg, bool rd, bool wr)
{
	(void)arg;
	(void)rd;
	(void)wr;
}

static void
ring_unmap(struct xs_ring *r)
{
	if (r->port != 0)
		xenevtchn_unbind(r->rs->xce, r->port);
	if (r->intf != NULL && r->kva)
		munmap(r->intf, XC_PAGE_SIZE);
	else if (r->intf != NULL)
		xengnttab_unmap(r->rs->xgt, r->intf, 1);
	r->port = 0;
	r->intf = NULL;
}

/* The connection is gone (dropped or freed); the ring stays introduced. */
static void
ring_destroy(void *arg)
{
	struct xs_ring *r = arg;

	r->conn = NULL;
	ring_unmap(r);
}

static void
ring_info(void *arg, struct xs_tp_info *i)
{
	struct xs_ring *r = arg;

	*i = (struct xs_tp_info){ .kind = r->kva ? XS_TP_KERNEL : XS_TP_RING,
	    .fd = -1, .rport = r->rport };
}

/* An oversized message: the ring error indicator has a code for it. */
static void
ring_fault(void *arg)
{
	struct xs_ring *r = arg;

	if (r->intf != NULL)
		r->intf->error = XENSTORE_ERROR_PROTO;
}

static const struct xs_transport ring_transport = {
	.name = "ring",
	.info = ring_info,
	.fault = ring_fault,
	.recv = ring_recv,
	.send = ring_send,
	.want = ring_want,
	.destroy = ring_destroy,
};

static void
ring_free(struct xs_ring *r)
{
	if (r->conn != NULL)
		xs_conn_free(r->conn);	/* calls ring_destroy */
	ring_unmap(r);
	LIST_REMOVE(r, entry);
	free(r);
}

/* Both calls may free the connection (and clear r->conn through destroy). */
static void
ring_kick(struct xs_ring *r)
{
	if (r->conn != NULL)
		xs_conn_writable(r->conn);
	if (r->conn != NULL)
		xs_conn_readable(r->conn);
}

static void
domain_gone(struct xs_rings *rs, struct xs_ring *r)
{
	struct xs_dom *d = xs_dom_find(rs->srv->doms, r->domid);
	unsigned domid = r->domid;

	log_info("domain %u released", domid);
	if (d != NULL)
		d->introduced = false;
	ring_free(r);
	xs_orphans_forget(rs->srv, domid);
	xs_watch_fire_special(rs->srv, XS_SPECIAL_RELEASE);
}

/*
 * VIRQ_DOM_EXC: some domain died or shut down; find which.  A domain
 * that is only shut down (suspended for save or migration, crashed and
 * preserved) keeps its nodes and its ring, since RESUME may bring it
 * back; watchers hear @releaseDomain once, as C xenstored does, so a
 * toolstack can notice.  Only a dying or vanished domain is released.
 */
static void
check_domains(struct xs_rings *rs)
{
	struct xs_ring *r, *next;
	xc_dominfo_t info;
	bool notify = false;

	for (r = LIST_FIRST(&rs->rings); r != NULL; r = next) {
		next = LIST_NEXT(r, entry);
		if (r->domid == 0)
			continue;
		if (xc_domain_getinfo(rs->xch, r->domid, 1, &info) != 1 ||
		    info.domid != r->domid || info.dying) {
			domain_gone(rs, r);	/* fires @releaseDomain */
			continue;
		}
		if ((info.shutdown || info.crashed) && !r->shut) {
			log_info("domain %u shut down (reason %u)", r->domid,
			    info.shutdown_reason);
			r->shut = true;
			notify = true;
		}
	}
	if (notify)
		xs_watch_fire_special(rs->srv, XS_SPECIAL_RELEASE);
}

static void
on_port(evtchn_port_t port, void *arg)
{
	struct xs_rings *rs = arg;
	struct xs_ring *r;

	if (port == rs->virq_port)
		check_domains(rs);
	else if ((r = ring_by_port(rs, port)) != NULL)
		ring_kick(r);
}

/*
 * Bind the guest's port.  Right after a live update the old process's
 * close may still be on its way (xensim handles it asynchronously; Xen
 * does it at exec), so EINVAL is retried for a short, bounded while.
 */
static int
bind_port(struct xs_rings *rs, unsigned domid, unsigned port)
{
	int rc, i;

	for (i = 0; i < 50; i++) {
		if ((rc = xenevtchn_bind_interdomain(rs->xce, domid, port)) >= 0)
			return rc;
		if (errno != EINVAL && errno != EBUSY)
			break;
		usleep(10000);
	}
	return -1;
}

/*
 * Map domid's page, bind its port and, unless the connection was already
 * dropped (a ring left introduced after the guest broke it), serve it.
 */
static int
ring_attach(struct xs_rings *rs, unsigned domid, unsigned port, bool serve,
    struct xs_ring **out)
{
	struct xs_ring *r;
	struct xs_dom *d;
	char desc[32];
	int rc;

	if ((d = xs_dom_get(rs->srv->doms, domid)) == NULL ||
	    (r = calloc(1, sizeof(*r))) == NULL)
		return ENOMEM;
	r->rs = rs;
	r->domid = domid;
	r->rport = port;
	LIST_INSERT_HEAD(&rs->rings, r, entry);
	d->introduced = true;
	*out = r;
	if (!serve)
		return 0;
	r->intf = xengnttab_map_grant_ref(rs->xgt, domid,
	    GNTTAB_RESERVED_XENSTORE, PROT_READ | PROT_WRITE);
	if (r->intf == NULL) {
		log_warn("domain %u: mapping its xenstore page", domid);
		rc = EINVAL;
		goto fail;
	}
	if ((rc = bind_port(rs, domid, port)) < 0) {
		log_warn("domain %u: binding its event channel %u", domid, port);
		rc = EINVAL;
		goto fail;
	}
	r->port = (evtchn_port_t)rc;
	r->intf->server_features = XENSTORE_SERVER_FEATURE_ERROR;
	snprintf(desc, sizeof(desc), "domain %u", domid);
	if ((r->conn = xs_conn_new(rs->srv, domid, &ring_transport, r,
	    desc)) == NULL) {
		rc = ENOMEM;
		goto fail;
	}
	return 0;
fail:
	d->introduced = false;
	ring_free(r);
	return rc;
}

int
xs_ring_introduce(struct xs_rings *rs, unsigned domid, unsigned port)
{
	struct xs_ring *r;
	int rc;

	if ((r = ring_by_domid(rs, domid)) != NULL)
		return r->conn != NULL ? EEXIST : EINVAL;
	if ((rc = ring_attach(rs, domid, port, true, &r)) != 0)
		return rc;
	log_info("domain %u introduced, event channel %u", domid, port);
	xs_watch_fire_special(rs->srv, XS_SPECIAL_INTRODUCE);
	ring_kick(r);		/* it may have written before we came */
	return 0;
}

int
xs_ring_dom0(struct xs_rings *rs, unsigned port)
{
	struct xs_ring *r;
	int rc;

	if (ring_by_domid(rs, 0) != NULL)
		return EEXIST;
	if ((rc = ring_attach(rs, 0, port, true, &r)) != 0)
		return rc;
	log_info("serving dom0 on its ring, event channel %u (a xenstore "
	    "domain)", port);
	return 0;
}

struct xs_conn *
xs_ring_adopt(struct xs_rings *rs, unsigned domid, unsigned port,
    bool serve)
{
	struct xs_ring *r;

	if (ring_by_domid(rs, domid) != NULL ||
	    ring_attach(rs, domid, port, serve, &r) != 0)
		return NULL;
	return r->conn;
}

struct xs_conn *
xs_rings_kernel_conn(struct xs_rings *rs)
{
	struct xs_ring *r;

	LIST_FOREACH(r, &rs->rings, entry)
		if (r->kva)
			return r->conn;
	return NULL;
}

void
xs_rings_foreach(struct xs_rings *rs, xs_rings_fn fn, void *arg)
{
	struct xs_ring *r;

	LIST_FOREACH(r, &rs->rings, entry)
		if (!r->kva)
			fn(r->domid, r->rport, r->conn, arg);
}

/*
 * Before exec: let go of every port, so that each guest's end is unbound
 * and offered to us again when the new process binds it.  The pages stay
 * mapped until exec drops them; the indices live in the pages.
 */
void
xs_rings_prepare_exec(struct xs_rings *rs)
{
	struct xs_ring *r;

	LIST_FOREACH(r, &rs->rings, entry)
		if (r->port != 0) {
			xenevtchn_unbind(rs->xce, r->port);
			r->port = 0;
		}
	if (rs->virq_port != 0)
		xenevtchn_unbind(rs->xce, rs->virq_port);
	rs->virq_port = 0;
}

/* exec failed: take the ports back and carry on as before. */
void
xs_rings_rebind(struct xs_rings *rs)
{
	struct xs_ring *r;
	int port;

	LIST_FOREACH(r, &rs->rings, entry)
		if (r->conn != NULL && r->port == 0) {
			if ((port = bind_port(rs, r->domid, r->rport)) < 0)
				log_warn("domain %u: rebinding port %u",
				    r->domid, r->rport);
			else
				r->port = (evtchn_port_t)port;
		}
	if ((port = xenevtchn_bind_virq(rs->xce, VIRQ_DOM_EXC)) < 0)
		log_warn("rebinding VIRQ_DOM_EXC");
	else
		rs->virq_port = (evtchn_port_t)port;
	xs_rings_kick_all(rs);
}

/* After exec: guests may have written while nobody listened. */
void
xs_rings_kick_all(struct xs_rings *rs)
{
	struct xs_ring *r, *next;

	for (r = LIST_FIRST(&rs->rings); r != NULL; r = next) {
		next = LIST_NEXT(r, entry);
		ring_kick(r);
	}
	check_domains(rs);
}

int
xs_ring_release(struct xs_rings *rs, unsigned domid)
{
	struct xs_ring *r = ring_by_domid(rs, domid);

	if (r == NULL)
		return ENOENT;
	domain_gone(rs, r);
	return 0;
}

int
xs_ring_resume(struct xs_rings *rs, unsigned domid)
{
	struct xs_ring *r = ring_by_domid(rs, domid);

	if (r == NULL)
		return ENOENT;
	/* Its next shutdown is news again. */
	r->shut = false;
	return 0;
}

/*
 * Which domain's kernel owns xsd_kva: dom0's (xenfs lists control_d in
 * its capabilities), or else ours as the xenstore domain, the one domain
 * Xen flags as such (it answers getdomaininfo to that domain).
 */
static unsigned
kernel_domid(struct xs_rings *rs)
{
	char caps[64] = "";
	xc_dominfo_t info;
	uint32_t first = 1;
	FILE *f;

	if ((f = fopen("/proc/xen/capabilities", "re")) != NULL) {
		if (fgets(caps, sizeof(caps), f) == NULL)
			caps[0] = '\0';
		fclose(f);
	}
	if (strstr(caps, "control_d") != NULL)
		return 0;
	while (xc_domain_getinfo(rs->xch, first, 1, &info) == 1) {
		if (info.xenstore)
			return info.domid;
		first = info.domid + 1;
	}
	log_warnx("not dom0 and no xenstore domain found: taking the local "
	    "kernel for dom0's");
	return 0;
}

/*
 * On Xen, the local kernel reaches xenstore through a ring as well: the
 * page is /proc/xen/xsd_kva and its port /proc/xen/xsd_port (xenfs).  In
 * dom0 it is dom0's kernel, served as a privileged connection from the
 * start, as C xenstored does.  In a xenstore domain it would be that
 * domain's own kernel (Linux keeps xenstore local when its start info has
 * no store event channel, as init-xenstore-domain builds it), with that
 * domain's id; dom0 then comes through its own ring (--event).  Debian's
 * kernel shows xsd_kva in dom0 only, so there it is not served.
 * Elsewhere (xensim) there is no such file and nothing to do.
 */
static void
dom0_ring(struct xs_rings *rs)
{
	struct xs_ring *r;
	char buf[16] = "";
	FILE *f;
	void *page;
	long long kport = -1;
	int fd, port;

	if ((fd = open("/proc/xen/xsd_kva", O_RDWR | O_CLOEXEC)) == -1)
		return;
	page = mmap(NULL, XC_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
	    fd, 0);
	close(fd);
	if (page != MAP_FAILED &&
	    (f = fopen("/proc/xen/xsd_port", "re")) != NULL) {
		if (fgets(buf, sizeof(buf), f) == NULL)
			buf[0] = '\0';
		fclose(f);
	}
	/* The kernel's file, but a number is checked as a number. */
	if (page != MAP_FAILED && buf[0] != '\0' &&
	    strnum(buf, 0, UINT32_MAX, &kport) == -1)
		log_warnx("dom0's xenstore ring: /proc/xen/xsd_port holds "
		    "\"%.15s\", not a port", buf);
	if (page == MAP_FAILED || kport < 0 ||
	    (r = calloc(1, sizeof(*r))) == NULL) {
		log_warn("dom0's xenstore ring");
		if (page != MAP_FAILED)
			munmap(page, XC_PAGE_SIZE);
		return;
	}
	*r = (struct xs_ring){ .rs = rs, .domid = kernel_domid(rs),
	    .intf = page, .kva = true, .rport = (unsigned)kport };
	LIST_INSERT_HEAD(&rs->rings, r, entry);
	if ((port = bind_port(rs, r->domid, (unsigned)kport)) < 0 ||
	    (r->port = (evtchn_port_t)port,
	    (r->conn = xs_conn_new(rs->srv, r->domid, &ring_transport, r,
	    r->domid == 0 ? "dom0 kernel" : "own kernel")) == NULL)) {
		log_warn("the local kernel's xenstore ring: port %lld", kport);
		ring_free(r);
		return;
	}
	r->intf->server_features = XENSTORE_SERVER_FEATURE_ERROR;
	/* Kicked with the rest once the daemon's state is in place. */
	log_info("serving domain %u's kernel on its local ring, event "
	    "channel %lld", r->domid, kport);
}

struct xs_rings *
xs_rings_open(struct evloop *loop, struct xs_server *srv)
{
	struct xs_rings *rs;
	int port;

	if ((rs = calloc(1, sizeof(*rs))) == NULL)
		return NULL;
	rs->srv = srv;
	LIST_INIT(&rs->rings);
	if ((rs->xce = xenevtchn_open(NULL, 0)) == NULL ||
	    (rs->xgt = xengnttab_open(NULL, 0)) == NULL ||
	    (rs->xch = xc_interface_open(NULL, NULL, 0)) == NULL) {
		log_info("no Xen event channels here: serving the socket only");
		xs_rings_close(rs);
		return NULL;
	}
	if ((port = xenevtchn_bind_virq(rs->xce, VIRQ_DOM_EXC)) < 0 ||
	    evloop_add_evtchn(loop, rs->xce, on_port, rs) == -1) {
		log_warn("binding VIRQ_DOM_EXC");
		xs_rings_close(rs);
		return NULL;
	}
	rs->virq_port = (evtchn_port_t)port;
	dom0_ring(rs);
	return rs;
}

void
xs_rings_close(struct xs_rings *rs)
{
	struct xs_ring *r;

	if (rs == NULL)
		return;
	while ((r = LIST_FIRST(&rs->rings)) != NULL)
		ring_free(r);
	if (rs->xch != NULL)
		xc_interface_close(rs->xch);
	if (rs->xgt != NULL)
		xengnttab_close(rs->xgt);
	if (rs->xce != NULL)
		xenevtchn_close(rs->xce);
	free(rs);
}
