/*
 * net_addr: the addresses in a daemon's configuration (dnsd's, httpd's),
 * as the kernel wants them.
 *
 * Owns turning "127.0.0.1:53", "[::1]:5353" and "53" (every address,
 * both families) into socket addresses to listen on, and "192.0.2.0/24",
 * "2001:db8::/32" or a bare address into prefixes that a peer is matched
 * against (who may transfer a zone, say).  An IPv4 peer that reaches an IPv6
 * socket as ::ffff:a.b.c.d is matched as the IPv4 address it is.
 */
#ifndef NET_ADDR_H
#define NET_ADDR_H

#include <sys/socket.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define NET_ADDRSTRLEN	64	/* "[v6]:port" with room to spare */

struct net_prefix {
	int		 af;		/* AF_INET or AF_INET6 */
	uint8_t		 addr[16];
	unsigned	 bits;
};

struct net_acl {
	size_t			 n;
	struct net_prefix	*v;
};

/* A listening address as configured, and a list of them. */
struct net_listen {
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	char			 text[NET_ADDRSTRLEN];
};

struct net_listens {
	size_t			 n;
	struct net_listen	*v;
};

/* 0, or -1 with why ("bad port", ...) in a static string. */
int	net_addr_parse_listen(const char *, struct sockaddr_storage *,
	    socklen_t *, const char **why);
int	net_addr_parse_prefix(const char *, struct net_prefix *,
	    const char **why);
bool	net_acl_match(const struct net_acl *, const struct sockaddr *);
void	net_acl_free(struct net_acl *);
/* "a.b.c.d:port" or "[v6]:port", for logs. */
const char *net_addr_str(const struct sockaddr *, char *, size_t);

/* The same addresses in the same order (a reload that changes them
 * is told they take effect on restart). */
bool	net_listens_equal(const struct net_listens *,
	    const struct net_listens *);

/*
 * A config.h raw field ("listen": ["127.0.0.1:53", ...]) filling a
 * struct net_listens, each bad address reported where it is written.
 */
struct config_ctx;
int	net_listens_raw(struct config_ctx *, json_t *, void *dst);
void	net_listens_free(void *dst);

#endif /* NET_ADDR_H */
