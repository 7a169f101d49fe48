#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/listener.h>

#include "dns_msg.h"
#include "dns_notify.h"
#include "dns_server.h"
#include "dns_update.h"
#include "log.h"

bool
dns_is_update(const uint8_t *in, size_t len)
{
	return len >= DNS_HDRLEN &&
	    DNS_OPCODE(in[2] << 8 | in[3]) == DNS_OPCODE_UPDATE;
}

size_t
dns_server_update(struct dns_server *s, const uint8_t *in, size_t len,
    const struct sockaddr *peer, uint8_t *out, size_t cap)
{
	enum dns_update_outcome	 o;
	size_t			 n;

	n = dns_update(s->zones, s->cfg, in, len, peer, (uint64_t)time(NULL),
	    out, cap, &o);
	switch (o) {
	case DNS_UPD_APPLIED:
		s->stats.updates_applied++;
		dns_notify_changed(s->notify, s->cfg, s->zones);
		break;
	case DNS_UPD_NOCHANGE:
		s->stats.updates_unchanged++;
		break;
	case DNS_UPD_REJECTED:
		s->stats.updates_rejected++;
		break;
	case DNS_UPD_DROPPED:
		s->stats.dropped++;
		break;
	}
	return n;
}

/* A socket of this type bound to ss; -1 after logging. */
static int
bound(const struct sockaddr_storage *ss, socklen_t len, int type,
    const char *text)
{
	int	 fd, on = 1;

	if ((fd = socket(ss->ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		log_warn("%s: socket", text);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	/* Each family gets its own socket: no v4-mapped surprises. */
	if (ss->ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	if (bind(fd, (const struct sockaddr *)ss, len) == -1) {
		log_warn("%s: bind (%s)", text, type == SOCK_DGRAM ? "udp" :
		    "tcp");
		close(fd);
		return -1;
	}
	return fd;
}

static bool
is_any(const struct sockaddr_storage *ss)
{
	const struct sockaddr_in	*sin = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6	*sin6 = (const struct sockaddr_in6 *)ss;

	if (ss->ss_family == AF_INET)
		return sin->sin_addr.s_addr == htonl(INADDR_ANY);
	return IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr);
}

/*
 * A wildcard socket must answer from the address the query was sent to,
 * or a client on a host with several addresses drops the reply.
 */
static void
want_pktinfo(int fd, int af)
{
	int	 on = 1;

	if (af == AF_INET)
		setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on));
	else
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on));
}

static int
open_one(struct dns_server *s, const struct sockaddr_storage *ss,
    socklen_t len, const char *text)
{
	struct dns_udp_sock	*u = &s->udp[s->nudp];
	struct evconnlistener	*l;
	int			 fd;

	if ((fd = bound(ss, len, SOCK_DGRAM, text)) == -1)
		return -1;
	u->fd = fd;
	u->srv = s;
	u->wildcard = is_any(ss);
	if (u->wildcard)
		want_pktinfo(fd, ss->ss_family);
	s->nudp++;
	if (dns_udp_start(s, u) == -1)
		return -1;
	if ((fd = bound(ss, len, SOCK_STREAM, text)) == -1)
		return -1;
	if ((l = dns_tcp_listen(s, fd)) == NULL) {
		close(fd);
		return -1;
	}
	s->tcp[s->ntcp++] = l;
	log_info("listening on %s (udp, tcp)", text);
	return 0;
}

int
dns_server_open(struct dns_server *s, struct event_base *base,
    struct dns_config *cfg, struct dns_zones *zones)
{
	struct sockaddr_storage	 v4;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&v4;
	const struct net_listen	*l;
	size_t			 i, max = 2 * cfg->listen.n;
	char			 text[NET_ADDRSTRLEN];

	s->base = base;
	s->zones = zones;
	TAILQ_INIT(&s->conns);
	dns_server_configure(s, cfg);
	if ((s->udp = calloc(max, sizeof(*s->udp))) == NULL ||
	    (s->tcp = calloc(max, sizeof(*s->tcp))) == NULL)
		return -1;
	for (i = 0; i < cfg->listen.n; i++) {
		l = &cfg->listen.v[i];
		if (open_one(s, &l->ss, l->len, l->text) == -1)
			return -1;
		/* A port alone: IPv4's any beside IPv6's. */
		if (l->ss.ss_family != AF_INET6 || !is_any(&l->ss))
			continue;
		memset(&v4, 0, sizeof(v4));
		sin->sin_family = AF_INET;
		sin->sin_port = ((const struct sockaddr_in6 *)&l->ss)->sin6_port;
		net_addr_str((struct sockaddr *)&v4, text, sizeof(text));
		if (open_one(s, &v4, sizeof(*sin), text) == -1)
			return -1;
	}
	return 0;
}

void
dns_server_configure(struct dns_server *s, struct dns_config *cfg)
{
	s->cfg = cfg;
	s->acfg.version = cfg->version;
	s->acfg.id = cfg->id;
	s->acfg.payload = (uint16_t)cfg->udp_payload;
}

void
dns_server_close(struct dns_server *s)
{
	size_t	 i;

	dns_tcp_close_all(s);
	for (i = 0; i < s->ntcp; i++)
		evconnlistener_free(s->tcp[i]);
	for (i = 0; i < s->nudp; i++) {
		if (s->udp[i].ev != NULL)
			event_free(s->udp[i].ev);
		close(s->udp[i].fd);
	}
	free(s->tcp);
	free(s->udp);
	s->tcp = NULL;
	s->udp = NULL;
	s->ntcp = s->nudp = 0;
}
