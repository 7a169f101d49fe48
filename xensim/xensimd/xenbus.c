/*
 * xenbus.c: the xenbus relay.  In a real guest, the kernel's xenbus driver
 * owns the xenstore ring and every process reaches xenstore through it.
 * Here xensimd plays that driver for each simulated domain: the domain's
 * processes find a Unix socket through XENSTORED_PATH (so unmodified
 * libxenstore just works), and the relay moves their messages in and out
 * of the domain's xenstore ring page (grant ref 1), signalling on the
 * domain's store event channel.  The xenstore daemon at the other end
 * therefore sees the true domid: the one that introduced the ring.  It
 * signals as sparingly as Linux's driver does (a request only when the
 * daemon had caught up, a consumed response only when the ring was
 * full), so that a daemon which waits for events it is not owed fails
 * here as it would on Xen.
 *
 * Several processes share one ring, so like the Linux driver the relay
 * rewrites what would collide: request ids (each client's are its own),
 * and watch tokens (prefixed with the client's id, stripped again on
 * events).  When a client goes, the relay ends its transactions and
 * removes its watches, which xenstored would otherwise keep for the ring.
 */
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <xen/io/xs_wire.h>

#include "log.h"
#include "xensimd.h"

#define XB_MSG_MAX	(sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX)
#define XB_CLIENT_OUT_MAX (1024 * 1024)	/* a client that stops reading */
#define XB_CLIENT_TX_MAX  16
#define XB_CLIENT_WATCH_MAX 128

struct xb_relay;

struct xb_watch {
	uint32_t	 len;
	char		 payload[XENSTORE_ABS_PATH_MAX + 64];	/* path\0tok\0 */
};

struct xb_client {
	TAILQ_ENTRY(xb_client)	 entry;
	struct xb_relay		*r;
	struct bufferevent	*bev;
	uint32_t		 id;
	uint32_t		 txs[XB_CLIENT_TX_MAX];
	uint32_t		 ntx;
	struct xb_watch		*watches;
	uint32_t		 nwatch;
};

/* A request in the ring, waiting for its reply. */
struct xb_pending {
	TAILQ_ENTRY(xb_pending)	 entry;
	uint32_t		 relay_id;
	uint32_t		 req_id;
	uint32_t		 type;
	struct xb_client	*c;	/* NULL: the relay's own clean-up */
	struct xb_watch		 watch;	/* WATCH and UNWATCH: what was sent */
};

struct xb_relay {
	struct dom				*d;
	int					 lfd;
	struct event				*lev;
	char					 path[108];
	struct xenstore_domain_interface	*ring;
	struct evt_handle			 h;	/* the guest's side */
	int					 evfd;	/* we read ports here */
	struct event				*evev;
	uint32_t				 port;
	struct evbuffer				*toring;
	uint8_t					 rsp[XB_MSG_MAX];
	size_t					 rsplen;
	TAILQ_HEAD(, xb_pending)		 pending;
	TAILQ_HEAD(, xb_client)			 clients;
	uint32_t				 next_id;
};

static void	ring_push(struct xb_relay *);

static void
ring_notify(struct xb_relay *r)
{
	evt_send(r->d->domid, r->port);
}

/* Copy what fits from toring into the request ring. */
static void
ring_push(struct xb_relay *r)
{
	struct xenstore_domain_interface *ri = r->ring;
	XENSTORE_RING_IDX cons, prod;
	size_t space, n, off, chunk;

	while (evbuffer_get_length(r->toring) > 0) {
		cons = atomic_load((_Atomic XENSTORE_RING_IDX *)&ri->req_cons);
		prod = ri->req_prod;
		if (prod - cons > XENSTORE_RING_SIZE)
			return;		/* the daemon broke the ring */
		space = XENSTORE_RING_SIZE - (prod - cons);
		if (space == 0)
			return;
		n = evbuffer_get_length(r->toring);
		n = n < space ? n : space;
		for (off = 0; off < n; off += chunk) {
			chunk = XENSTORE_RING_SIZE - MASK_XENSTORE_IDX(prod + off);
			chunk = chunk < n - off ? chunk : n - off;
			evbuffer_remove(r->toring,
			    ri->req + MASK_XENSTORE_IDX(prod + off), chunk);
		}
		atomic_thread_fence(memory_order_release);
		ri->req_prod = prod + n;
		atomic_thread_fence(memory_order_seq_cst);
		/*
		 * As Linux's xb_write: an event only if the daemon had
		 * consumed up to where this write began; otherwise it is
		 * still reading and must find the rest itself.
		 */
		cons = atomic_load((_Atomic XENSTORE_RING_IDX *)&ri->req_cons);
		if ((XENSTORE_RING_IDX)(cons - prod) <= n)
			ring_notify(r);
	}
}

