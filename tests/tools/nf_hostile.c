/*
 * nf-hostile SCENARIO: a netfront that breaks netif.h's rules on purpose,
 * run in a xensim domain with a vif, for tests/netback/it_hostile.sh.
 * It goes through the handshake as a frontend must (common/xb_frontend.h:
 * rings and a data page shared with the backend, one event channel,
 * request-rx-copy) and then, once Connected:
 *
 *	bad	sends, one at a time, packets netback must refuse: bytes
 *		crossing their page, 19 data slots, a grant ref never made,
 *		a GSO extra of no known type, 13 bytes; each must be answered
 *		with an error on every slot (an extra with NETIF_RSP_NULL),
 *		then a good 60-byte frame answered OKAY.  Prints
 *		"bad: refused N of 5, good ok" or what went wrong.
 *	endless	a chain of 70 slots that never ends (fatal for the vif).
 *	index	a req_prod 5000 past the consumer (fatal for the vif).
 *	hoard	posts no receive buffers at all, and sits.
 *	flood N [MAC]
 *		sends N frames of 1,000 bytes to MAC (default broadcast;
 *		for a hoarder to be offered), 32 at a time, each batch
 *		answered before the next.  Prints "flood: N sent".
 *	mcast	asks for multicast control (request-multicast-control),
 *		joins 01:00:5e:00:00:fb (an MCAST_ADD extra), posts 16
 *		receive buffers and for 60 s prints "rx MAC" for each frame
 *		received, by its destination, giving each buffer back.
 *
 * Each prints "ready SCENARIO" when connected and "done SCENARIO" once
 * it has done its part, then waits for SIGTERM or its domain's end.
 */
#include <sys/mman.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* xenctrl.h first: it tells the Xen headers after it this is a tool. */
#include <xenctrl.h>
#include <xenevtchn.h>
#include <xengnttab.h>
#include <xen/io/netif.h>

#include <event2/event.h>

#include "log.h"
#include "xb_frontend.h"

#define PAGE	4096

static xenevtchn_handle		*xce;
static xengntshr_handle		*xgs;
static netif_tx_front_ring_t	 tx;
static netif_rx_front_ring_t	 rx;
static void			*tx_page, *rx_page, *data_page;
static uint32_t			 refs[3];		/* tx, rx, data */
static evtchn_port_t		 port;
static const char		*scenario;
static struct event_base	*base;
static unsigned			 flood_count;
static uint8_t			 flood_dst[6] = { 0xff, 0xff, 0xff, 0xff,
				    0xff, 0xff };
#define RX_BUFS	16
static void			*rx_bufs;
static uint32_t			 rx_refs[RX_BUFS];

static int
fe_connect(struct xb_frontend *f)
{
	unsigned	 be = xb_fe_backend_id(f);
	struct xb_keys	*k;
	int		 p, rc;

	if ((tx_page = xengntshr_share_pages(xgs, be, 1, &refs[0], 1)) ==
	    NULL || (rx_page = xengntshr_share_pages(xgs, be, 1, &refs[1],
	    1)) == NULL || (data_page = xengntshr_share_pages(xgs, be, 1,
	    &refs[2], 0)) == NULL)
		return -1;
	SHARED_RING_INIT((netif_tx_sring_t *)tx_page);
	SHARED_RING_INIT((netif_rx_sring_t *)rx_page);
	FRONT_RING_INIT(&tx, (netif_tx_sring_t *)tx_page, PAGE);
	FRONT_RING_INIT(&rx, (netif_rx_sring_t *)rx_page, PAGE);
	if ((p = xenevtchn_bind_unbound_port(xce, be)) < 0)
		return -1;
	port = (evtchn_port_t)p;
	if ((k = xb_keys_new()) == NULL)
		return -1;
	xb_keys_set(k, "tx-ring-ref", "%u", refs[0]);
	xb_keys_set(k, "rx-ring-ref", "%u", refs[1]);
	xb_keys_set(k, "event-channel", "%u", port);
	xb_keys_set(k, "request-rx-copy", "1");
	if (strcmp(scenario, "mcast") == 0) {
		xb_keys_set(k, "request-multicast-control", "1");
		if ((rx_bufs = xengntshr_share_pages(xgs, be, RX_BUFS,
		    rx_refs, 1)) == NULL)
			return -1;
	}
	rc = xb_fe_write_keys(f, k);
	xb_keys_free(k);
	return rc;
}

static void
put(uint32_t gref, uint16_t off, uint16_t flags, uint16_t id, uint16_t size)
{
	netif_tx_request_t	*r = RING_GET_REQUEST(&tx, tx.req_prod_pvt);

	r->gref = gref;
	r->offset = off;
	r->flags = flags;
	r->id = id;
	r->size = size;
	tx.req_prod_pvt++;
}

