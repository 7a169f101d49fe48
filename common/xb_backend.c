/*
 * xb_backend: the backend side of the xenbus handshake (xb_backend.h).
 */
#include <sys/queue.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <xenstore.h>
#include <xen/io/xenbus.h>

#include "log.h"
#include "strnum.h"
#include "xb_read.h"
#include "xb_backend.h"

#define PATH_MAX_XB	256
#define TOKEN_ROOT	"xb-root"
#define TOKEN_FE	"xb-fe:"

struct xb_dev {
	TAILQ_ENTRY(xb_dev)	 entry;
	struct xb_backend	*b;
	unsigned		 id;		/* for its watch's token */
	unsigned		 frontend_id, devid;
	char			 be[PATH_MAX_XB], fe[PATH_MAX_XB];
	enum xenbus_state	 state;		/* ours, as last written */
	bool			 probed, connected, refused, watching, seen;
	void			*data;
};

struct xb_backend {
	struct event_base		*base;
	struct xs_handle		*xs;
	struct event			*ev;
	char				 root[128];	/* .../backend/TYPE */
	char				 type[32];
	const struct xb_backend_ops	*ops;
	void				*arg;
	TAILQ_HEAD(, xb_dev)		 devs;
	unsigned			 ndevs, next_id;
};

/* ---- reading and writing ---- */


static int
write_fmt(struct xb_dev *d, const char *key, const char *fmt, va_list ap)
{
	char	 path[PATH_MAX_XB * 2], v[XB_VALUE_MAX + 1];
	int	 n;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", d->be, key) >=
	    sizeof(path) || (n = vsnprintf(v, sizeof(v), fmt, ap)) < 0 ||
	    (size_t)n >= sizeof(v)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return xs_write(d->b->xs, XBT_NULL, path, v, (unsigned)n) ? 0 : -1;
}

int
xb_dev_write(struct xb_dev *d, const char *key, const char *fmt, ...)
{
	va_list	 ap;
	int	 rc;

	va_start(ap, fmt);
	rc = write_fmt(d, key, fmt, ap);
	va_end(ap);
	return rc;
}

int
xb_dev_read_ulong(struct xb_dev *d, const char *key, unsigned long max,
    unsigned long *out)
{
	return xb_read_ulong(d->b->xs, d->fe, key, max, out);
}

int
xb_dev_read_ulong_in(struct xb_dev *d, const char *prefix, const char *key,
    unsigned long max, unsigned long *out)
{
	char	 path[XB_VALUE_MAX];

	if ((size_t)snprintf(path, sizeof(path), "%s%s", prefix, key) >=
	    sizeof(path))
		return -1;
	return xb_dev_read_ulong(d, path, max, out);
}

char *
xb_dev_read(struct xb_dev *d, const char *key)
{
	return xb_read_bounded(d->b->xs, d->fe, key);
}

char *
xb_dev_read_own(struct xb_dev *d, const char *key)
{
	return xb_read_bounded(d->b->xs, d->be, key);
}

void *xb_dev_arg(const struct xb_dev *d) { return d->b->arg; }
void *xb_dev_data(const struct xb_dev *d) { return d->data; }
void xb_dev_set_data(struct xb_dev *d, void *p) { d->data = p; }
unsigned xb_dev_frontend_id(const struct xb_dev *d) { return d->frontend_id; }
unsigned xb_dev_id(const struct xb_dev *d) { return d->devid; }
const char *xb_dev_frontend_path(const struct xb_dev *d) { return d->fe; }
const char *xb_dev_backend_path(const struct xb_dev *d) { return d->be; }
unsigned xb_backend_devices(const struct xb_backend *b) { return b->ndevs; }

/* ---- the state machine ---- */

static void
set_state(struct xb_dev *d, enum xenbus_state st)
{
	if (d->state == st)
		return;
	if (xb_dev_write(d, "state", "%d", (int)st) != 0) {
		log_warn("%s: writing state %d", d->be, (int)st);
		return;
	}
	d->state = st;
}