static struct xb_client *
client_find(struct xb_relay *r, uint32_t id)
{
	struct xb_client *c;

	TAILQ_FOREACH(c, &r->clients, entry)
		if (c->id == id)
			return c;
	return NULL;
}

/* Queue a request from client c (NULL: the relay itself) for the ring. */
static int
relay_send(struct xb_relay *r, struct xb_client *c, struct xsd_sockmsg *hdr,
    const char *payload)
{
	struct xb_pending *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return -1;
	p->relay_id = ++r->next_id;
	p->req_id = hdr->req_id;
	p->type = hdr->type;
	p->c = c;
	if ((hdr->type == XS_WATCH || hdr->type == XS_UNWATCH) &&
	    hdr->len <= sizeof(p->watch.payload)) {
		p->watch.len = hdr->len;
		memcpy(p->watch.payload, payload, hdr->len);
	}
	TAILQ_INSERT_TAIL(&r->pending, p, entry);
	hdr->req_id = p->relay_id;
	evbuffer_add(r->toring, hdr, sizeof(*hdr));
	evbuffer_add(r->toring, payload, hdr->len);
	ring_push(r);
	return 0;
}

/* "path\0token\0" -> "path\0<id>/token\0", in place; -1 if it won't fit. */
static int
token_wrap(uint32_t id, struct xsd_sockmsg *hdr, char *payload)
{
	char tok[XENSTORE_PAYLOAD_MAX];
	size_t plen = strnlen(payload, hdr->len), tlen;
	int n;

	if (plen + 1 >= hdr->len)
		return -1;
	tlen = strnlen(payload + plen + 1, hdr->len - plen - 1);
	n = snprintf(tok, sizeof(tok), "%u/%.*s", id, (int)tlen,
	    payload + plen + 1);
	if (n < 0 || plen + 1 + n + 1 > XENSTORE_PAYLOAD_MAX)
		return -1;
	memcpy(payload + plen + 1, tok, n + 1);
	hdr->len = plen + 1 + n + 1;
	return 0;
}

static void	client_free(struct xb_client *);

static void
client_read(struct bufferevent *bev, void *arg)
{
	struct xb_client *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct xsd_sockmsg hdr;
	char payload[XENSTORE_PAYLOAD_MAX + 64];

	while (evbuffer_get_length(in) >= sizeof(hdr)) {
		evbuffer_copyout(in, &hdr, sizeof(hdr));
		if (hdr.len > XENSTORE_PAYLOAD_MAX) {
			log_warnx("dom%u xenbus: payload of %u bytes, dropping "
			    "client", c->r->d->domid, hdr.len);
			client_free(c);
			return;
		}
		if (evbuffer_get_length(in) < sizeof(hdr) + hdr.len)
			return;
		evbuffer_drain(in, sizeof(hdr));
		evbuffer_remove(in, payload, hdr.len);
		if ((hdr.type == XS_WATCH || hdr.type == XS_UNWATCH) &&
		    token_wrap(c->id, &hdr, payload) == -1) {
			client_free(c);
			return;
		}
		relay_send(c->r, c, &hdr, payload);
	}
}

/* Bookkeeping for what the relay must undo when the client goes. */
static void
client_track(struct xb_client *c, const struct xb_pending *p,
    const struct xsd_sockmsg *hdr, const char *payload)
{
	uint32_t i;

	if (hdr->type == XS_ERROR)
		return;
	if (p->type == XS_TRANSACTION_START && c->ntx < XB_CLIENT_TX_MAX)
		c->txs[c->ntx++] = strtoul(payload, NULL, 10);
	if (p->type == XS_TRANSACTION_END)
		for (i = 0; i < c->ntx; i++)
			if (c->txs[i] == hdr->tx_id)
				c->txs[i] = c->txs[--c->ntx];
	if (p->type == XS_WATCH && c->nwatch < XB_CLIENT_WATCH_MAX &&
	    p->watch.len > 0) {
		struct xb_watch *nw = reallocarray(c->watches, c->nwatch + 1,
		    sizeof(*nw));
		if (nw != NULL) {
			c->watches = nw;
			c->watches[c->nwatch++] = p->watch;
		}
	}
	if (p->type == XS_UNWATCH)
		for (i = 0; i < c->nwatch; i++)
			if (c->watches[i].len == p->watch.len &&
			    memcmp(c->watches[i].payload, p->watch.payload,
			    p->watch.len) == 0) {
				c->watches[i] = c->watches[--c->nwatch];
				break;
			}
}

