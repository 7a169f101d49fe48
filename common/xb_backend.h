/*
 * xb_backend: the backend half of Xen's split-driver handshake (xenbus,
 * xen/io/xenbus.h), shared by Shoal's userspace backends (netback,
 * blkback).  Owns, for one device type ("vif", "vbd"):
 *
 *  - watching the backend directory the toolstack writes in our own
 *    domain (/local/domain/SELF/backend/TYPE/FRONTEND-ID/DEVID), so a
 *    device is found when it is added and dropped when it is removed;
 *  - checking what the toolstack wrote: the frontend's path must be under
 *    that frontend's own /local/domain/ID/, and its id the directory's;
 *  - the state machine, both ways: ours Initialising -> InitWait once
 *    probed; -> Connected once the frontend is Initialised or Connected
 *    and connect() took its rings; -> Closing when the frontend closes
 *    (or connect() refused it, with the reason in "error"); -> Closed
 *    when the frontend is Closed or gone; -> InitWait again when a
 *    frontend that closed starts over (a guest rebooting its kernel);
 *  - reading the frontend's keys as hostile: bounded lengths, numbers
 *    parsed whole and within the caller's range.
 *
 * The device's own work (rings, grants, event channels, packets) is the
 * caller's, through four callbacks, all from the event loop:
 *
 *	probe       a new device: write features, allocate (-1 refuses it)
 *	connect     the frontend is ready: read its ring refs, event channel
 *	            (-1: refused, the frontend told why in "error")
 *	disconnect  stop touching the frontend's pages: it closes, or went
 *	remove      the device is gone: free what probe made
 *
 * disconnect is called only after a connect that succeeded, and remove
 * only after a probe that did.
 */
#ifndef SHOAL_XB_BACKEND_H
#define SHOAL_XB_BACKEND_H

#include <stdarg.h>
#include <stddef.h>

struct event_base;
struct xb_backend;
struct xb_dev;

#define XB_DEVS_MAX	1024	/* devices followed at once, per type */
#define XB_VALUE_MAX	256	/* a frontend's value read, at most:
				   XB_READ_MAX (xb_read.h) */

struct xb_backend_ops {
	int	(*probe)(struct xb_dev *);
	int	(*connect)(struct xb_dev *);
	void	(*disconnect)(struct xb_dev *);
	void	(*remove)(struct xb_dev *);
};

/* NULL with the reason in err. */
struct xb_backend *xb_backend_start(struct event_base *, const char *type,
		    const struct xb_backend_ops *, void *arg, char *err,
		    size_t errlen);
/* Every device disconnected and removed, the watches dropped. */
void		 xb_backend_stop(struct xb_backend *);
unsigned	 xb_backend_devices(const struct xb_backend *);

void		*xb_dev_arg(const struct xb_dev *);	/* start's arg */
void		*xb_dev_data(const struct xb_dev *);
void		 xb_dev_set_data(struct xb_dev *, void *);
unsigned	 xb_dev_frontend_id(const struct xb_dev *);
unsigned	 xb_dev_id(const struct xb_dev *);
const char	*xb_dev_frontend_path(const struct xb_dev *);
const char	*xb_dev_backend_path(const struct xb_dev *);

/* A key under the backend's directory; 0, or -1 (errno). */
int	 xb_dev_write(struct xb_dev *, const char *key, const char *fmt, ...)
	    __attribute__((__format__(__printf__, 3, 4)));
/* The frontend's key as a number within [0, max]; -1 if absent, not a
 * number, or out of range. */
int	 xb_dev_read_ulong(struct xb_dev *, const char *key,
	    unsigned long max, unsigned long *out);
/* The same for a key under a per-queue prefix ("" or "queue-N/", as
 * multi-queue frontends write them): PREFIX KEY. */
int	 xb_dev_read_ulong_in(struct xb_dev *, const char *prefix,
	    const char *key, unsigned long max, unsigned long *out);
/* The frontend's key, at most XB_VALUE_MAX bytes, malloc'd; NULL if
 * absent or longer. */
char	*xb_dev_read(struct xb_dev *, const char *key);
/* The backend's own key, as the toolstack wrote it (a vbd's "params",
 * "mode"), with xb_dev_read's bounds. */
char	*xb_dev_read_own(struct xb_dev *, const char *key);

#endif /* SHOAL_XB_BACKEND_H */
