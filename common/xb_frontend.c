/*
 * xb_frontend: the frontend side of the xenbus handshake (xb_frontend.h).
 */
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
#include "xb_frontend.h"

#define PATH_MAX_XB	256
#define TOKEN_BE	"xb-fe-backend"
#define TXN_TRIES	16	/* EAGAIN retries before giving up */
#define DOMID_MAX	0x7fef	/* DOMID_FIRST_RESERVED - 1 */

struct xb_frontend {
	struct event_base		*base;
	struct xs_handle		*xs;
	struct event			*ev, *timer;
	const struct xb_frontend_ops	*ops;
	void				*arg;
	unsigned			 self, backend_id, devid;
	char				 fe[PATH_MAX_XB], be[PATH_MAX_XB];
	enum xenbus_state		 state;		/* ours, as written */
	bool				 connected;	/* connect() done */
	bool				 live;		/* connected() told */
	bool				 resetting;	/* a stale run undone */
	bool				 closing, closed;
};

/* ---- reading ---- */


int
xb_fe_read_ulong(struct xb_frontend *f, const char *key, unsigned long max,
    unsigned long *out)
{
	return xb_read_ulong(f->xs, f->be, key, max, out);
}

char *
xb_fe_read(struct xb_frontend *f, const char *key)
{
	return xb_read_bounded(f->xs, f->be, key);
}

char *
xb_fe_read_own(struct xb_frontend *f, const char *key)
{
	return xb_read_bounded(f->xs, f->fe, key);
}

void *xb_fe_arg(const struct xb_frontend *f) { return f->arg; }
unsigned xb_fe_backend_id(const struct xb_frontend *f) { return f->backend_id; }
unsigned xb_fe_devid(const struct xb_frontend *f) { return f->devid; }
unsigned xb_fe_self_id(const struct xb_frontend *f) { return f->self; }
const char *xb_fe_path(const struct xb_frontend *f) { return f->fe; }
const char *xb_fe_backend_path(const struct xb_frontend *f) { return f->be; }
int xb_fe_state(const struct xb_frontend *f) { return (int)f->state; }
bool xb_frontend_closed(const struct xb_frontend *f) { return f->closed; }

/* ---- keys written at once ---- */

struct xb_key {
	char	*key;
	char	*value;		/* NULL: remove the key */
};

struct xb_keys {
	struct xb_key	*v;
	size_t		 n, cap;
	bool		 failed;
};

struct xb_keys *
xb_keys_new(void)
{
	return calloc(1, sizeof(struct xb_keys));
}

void
xb_keys_free(struct xb_keys *k)
{
	size_t	 i;

	if (k == NULL)
		return;
	for (i = 0; i < k->n; i++) {
		free(k->v[i].key);
		free(k->v[i].value);
	}
	free(k->v);
	free(k);
}

/* Takes value (NULL: a removal). */
static void
keys_add(struct xb_keys *k, const char *key, char *value)
{
	struct xb_key	*nv;
	size_t		 cap;

	if (k->failed || strlen(key) >= PATH_MAX_XB) {
		k->failed = true;
		free(value);
		return;
	}
	if (k->n == k->cap) {
		cap = k->cap ? k->cap * 2 : 16;
		if ((nv = reallocarray(k->v, cap, sizeof(*nv))) == NULL) {
			k->failed = true;
			free(value);
			return;
		}
		k->v = nv;
		k->cap = cap;
	}
	if ((k->v[k->n].key = strdup(key)) == NULL) {
		k->failed = true;
		free(value);
		return;
	}
	k->v[k->n++].value = value;
}

void
xb_keys_set(struct xb_keys *k, const char *key, const char *fmt, ...)
{
	va_list	 ap;
	char	*v;
	int	 n;

	va_start(ap, fmt);
	n = vasprintf(&v, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n > XB_FE_VALUE_MAX) {
		if (n >= 0)
			free(v);
		k->failed = true;
		return;
	}
	keys_add(k, key, v);
}

