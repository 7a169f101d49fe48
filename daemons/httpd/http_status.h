/*
 * http_status: the live status page ("status" in the configuration, at
 * its "page" path on the site's listeners): a table of domains (id,
 * name, their services, their use of XenStore) and one of services with
 * their counters, and above them the scaler's fleet (docs/scaler.md)
 * if some domain runs a scaler with a control loop, rendered as HTML from http_system's latest snapshot,
 * httpd's own figures filled in from its counters.  No script: the page
 * refreshes itself every few seconds.  Every string in it came from
 * another domain, so all of it is escaped and cut to length.
 */
#ifndef HTTP_STATUS_H
#define HTTP_STATUS_H

#include <stdbool.h>

#include <jansson.h>

struct http_req;
struct http_resp;
struct http_server;
struct http_text;

/* Answers and returns true when the request is for the status page. */
bool	 http_status_serve(struct http_server *, const char *buf,
	    const struct http_req *, struct http_resp *, bool keepalive);

/* The fleet table of a snapshot's "domains", nothing without a scaler:
 * a row a scaler (serving, starting, draining, desired, the metric, the
 * DNS name and its addresses), or why it has none. */
void	 http_status_fleet(struct http_text *, const json_t *doms);

#endif /* HTTP_STATUS_H */
