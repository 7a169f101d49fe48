#include <sys/random.h>

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxenvchan.h>
#include <xenstore.h>
#include <xentoollog.h>

#include "log.h"
#include "rpc_conn.h"
#include "rpc_vchan.h"
#include "strnum.h"
#include "xs_filter.h"

/* ---- the transport ---- */

static ssize_t
vt_read(void *t, void *buf, size_t len)
{
	struct libxenvchan	*v = t;
	int			 n = libxenvchan_data_ready(v);

	/* What the peer wrote before it went is still read. */
	if (n <= 0)
		return libxenvchan_is_open(v) ? 0 : -1;
	if ((size_t)n < len)
		len = (size_t)n;
	n = libxenvchan_read(v, buf, len);
	return n < 0 ? -1 : n;
}

static ssize_t
vt_write(void *t, const void *buf, size_t len)
{
	struct libxenvchan	*v = t;
	int			 space, n;

	if (!libxenvchan_is_open(v))
		return -1;
	if ((space = libxenvchan_buffer_space(v)) <= 0)
		return 0;
	if ((size_t)space < len)
		len = (size_t)space;
	n = libxenvchan_write(v, buf, len);
	return n < 0 ? -1 : n;
}

static int
vt_fd(void *t)
{
	return libxenvchan_fd_for_select(t);
}

/* The fd is readable, so this consumes the event without blocking. */
static void
vt_wakeup(void *t)
{
	libxenvchan_wait(t);
}

static void
vt_close(void *t)
{
	libxenvchan_close(t);
}

const struct rpc_transport rpc_vchan_transport = {
	.name = "vchan",
	.read = vt_read,
	.write = vt_write,
	.fd = vt_fd,
	.wakeup = vt_wakeup,
	.close = vt_close,
	.poll_write = false,	/* space freed by the peer is signalled too */
};

void *
rpc_vchan_wrap(struct libxenvchan *v)
{
	v->blocking = 0;
	return v;
}

/* ---- xenstore layout ---- */

int
rpc_vchan_service_path(char *buf, unsigned domid, const char *svc)
{
	int	 n = snprintf(buf, RPC_VCHAN_PATHMAX,
		    "/local/domain/%u/data/shoal/%s", domid, svc);

	return n > 0 && n < RPC_VCHAN_PATHMAX - 64 ? 0 : -1;
}

int
rpc_vchan_conn_path(char *buf, size_t len, unsigned domid, const char *nonce)
{
	int	 n = snprintf(buf, len, "/local/domain/%u/data/rpc/%s", domid,
		    nonce);

	/* Room for libxenvchan's "/event-channel" in its 64 bytes. */
	return n > 0 && (size_t)n < len && n + 14 < 64 ? 0 : -1;
}

/*
 * A service learns its domain, publishes itself under data/shoal, makes
 * a vchan per caller under data/rpc (libxenvchan reads "domid" and
 * writes the ring's nodes there) and reads each caller's name (for its
 * policy and its log).
 */
int
rpc_vchan_service_rules(struct xs_filter *f)
{
	return xs_filter_add(f, "domid", XS_FILTER_READ) != 0 ||
	    xs_filter_add(f, "/tool/xenstored/domid", XS_FILTER_READ) != 0 ||
	    xs_filter_add(f, "/local/domain/*/name", XS_FILTER_READ) != 0 ||
	    xs_filter_add(f, "/local/domain/$self/data/shoal/**",
	    XS_FILTER_RW) != 0 ||
	    xs_filter_add(f, "/local/domain/$self/data/rpc/**",
	    XS_FILTER_RW) != 0 ? -1 : 0;
}

/*
 * A caller lists domains and their services, posts into a service's
 * inbox, and watches and reads the vchan made for it: what any domain
 * may do by the nodes' own permissions.
 */
int
rpc_vchan_caller_rules(struct xs_filter *f)
{
	static const char *const read[] = { "/local/domain",
	    "/local/domain/*/name", "domid",
	    "/local/domain/*/data/shoal/**", "/local/domain/*/data/rpc/*/**",
	    NULL };
	size_t	 i;

	for (i = 0; read[i] != NULL; i++)
		if (xs_filter_add(f, read[i], XS_FILTER_READ) != 0)
			return -1;
	return xs_filter_add(f, "/local/domain/*/data/shoal/*/inbox/*",
	    XS_FILTER_WRITE);
}

int
rpc_vchan_self(struct xs_handle *xs)
{
	char		*v;
	unsigned int	 len;
	long		 id;

	if ((v = xs_read(xs, XBT_NULL, "domid", &len)) == NULL)
		return -1;
	id = strtol(v, NULL, 10);
	free(v);
	return id >= 0 && id < 0x7ff0 ? (int)id : -1;
}

