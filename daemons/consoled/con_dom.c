#include <sys/mman.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
/* xenctrl.h first: it tells the Xen headers after it this is a tool. */
#include <xenctrl.h>
#include <xen/grant_table.h>

#include "con_dom.h"
#include "con_ring.h"
#include "log.h"

#define CHUNK		2048	/* the ring's out is this big */
#define MARKER_MAX	64	/* "\n[consoled: N bytes dropped]\n" */
#define INQ_SIZE	4096
#define NS		1000000000ull

static void	service(struct con_dom *, bool last);

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

static void
notify(struct con_dom *d)
{
	if (d->t->xce != NULL && d->port != 0)
		xenevtchn_notify(d->t->xce, d->port);
}

/* The ring part alone: the sinks and the counters stay. */
void
con_dom_detach(struct con_dom *d)
{
	if (d->t->xce != NULL && d->port != 0) {
		if (d->masked)
			xenevtchn_unmask(d->t->xce, d->port);
		xenevtchn_unbind(d->t->xce, d->port);
	}
	if (d->intf != NULL && d->granted)
		xengnttab_unmap(d->t->xgt, d->intf, 1);
	d->intf = NULL;
	d->granted = false;
	d->port = 0;
	d->masked = false;
}

bool
con_dom_attached(const struct con_dom *d)
{
	return d->intf != NULL;
}

static void
mark_bad(struct con_dom *d, const char *what)
{
	log_warnx("domain %u: %s index out of range on its console ring; "
	    "it is no longer read", d->domid, what);
	d->bad = true;
	con_dom_detach(d);
}

/* ---- the kept stream and its sinks ---- */

static void
pty_send(struct con_dom *d, const char *p, size_t n)
{
	ssize_t w;

	if (d->pty.master == -1)
		return;
	if (d->ptyq.len == 0) {
		if ((w = write(d->pty.master, p, n)) < 0)
			w = 0;
		p += w;
		n -= (size_t)w;
	}
	if (n > 0) {
		con_buf_put_evict(&d->ptyq, p, n);
		event_add(d->ev_ptyw, NULL);
	}
}

static void
emit(struct con_dom *d, const char *p, size_t n)
{
	struct con_follow *f, *next;

	if (n == 0)
		return;
	con_log_write(&d->log, p, n);
	con_buf_put_evict(&d->hist, p, n);
	pty_send(d, p, n);
	/* A follower may cancel itself from its callback. */
	for (f = LIST_FIRST(&d->follows); f != NULL; f = next) {
		next = LIST_NEXT(f, entry);
		f->fn(p, n, f->arg);
	}
	d->last_nl = p[n - 1] == '\n';
}

static size_t
marker(char *m, size_t len, uint64_t gap, bool at_bol)
{
	return (size_t)snprintf(m, len, "%s[consoled: %llu bytes dropped]\n",
	    at_bol ? "" : "\n", (unsigned long long)gap);
}

/* Is the stream, as far as it is held, at the start of a line? */
static bool
held_bol(const struct con_dom *d)
{
	char c;

	if (d->held.len == 0)
		return d->last_nl;
	con_buf_copy(&d->held, d->held.len - 1, &c, 1);
	return c == '\n';
}

/* Let out what the rate allows of what was held (all of it: last). */
static void
release(struct con_dom *d, bool last)
{
	char m[MARKER_MAX];
	const char *p;
	size_t n, run;

	n = last ? d->held.len : con_rate_take(&d->rate, d->t->clock(),
	    d->held.len);
	while (n > 0 && (run = con_buf_peek(&d->held, &p)) > 0) {
		if (run > n)
			run = n;
		emit(d, p, run);
		con_buf_drop(&d->held, run);
		n -= run;
	}
	if (d->held.len == 0 && d->gap > 0) {
		emit(d, m, marker(m, sizeof(m), d->gap, d->last_nl));
		d->gap = 0;
	}
}

/* Bytes just read from the ring: out now, held, or dropped. */
static void
accept_bytes(struct con_dom *d, const char *p, size_t n)
{
	char m[MARKER_MAX];
	size_t k, room;
	int cap = d->t->cfg->buffer;

	if (d->held.len == 0 && d->gap == 0) {
		k = con_rate_take(&d->rate, d->t->clock(), n);
		emit(d, p, k);
		p += k;
		n -= k;
	}
	room = (size_t)cap > d->held.len ? (size_t)cap - d->held.len : 0;
	if ((k = n < room ? n : room) > 0) {
		if (d->gap > 0) {
			con_buf_put(&d->held, m, marker(m, sizeof(m), d->gap,
			    held_bol(d)));
			d->gap = 0;
		}
		con_buf_put(&d->held, p, k);
		n -= k;
	}
	if (n > 0) {
		if (d->gap == 0 && d->dropped == 0)
			log_info("domain %u: over its console rate and "
			    "buffer, dropping output", d->domid);
		d->gap += n;
		d->dropped += n;
	}
}