static void
put_extra(uint8_t type, uint8_t gso_type)
{
	netif_extra_info_t	*x = (netif_extra_info_t *)RING_GET_REQUEST(&tx,
				    tx.req_prod_pvt);

	memset(x, 0, sizeof(*x));
	x->type = type;
	x->u.gso.size = 1400;
	x->u.gso.type = gso_type;
	tx.req_prod_pvt++;
}

static void
push(void)
{
	int	 notify;

	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&tx, notify);
	(void)notify;
	(void)xenevtchn_notify(xce, port);
}

/* The responses to the slots just pushed, within 10 s: how many came
 * back in error and whether every slot was answered. */
static int
answers(unsigned slots, unsigned *errors)
{
	struct pollfd	 pfd = { .fd = xenevtchn_fd(xce), .events = POLLIN };
	time_t		 end = time(NULL) + 10;
	unsigned	 got = 0;
	xenevtchn_port_or_error_t p;

	*errors = 0;
	while (got < slots && time(NULL) < end) {
		while (tx.rsp_cons != tx.sring->rsp_prod) {
			netif_tx_response_t *r = RING_GET_RESPONSE(&tx,
			    tx.rsp_cons);

			*errors += r->status == NETIF_RSP_ERROR;
			tx.rsp_cons++;
			got++;
		}
		if (got == slots)
			break;
		tx.sring->rsp_event = tx.rsp_cons + 1;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (tx.rsp_cons != tx.sring->rsp_prod)
			continue;
		if (poll(&pfd, 1, 1000) > 0 &&
		    (p = xenevtchn_pending(xce)) >= 0)
			(void)xenevtchn_unmask(xce, (evtchn_port_t)p);
	}
	return got == slots ? 0 : -1;
}

/* A minimal Ethernet frame in the data page at off. */
static void
frame_at(uint16_t off)
{
	uint8_t	*f = (uint8_t *)data_page + off;

	memset(f, 0, 60);
	memcpy(f, flood_dst, 6);			/* broadcast, default */
	memcpy(f + 6, "\x00\x16\x3e\xee\xee\x01", 6);
	f[12] = 0x88;					/* local experimental */
	f[13] = 0xb5;
}

static int
one(const char *what, unsigned slots, unsigned *refused)
{
	unsigned	 errors;

	push();
	if (answers(slots, &errors) == -1) {
		printf("bad: %s: not every slot answered\n", what);
		return -1;
	}
	if (errors == 0)
		printf("bad: %s: accepted\n", what);
	*refused += errors > 0;
	return 0;
}

static void
bad(void)
{
	unsigned	 refused = 0, errors, i;

	frame_at(0);
	put(refs[2], 4000, 0, 1, 200);				/* crossing */
	if (one("crossing", 1, &refused) == -1)
		return;
	put(refs[2], 0, NETTXF_more_data, 2, 19 * 10);	/* 19 slots */
	for (i = 1; i < 19; i++)
		put(refs[2], 0, i < 18 ? NETTXF_more_data : 0,
		    (uint16_t)(2 + i), 10);
	if (one("19 slots", 19, &refused) == -1)
		return;
	put(9999, 0, 0, 30, 60);				/* no such ref */
	if (one("bad ref", 1, &refused) == -1)
		return;
	put(refs[2], 0, NETTXF_extra_info, 31, 60);		/* GSO type 9 */
	put_extra(XEN_NETIF_EXTRA_TYPE_GSO, 9);
	if (one("gso type", 2, &refused) == -1)
		return;
	put(refs[2], 0, 0, 32, 13);				/* 13 bytes */
	if (one("13 bytes", 1, &refused) == -1)
		return;
	put(refs[2], 0, 0, 33, 60);
	push();
	if (answers(1, &errors) == -1 || errors != 0) {
		printf("bad: refused %u of 5, good refused\n", refused);
		return;
	}
	printf("bad: refused %u of 5, good ok\n", refused);
}

static void
flood(unsigned n)
{
	unsigned	 sent = 0, batch, i, errors;

	frame_at(0);
	while (sent < n) {
		batch = n - sent < 32 ? n - sent : 32;
		for (i = 0; i < batch; i++)
			put(refs[2], 0, 0, (uint16_t)i, 1000);
		push();
		if (answers(batch, &errors) == -1)
			break;
		sent += batch;
	}
	printf("flood: %u sent\n", sent);
}

static void
rx_post(uint16_t id)
{
	netif_rx_request_t	*r = RING_GET_REQUEST(&rx, rx.req_prod_pvt);

	r->id = id;
	r->gref = rx_refs[id];
	rx.req_prod_pvt++;
}

