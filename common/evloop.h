/*
 * evloop: the libevent main loop every Shoal daemon runs.
 *
 * Owns the event_base and the process-wide events that would otherwise be
 * copied into each daemon: SIGTERM and SIGINT end the loop (so the code
 * after evloop_run(), not a signal handler, does the cleanup), SIGHUP
 * calls the daemon's reload hook, SIGPIPE is ignored (a dead peer is a
 * write error to handle, not a reason to die), and Xen event-channel handles become
 * ordinary event sources.  Daemons add their own events to evloop_base().
 *
 * An event channel is serviced as Xen expects: xenevtchn_pending() names
 * the port, the daemon's callback runs, then the port is unmasked so that
 * the next notification can arrive.  The callback must not unmask.
 */
#ifndef SHOAL_EVLOOP_H
#define SHOAL_EVLOOP_H

#include <xenevtchn.h>

struct event_base;
struct evloop;

typedef void	(*evloop_reload_fn)(void *arg);
typedef void	(*evloop_evtchn_fn)(evtchn_port_t port, void *arg);

/* NULL if libevent cannot set up the base or the signal events. */
struct evloop	*evloop_new(void);
void		 evloop_free(struct evloop *);
struct event_base *evloop_base(struct evloop *);

/* Without a hook, SIGHUP is logged and otherwise ignored. */
void		 evloop_set_reload(struct evloop *, evloop_reload_fn, void *);

/* The handle stays the caller's; close it after evloop_free(). */
int		 evloop_add_evtchn(struct evloop *, xenevtchn_handle *,
		    evloop_evtchn_fn, void *);

/* 0 once SIGTERM, SIGINT or evloop_exit() ended the loop, -1 on error. */
int		 evloop_run(struct evloop *);
void		 evloop_exit(struct evloop *);

#endif /* SHOAL_EVLOOP_H */