static void
disconnect(struct xb_dev *d)
{
	if (!d->connected)
		return;
	d->connected = false;
	if (d->b->ops->disconnect != NULL)
		d->b->ops->disconnect(d);
}

static void
try_connect(struct xb_dev *d)
{
	if (d->b->ops->connect(d) != 0) {
		log_warnx("%s: frontend %u refused", d->be, d->frontend_id);
		set_state(d, XenbusStateClosing);
		return;
	}
	d->connected = true;
	set_state(d, XenbusStateConnected);
}

/* The frontend's state moved (its watch fired), or was first read. */
static void
frontend_changed(struct xb_dev *d)
{
	unsigned long	 fe;

	if (d->refused || !d->probed)
		return;
	/* Absent or not a state: as a frontend that is gone. */
	if (xb_read_ulong(d->b->xs, d->fe, "state", XenbusStateReconfigured,
	    &fe) != 0)
		fe = XenbusStateClosed;
	switch (fe) {
	case XenbusStateInitialising:
		if (d->state == XenbusStateClosed)	/* it starts over */
			set_state(d, XenbusStateInitWait);
		break;
	case XenbusStateInitialised:
	case XenbusStateConnected:
		if (d->state == XenbusStateInitWait)
			try_connect(d);
		break;
	case XenbusStateClosing:
		disconnect(d);
		if (d->state != XenbusStateClosed)
			set_state(d, XenbusStateClosing);
		break;
	case XenbusStateUnknown:
	case XenbusStateClosed:
		disconnect(d);
		set_state(d, XenbusStateClosed);
		break;
	default:	/* InitWait, Reconfiguring, Reconfigured: not ours */
		break;
	}
}

/*
 * The toolstack takes a device away by setting "online" to 0 and our
 * state to Closing, then waits for Closed (libxl's device removal).
 */
static void
backend_changed(struct xb_dev *d)
{
	unsigned long	 online = 1, st;

	if (!d->probed || xb_read_ulong(d->b->xs, d->be, "online", 1,
	    &online) != 0 || online != 0)
		return;
	if (xb_read_ulong(d->b->xs, d->be, "state", XenbusStateReconfigured,
	    &st) == 0)
		d->state = (enum xenbus_state)st;	/* the toolstack's */
	disconnect(d);
	set_state(d, XenbusStateClosed);
}

/* ---- devices found and lost ---- */

static struct xb_dev *
dev_find(struct xb_backend *b, unsigned frontend_id, unsigned devid)
{
	struct xb_dev	*d;

	TAILQ_FOREACH(d, &b->devs, entry)
		if (d->frontend_id == frontend_id && d->devid == devid)
			return d;
	return NULL;
}

/*
 * What the toolstack wrote must name the frontend this directory is for:
 * its id, and a path in its own area.  0, or -1 with why.
 */
static int
check_frontend(struct xb_dev *d, const char **why)
{
	char		*fe, prefix[48];
	unsigned long	 id;

	if (xb_read_ulong(d->b->xs, d->be, "frontend-id", 0x7fef, &id) != 0 ||
	    id != d->frontend_id) {
		*why = "frontend-id is not the directory's";
		return -1;
	}
	if ((fe = xb_read_bounded(d->b->xs, d->be, "frontend")) == NULL) {
		*why = "no frontend path";
		return -1;
	}
	snprintf(prefix, sizeof(prefix), "/local/domain/%u/", d->frontend_id);
	if (strncmp(fe, prefix, strlen(prefix)) != 0 ||
	    strstr(fe, "/..") != NULL || strlen(fe) >= sizeof(d->fe)) {
		free(fe);
		*why = "the frontend path is not in the frontend's area";
		return -1;
	}
	snprintf(d->fe, sizeof(d->fe), "%s", fe);
	free(fe);
	return 0;
}

static void
watch_frontend(struct xb_dev *d)
{
	char	 path[PATH_MAX_XB + 8], token[32];

	snprintf(path, sizeof(path), "%s/state", d->fe);
	snprintf(token, sizeof(token), TOKEN_FE "%u", d->id);
	if (xs_watch(d->b->xs, path, token))
		d->watching = true;
	else
		log_warn("%s: watching %s", d->be, path);
}