static void
client_deliver(struct xb_client *c, const struct xsd_sockmsg *hdr,
    const char *payload)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);

	if (evbuffer_get_length(out) > XB_CLIENT_OUT_MAX) {
		log_warnx("dom%u xenbus: client %u is not reading, dropping it",
		    c->r->d->domid, c->id);
		client_free(c);
		return;
	}
	bufferevent_write(c->bev, hdr, sizeof(*hdr));
	bufferevent_write(c->bev, payload, hdr->len);
}

/* A watch event: route by the token's prefix and strip it. */
static void
route_event(struct xb_relay *r, struct xsd_sockmsg *hdr, char *payload)
{
	size_t plen = strnlen(payload, hdr->len);
	char *tok, *slash;
	struct xb_client *c;

	if (plen + 1 >= hdr->len)
		return;
	tok = payload + plen + 1;
	if ((slash = memchr(tok, '/', hdr->len - plen - 1)) == NULL ||
	    (c = client_find(r, strtoul(tok, NULL, 10))) == NULL)
		return;
	memmove(tok, slash + 1, hdr->len - (slash + 1 - payload));
	hdr->len -= slash + 1 - tok;
	client_deliver(c, hdr, payload);
}

static void
route_reply(struct xb_relay *r, struct xsd_sockmsg *hdr, char *payload)
{
	struct xb_pending *p;

	TAILQ_FOREACH(p, &r->pending, entry)
		if (p->relay_id == hdr->req_id)
			break;
	if (p == NULL) {
		log_warnx("dom%u xenbus: reply to no request", r->d->domid);
		return;
	}
	TAILQ_REMOVE(&r->pending, p, entry);
	if (p->c != NULL) {
		hdr->req_id = p->req_id;
		client_track(p->c, p, hdr, payload);
		client_deliver(p->c, hdr, payload);
	}
	free(p);
}

/* Take whole messages out of the response ring. */
static void
ring_pull(struct xb_relay *r)
{
	struct xenstore_domain_interface *ri = r->ring;
	struct xsd_sockmsg *hdr = (struct xsd_sockmsg *)r->rsp;
	XENSTORE_RING_IDX cons = ri->rsp_cons, start = cons, prod;

	prod = atomic_load((_Atomic XENSTORE_RING_IDX *)&ri->rsp_prod);
	atomic_thread_fence(memory_order_acquire);
	if (prod - cons > XENSTORE_RING_SIZE)
		return;		/* the daemon broke the ring */
	while (cons != prod) {
		r->rsp[r->rsplen++] = ri->rsp[MASK_XENSTORE_IDX(cons++)];
		if (r->rsplen < sizeof(*hdr))
			continue;
		if (hdr->len > XENSTORE_PAYLOAD_MAX) {
			log_warnx("dom%u xenbus: oversized reply", r->d->domid);
			r->rsplen = 0;
			continue;
		}
		if (r->rsplen < sizeof(*hdr) + hdr->len)
			continue;
		if (hdr->type == XS_WATCH_EVENT)
			route_event(r, hdr, (char *)(hdr + 1));
		else
			route_reply(r, hdr, (char *)(hdr + 1));
		r->rsplen = 0;
	}
	atomic_thread_fence(memory_order_release);
	ri->rsp_cons = cons;
	atomic_thread_fence(memory_order_seq_cst);
	/* As Linux's xb_read: an event only if the ring was full. */
	if (cons != start && atomic_load((_Atomic XENSTORE_RING_IDX *)
	    &ri->rsp_prod) - start >= XENSTORE_RING_SIZE)
		ring_notify(r);
}

static void
relay_event(int fd, short what, void *arg)
{
	struct xb_relay *r = arg;
	uint32_t port;

	(void)what;
	while (recv(fd, &port, sizeof(port), MSG_DONTWAIT) == sizeof(port))
		if (port == r->port && evw_unmask(&r->d->states[port]))
			send(r->h.sock, &port, sizeof(port),
			    MSG_DONTWAIT | MSG_NOSIGNAL);
	ring_pull(r);
	ring_push(r);
}

/* End what the client left open on the shared ring. */
static void
client_cleanup(struct xb_client *c)
{
	struct xsd_sockmsg hdr;
	uint32_t i;

	for (i = 0; i < c->ntx; i++) {
		hdr = (struct xsd_sockmsg){ .type = XS_TRANSACTION_END,
		    .tx_id = c->txs[i], .len = 2 };
		relay_send(c->r, NULL, &hdr, "F");
	}
	for (i = 0; i < c->nwatch; i++) {
		hdr = (struct xsd_sockmsg){ .type = XS_UNWATCH,
		    .len = c->watches[i].len };
		relay_send(c->r, NULL, &hdr, c->watches[i].payload);
	}
}

