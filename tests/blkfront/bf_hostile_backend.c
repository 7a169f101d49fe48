/*
 * bf-hostile-backend MODE: a block backend of type "qdisk" (so that
 * blkback, told to serve "vbd" only, leaves it alone) that breaks the
 * ring protocol on the first request a frontend sends, for
 * tests/blkfront/it_nbd.sh.  It offers a 64 MiB disk with flush, takes
 * the frontend's one ring page and event channel, and then, by MODE:
 *
 *	badid	answers the request with an id the frontend never used
 *	index	moves rsp_prod 50 past the requests it was sent
 *
 * saying "hostile: MODE sent" on stdout.  SIGTERM stops it.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

/* xenctrl.h first: it tells the Xen headers after it this is a tool. */
#include <xenctrl.h>
#include <xenevtchn.h>
#include <xengnttab.h>
#include <xen/io/blkif.h>

#include <event2/event.h>

#include "log.h"
#include "xb_backend.h"

static const char		*mode;
static xenevtchn_handle		*xce;
static xengnttab_handle		*xgt;
static blkif_back_ring_t	 ring;
static void			*page;
static evtchn_port_t		 port;
static int			 bound, done;

static int
probe(struct xb_dev *d)
{
	return xb_dev_write(d, "sectors", "%u", 131072) |
	    xb_dev_write(d, "sector-size", "512") |
	    xb_dev_write(d, "info", "0") |
	    xb_dev_write(d, "feature-flush-cache", "1");
}

static int
connect_fe(struct xb_dev *d)
{
	unsigned long		 ref, ev;
	xenevtchn_port_or_error_t p;

	if (xb_dev_read_ulong(d, "ring-ref", 0xffffffffUL, &ref) != 0 ||
	    xb_dev_read_ulong(d, "event-channel", 0xffff, &ev) != 0 ||
	    (page = xengnttab_map_grant_ref(xgt, xb_dev_frontend_id(d),
	    (uint32_t)ref, PROT_READ | PROT_WRITE)) == NULL ||
	    (p = xenevtchn_bind_interdomain(xce, xb_dev_frontend_id(d),
	    (evtchn_port_t)ev)) == -1) {
		printf("hostile: cannot connect\n");
		return -1;
	}
	port = (evtchn_port_t)p;
	bound = 1;
	BACK_RING_INIT(&ring, (blkif_sring_t *)page, 4096);
	printf("hostile: connected\n");
	return 0;
}

static void
disconnect(struct xb_dev *d)
{
	(void)d;
	if (bound)
		(void)xenevtchn_unbind(xce, port);
	if (page != NULL)
		(void)xengnttab_unmap(xgt, page, 1);
	page = NULL;
	bound = 0;
	printf("hostile: disconnected\n");
}

static void
remove_dev(struct xb_dev *d)
{
	(void)d;
}

static const struct xb_backend_ops ops = {
	.probe = probe,
	.connect = connect_fe,
	.disconnect = disconnect,
	.remove = remove_dev,
};

/* The first request, answered the wrong way. */
static void
misbehave(void)
{
	blkif_request_t		 req;
	blkif_response_t	*rsp;
	RING_IDX		 rp;

	rp = ring.sring->req_prod;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (done || page == NULL || ring.req_cons == rp)
		return;
	RING_COPY_REQUEST(&ring, ring.req_cons, &req);
	ring.req_cons++;
	if (strcmp(mode, "index") == 0) {
		ring.sring->rsp_prod = ring.rsp_prod_pvt + 50;
	} else {
		rsp = RING_GET_RESPONSE(&ring, ring.rsp_prod_pvt);
		memset(rsp, 0, sizeof(*rsp));
		rsp->id = req.id + 1000;
		rsp->operation = req.operation;
		rsp->status = BLKIF_RSP_OKAY;
		ring.rsp_prod_pvt++;
		RING_PUSH_RESPONSES(&ring);
	}
	(void)xenevtchn_notify(xce, port);
	done = 1;
	printf("hostile: %s sent\n", mode);
}

static void
on_evtchn(evutil_socket_t fd, short what, void *arg)
{
	xenevtchn_port_or_error_t	 p;

	(void)fd;
	(void)what;
	(void)arg;
	if ((p = xenevtchn_pending(xce)) >= 0)
		(void)xenevtchn_unmask(xce, (evtchn_port_t)p);
	misbehave();
}

static void
on_term(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	event_base_loopbreak(arg);
}

int
main(int argc, char **argv)
{
	struct event_base	*base;
	struct event		*ev, *term;
	struct xb_backend	*xb;
	char			 err[256];

	if (argc != 2 || (strcmp(argv[1], "badid") != 0 &&
	    strcmp(argv[1], "index") != 0)) {
		fprintf(stderr, "usage: bf-hostile-backend badid|index\n");
		return 2;
	}
	mode = argv[1];
	log_init("bf-hostile-backend", 0, 1);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if ((xce = xenevtchn_open(NULL, 0)) == NULL ||
	    (xgt = xengnttab_open(NULL, 0)) == NULL ||
	    (base = event_base_new()) == NULL ||
	    (ev = event_new(base, xenevtchn_fd(xce), EV_READ | EV_PERSIST,
	    on_evtchn, NULL)) == NULL || event_add(ev, NULL) == -1 ||
	    (term = evsignal_new(base, SIGTERM, on_term, base)) == NULL ||
	    event_add(term, NULL) == -1) {
		perror("bf-hostile-backend: set-up");
		return 1;
	}
	if ((xb = xb_backend_start(base, "qdisk", &ops, NULL, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "bf-hostile-backend: %s\n", err);
		return 1;
	}
	printf("hostile: serving qdisk\n");
	event_base_dispatch(base);
	xb_backend_stop(xb);
	event_free(ev);
	event_free(term);
	event_base_free(base);
	xengnttab_close(xgt);
	xenevtchn_close(xce);
	return 0;
}