/* ---- the ring ---- */

/* Two rings' worth at most: a guest refilling as we read cannot hold us. */
static void
drain(struct con_dom *d)
{
	char buf[CHUNK];
	ssize_t n;
	int i;

	for (i = 0; i < 2 && d->intf != NULL; i++) {
		if ((n = con_ring_read(d->intf, buf, sizeof(buf))) < 0) {
			mark_bad(d, "output producer");
			return;
		}
		if (n == 0)
			return;
		d->seen += (uint64_t)n;
		accept_bytes(d, buf, (size_t)n);
		notify(d);
	}
}

static void
input_flush(struct con_dom *d)
{
	const char *p;
	size_t n;
	ssize_t w;

	while (d->intf != NULL && (n = con_buf_peek(&d->inq, &p)) > 0) {
		if ((w = con_ring_write(d->intf, p, n)) < 0) {
			mark_bad(d, "input consumer");
			return;
		}
		if (w == 0)
			break;		/* the guest notifies when it reads */
		con_buf_drop(&d->inq, (size_t)w);
		notify(d);
	}
	if (d->ev_ptyr != NULL && con_buf_room(&d->inq) > 0 &&
	    !event_pending(d->ev_ptyr, EV_READ, NULL))
		event_add(d->ev_ptyr, NULL);
}

/* Over its notification rate: the port stays masked, the tick serves. */
static bool
throttled(const struct con_dom *d)
{
	return d->events > (unsigned)d->t->cfg->events;
}

static void
arm_tick(struct con_dom *d)
{
	struct timeval tv = { 0, d->t->cfg->tick_ms * 1000 };

	if (!d->ticking && evtimer_add(d->tick, &tv) == 0)
		d->ticking = true;
}

/*
 * Serve the ring, then decide: within its notification rate the port is
 * unmasked for the next event, over it the port stays masked and the
 * tick serves the ring.  Held bytes are let out on the tick too.
 */
static void
service(struct con_dom *d, bool last)
{
	if (d->intf != NULL && !d->bad) {
		input_flush(d);
		release(d, last);
		drain(d);
		if (last)
			release(d, true);
	}
	if (last || d->intf == NULL)
		return;
	if (d->held.len > 0 || d->gap > 0 || throttled(d))
		arm_tick(d);
	if (throttled(d))
		return;
	if (d->masked && d->t->xce != NULL && d->port != 0)
		xenevtchn_unmask(d->t->xce, d->port);
	d->masked = false;
}

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct con_dom *d = arg;
	uint64_t now = d->t->clock();

	(void)fd;
	(void)what;
	d->ticking = false;
	if (now - d->events_since >= NS) {
		d->events = 0;
		d->events_since = now;
	}
	service(d, false);
}

/* An event on d's port; the port is masked until we unmask it. */
static void
dom_event(struct con_dom *d)
{
	uint64_t now = d->t->clock();

	if (now - d->events_since >= NS) {
		d->events = 0;
		d->events_since = now;
	}
	d->masked = true;
	if (++d->events > (unsigned)d->t->cfg->events) {
		arm_tick(d);
		return;
	}
	service(d, false);
}

/*
 * Our own event rather than evloop_add_evtchn(): a throttled domain's
 * port must stay masked past the callback, which evloop does not allow.
 */
static void
on_evtchn(evutil_socket_t fd, short what, void *arg)
{
	struct con_doms *t = arg;
	struct con_dom *d;
	xenevtchn_port_or_error_t port;

	(void)fd;
	(void)what;
	if ((port = xenevtchn_pending(t->xce)) == -1)
		return;
	LIST_FOREACH(d, &t->doms, entry)
		if (d->port == (evtchn_port_t)port) {
			dom_event(d);
			return;
		}
	xenevtchn_unmask(t->xce, (evtchn_port_t)port);
}

void
con_dom_kick(struct con_dom *d)
{
	service(d, false);
}

ssize_t
con_dom_input(struct con_dom *d, const void *p, size_t n)
{
	size_t k;

	if (d->bad) {
		errno = EIO;
		return -1;
	}
	k = con_buf_put(&d->inq, p, n);
	input_flush(d);
	return d->bad ? (errno = EIO, -1) : (ssize_t)k;
}

/* ---- the pty ---- */