void
xb_keys_rm(struct xb_keys *k, const char *key)
{
	keys_add(k, key, NULL);
}

/* One attempt: true if every key went into transaction t. */
static bool
keys_put(struct xb_frontend *f, xs_transaction_t t, const struct xb_keys *k)
{
	char	 path[PATH_MAX_XB * 2];
	size_t	 i;

	for (i = 0; i < k->n; i++) {
		snprintf(path, sizeof(path), "%s/%s", f->fe, k->v[i].key);
		if (k->v[i].value == NULL) {
			if (!xs_rm(f->xs, t, path) && errno != ENOENT)
				return false;
		} else if (!xs_write(f->xs, t, path, k->v[i].value,
		    strlen(k->v[i].value)))
			return false;
	}
	return true;
}

int
xb_fe_write_keys(struct xb_frontend *f, const struct xb_keys *k)
{
	xs_transaction_t	 t;
	bool			 ok;
	int			 tries;

	if (k == NULL || k->failed) {
		errno = k == NULL ? ENOMEM : ENAMETOOLONG;
		return -1;
	}
	for (tries = 0; tries < TXN_TRIES; tries++) {
		if ((t = xs_transaction_start(f->xs)) == XBT_NULL)
			return -1;
		ok = keys_put(f, t, k);
		if (!ok) {
			int	 saved = errno;

			(void)xs_transaction_end(f->xs, t, true);
			errno = saved;
			return -1;
		}
		if (xs_transaction_end(f->xs, t, false))
			return 0;
		if (errno != EAGAIN)	/* EAGAIN: someone wrote meanwhile */
			return -1;
	}
	errno = EAGAIN;
	return -1;
}

/* ---- the state machine ---- */

static void
set_state(struct xb_frontend *f, enum xenbus_state st)
{
	char	 path[PATH_MAX_XB + 8], v[4];
	int	 n;

	if (f->state == st)
		return;
	snprintf(path, sizeof(path), "%s/state", f->fe);
	n = snprintf(v, sizeof(v), "%d", (int)st);
	if (!xs_write(f->xs, XBT_NULL, path, v, (unsigned)n)) {
		log_warn("%s: writing state %d", f->fe, (int)st);
		return;
	}
	f->state = st;
}

static void
disconnect(struct xb_frontend *f)
{
	if (!f->connected)
		return;
	f->connected = false;
	f->live = false;
	if (f->ops->disconnect != NULL)
		f->ops->disconnect(f);
}

static void
try_connect(struct xb_frontend *f)
{
	if (f->ops->connect(f) != 0) {
		log_warnx("%s: connecting to %s failed", f->fe, f->be);
		set_state(f, XenbusStateClosed);
		return;
	}
	f->connected = true;
	set_state(f, f->ops->connected_with_keys ? XenbusStateConnected :
	    XenbusStateInitialised);
}

/* The end of an orderly close, or of a close that timed out. */
static void
finish_close(struct xb_frontend *f)
{
	if (f->timer != NULL) {
		event_free(f->timer);
		f->timer = NULL;
	}
	disconnect(f);
	set_state(f, XenbusStateClosed);
	f->closed = true;
}

/* Absent, or not a state: as a backend that is gone. */
static enum xenbus_state
backend_state(struct xb_frontend *f)
{
	unsigned long	 st;

	if (xb_read_ulong(f->xs, f->be, "state", XenbusStateReconfigured,
	    &st) != 0)
		return XenbusStateUnknown;
	return (enum xenbus_state)st;
}

/*
 * A stale connection being undone: once the backend holds none of the
 * old rings (it is anything but Connected or Closing), we start over.
 */
static bool
reset_done(struct xb_frontend *f, enum xenbus_state be)
{
	if (be == XenbusStateConnected || be == XenbusStateClosing)
		return false;
	f->resetting = false;
	set_state(f, XenbusStateInitialising);
	return true;
}