int
rpc_vchan_store_domid(struct xs_handle *xs)
{
	char		*v;
	unsigned int	 len;
	long long	 id;

	if ((v = xs_read(xs, XBT_NULL, "/tool/xenstored/domid", &len)) == NULL)
		return errno == ENOENT ? 0 : -1;
	if (strnum(v, 0, 0x7fef, &id) == -1) {
		log_warnx("/tool/xenstored/domid holds \"%.16s\", not a "
		    "domain id", v);
		id = -1;
	}
	free(v);
	return (int)id;
}

/* libxenvchan's messages, at debug level: a rendezvous retries. */
static void
vlog(struct xentoollog_logger *l, xentoollog_level level, int errnoval,
    const char *context, const char *fmt, va_list ap)
{
	char	 buf[256];

	(void)l;
	(void)level;
	(void)errnoval;
	(void)context;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	log_debug("libxenvchan: %s", buf);
}

static void
vdestroy(struct xentoollog_logger *l)
{
	(void)l;
}

static struct xentoollog_logger vchan_logger = {
	.vmessage = vlog,
	.destroy = vdestroy,
};

struct xentoollog_logger *rpc_vchan_logger = &vchan_logger;

/* ---- the caller's side of the rendezvous ---- */

static long
ms_left(const struct timespec *end)
{
	struct timespec	 now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (end->tv_sec - now.tv_sec) * 1000 +
	    (end->tv_nsec - now.tv_nsec) / 1000000;
}