static void
client_free(struct xb_client *c)
{
	struct xb_pending *p;

	client_cleanup(c);
	TAILQ_FOREACH(p, &c->r->pending, entry)
		if (p->c == c)
			p->c = NULL;
	TAILQ_REMOVE(&c->r->clients, c, entry);
	bufferevent_free(c->bev);
	free(c->watches);
	free(c);
}

static void
client_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		client_free(arg);
}

static void
relay_accept(int lfd, short what, void *arg)
{
	struct xb_relay *r = arg;
	struct xb_client *c;
	int fd;

	(void)what;
	if ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) == -1)
		return;
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->bev = bufferevent_socket_new(xsim_base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		free(c);
		close(fd);
		return;
	}
	c->r = r;
	c->id = ++r->next_id;
	bufferevent_setcb(c->bev, client_read, NULL, client_event, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	TAILQ_INSERT_TAIL(&r->clients, c, entry);
}

static int
relay_listen(struct xb_relay *r)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	strcpy(sun.sun_path, r->path);
	unlink(r->path);
	r->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (r->lfd == -1 ||
	    bind(r->lfd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    listen(r->lfd, 64) == -1)
		return -1;
	r->lev = event_new(xsim_base, r->lfd, EV_READ | EV_PERSIST,
	    relay_accept, r);
	return r->lev != NULL && event_add(r->lev, NULL) == 0 ? 0 : -1;
}

/* The guest side of the store event channel, delivered to us. */
static int
relay_port(struct xb_relay *r)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0,
	    sv) == -1)
		return -1;
	r->evfd = sv[0];
	r->h.sock = sv[1];
	if (evt_bind_unbound(&r->h, r->d->domid, xsim_store_domid,
	    &r->port) != 0)
		return -1;
	r->evev = event_new(xsim_base, r->evfd, EV_READ | EV_PERSIST,
	    relay_event, r);
	return r->evev != NULL && event_add(r->evev, NULL) == 0 ? 0 : -1;
}

static int
relay_map_ring(struct xb_relay *r)
{
	off_t off = (off_t)r->d->grants[XSIM_GREF_XENSTORE].page *
	    XSIM_PAGE_SIZE;

	r->ring = mmap(NULL, XSIM_PAGE_SIZE, PROT_READ | PROT_WRITE,
	    MAP_SHARED, r->d->arena.fd, off);
	if (r->ring == MAP_FAILED) {
		r->ring = NULL;
		return -1;
	}
	r->ring->connection = XENSTORE_CONNECTED;
	return 0;
}

void
xb_relay_free(struct xb_relay *r)
{
	struct xb_client *c;
	struct xb_pending *p;

	if (r == NULL)
		return;
	while ((c = TAILQ_FIRST(&r->clients)) != NULL) {
		c->ntx = c->nwatch = 0;	/* the ring dies with the domain */
		client_free(c);
	}
	while ((p = TAILQ_FIRST(&r->pending)) != NULL) {
		TAILQ_REMOVE(&r->pending, p, entry);
		free(p);
	}
	if (r->lev != NULL)
		event_free(r->lev);
	if (r->evev != NULL)
		event_free(r->evev);
	if (r->lfd != -1) {
		close(r->lfd);
		unlink(r->path);
	}
	if (r->evfd != -1)
		close(r->evfd);
	if (r->h.sock != -1)
		close(r->h.sock);
	if (r->ring != NULL)
		munmap(r->ring, XSIM_PAGE_SIZE);
	if (r->toring != NULL)
		evbuffer_free(r->toring);
	free(r);
}

struct xb_relay *
xb_relay_new(struct dom *d, const char *dir)
{
	struct xb_relay *r;
	int n;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->d = d;
	r->lfd = r->evfd = r->h.sock = -1;
	TAILQ_INIT(&r->pending);
	TAILQ_INIT(&r->clients);
	n = snprintf(r->path, sizeof(r->path), "%s/xenbus.%u", dir, d->domid);
	if (n < 0 || (size_t)n >= sizeof(r->path) ||
	    (r->toring = evbuffer_new()) == NULL || relay_map_ring(r) == -1 ||
	    relay_port(r) == -1 || relay_listen(r) == -1) {
		log_warn("dom%u: xenbus relay", d->domid);
		xb_relay_free(r);
		return NULL;
	}
	return r;
}

const char *
xb_relay_path(const struct xb_relay *r)
{
	return r->path;
}

uint32_t
xb_relay_port(const struct xb_relay *r)
{
	return r->port;
}