static void
on_ptyw(evutil_socket_t fd, short what, void *arg)
{
	struct con_dom *d = arg;
	const char *p;
	size_t n;
	ssize_t w;

	(void)what;
	if ((n = con_buf_peek(&d->ptyq, &p)) > 0 &&
	    (w = write(fd, p, n)) > 0)
		con_buf_drop(&d->ptyq, (size_t)w);
	if (d->ptyq.len == 0)
		event_del(d->ev_ptyw);
}

static void
on_ptyr(evutil_socket_t fd, short what, void *arg)
{
	struct con_dom *d = arg;
	char buf[1024];
	size_t room = con_buf_room(&d->inq);
	ssize_t n;

	(void)what;
	if (room == 0 || d->bad) {
		event_del(d->ev_ptyr);	/* input_flush() adds it back */
		return;
	}
	if ((n = read(fd, buf, room < sizeof(buf) ? room : sizeof(buf))) > 0) {
		con_buf_put(&d->inq, buf, (size_t)n);
		input_flush(d);
	} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
		log_debug("domain %u: pty read: %s", d->domid,
		    n == 0 ? "end of file" : strerror(errno));
		event_del(d->ev_ptyr);
	}
}

/* ---- life ---- */

static int
open_log(struct con_dom *d)
{
	char path[4096], id[16];

	snprintf(id, sizeof(id), "dom%u", d->domid);
	if (con_log_name(path, sizeof(path), d->t->cfg->log_dir,
	    d->name[0] != '\0' ? d->name : id) == -1 ||
	    con_log_open(&d->log, path, d->t->cfg->timestamps) == -1) {
		log_warn("domain %u: log file %s", d->domid, path);
		return -1;
	}
	return 0;
}

static void
open_pty(struct con_dom *d)
{
	if (con_pty_open(&d->pty) == -1) {
		log_warn("domain %u: pty", d->domid);
		return;
	}
	d->ev_ptyr = event_new(d->t->base, d->pty.master, EV_READ | EV_PERSIST,
	    on_ptyr, d);
	d->ev_ptyw = event_new(d->t->base, d->pty.master, EV_WRITE |
	    EV_PERSIST, on_ptyw, d);
	if (d->ev_ptyr == NULL || d->ev_ptyw == NULL ||
	    event_add(d->ev_ptyr, NULL) == -1) {
		log_warnx("domain %u: no memory for its pty", d->domid);
		if (d->ev_ptyr != NULL)
			event_free(d->ev_ptyr);
		if (d->ev_ptyw != NULL)
			event_free(d->ev_ptyw);
		d->ev_ptyr = d->ev_ptyw = NULL;
		con_pty_close(&d->pty);
	}
}

static void
open_sinks(struct con_dom *d)
{
	if (d->log.path == NULL)
		open_log(d);
	if (d->t->cfg->pty && d->pty.master == -1)
		open_pty(d);
}

int
con_dom_attach_page(struct con_dom *d, struct xencons_interface *intf)
{
	d->intf = intf;
	d->granted = false;
	d->bad = false;
	open_sinks(d);
	service(d, false);
	return 0;
}

int
con_dom_attach(struct con_dom *d, unsigned ringref, unsigned rport)
{
	struct con_doms *t = d->t;
	void *page;
	int port;

	if (t->xgt == NULL || t->xce == NULL) {
		errno = ENOSYS;
		return -1;
	}
	page = xengnttab_map_grant_ref(t->xgt, d->domid,
	    GNTTAB_RESERVED_CONSOLE, PROT_READ | PROT_WRITE);
	if (page == NULL && ringref != GNTTAB_RESERVED_CONSOLE)
		page = xengnttab_map_grant_ref(t->xgt, d->domid, ringref,
		    PROT_READ | PROT_WRITE);
	if (page == NULL) {
		log_warn("domain %u: mapping its console page", d->domid);
		return -1;
	}
	if ((port = xenevtchn_bind_interdomain(t->xce, d->domid, rport)) < 0) {
		log_warn("domain %u: binding its console port %u", d->domid,
		    rport);
		xengnttab_unmap(t->xgt, page, 1);
		return -1;
	}
	d->ringref = ringref;
	d->rport = rport;
	d->port = (evtchn_port_t)port;
	d->intf = page;
	d->granted = true;
	d->bad = false;
	log_info("domain %u (%s): console attached, port %u", d->domid,
	    d->name, rport);
	open_sinks(d);
	service(d, false);	/* it may have written before we came */
	return 0;
}