/* Joined to one group, what arrives is printed by its destination. */
static void
mcast(void)
{
	struct pollfd	 pfd = { .fd = xenevtchn_fd(xce), .events = POLLIN };
	time_t		 end = time(NULL) + 60;
	netif_extra_info_t *x;
	unsigned	 errors;
	uint16_t	 i;
	int		 notify;
	xenevtchn_port_or_error_t p;

	put(refs[2], 0, NETTXF_extra_info, 1, 0);
	x = (netif_extra_info_t *)RING_GET_REQUEST(&tx, tx.req_prod_pvt++);
	memset(x, 0, sizeof(*x));
	x->type = XEN_NETIF_EXTRA_TYPE_MCAST_ADD;
	memcpy(x->u.mcast.addr, "\x01\x00\x5e\x00\x00\xfb", 6);
	push();
	if (answers(2, &errors) == -1 || errors != 0) {
		printf("mcast: the join was refused\n");
		return;
	}
	for (i = 0; i < RX_BUFS; i++)
		rx_post(i);
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&rx, notify);
	(void)xenevtchn_notify(xce, port);
	printf("joined 01:00:5e:00:00:fb\n");
	while (time(NULL) < end) {
		while (rx.rsp_cons != rx.sring->rsp_prod) {
			netif_rx_response_t r = *RING_GET_RESPONSE(&rx,
			    rx.rsp_cons);
			const uint8_t *d;

			rx.rsp_cons++;
			if (r.id >= RX_BUFS || r.status < 6 ||
			    r.offset + r.status > PAGE)
				continue;
			d = (const uint8_t *)rx_bufs + (size_t)r.id * PAGE +
			    r.offset;
			printf("rx %02x:%02x:%02x:%02x:%02x:%02x\n", d[0], d[1],
			    d[2], d[3], d[4], d[5]);
			rx_post(r.id);
		}
		RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&rx, notify);
		if (notify)
			(void)xenevtchn_notify(xce, port);
		rx.sring->rsp_event = rx.rsp_cons + 1;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (rx.rsp_cons != rx.sring->rsp_prod)
			continue;
		if (poll(&pfd, 1, 1000) > 0 &&
		    (p = xenevtchn_pending(xce)) >= 0)
			(void)xenevtchn_unmask(xce, (evtchn_port_t)p);
	}
}

static void
fe_connected(struct xb_frontend *f)
{
	unsigned	 i;

	(void)f;
	printf("ready %s\n", scenario);
	if (strcmp(scenario, "bad") == 0)
		bad();
	else if (strcmp(scenario, "endless") == 0) {
		for (i = 0; i < 70; i++)
			put(refs[2], 0, NETTXF_more_data, (uint16_t)i, 100);
		push();
	} else if (strcmp(scenario, "flood") == 0)
		flood(flood_count);
	else if (strcmp(scenario, "mcast") == 0)
		mcast();
	else if (strcmp(scenario, "index") == 0) {
		tx.sring->req_prod = tx.req_prod_pvt + 5000;
		(void)xenevtchn_notify(xce, port);
	}
	printf("done %s\n", scenario);
}

static void
fe_disconnect(struct xb_frontend *f)
{
	(void)f;
}

static const struct xb_frontend_ops ops = {
	.connect = fe_connect,
	.connected = fe_connected,
	.disconnect = fe_disconnect,
};

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
	struct xb_frontend	*f;
	struct event		*term;
	char			 err[256];

	if (argc < 2 || (strcmp(argv[1], "flood") == 0) != (argc >= 3) ||
	    argc > 4 || (argc == 4 && sscanf(argv[3],
	    "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &flood_dst[0], &flood_dst[1],
	    &flood_dst[2], &flood_dst[3], &flood_dst[4], &flood_dst[5]) != 6)) {
		fprintf(stderr, "usage: nf-hostile bad|endless|index|hoard|"
		    "mcast|flood N [MAC]\n");
		return 2;
	}
	scenario = argv[1];
	if (argc >= 3)
		flood_count = (unsigned)strtoul(argv[2], NULL, 10);
	log_init("nf-hostile", 0, 1);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if ((xce = xenevtchn_open(NULL, 0)) == NULL ||
	    (xgs = xengntshr_open(NULL, 0)) == NULL ||
	    (base = event_base_new()) == NULL ||
	    (term = evsignal_new(base, SIGTERM, on_term, base)) == NULL ||
	    event_add(term, NULL) == -1) {
		perror("nf-hostile: set-up");
		return 1;
	}
	if ((f = xb_frontend_start(base, "vif", 0, &ops, NULL, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "nf-hostile: %s\n", err);
		return 1;
	}
	event_base_dispatch(base);
	xb_frontend_stop(f);
	event_free(term);
	event_base_free(base);
	return 0;
}