/* A device the toolstack added: checked, probed, InitWait. */
static void
dev_add(struct xb_backend *b, unsigned frontend_id, unsigned devid)
{
	struct xb_dev	*d;
	const char	*why;

	if (b->ndevs >= XB_DEVS_MAX) {
		log_warnx("%s: %u devices already: %u/%u not served", b->root,
		    b->ndevs, frontend_id, devid);
		return;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		log_warn("%s: a device", b->root);
		return;
	}
	d->b = b;
	d->id = b->next_id++;
	d->frontend_id = frontend_id;
	d->devid = devid;
	d->seen = true;
	d->state = XenbusStateInitialising;
	snprintf(d->be, sizeof(d->be), "%s/%u/%u", b->root, frontend_id,
	    devid);
	TAILQ_INSERT_TAIL(&b->devs, d, entry);
	b->ndevs++;
	if (check_frontend(d, &why) != 0) {
		/* Written in one transaction by a toolstack: not half-made. */
		log_warnx("%s: refused: %s", d->be, why);
		d->refused = true;
		(void)xb_dev_write(d, "error", "%s", why);
		set_state(d, XenbusStateClosed);
		return;
	}
	if (b->ops->probe(d) != 0) {
		log_warnx("%s: refused by the backend", d->be);
		d->refused = true;
		set_state(d, XenbusStateClosed);
		return;
	}
	d->probed = true;
	log_info("%s: frontend %u device %u (%s)", b->type, frontend_id,
	    devid, d->fe);
	set_state(d, XenbusStateInitWait);
	watch_frontend(d);
	frontend_changed(d);	/* a frontend that was there first */
}

static void
dev_remove(struct xb_dev *d)
{
	struct xb_backend	*b = d->b;
	char			 path[PATH_MAX_XB + 8], token[32];

	disconnect(d);
	if (d->probed && b->ops->remove != NULL)
		b->ops->remove(d);
	if (d->watching) {
		snprintf(path, sizeof(path), "%s/state", d->fe);
		snprintf(token, sizeof(token), TOKEN_FE "%u", d->id);
		(void)xs_unwatch(b->xs, path, token);
	}
	TAILQ_REMOVE(&b->devs, d, entry);
	b->ndevs--;
	free(d);
}

/* A directory's entries (none if it is not there). */
static char **
list(struct xb_backend *b, const char *dir, unsigned *n)
{
	char	**v = xs_directory(b->xs, XBT_NULL, dir, n);

	if (v == NULL)
		*n = 0;
	return v;
}

/* The backend directory read again: devices added and removed. */
static void
scan(struct xb_backend *b)
{
	char		 dir[PATH_MAX_XB + 16];
	char		**fes, **devs;
	unsigned	 nfe, ndev, i, j;
	long long	 fid, did;
	struct xb_dev	*d, *next;

	TAILQ_FOREACH(d, &b->devs, entry)
		d->seen = false;
	fes = list(b, b->root, &nfe);
	for (i = 0; i < nfe; i++) {
		if (strnum(fes[i], 0, 0x7fef, &fid) != 0)
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", b->root, fes[i]);
		devs = list(b, dir, &ndev);
		for (j = 0; j < ndev; j++) {
			if (strnum(devs[j], 0, 0xffffff, &did) != 0)
				continue;
			if ((d = dev_find(b, (unsigned)fid,
			    (unsigned)did)) != NULL)
				d->seen = true;
			else
				dev_add(b, (unsigned)fid, (unsigned)did);
		}
		free(devs);
	}
	free(fes);
	for (d = TAILQ_FIRST(&b->devs); d != NULL; d = next) {
		next = TAILQ_NEXT(d, entry);
		if (!d->seen) {
			log_info("%s: frontend %u device %u removed", b->type,
			    d->frontend_id, d->devid);
			dev_remove(d);
		}
	}
}