struct con_dom *
con_dom_new(struct con_doms *t, unsigned domid, const char *name)
{
	const struct con_config *c = t->cfg;
	struct con_dom *d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	d->t = t;
	d->domid = domid;
	d->last_nl = true;
	d->log.fd = d->pty.master = d->pty.slave = -1;
	snprintf(d->name, sizeof(d->name), "%s", name != NULL ? name : "");
	LIST_INIT(&d->follows);
	con_rate_init(&d->rate, (uint64_t)c->rate, (uint64_t)c->burst,
	    t->clock());
	d->events_since = t->clock();
	if (con_buf_init(&d->held, (size_t)c->buffer + MARKER_MAX) == -1 ||
	    con_buf_init(&d->hist, (size_t)c->history) == -1 ||
	    con_buf_init(&d->ptyq, (size_t)c->pty_buffer) == -1 ||
	    con_buf_init(&d->inq, INQ_SIZE) == -1 ||
	    (d->tick = evtimer_new(t->base, on_tick, d)) == NULL) {
		con_buf_free(&d->held);
		con_buf_free(&d->hist);
		con_buf_free(&d->ptyq);
		con_buf_free(&d->inq);
		free(d);
		return NULL;
	}
	LIST_INSERT_HEAD(&t->doms, d, entry);
	return d;
}

void
con_dom_free(struct con_dom *d)
{
	struct con_follow *f;

	service(d, true);
	while ((f = LIST_FIRST(&d->follows)) != NULL) {
		LIST_REMOVE(f, entry);
		f->fn(NULL, 0, f->arg);
		free(f);
	}
	con_dom_detach(d);
	if (d->ev_ptyr != NULL)
		event_free(d->ev_ptyr);
	if (d->ev_ptyw != NULL)
		event_free(d->ev_ptyw);
	event_free(d->tick);
	con_pty_close(&d->pty);
	con_log_close(&d->log);
	con_buf_free(&d->held);
	con_buf_free(&d->hist);
	con_buf_free(&d->ptyq);
	con_buf_free(&d->inq);
	LIST_REMOVE(d, entry);
	free(d);
}

struct con_dom *
con_dom_find(struct con_doms *t, unsigned domid)
{
	struct con_dom *d;

	LIST_FOREACH(d, &t->doms, entry)
		if (d->domid == domid)
			return d;
	return NULL;
}

struct con_dom *
con_dom_lookup(struct con_doms *t, const char *spec)
{
	struct con_dom *d;
	char *end;
	unsigned long id;

	if (spec == NULL || *spec == '\0')
		return NULL;
	id = strtoul(spec, &end, 10);
	if (*end == '\0' && id <= 0xffff)
		return con_dom_find(t, (unsigned)id);
	LIST_FOREACH(d, &t->doms, entry)
		if (strcmp(d->name, spec) == 0)
			return d;
	return NULL;
}

int
con_doms_init(struct con_doms *t, struct event_base *base,
    const struct con_config *cfg, xenevtchn_handle *xce,
    xengnttab_handle *xgt)
{
	memset(t, 0, sizeof(*t));
	t->cfg = cfg;
	t->base = base;
	t->xce = xce;
	t->xgt = xgt;
	t->clock = mono_ns;
	LIST_INIT(&t->doms);
	if (xce == NULL)
		return 0;
	t->ev_evtchn = event_new(base, xenevtchn_fd(xce), EV_READ | EV_PERSIST,
	    on_evtchn, t);
	if (t->ev_evtchn == NULL || event_add(t->ev_evtchn, NULL) == -1) {
		if (t->ev_evtchn != NULL)
			event_free(t->ev_evtchn);
		t->ev_evtchn = NULL;
		return -1;
	}
	return 0;
}

void
con_doms_fini(struct con_doms *t)
{
	while (!LIST_EMPTY(&t->doms))
		con_dom_free(LIST_FIRST(&t->doms));
	if (t->ev_evtchn != NULL)
		event_free(t->ev_evtchn);
	t->ev_evtchn = NULL;
}

/*
 * Limits and timestamps apply at once; buffer sizes to domains that come
 * after.  Logs are reopened (that is what SIGHUP is for after logrotate),
 * under the new directory if it changed.
 */
void
con_doms_reconfigure(struct con_doms *t, const struct con_config *cfg)
{
	struct con_dom *d;
	bool newdir = strcmp(cfg->log_dir, t->cfg->log_dir) != 0;

	t->cfg = cfg;
	LIST_FOREACH(d, &t->doms, entry) {
		con_rate_set(&d->rate, (uint64_t)cfg->rate,
		    (uint64_t)cfg->burst);
		if (newdir && d->log.path != NULL) {
			con_log_close(&d->log);
			open_log(d);
		} else if (con_log_reopen(&d->log) == -1)
			log_warn("domain %u: reopening %s", d->domid,
			    d->log.path);
		d->log.stamp = cfg->timestamps;
		if (d->t->cfg->pty && d->intf != NULL && d->pty.master == -1)
			open_pty(d);
	}
}
