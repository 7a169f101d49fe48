/*
 * con_dom: the domains consoled serves, and everything one of them owns.
 *
 * Owns the event-channel and grant-table handles, and per domain: the
 * mapped console page and bound port, the rate limit and what is held
 * back by it, the log file, the history (for tail and follow), the pty,
 * the bytes on their way into the ring, and the followers.  Discovery
 * (which domains exist, where their rings are) is con_xs's business; the
 * service interface over this is con_api.h.
 *
 * What a domain writes to its ring ("out") becomes one kept stream that
 * goes, in the same order, to the log file, the history, the pty and the
 * followers.  The policy (docs/consoled.md):
 *
 *   - Within its rate (token bucket: rate bytes/s, burst saved up) a
 *     domain's bytes go out as soon as its port fires.
 *   - Over it, the ring is still emptied at the guest's pace, but the
 *     bytes are held in a buffer of `buffer` bytes and let out at the
 *     rate on a tick; what does not fit is dropped, counted, and
 *     replaced in the stream by one line "[consoled: N bytes dropped]".
 *     The guest never waits on consoled's limits, only on its ring.
 *   - A domain sending more than `events` notifications a second has its
 *     port left masked and its ring served once per tick for the rest
 *     of that second: reading a flooding guest costs dom0 at most
 *     events + 1000/tick-ms ring-fulls (2 KiB each) a second.
 *   - A pty nobody reads keeps its newest `pty-buffer` bytes; the log,
 *     history and followers are not affected by it.
 *   - Indices that make no sense (a producer more than a ring ahead)
 *     mark the domain bad: logged once, port unbound, page unmapped, no
 *     further reads; it stays listed until it is released.
 *
 * Without Xen (tests) the handles may be NULL: con_dom_attach_page()
 * then serves a page the caller owns, with no event channel.
 */
#ifndef CON_DOM_H
#define CON_DOM_H

#include <sys/queue.h>
#include <sys/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xenevtchn.h>
#include <xengnttab.h>

#include "con_buf.h"
#include "con_config.h"
#include "con_log.h"
#include "con_pty.h"
#include "con_rate.h"

#define CON_NAME_MAX	64

struct event;
struct event_base;
struct xencons_interface;

/* Called with each piece of the kept stream; (NULL, 0) when it ends. */
typedef void	(*con_follow_fn)(const char *, size_t, void *);

struct con_follow {
	LIST_ENTRY(con_follow)	 entry;
	struct con_dom		*d;
	con_follow_fn		 fn;
	void			*arg;
};

struct con_dom {
	LIST_ENTRY(con_dom)		 entry;
	struct con_doms			*t;
	unsigned			 domid;
	char				 name[CON_NAME_MAX];
	/* the ring */
	struct xencons_interface	*intf;
	bool				 granted;	/* unmap through gnttab */
	unsigned			 ringref, rport;
	evtchn_port_t			 port;		/* ours, 0 if none */
	bool				 bad;
	bool				 masked;	/* left masked: throttled */
	/* rate and discard */
	struct con_rate			 rate;
	struct con_buf			 held;		/* over the rate */
	uint64_t			 gap;		/* dropped, not yet marked */
	uint64_t			 seen, dropped;
	unsigned			 events;	/* in this second */
	uint64_t			 events_since;
	struct event			*tick;
	bool				 ticking;
	/* the kept stream's sinks */
	bool				 last_nl;
	struct con_log			 log;
	struct con_buf			 hist;
	struct con_pty			 pty;
	struct con_buf			 ptyq;
	struct event			*ev_ptyr, *ev_ptyw;
	struct con_buf			 inq;		/* for the ring's in */
	LIST_HEAD(, con_follow)		 follows;
};

struct con_doms {
	const struct con_config		*cfg;
	struct event_base		*base;
	xenevtchn_handle		*xce;
	xengnttab_handle		*xgt;
	struct event			*ev_evtchn;
	uint64_t			(*clock)(void);	/* ns; tests replace it */
	LIST_HEAD(, con_dom)		 doms;
};

/* xce and xgt may be NULL (no Xen); the handles stay the caller's. */
int		 con_doms_init(struct con_doms *, struct event_base *,
		    const struct con_config *, xenevtchn_handle *,
		    xengnttab_handle *);
/* Every domain ended (followers told) and freed. */
void		 con_doms_fini(struct con_doms *);
/* After a reload: new limits, timestamps, log paths; logs reopened. */
void		 con_doms_reconfigure(struct con_doms *,
		    const struct con_config *);

struct con_dom	*con_dom_find(struct con_doms *, unsigned domid);
/* By decimal domid or by name; NULL if none. */
struct con_dom	*con_dom_lookup(struct con_doms *, const char *);
struct con_dom	*con_dom_new(struct con_doms *, unsigned domid,
		    const char *name);
/* Last words: the ring is read once more, regardless of the rate. */
void		 con_dom_free(struct con_dom *);

/*
 * Map the domain's console page (the reserved grant ref 0, else ringref
 * as a grant ref), bind rport, open the log and the pty.  0, or -1 with
 * the reason logged.  Detach undoes the ring part only.
 */
int		 con_dom_attach(struct con_dom *, unsigned ringref,
		    unsigned rport);
int		 con_dom_attach_page(struct con_dom *,
		    struct xencons_interface *);
void		 con_dom_detach(struct con_dom *);
bool		 con_dom_attached(const struct con_dom *);

/* Serve the ring now (what an event on its port does). */
void		 con_dom_kick(struct con_dom *);
/* Queue bytes for the ring's in; how many were taken (-1: bad ring). */
ssize_t		 con_dom_input(struct con_dom *, const void *, size_t);

#endif /* CON_DOM_H */