/*
 * A change under the backend directory: a device's own key (its state,
 * "online") is that device's business; anything else (a device added or
 * removed, or the directory itself) is a scan.
 */
static void
root_changed(struct xb_backend *b, const char *path)
{
	size_t		 n = strlen(b->root);
	unsigned	 fid, did;
	char		 key[32];
	struct xb_dev	*d;

	if (strncmp(path, b->root, n) == 0 && sscanf(path + n, "/%u/%u/%31s",
	    &fid, &did, key) == 3 && (d = dev_find(b, fid, did)) != NULL) {
		if (strcmp(key, "online") == 0 || strcmp(key, "state") == 0)
			backend_changed(d);
		return;
	}
	scan(b);
}

static void
on_watch(struct xb_backend *b, const char *path, const char *token)
{
	struct xb_dev	*d;
	long long	 id;

	if (strcmp(token, TOKEN_ROOT) == 0) {
		root_changed(b, path);
		return;
	}
	if (strncmp(token, TOKEN_FE, strlen(TOKEN_FE)) != 0 ||
	    strnum(token + strlen(TOKEN_FE), 0, 0xffffffffLL, &id) != 0)
		return;
	TAILQ_FOREACH(d, &b->devs, entry)
		if (d->id == (unsigned)id) {
			frontend_changed(d);
			return;
		}
}

static void
on_xs(evutil_socket_t fd, short what, void *arg)
{
	struct xb_backend	*b = arg;
	char			**w;

	(void)fd;
	(void)what;
	while ((w = xs_check_watch(b->xs)) != NULL) {
		on_watch(b, w[XS_WATCH_PATH], w[XS_WATCH_TOKEN]);
		free(w);
	}
	if (errno != EAGAIN)
		log_warn("%s: xenstore watch", b->root);
}

/* ---- starting and stopping ---- */

/* Our own domain: the relative "domid" is /local/domain/N/domid (a dom0
 * may lack it: then 0). */
static unsigned
self_domid(struct xs_handle *xs)
{
	char		*v;
	unsigned int	 len;
	long long	 id = 0;

	if ((v = xs_read(xs, XBT_NULL, "domid", &len)) != NULL) {
		if (strnum(v, 0, 0x7fef, &id) != 0)
			id = 0;
		free(v);
	}
	return (unsigned)id;
}

struct xb_backend *
xb_backend_start(struct event_base *base, const char *type,
    const struct xb_backend_ops *ops, void *arg, char *err, size_t errlen)
{
	struct xb_backend	*b;

	if (strlen(type) >= sizeof(b->type) || strchr(type, '/') != NULL) {
		snprintf(err, errlen, "bad device type \"%s\"", type);
		return NULL;
	}
	if ((b = calloc(1, sizeof(*b))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	b->base = base;
	b->ops = ops;
	b->arg = arg;
	TAILQ_INIT(&b->devs);
	snprintf(b->type, sizeof(b->type), "%s", type);
	if ((b->xs = xs_open(0)) == NULL) {
		snprintf(err, errlen, "xenstore: %s", strerror(errno));
		goto fail;
	}
	snprintf(b->root, sizeof(b->root), "/local/domain/%u/backend/%s",
	    self_domid(b->xs), type);
	/* The first event is the watch's own: it scans what is there. */
	if (!xs_watch(b->xs, b->root, TOKEN_ROOT)) {
		snprintf(err, errlen, "watching %s: %s", b->root,
		    strerror(errno));
		goto fail;
	}
	if ((b->ev = event_new(base, xs_fileno(b->xs), EV_READ | EV_PERSIST,
	    on_xs, b)) == NULL || event_add(b->ev, NULL) == -1) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	return b;
fail:
	xb_backend_stop(b);
	return NULL;
}

void
xb_backend_stop(struct xb_backend *b)
{
	struct xb_dev	*d;

	if (b == NULL)
		return;
	while ((d = TAILQ_FIRST(&b->devs)) != NULL)
		dev_remove(d);
	if (b->ev != NULL)
		event_free(b->ev);
	if (b->xs != NULL)
		xs_close(b->xs);
	free(b);
}
