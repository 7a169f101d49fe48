/*
 * ag_ready: knowing when a new domain has booted, from xenstore: the
 * domain writes a node when it is ready to serve (httpd: its RPC
 * service's data/shoal/http/protocol, written once it listens), and the
 * agent watches for it.  Owns the agent's store connection and its
 * watches, on the event loop.
 */
#ifndef AG_READY_H
#define AG_READY_H

#include <stdint.h>

struct ag_ready;
struct xs_handle;
struct event_base;

/* Told once: 0 ready, or ETIMEDOUT / ECANCELED. */
typedef void	(*ag_ready_fn)(void *arg, int err);

struct ag_ready	*ag_ready_new(struct event_base *);
void		 ag_ready_free(struct ag_ready *);	/* ECANCELED to all */
/* The store connection, for the agent's own notes (ag_tokens.h). */
struct xs_handle *ag_ready_xs(struct ag_ready *);
/* Watch /local/domain/DOMID/REL; 0, or -1 (errno). */
int		 ag_ready_wait(struct ag_ready *, uint32_t domid,
		    const char *rel, int timeout_ms, ag_ready_fn, void *);

#endif /* AG_READY_H */
