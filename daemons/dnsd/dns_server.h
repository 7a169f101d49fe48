/*
 * dns_server: what dnsd's transports share, and the sockets they serve.
 *
 * Owns the listening sockets (one UDP and one TCP socket per configured
 * address: a port alone means every IPv4 and every IPv6 address) and the
 * state every transport reads: the zone set, the answer configuration
 * and the counters.  Queries are answered on the one thread that runs
 * the event loop, which is what lets dns_zones free a replaced set at
 * once (dns_zones.h); an AXFR in progress holds a reference to its zone
 * instead, so a reload never pulls a zone from under a transfer.
 */
#ifndef DNS_SERVER_H
#define DNS_SERVER_H

#include <sys/queue.h>
#include <sys/socket.h>
#include <stdbool.h>

#include "dns_answer.h"
#include "dns_config.h"
#include "dns_stats.h"
#include "dns_zones.h"

struct event;
struct event_base;
struct evconnlistener;
struct dns_tcp_conn;
struct dns_notify;

struct dns_udp_sock {
	int		 fd;
	bool		 wildcard;	/* bound to any: reply from pktinfo */
	struct event	*ev;
	struct dns_server *srv;
};

struct dns_server {
	struct event_base	*base;
	struct dns_config	*cfg;		/* owned by main; swapped on reload */
	struct dns_zones	*zones;
	struct dns_answer_cfg	 acfg;
	struct dns_stats	 stats;
	struct dns_notify	*notify;	/* NULL: none sent */

	size_t			 nudp;
	struct dns_udp_sock	*udp;
	size_t			 ntcp;
	struct evconnlistener	**tcp;
	TAILQ_HEAD(, dns_tcp_conn) conns;
	unsigned		 nconns;
};

/* Sockets bound and their events added; -1 after logging which failed. */
int	dns_server_open(struct dns_server *, struct event_base *,
	    struct dns_config *, struct dns_zones *);
/* A new configuration's CHAOS strings and limits (not its addresses). */
void	dns_server_configure(struct dns_server *, struct dns_config *);
void	dns_server_close(struct dns_server *);

/*
 * An UPDATE (dns_update.h) from peer answered into out: its length, 0
 * for none.  Counted, and secondaries told of a new version.  The zone
 * set changes: a caller holding the current set must fetch it again.
 */
size_t	dns_server_update(struct dns_server *, const uint8_t *in, size_t len,
	    const struct sockaddr *peer, uint8_t *out, size_t cap);
/* Is this message an UPDATE (and so not for dns_answer)? */
bool	dns_is_update(const uint8_t *in, size_t len);

/* dns_udp.c */
int	dns_udp_start(struct dns_server *, struct dns_udp_sock *);
/* dns_tcp.c */
struct evconnlistener *dns_tcp_listen(struct dns_server *, int fd);
void	dns_tcp_close_all(struct dns_server *);

#endif /* DNS_SERVER_H */
