/*
 * http_system: what httpd knows of the rest of Shoal, for /status and
 * /metrics ("status" in the configuration).
 *
 * Owns a collector process and the latest snapshot it sent.  Every
 * interval the collector asks Shoal's xenstored (service "xenstore", in
 * the domain xenstored runs in: store_domid, or /tool/xenstored/domid
 * where we may read it, or dom0) for sys.stats, whose per_domain list
 * names every domain (an
 * unprivileged domain cannot list /local/domain itself; a dom0 process
 * falls back to listing it), reads each domain's registered services
 * (rpc_directory) and calls sys.stats on each.  The calls are
 * rpc_client's, which block: hence another process, so that the event
 * loop never waits on another domain, and so that the code that reads
 * other domains' answers shares no memory with the one that serves the
 * network (OpenBSD's way).  It is forked, not executed (the seccomp
 * filter denies exec), after the privilege drop, whose user, Landlock,
 * no_new_privs and filter it inherits.  Each snapshot comes back over
 * a socket pair as a 32-bit length (host order) and compact JSON; new
 * settings go the other way as a struct http_system_conf.  A collector
 * that dies or sends nonsense is reaped, reported on the page, and
 * replaced an interval later.
 *
 * The snapshot is JSON:
 *	{ "taken_ms": wall-clock ms, "took_ms": n, "self": domid or null,
 *	  "error": "why the domain list is missing" (only then),
 *	  "domains": [ { "domid", "name", "nodes", "watches",
 *	      "services": [ { "service", "daemon",
 *	          "stats": {...} | "error": "..." | "self": true } ] } ] }
 * httpd's own service is marked "self" and not called: its figures are
 * at hand.  Everything in it came from other domains: render it escaped.
 */
#ifndef HTTP_SYSTEM_H
#define HTTP_SYSTEM_H

#include <jansson.h>

#include "worker.h"

struct event_base;
struct http_system;

struct http_system_conf {
	/* Between rounds (0 pauses); for each connect and each call. */
	struct worker_timing timing;
	int	 store_domid;	/* xenstored's domain; -1: find it */
};

/*
 * NULL with a message logged.  Best called before the process has any
 * thread (httpd: before its RPC server starts libxenstore's): a child
 * forked from one thread of many holds memory only the others knew of,
 * which a sanitizer build reports as leaked when the child exits.
 */
struct http_system *http_system_start(struct event_base *,
		    const struct http_system_conf *);
/* Takes effect from the next round. */
void		 http_system_configure(struct http_system *,
		    const struct http_system_conf *);
/* Ends the collector (SIGTERM) and reaps it. */
void		 http_system_stop(struct http_system *);
/* The latest snapshot, a reference of the caller's; NULL before the
 * first round ends. */
json_t		*http_system_snapshot(struct http_system *);

/*
 * Each number in a sys.stats result, by its dotted path ("daemon.nodes"),
 * depth first, at most max of them; histograms and lists are skipped.
 */
void		 http_system_numbers(const json_t *stats, unsigned max,
		    void (*fn)(const char *path, double v, void *), void *arg);

#endif /* HTTP_SYSTEM_H */
