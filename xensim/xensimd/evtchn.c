/*
 * evtchn.c: event channels.  Port numbers are per domain, as on Xen; a
 * port is bound to the handle that created it, and raising it means:
 * flip its state word, and if that says so, write the port number to the
 * handle's socket.  Clients do the same without asking us once they know
 * their peer (EVT_PEER); xensimd raises ports for VIRQs and on a client's
 * behalf when a grant unmap notification fires.
 */
#include <sys/mman.h>
#include <sys/socket.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "xensimd.h"

#define PORTS_INITIAL	64

int
evt_dom_init(struct dom *d)
{
	size_t len = EVW_PAGE_WORDS * sizeof(evtchn_word);

	if ((d->states_fd = memfd_create("xensim-evtchn", MFD_CLOEXEC)) == -1)
		return -1;
	if (ftruncate(d->states_fd, len) == -1)
		return -1;
	d->states = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
	    d->states_fd, 0);
	if (d->states == MAP_FAILED) {
		d->states = NULL;
		return -1;
	}
	/* Port 0 is never valid on Xen; keep it so here. */
	if ((d->ports = calloc(PORTS_INITIAL, sizeof(*d->ports))) == NULL)
		return -1;
	d->nports = PORTS_INITIAL;
	return 0;
}

void
evt_dom_fini(struct dom *d)
{
	if (d->states != NULL)
		munmap(d->states, EVW_PAGE_WORDS * sizeof(evtchn_word));
	if (d->states_fd != -1)
		close(d->states_fd);
	free(d->ports);
}

static struct port *
port_get(struct dom *d, uint32_t port)
{
	if (d == NULL || port == 0 || port >= d->nports)
		return NULL;
	return &d->ports[port];
}

/* Clients that cached this port's peer must look again. */
static void
port_moved(struct dom *d, uint32_t p)
{
	atomic_fetch_add(evw_gen(d->states, p), 1);
}

static int
port_alloc(struct dom *d, uint32_t *out)
{
	struct port *np;
	uint32_t p, n;

	for (p = 1; p < d->nports; p++)
		if (d->ports[p].state == PORT_FREE)
			goto found;
	if (d->nports >= XSIM_MAX_PORTS)
		return ENOSPC;
	n = d->nports * 2 > XSIM_MAX_PORTS ? XSIM_MAX_PORTS : d->nports * 2;
	if ((np = reallocarray(d->ports, n, sizeof(*np))) == NULL)
		return ENOMEM;
	memset(np + d->nports, 0, (n - d->nports) * sizeof(*np));
	d->ports = np;
	p = d->nports;
	d->nports = n;
found:
	memset(&d->ports[p], 0, sizeof(d->ports[p]));
	evw_reset(&d->states[p]);
	port_moved(d, p);
	*out = p;
	return 0;
}

/*
 * Like EVTCHNOP_alloc_unbound, the remote domain is only recorded: it
 * need not exist yet (a vchan server may offer a port to a client domain
 * that is still being built).
 */
int
evt_bind_unbound(struct evt_handle *h, uint32_t dom, uint32_t rdom,
    uint32_t *port)
{
	struct dom *d = dom_find(dom);
	int err;

	if (d == NULL)
		return ESRCH;
	if ((err = port_alloc(d, port)) != 0)
		return err;
	d->ports[*port] = (struct port){ .state = PORT_UNBOUND,
	    .remote_dom = rdom, .h = h };
	return 0;
}

/* Xen's rule: the remote port must be unbound and offered to us. */
int
evt_bind_interdomain(struct evt_handle *h, uint32_t dom, uint32_t rdom,
    uint32_t rport, uint32_t *port)
{
	struct dom *d = dom_find(dom), *rd = dom_find(rdom);
	struct port *rp;
	int err;

	if (d == NULL || rd == NULL)
		return ESRCH;
	if ((rp = port_get(rd, rport)) == NULL)
		return EINVAL;
	if (rp->state != PORT_UNBOUND || rp->remote_dom != dom)
		return EINVAL;
	if ((err = port_alloc(d, port)) != 0)
		return err;
	d->ports[*port] = (struct port){ .state = PORT_INTERDOMAIN,
	    .remote_dom = rdom, .remote_port = rport, .h = h };
	rp->state = PORT_INTERDOMAIN;
	rp->remote_port = *port;
	port_moved(rd, rport);
	return 0;
}

int
evt_bind_virq(struct evt_handle *h, uint32_t dom, uint32_t virq,
    uint32_t *port)
{
	struct dom *d = dom_find(dom);
	uint32_t p;
	int err;

	if (d == NULL)
		return ESRCH;
	for (p = 1; p < d->nports; p++)
		if (d->ports[p].state == PORT_VIRQ && d->ports[p].virq == virq)
			return EEXIST;	/* one binding per VIRQ, as on Xen */
	if ((err = port_alloc(d, port)) != 0)
		return err;
	d->ports[*port] = (struct port){ .state = PORT_VIRQ, .virq = virq,
	    .h = h };
	return 0;
}