static int
nonce(char *buf, size_t len)
{
	unsigned char	 r[RPC_VCHAN_NONCE / 2];
	size_t		 i;

	if (len < 2 * sizeof(r) + 1 ||
	    getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return -1;
	for (i = 0; i < sizeof(r); i++)
		snprintf(buf + 2 * i, 3, "%02x", r[i]);
	return 0;
}

/*
 * inbox/NONCE: created, ours alone (the service may read it, and remove
 * it once it takes the call), then ready.
 */
static int
post(struct xs_handle *xs, const char *entry, int self, unsigned svc)
{
	struct xs_permissions p[2] = {
		{ .id = (unsigned)self, .perms = XS_PERM_NONE },
		{ .id = svc, .perms = XS_PERM_READ | XS_PERM_WRITE },
	};

	return xs_write(xs, XBT_NULL, entry, "", 0) &&
	    xs_set_permissions(xs, XBT_NULL, entry, p, 2) &&
	    xs_write(xs, XBT_NULL, entry, "1", 1) ? 0 : -1;
}

/*
 * How far a rendezvous got, so that a caller that gives up can say where
 * the call was lost: never taken from the inbox, taken but no vchan made,
 * or a vchan made that we could not connect to.
 */
struct rv_progress {
	unsigned	 tries;		/* libxenvchan_client_init calls */
	int		 connect_errno;	/* of the last failed one */
	char		 refused[128];	/* the service's "busy: ..." */
};

/* The service refuses a call by writing its reason into our entry. */
static bool
refused(struct xs_handle *xs, const char *entry, struct rv_progress *rv)
{
	unsigned int	 len;
	char		*v = xs_read(xs, XBT_NULL, entry, &len);
	bool		 yes = v != NULL && len > 5 && strncmp(v, "busy:", 5) == 0;

	if (yes)
		snprintf(rv->refused, sizeof(rv->refused), "%.*s", (int)len, v);
	free(v);
	return yes;
}

/* The service made the vchan once its event-channel key is there. */
static struct libxenvchan *
try_client(struct xs_handle *xs, unsigned domid, const char *conn,
    struct rv_progress *rv)
{
	char			 key[RPC_VCHAN_PATHMAX + 16], *v;
	unsigned int		 len;
	struct libxenvchan	*vc;

	if ((size_t)snprintf(key, sizeof(key), "%s/event-channel", conn) >=
	    sizeof(key) || (v = xs_read(xs, XBT_NULL, key, &len)) == NULL)
		return NULL;
	free(v);
	rv->tries++;
	if ((vc = libxenvchan_client_init(rpc_vchan_logger, (int)domid,
	    conn)) == NULL)
		rv->connect_errno = errno;
	return vc;
}

static struct libxenvchan *
wait_vchan(struct xs_handle *xs, unsigned domid, const char *conn,
    const char *entry, const struct timespec *end, struct rv_progress *rv)
{
	struct pollfd		 p = { .fd = xs_fileno(xs), .events = POLLIN };
	struct libxenvchan	*v = NULL;
	unsigned int		 n;
	char			**ev;
	long			 left, nap = 10;

	/*
	 * Woken by the watch, and also after a growing nap: an attempt
	 * that fails once the keys are there sees no further event.
	 */
	while (v == NULL && (left = ms_left(end)) > 0) {
		if ((v = try_client(xs, domid, conn, rv)) != NULL ||
		    refused(xs, entry, rv))
			break;
		log_debug("rpc: %s not ready (%s), %ld ms left", conn,
		    strerror(errno), left);
		if (poll(&p, 1, (int)(nap < left ? nap : left)) != 1) {
			nap = nap < 320 ? nap * 2 : nap;
			continue;
		}
		if ((ev = xs_read_watch(xs, &n)) != NULL)
			free(ev);
	}
	return v;
}

static bool
xs_has(struct xs_handle *xs, const char *path)
{
	unsigned int	 len;
	char		*v = xs_read(xs, XBT_NULL, path, &len);

	free(v);
	return v != NULL;
}

/* The caller gave up: say at which step of the rendezvous. */
static void
explain_timeout(struct xs_handle *xs, const char *svc, unsigned domid,
    const char *entry, const char *conn, int timeout_ms,
    const struct rv_progress *rv, char *err, size_t errlen)
{
	if (rv->tries > 0)
		snprintf(err, errlen, "service %s in domain %u made the vchan "
		    "%s, but connecting to it failed %u times within %d ms "
		    "(last: %s)", svc, domid, conn, rv->tries, timeout_ms,
		    strerror(rv->connect_errno));
	else if (xs_has(xs, entry))
		snprintf(err, errlen, "service %s in domain %u did not take "
		    "the call from its inbox within %d ms (%s is still "
		    "there: the service is not running, not watching its "
		    "inbox, or stalled)", svc, domid, timeout_ms, entry);
	else
		snprintf(err, errlen, "service %s in domain %u took the call "
		    "from its inbox but no vchan was there at %s within %d "
		    "ms (none made, or one made and dropped before we came: "
		    "see the service's log)", svc, domid, conn, timeout_ms);
}

struct libxenvchan *
rpc_vchan_connect(struct xs_handle *xs, unsigned domid, const char *svc,
    int timeout_ms, char *err, size_t errlen)
{
	char			 base[RPC_VCHAN_PATHMAX], n[40];
	char			 entry[RPC_VCHAN_PATHMAX + 48];
	char			 conn[RPC_VCHAN_PATHMAX + 48];
	struct timespec		 end;
	struct libxenvchan	*v = NULL;
	struct rv_progress	 rv = { 0, 0, "" };
	int			 self;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += timeout_ms / 1000;
	end.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (end.tv_nsec >= 1000000000) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000;
	}
	if (rpc_vchan_service_path(base, domid, svc) != 0 || nonce(n,
	    sizeof(n)) != 0 || rpc_vchan_conn_path(conn, sizeof(conn), domid,
	    n) != 0) {
		snprintf(err, errlen, "bad service name or no randomness");
		return NULL;
	}
	if ((self = rpc_vchan_self(xs)) < 0) {
		snprintf(err, errlen, "cannot read our own domid in xenstore");
		return NULL;
	}
	snprintf(entry, sizeof(entry), "%s/inbox/%s", base, n);
	/*
	 * The vchan appears under conn, and wakes us.  A refusal is written
	 * into our entry; it is seen on the next of wait_vchan's naps (at
	 * most 320 ms) rather than by a second watch, since a domain's
	 * watches are few (128 by default) and a caller may make many
	 * connections at once.
	 */
	if (!xs_watch(xs, conn, n)) {
		snprintf(err, errlen, "watch %s: %s", conn, strerror(errno));
		return NULL;
	}
	if (post(xs, entry, self, domid) != 0)
		snprintf(err, errlen, "no service %s in domain %u (%s: %s)",
		    svc, domid, entry, strerror(errno));
	else if ((v = wait_vchan(xs, domid, conn, entry, &end, &rv)) != NULL)
		;
	else if (rv.refused[0] != '\0')
		snprintf(err, errlen, "service %s in domain %u refused the "
		    "call: %s", svc, domid, rv.refused);
	else
		explain_timeout(xs, svc, domid, entry, conn, timeout_ms, &rv,
		    err, errlen);
	xs_unwatch(xs, conn, n);
	if (v == NULL)
		xs_rm(xs, XBT_NULL, entry);	/* it may still be there */
	else
		rpc_vchan_wrap(v);
	return v;
}
