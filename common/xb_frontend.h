/*
 * xb_frontend: the frontend half of Xen's split-driver handshake
 * (xenbus, xen/io/xenbus.h), the mirror of xb_backend.h, for a frontend
 * run as a program (Shoal's netfront) rather than by a guest kernel.
 * Owns, for one device (/local/domain/SELF/device/TYPE/DEVID):
 *
 *  - finding its backend from what the toolstack wrote: "backend-id",
 *    and "backend", which must lie under that domain's
 *    /local/domain/ID/backend/ (or a mistaken or hostile entry could make
 *    us read, and wait on, another domain's keys);
 *  - watching the backend's state and driving ours: Initialising ->
 *    Initialised once the backend is InitWait and connect() wrote our
 *    rings (Connected at once for a device whose backend waits for it:
 *    connected_with_keys); -> Connected once the backend is Connected;
 *    -> Closed when the backend closes or goes (disconnect() first);
 *  - the orderly close a stopping frontend owes its backend: Closing,
 *    the backend's Closing (it has let go of our pages), then Closed;
 *  - writing several keys in one transaction, retried on EAGAIN, so the
 *    backend never reads half of them;
 *  - reading the backend's keys (its features) as hostile: bounded
 *    lengths, numbers parsed whole and within the caller's range.
 *
 * The device's own work is the caller's, through three callbacks, all
 * from the event loop:
 *
 *	connect     the backend waits for us: make the rings and event
 *	            channels, write their keys (-1: we give up, Closed)
 *	connected   both ends Connected: traffic may flow
 *	disconnect  stop using the rings, take back what connect made
 *
 * disconnect is called only after a connect that succeeded.
 *
 * A frontend that finds its own state already past Initialising (a
 * previous run of ours died without closing) first writes Closed, waits
 * for the backend to let go, and starts over from Initialising.  A
 * backend that comes back to InitWait after we closed (it was
 * restarted) is connected to again.
 */
#ifndef SHOAL_XB_FRONTEND_H
#define SHOAL_XB_FRONTEND_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct event_base;
struct xb_frontend;
struct xb_keys;

#define XB_FE_VALUE_MAX	256	/* a backend's value read, at most:
				   XB_READ_MAX (xb_read.h) */

struct xb_frontend_ops {
	int	(*connect)(struct xb_frontend *);
	void	(*connected)(struct xb_frontend *);
	void	(*disconnect)(struct xb_frontend *);
	/*
	 * Connected (not Initialised) as soon as connect() wrote the keys,
	 * as network frontends say it: Linux's xen-netback waits for a
	 * frontend's Connected and ignores its Initialised.  connected()
	 * still comes only once the backend is Connected too.
	 */
	bool	 connected_with_keys;
};

/* NULL with the reason in err. */
struct xb_frontend *xb_frontend_start(struct event_base *, const char *type,
		    unsigned devid, const struct xb_frontend_ops *, void *arg,
		    char *err, size_t errlen);
/*
 * The orderly close: Closing, then Closed once the backend is Closing or
 * Closed (or after timeout_ms without it: a backend that is gone).
 * disconnect() comes between.  Poll xb_frontend_closed() while the
 * event loop runs.
 */
void		 xb_frontend_close(struct xb_frontend *, unsigned timeout_ms);
bool		 xb_frontend_closed(const struct xb_frontend *);
/* No handshake: disconnected if connected, the watch dropped, freed. */
void		 xb_frontend_stop(struct xb_frontend *);

void		*xb_fe_arg(const struct xb_frontend *);	/* start's arg */
unsigned	 xb_fe_backend_id(const struct xb_frontend *);
unsigned	 xb_fe_devid(const struct xb_frontend *);
unsigned	 xb_fe_self_id(const struct xb_frontend *);
const char	*xb_fe_path(const struct xb_frontend *);
const char	*xb_fe_backend_path(const struct xb_frontend *);
int		 xb_fe_state(const struct xb_frontend *);	/* ours */

/* The backend's key as a number within [0, max]; -1 if absent, not a
 * number, or out of range. */
int	 xb_fe_read_ulong(struct xb_frontend *, const char *key,
	    unsigned long max, unsigned long *out);
/* The backend's key, at most XB_FE_VALUE_MAX bytes, malloc'd; NULL if
 * absent or longer. */
char	*xb_fe_read(struct xb_frontend *, const char *key);
/* Our own directory's key (the toolstack's "mac", "mtu"), the same way. */
char	*xb_fe_read_own(struct xb_frontend *, const char *key);

/*
 * Keys for our directory, gathered and then written at once.  A failed
 * set or rm (a name or value too long, no memory) is remembered and
 * makes xb_fe_write_keys fail, so callers need not check each one.
 */
struct xb_keys	*xb_keys_new(void);
void		 xb_keys_free(struct xb_keys *);
void		 xb_keys_set(struct xb_keys *, const char *key,
		    const char *fmt, ...)
		    __attribute__((__format__(__printf__, 3, 4)));
/* Removed in the same transaction (absent is fine): keys a previous
 * connection wrote that this one does not. */
void		 xb_keys_rm(struct xb_keys *, const char *key);
/* In order, in one transaction, retried on EAGAIN.  0, or -1 (errno). */
int		 xb_fe_write_keys(struct xb_frontend *, const struct xb_keys *);

#endif /* SHOAL_XB_FRONTEND_H */