/* Closing one end leaves the other unbound, offered to the closer again. */
static void
port_close(struct dom *d, uint32_t p)
{
	struct port *lp = &d->ports[p], *rp;

	if (lp->state == PORT_INTERDOMAIN &&
	    (rp = port_get(dom_find(lp->remote_dom), lp->remote_port)) != NULL &&
	    rp->state == PORT_INTERDOMAIN && rp->remote_dom == d->domid &&
	    rp->remote_port == p) {
		rp->state = PORT_UNBOUND;
		rp->remote_port = 0;
		port_moved(dom_find(lp->remote_dom), (uint32_t)(rp -
		    dom_find(lp->remote_dom)->ports));
	}
	memset(lp, 0, sizeof(*lp));
	evw_reset(&d->states[p]);
	port_moved(d, p);
}

/*
 * A handle letting go of a port closes it, unless the port is the guest
 * kernel's: that one outlives the process that borrowed it, as the store
 * event channel outlives any one process of a guest.
 */
static void
port_release(struct dom *d, uint32_t p)
{
	if (!d->ports[p].kernel) {
		port_close(d, p);
		return;
	}
	d->ports[p].h = NULL;
	evw_reset(&d->states[p]);
	port_moved(d, p);
}

int
evt_unbind(struct evt_handle *h, uint32_t dom, uint32_t port)
{
	struct dom *d = dom_find(dom);
	struct port *p = port_get(d, port);

	if (p == NULL || p->state == PORT_FREE || p->h != h)
		return EINVAL;
	port_release(d, port);
	return 0;
}

void
evt_handle_close(struct evt_handle *h, uint32_t dom)
{
	struct dom *d = dom_find(dom);
	uint32_t p;

	for (p = 1; d != NULL && p < d->nports; p++)
		if (d->ports[p].state != PORT_FREE && d->ports[p].h == h)
			port_release(d, p);
}

/*
 * A port the toolstack allocates in a guest for its kernel (the store
 * event channel), offered to rdom.  No handle receives it until the
 * guest's program adopts it; raising it before then delivers nothing,
 * as events to a guest that has not set up its handler are not seen.
 */
int
evt_bind_kernel(uint32_t dom, uint32_t rdom, uint32_t *port)
{
	struct dom *d = dom_find(dom);
	int err;

	if ((err = evt_bind_unbound(NULL, dom, rdom, port)) != 0)
		return err;
	d->ports[*port].kernel = true;
	return 0;
}

int
evt_adopt(struct evt_handle *h, uint32_t dom, uint32_t port)
{
	struct dom *d = dom_find(dom);
	struct port *p = port_get(d, port);

	if (p == NULL || p->state == PORT_FREE || !p->kernel)
		return EINVAL;
	if (p->h != NULL && p->h != h)
		return EBUSY;	/* another process plays the kernel */
	p->h = h;
	port_moved(d, port);
	return 0;
}

/* EVTCHNOP_send by a handle that has no cached peer of its own. */
int
evt_send_from(struct evt_handle *h, uint32_t dom, uint32_t port)
{
	struct port *p = port_get(dom_find(dom), port);

	if (p == NULL || p->state == PORT_FREE || p->h != h)
		return EINVAL;
	evt_send(dom, port);
	return 0;
}

/* Who receives when (dom, port) is notified.  ENOTCONN: nobody yet. */
int
evt_peer(uint32_t dom, uint32_t port, struct port **peer,
    struct dom **peerdom)
{
	struct dom *d = dom_find(dom), *rd;
	struct port *p = port_get(d, port);

	if (p == NULL || p->state == PORT_FREE)
		return EINVAL;
	if (p->state != PORT_INTERDOMAIN)
		return ENOTCONN;
	rd = dom_find(p->remote_dom);
	if ((*peer = port_get(rd, p->remote_port)) == NULL ||
	    (*peer)->h == NULL)
		return ENOTCONN;
	*peerdom = rd;
	return 0;
}

static void
port_raise(struct dom *d, uint32_t p)
{
	struct port *pp = port_get(d, p);
	uint32_t v = p;

	if (pp == NULL || pp->h == NULL)
		return;
	/* Short of a full socket, a lost wakeup cannot happen: see evw. */
	if (evw_raise(&d->states[p]) &&
	    send(pp->h->sock, &v, sizeof(v), MSG_DONTWAIT | MSG_NOSIGNAL) !=
	    sizeof(v))
		log_debug("dom%u port %u: delivery failed", d->domid, p);
}

/* Send on (dom, port): raise its peer, as EVTCHNOP_send does. */
void
evt_send(uint32_t dom, uint32_t port)
{
	struct port *peer;
	struct dom *rd;

	if (evt_peer(dom, port, &peer, &rd) == 0)
		port_raise(rd, (uint32_t)(peer - rd->ports));
}

/* Global VIRQs go to whichever domain bound them (dom0 or a stub domain). */
void
evt_raise_virq(uint32_t virq)
{
	struct dom *d;
	uint32_t p;

	TAILQ_FOREACH(d, &xsim_doms, entry)
		for (p = 1; p < d->nports; p++)
			if (d->ports[p].state == PORT_VIRQ &&
			    d->ports[p].virq == virq)
				port_raise(d, p);
}