static void
backend_changed(struct xb_frontend *f)
{
	enum xenbus_state	 be = backend_state(f);

	if (f->closed)
		return;
	if (f->closing) {
		if (be == XenbusStateClosing || be == XenbusStateClosed ||
		    be == XenbusStateUnknown)
			finish_close(f);
		return;
	}
	if (f->resetting && !reset_done(f, be))
		return;
	switch (be) {
	case XenbusStateInitWait:
		if (f->state == XenbusStateClosed)	/* it came back */
			set_state(f, XenbusStateInitialising);
		if (f->state == XenbusStateInitialising)
			try_connect(f);
		break;
	case XenbusStateConnected:
		if (f->connected && !f->live && (f->state ==
		    XenbusStateInitialised || f->state == XenbusStateConnected)) {
			set_state(f, XenbusStateConnected);
			f->live = true;
			if (f->ops->connected != NULL)
				f->ops->connected(f);
		} else if (f->state == XenbusStateInitialising) {
			/* Connected to rings we never gave it: reset. */
			log_warnx("%s: backend connected to a stale frontend",
			    f->fe);
			f->resetting = true;
			set_state(f, XenbusStateClosed);
		}
		break;
	case XenbusStateClosing:
	case XenbusStateClosed:
	case XenbusStateUnknown:
		/*
		 * Its Closing asks us to finish: Closed at once, as Linux's
		 * frontends do (the backend waits for it).  While we are
		 * Initialising there is nothing to finish: a backend not
		 * started yet, or one still letting go of a stale run.
		 */
		if (f->state == XenbusStateInitialising)
			break;
		disconnect(f);
		set_state(f, XenbusStateClosed);
		break;
	default:	/* Initialising, Initialised, Reconfiguring...: wait */
		break;
	}
}

static void
on_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct xb_frontend	*f = arg;

	(void)fd;
	(void)what;
	log_warnx("%s: backend %s did not close in time", f->fe, f->be);
	finish_close(f);
}

void
xb_frontend_close(struct xb_frontend *f, unsigned timeout_ms)
{
	struct timeval	 tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };

	if (f->closing || f->closed)
		return;
	f->closing = true;
	/* Nothing shared with the backend: nothing to wait for. */
	if (f->state == XenbusStateInitialising ||
	    f->state == XenbusStateClosed) {
		finish_close(f);
		return;
	}
	set_state(f, XenbusStateClosing);
	if ((f->timer = evtimer_new(f->base, on_timeout, f)) == NULL ||
	    evtimer_add(f->timer, &tv) == -1) {
		log_warnx("%s: no close timer", f->fe);
		finish_close(f);
		return;
	}
	backend_changed(f);	/* it may be Closed already */
}

static void
on_xs(evutil_socket_t fd, short what, void *arg)
{
	struct xb_frontend	*f = arg;
	char			**w;

	(void)fd;
	(void)what;
	while ((w = xs_check_watch(f->xs)) != NULL) {
		if (strcmp(w[XS_WATCH_TOKEN], TOKEN_BE) == 0)
			backend_changed(f);
		free(w);
	}
	if (errno != EAGAIN)
		log_warn("%s: xenstore watch", f->fe);
}

/* ---- starting and stopping ---- */

/* Our own domain: the relative "domid" is /local/domain/N/domid. */
static int
self_domid(struct xs_handle *xs, unsigned *out)
{
	char		*v;
	unsigned int	 len;
	long long	 id;
	int		 rc;

	if ((v = xs_read(xs, XBT_NULL, "domid", &len)) == NULL)
		return -1;
	rc = strnum(v, 0, DOMID_MAX, &id);
	free(v);
	if (rc == 0)
		*out = (unsigned)id;
	return rc;
}

/*
 * What the toolstack wrote: the backend's domain, and a path in that
 * domain's backend area.  0, or -1 with why.
 */
