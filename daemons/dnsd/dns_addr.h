/*
 * dns_addr: the addresses in dnsd's configuration, as the kernel wants
 * them.
 *
 * Owns turning "127.0.0.1:53", "[::1]:5353" and "53" (every address,
 * both families) into socket addresses to listen on, and "192.0.2.0/24",
 * "2001:db8::/32" or a bare address into prefixes that a peer is matched
 * against (who may transfer a zone).  An IPv4 peer that reaches an IPv6
 * socket as ::ffff:a.b.c.d is matched as the IPv4 address it is.
 */
#ifndef DNS_ADDR_H
#define DNS_ADDR_H

#include <sys/socket.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_ADDRSTRLEN	64	/* "[v6]:port" with room to spare */

struct dns_prefix {
	int		 af;		/* AF_INET or AF_INET6 */
	uint8_t		 addr[16];
	unsigned	 bits;
};

struct dns_acl {
	size_t			 n;
	struct dns_prefix	*v;
};

/* 0, or -1 with why ("bad port", ...) in a static string. */
int	dns_addr_parse_listen(const char *, struct sockaddr_storage *,
	    socklen_t *, const char **why);
int	dns_addr_parse_prefix(const char *, struct dns_prefix *,
	    const char **why);
bool	dns_acl_match(const struct dns_acl *, const struct sockaddr *);
void	dns_acl_free(struct dns_acl *);
/* "a.b.c.d:port" or "[v6]:port", for logs. */
const char *dns_addr_str(const struct sockaddr *, char *, size_t);

#endif /* DNS_ADDR_H */
