/*
 * http_config: httpd's JSON configuration (docs/httpd.md has every key).
 *
 * Owns the schema and its defaults.  Paths are made absolute against the
 * configuration's folder, so a reload from anywhere means the same.
 */
#ifndef HTTP_CONFIG_H
#define HTTP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "net_addr.h"
#include "rpc_limits.h"

struct http_cache_rule {
	char	*prefix;
	char	*value;
};

struct http_cache_rules {
	size_t			 n;
	struct http_cache_rule	*v;
};

/* Fields added to every answer about a file ("X-Content-Type-Options",
 * "Content-Security-Policy"...), as "Name: value\r\n" lines. */
struct http_extra_fields {
	size_t	 n;
	char	*text;		/* all of them, ready for the head */
};

struct http_limits {
	int	request_line;		/* bytes: 414 past it */
	int	head;			/* bytes: 431 */
	int	fields;			/* field lines: 431 */
	int	field_line;		/* bytes of one field line: 431 */
	int	body;			/* bytes: 413 */
	int	connections;		/* at once: 503 past it */
	int	header_timeout_ms;	/* to receive a head: 408 */
	int	body_timeout_ms;	/* between body reads: 408 */
	int	idle_timeout_ms;	/* keep-alive, between requests */
	int	send_timeout_ms;	/* a client not reading: closed */
	int	ranges;			/* more are ignored (200) */
};

struct http_fcache {
	int	entries;
	int	memory_mb;		/* small files held in memory */
	int	small_file_kb;		/* at most this: held in memory */
	int	revalidate_ms;
};

/* HTTPS: its own listeners, the certificate chain and key (PEM). */
struct http_tls_conf {
	struct net_listens	 listen;
	char			*certificate;
	char			*key;
};

/* The status page and the other daemons' counters (http_system). */
struct http_status_conf {
	char	*page;			/* NULL: none, and no collector */
	int	 interval_ms;
	int	 timeout_ms;
	int	 xenstore_domain;	/* -1: find it (http_system.h) */
};

struct http_config {
	struct net_listens	 listen;
	struct http_tls_conf	 tls;
	struct net_listens	 admin;		/* /metrics; none by default */
	/*
	 * SO_REUSEPORT on every listener: web domains that share one
	 * network (xensim's, a driver domain's) serve one port, and the
	 * kernel spreads connections among them.
	 */
	bool			 reuse_port;
	/*
	 * Bind the HTTP and HTTPS sockets but listen only once told
	 * (http.serve): a warm web domain kept out of rotation, which with
	 * reuse-port would otherwise be handed connections while paused.
	 */
	bool			 standby;
	char			*root;
	struct config_strlist	 index;
	char			*mime_types;
	char			*access_log;	/* NULL: none */
	char			*log_format;	/* "clf" or "json" */
	bool			 log_json;
	struct http_cache_rules	 cache_control;
	struct http_extra_fields headers;
	struct http_limits	 limits;
	struct http_fcache	 file_cache;
	struct http_status_conf	 status;
	struct rpc_limits	 rpc;
};

/* 0, or -1 with "FILE:LINE:COL: what" in err. */
int	 http_config_load(const char *path, struct http_config *, char *err,
	    size_t errlen);
void	 http_config_free(struct http_config *);
/* The Cache-Control value for a path (longest prefix), or NULL. */
const char *http_config_cache_control(const struct http_config *,
	    const char *path);

#endif /* HTTP_CONFIG_H */
