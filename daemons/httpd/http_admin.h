/*
 * http_admin: what httpd answers on its admin listeners ("admin" in the
 * configuration), which serve no files: GET /metrics, httpd's counters
 * in Prometheus's text format (version 0.0.4): requests and responses
 * by status, connections, timeouts, bytes, TLS and HTTP/2, the file
 * cache, and the latency histogram.  Anything else is 404 (405 for a
 * method other than GET or HEAD).  Keep the listeners on loopback or a
 * management network: the figures are not for everyone.
 */
#ifndef HTTP_ADMIN_H
#define HTTP_ADMIN_H

#include <stdbool.h>

struct http_req;
struct http_resp;
struct http_server;

void	 http_admin_serve(struct http_server *, const char *buf,
	    const struct http_req *, struct http_resp *, bool keepalive);

#endif /* HTTP_ADMIN_H */
