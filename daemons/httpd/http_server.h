/*
 * http_server: httpd's listening sockets, its connections and the state
 * they share (the configuration in force, the file cache, the access
 * log, the counters).
 *
 * Owns accepting (with the connection cap: past it a client gets a 503
 * and is closed), the periodic tick (every 100 ms: timeouts, idle
 * connections' buffers given back, the access log flushed), and
 * swapping a new configuration in: listeners are kept (a changed
 * "listen" takes effect on restart), everything else applies to the
 * next request while connections and responses in flight go on.
 */
#ifndef HTTP_SERVER_H
#define HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "http_file.h"
#include "http_static.h"
#include "http_stats.h"

struct event;
struct event_base;
struct http_config;
struct http_conn;
struct http_log;
struct http_mime;
struct http_req;
struct http_resp;
struct http_system;
struct http_tls;

struct http_listener {
	int			 fd;
	bool			 tls;
	bool			 admin;		/* /metrics, no files */
	bool			 standby;	/* bound, not yet listening */
	struct event		*ev;
	struct http_server	*srv;
};

struct http_server {
	struct event_base	*base;
	struct http_config	*cfg;
	struct http_mime	*mime;
	struct http_site	 site;
	struct http_log		*log;
	struct http_tls		*tls;		/* NULL: no HTTPS */
	struct http_listener	*lis;
	size_t			 nlis;
	struct http_conn	*conns;		/* every open connection */
	struct event		*tick;
	struct http_stats	 stats;
	struct http_file_stats	 files_before;	/* of caches reloaded away */
	struct http_system	*system;	/* NULL: no status collector */
	time_t			 date_sec;	/* of site.date */
	bool			 drained;	/* http_server_drain called */
};

/* Binds and listens; 0, or -1 with err set (nothing left open). */
int	 http_server_open(struct http_server *, struct event_base *,
	    struct http_config *, char *err, size_t errlen);
/*
 * The media types, files and log of cfg in place of the current ones;
 * the caller frees the old configuration after a 0.  -1 with err set
 * and nothing changed.
 */
int	 http_server_configure(struct http_server *, struct http_config *,
	    char *err, size_t errlen);
void	 http_server_close(struct http_server *);
/*
 * Stop taking connections (a scale-in's first step): every listener but
 * the admin ones is closed, so that the kernel sends new connections to
 * the other web domains on a shared port; open connections are served
 * to their end.  Returns how many are open.  Idempotent.
 */
uint64_t http_server_drain(struct http_server *);
/*
 * Start listening on the sockets "standby" kept bound only (a warm web
 * domain taken into the fleet): 0, or -1 with err set.  Idempotent; a
 * drained server stays drained.
 */
int	 http_server_serve(struct http_server *, char *err, size_t errlen);
/* "standby", "serving" or "draining": what a scaler that lost track of
 * this domain (it restarted) learns from http.stats. */
const char *http_server_rotation(const struct http_server *);

/* One request answered: /metrics on an admin listener, else the status
 * page, else a file. */
void	 http_server_answer(struct http_server *, bool admin, const char *buf,
	    const struct http_req *, struct http_resp *, bool keepalive);
/* The status collector started (first call: after the privilege drop,
 * which it inherits, and before any thread) or set running or paused as
 * the configuration says. */
void	 http_server_status(struct http_server *);

/* The clock as connections read it, refreshed once per event. */
uint64_t http_server_now_ms(void);
uint64_t http_server_now_us(void);
/* The file cache's counters since start, across reloads. */
void	 http_server_file_stats(const struct http_server *,
	    struct http_file_stats *);
/* site.date brought up to the second. */
void	 http_server_date(struct http_server *);

#endif /* HTTP_SERVER_H */
