#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "net_addr.h"

static int
parse_port(const char *s, uint16_t *port)
{
	char		*end;
	unsigned long	 v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v == 0 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

int
net_addr_parse_listen(const char *s, struct sockaddr_storage *ss,
    socklen_t *len, const char **why)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;
	char			 host[INET6_ADDRSTRLEN + 2];
	const char		*colon, *p;
	uint16_t		 port;

	memset(ss, 0, sizeof(*ss));
	*why = "expected ADDRESS:PORT, [IPV6]:PORT or PORT";
	if (s[0] == '[') {
		if ((p = strchr(s, ']')) == NULL || p[1] != ':' ||
		    (size_t)(p - s - 1) >= sizeof(host))
			return -1;
		memcpy(host, s + 1, p - s - 1);
		host[p - s - 1] = '\0';
		if (parse_port(p + 2, &port) == -1)
			return (*why = "bad port"), -1;
		if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
			return (*why = "bad IPv6 address"), -1;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		*len = sizeof(*sin6);
		return 0;
	}
	if ((colon = strrchr(s, ':')) == NULL) {
		/* A port alone: every address, both families (v4-mapped). */
		if (parse_port(s, &port) == -1)
			return (*why = "bad port"), -1;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_any;
		sin6->sin6_port = htons(port);
		*len = sizeof(*sin6);
		return 0;
	}
	if (strchr(s, ':') != colon)
		return (*why = "an IPv6 address goes in brackets: [::1]:53"),
		    -1;
	if ((size_t)(colon - s) >= sizeof(host))
		return -1;
	memcpy(host, s, colon - s);
	host[colon - s] = '\0';
	if (parse_port(colon + 1, &port) == -1)
		return (*why = "bad port"), -1;
	if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
		return (*why = "bad IPv4 address"), -1;
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	*len = sizeof(*sin);
	return 0;
}

int
net_addr_parse_prefix(const char *s, struct net_prefix *p, const char **why)
{
	char		 host[INET6_ADDRSTRLEN];
	const char	*slash = strchr(s, '/');
	size_t		 hl = slash != NULL ? (size_t)(slash - s) : strlen(s);
	unsigned	 max;
	char		*end;
	unsigned long	 bits;

	memset(p, 0, sizeof(*p));
	*why = "expected an address or a prefix (192.0.2.0/24, ::1)";
	if (hl == 0 || hl >= sizeof(host))
		return -1;
	memcpy(host, s, hl);
	host[hl] = '\0';
	if (inet_pton(AF_INET, host, p->addr) == 1) {
		p->af = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, host, p->addr) == 1) {
		p->af = AF_INET6;
		max = 128;
	} else
		return -1;
	p->bits = max;
	if (slash == NULL)
		return 0;
	errno = 0;
	bits = strtoul(slash + 1, &end, 10);
	if (slash[1] < '0' || slash[1] > '9' || *end != '\0' || errno != 0 ||
	    bits > max)
		return (*why = "bad prefix length"), -1;
	p->bits = (unsigned)bits;
	return 0;
}

static bool
prefix_match(const struct net_prefix *p, int af, const uint8_t *a)
{
	unsigned	 whole = p->bits / 8, rest = p->bits % 8;
	uint8_t		 mask;

	if (p->af != af || memcmp(p->addr, a, whole) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (uint8_t)(0xff << (8 - rest));
	return (p->addr[whole] & mask) == (a[whole] & mask);
}

bool
net_acl_match(const struct net_acl *acl, const struct sockaddr *sa)
{
	const struct sockaddr_in	*sin = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6	*sin6 = (const struct sockaddr_in6 *)sa;
	const uint8_t			*a;
	int				 af = sa->sa_family;
	size_t				 i;

	if (af == AF_INET)
		a = (const uint8_t *)&sin->sin_addr;
	else if (af == AF_INET6) {
		a = sin6->sin6_addr.s6_addr;
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
			af = AF_INET;
			a += 12;
		}
	} else
		return false;
	for (i = 0; i < acl->n; i++)
		if (prefix_match(&acl->v[i], af, a))
			return true;
	return false;
}

void
net_acl_free(struct net_acl *acl)
{
	free(acl->v);
	acl->v = NULL;
	acl->n = 0;
}

const char *
net_addr_str(const struct sockaddr *sa, char *buf, size_t len)
{
	const struct sockaddr_in	*sin = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6	*sin6 = (const struct sockaddr_in6 *)sa;
	char				 h[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET &&
	    inet_ntop(AF_INET, &sin->sin_addr, h, sizeof(h)) != NULL)
		snprintf(buf, len, "%s:%u", h, ntohs(sin->sin_port));
	else if (sa->sa_family == AF_INET6 &&
	    inet_ntop(AF_INET6, &sin6->sin6_addr, h, sizeof(h)) != NULL)
		snprintf(buf, len, "[%s]:%u", h, ntohs(sin6->sin6_port));
	else
		snprintf(buf, len, "(unknown)");
	return buf;
}

bool
net_listens_equal(const struct net_listens *a, const struct net_listens *b)
{
	size_t	 i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i].text, b->v[i].text) != 0)
			return false;
	return true;
}

int
net_listens_raw(struct config_ctx *c, json_t *val, void *dst)
{
	struct net_listens	*l = dst;
	struct net_listen	*e;
	const char		*why;
	json_t			*item;
	size_t			 i;

	if (!json_is_array(val) || json_array_size(val) == 0)
		return config_error(c, val, "expected a non-empty array of "
		    "addresses, found %s", config_typename(val));
	if ((l->v = calloc(json_array_size(val), sizeof(*l->v))) == NULL)
		return config_error(c, val, "out of memory");
	json_array_foreach(val, i, item) {
		e = &l->v[l->n];
		if (!json_is_string(item))
			return config_error(c, item, "expected string, found "
			    "%s", config_typename(item));
		if (net_addr_parse_listen(json_string_value(item), &e->ss,
		    &e->len, &why) == -1)
			return config_error(c, item, "%s", why);
		net_addr_str((struct sockaddr *)&e->ss, e->text,
		    sizeof(e->text));
		l->n++;
	}
	return 0;
}

void
net_listens_free(void *dst)
{
	struct net_listens	*l = dst;

	free(l->v);
	l->v = NULL;
	l->n = 0;
}