static int
find_backend(struct xb_frontend *f, const char **why)
{
	unsigned long	 id;
	char		*be, prefix[48];

	if (xb_read_ulong(f->xs, f->fe, "backend-id", DOMID_MAX, &id) != 0) {
		*why = "no backend-id (is the device there?)";
		return -1;
	}
	if ((be = xb_read_bounded(f->xs, f->fe, "backend")) == NULL) {
		*why = "no backend path";
		return -1;
	}
	snprintf(prefix, sizeof(prefix), "/local/domain/%lu/backend/", id);
	if (strncmp(be, prefix, strlen(prefix)) != 0 ||
	    strstr(be, "/..") != NULL || strlen(be) >= sizeof(f->be)) {
		free(be);
		*why = "the backend path is not in the backend's area";
		return -1;
	}
	f->backend_id = (unsigned)id;
	snprintf(f->be, sizeof(f->be), "%s", be);
	free(be);
	return 0;
}

/* Our state as a previous run may have left it. */
static void
own_state(struct xb_frontend *f)
{
	unsigned long	 st;

	f->state = XenbusStateInitialising;
	if (xb_read_ulong(f->xs, f->fe, "state", XenbusStateReconfigured,
	    &st) == 0 && st != XenbusStateInitialising) {
		log_info("%s: found in state %lu: starting over", f->fe, st);
		f->state = (enum xenbus_state)st;
		f->resetting = true;
		set_state(f, XenbusStateClosed);
	}
}

static int
setup(struct xb_frontend *f, const char *type, char *err, size_t errlen)
{
	char		 path[PATH_MAX_XB + 8];
	const char	*why;

	if ((f->xs = xs_open(0)) == NULL) {
		snprintf(err, errlen, "xenstore: %s", strerror(errno));
		return -1;
	}
	if (self_domid(f->xs, &f->self) != 0) {
		snprintf(err, errlen, "cannot read our domid");
		return -1;
	}
	snprintf(f->fe, sizeof(f->fe), "/local/domain/%u/device/%s/%u",
	    f->self, type, f->devid);
	if (find_backend(f, &why) != 0) {
		snprintf(err, errlen, "%s: %s", f->fe, why);
		return -1;
	}
	own_state(f);
	/* The watch's first event is its own: the backend's state read. */
	snprintf(path, sizeof(path), "%s/state", f->be);
	if (!xs_watch(f->xs, path, TOKEN_BE)) {
		snprintf(err, errlen, "watching %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if ((f->ev = event_new(f->base, xs_fileno(f->xs), EV_READ |
	    EV_PERSIST, on_xs, f)) == NULL || event_add(f->ev, NULL) == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

struct xb_frontend *
xb_frontend_start(struct event_base *base, const char *type, unsigned devid,
    const struct xb_frontend_ops *ops, void *arg, char *err, size_t errlen)
{
	struct xb_frontend	*f;

	if (strlen(type) >= 32 || strchr(type, '/') != NULL ||
	    devid > 0xffffff) {
		snprintf(err, errlen, "bad device %s/%u", type, devid);
		return NULL;
	}
	if ((f = calloc(1, sizeof(*f))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	f->base = base;
	f->ops = ops;
	f->arg = arg;
	f->devid = devid;
	if (setup(f, type, err, errlen) != 0) {
		xb_frontend_stop(f);
		return NULL;
	}
	return f;
}

void
xb_frontend_stop(struct xb_frontend *f)
{
	char	 path[PATH_MAX_XB + 8];

	if (f == NULL)
		return;
	disconnect(f);
	if (f->timer != NULL)
		event_free(f->timer);
	if (f->ev != NULL) {
		event_free(f->ev);
		snprintf(path, sizeof(path), "%s/state", f->be);
		(void)xs_unwatch(f->xs, path, TOKEN_BE);
	}
	if (f->xs != NULL)
		xs_close(f->xs);
	free(f);
}
