#include <sys/queue.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "dns_config.h"
#include "dns_msg.h"
#include "dns_notify.h"
#include "dns_zones.h"
#include "log.h"

#define DNS_OP_NOTIFY	4

struct pending {
	TAILQ_ENTRY(pending)	 link;
	struct dns_notify	*owner;
	uint8_t			 origin[DNS_NAME_MAX];
	uint32_t		 serial;
	struct sockaddr_storage	 to;
	socklen_t		 tolen;
	uint16_t		 id;
	int			 tries;
	struct event		*timer;
};

struct announced {
	uint8_t		 origin[DNS_NAME_MAX];
	uint32_t	 serial;
};

struct dns_notify {
	struct event_base	*base;
	int			 fd[2];		/* IPv4, IPv6 */
	struct event		*ev[2];
	TAILQ_HEAD(, pending)	 pending;
	struct announced	*seen;
	size_t			 nseen;
	uint64_t		 sent, acked, gaveup;
};

static bool
same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	const struct sockaddr_in	*a4 = (const void *)a, *b4 = (const void *)b;
	const struct sockaddr_in6	*a6 = (const void *)a, *b6 = (const void *)b;

	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return a4->sin_port == b4->sin_port &&
		    a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	return a6->sin6_port == b6->sin6_port &&
	    memcmp(&a6->sin6_addr, &b6->sin6_addr, sizeof(a6->sin6_addr)) == 0;
}

static void
pending_free(struct pending *p)
{
	TAILQ_REMOVE(&p->owner->pending, p, link);
	event_free(p->timer);
	free(p);
}

static void
send_one(struct pending *p)
{
	struct dns_notify	*n = p->owner;
	struct timeval		 tv = { DNS_NOTIFY_RETRY_MS / 1000,
				    (DNS_NOTIFY_RETRY_MS % 1000) * 1000 };
	struct dns_wr		 w;
	uint8_t			 m[DNS_UDPMIN];
	size_t			 len;
	int			 fd = n->fd[p->to.ss_family == AF_INET6];

	dns_wr_init(&w, m, sizeof(m));
	(void)dns_wr_question(&w, p->origin, 6, DNS_CLASS_IN);
	len = dns_wr_finish(&w, p->id, DNS_OP_NOTIFY << 11 | DNS_F_AA);
	p->tries++;
	if (fd == -1 || sendto(fd, m, len, 0, (struct sockaddr *)&p->to,
	    p->tolen) == -1) {
		char who[NET_ADDRSTRLEN];

		log_warn("NOTIFY to %s", net_addr_str((struct sockaddr *)&p->to,
		    who, sizeof(who)));
	} else
		n->sent++;
	evtimer_add(p->timer, &tv);
}

static void
retry(evutil_socket_t fd, short what, void *arg)
{
	struct pending	*p = arg;
	char		 who[NET_ADDRSTRLEN], zone[DNS_NAME_TEXTMAX];

	(void)fd;
	(void)what;
	if (p->tries < DNS_NOTIFY_TRIES) {
		send_one(p);
		return;
	}
	dns_name_to_text(p->origin, zone);
	log_warnx("NOTIFY of %s (serial %u) to %s: no answer after %d tries",
	    zone, p->serial, net_addr_str((struct sockaddr *)&p->to, who,
	    sizeof(who)), p->tries);
	p->owner->gaveup++;
	pending_free(p);
}

/* A response: the pending NOTIFY it answers is done. */
static void
readable(evutil_socket_t fd, short what, void *arg)
{
	struct dns_notify	*n = arg;
	struct sockaddr_storage	 from;
	socklen_t		 fromlen;
	struct pending		*p;
	uint8_t			 m[DNS_UDPMIN];
	ssize_t			 len;
	uint16_t		 id, flags;

	(void)what;
	for (;;) {
		fromlen = sizeof(from);
		if ((len = recvfrom(fd, m, sizeof(m), MSG_DONTWAIT,
		    (struct sockaddr *)&from, &fromlen)) < DNS_HDRLEN) {
			if (len == -1)
				return;
			continue;
		}
		id = (uint16_t)(m[0] << 8 | m[1]);
		flags = (uint16_t)(m[2] << 8 | m[3]);
		if (!(flags & DNS_F_QR) || DNS_OPCODE(flags) != DNS_OP_NOTIFY)
			continue;
		TAILQ_FOREACH(p, &n->pending, link)
			if (p->id == id && same_addr(&p->to, &from))
				break;
		if (p == NULL)
			continue;
		n->acked++;
		pending_free(p);
	}
}

static int
open_sock(struct dns_notify *n, int i, int af)
{
	if ((n->fd[i] = socket(af, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		return -1;
	n->ev[i] = event_new(n->base, n->fd[i], EV_READ | EV_PERSIST,
	    readable, n);
	return n->ev[i] == NULL || event_add(n->ev[i], NULL) == -1 ? -1 : 0;
}

struct dns_notify *
dns_notify_new(struct event_base *base)
{
	struct dns_notify	*n;

	if ((n = calloc(1, sizeof(*n))) == NULL)
		return NULL;
	n->base = base;
	n->fd[0] = n->fd[1] = -1;
	TAILQ_INIT(&n->pending);
	/* A host without IPv6 still notifies over IPv4. */
	if (open_sock(n, 0, AF_INET) == -1)
		log_warn("NOTIFY: no IPv4 socket");
	if (open_sock(n, 1, AF_INET6) == -1)
		log_warn("NOTIFY: no IPv6 socket");
	return n;
}

void
dns_notify_free(struct dns_notify *n)
{
	int	 i;

	if (n == NULL)
		return;
	while (!TAILQ_EMPTY(&n->pending))
		pending_free(TAILQ_FIRST(&n->pending));
	for (i = 0; i < 2; i++) {
		if (n->ev[i] != NULL)
			event_free(n->ev[i]);
		if (n->fd[i] != -1)
			close(n->fd[i]);
	}
	free(n->seen);
	free(n);
}

/* Whether this serial is news for the zone; records it if so. */
static bool
is_news(struct dns_notify *n, const uint8_t *origin, uint32_t serial)
{
	struct announced	*a;
	size_t			 i, len = dns_name_len(origin);

	for (i = 0; i < n->nseen; i++)
		if (memcmp(n->seen[i].origin, origin, len) == 0) {
			if (n->seen[i].serial == serial)
				return false;
			n->seen[i].serial = serial;
			return true;
		}
	if ((a = reallocarray(n->seen, n->nseen + 1, sizeof(*a))) == NULL)
		return false;
	n->seen = a;
	memcpy(a[n->nseen].origin, origin, len);
	a[n->nseen++].serial = serial;
	return true;
}

static void
announce(struct dns_notify *n, const struct dns_zone *z,
    const struct net_listens *to)
{
	struct pending	*p, *next;
	size_t		 i;
	char		 zone[DNS_NAME_TEXTMAX];

	dns_name_to_text(z->origin, zone);
	for (i = 0; i < to->n; i++) {
		/* A newer serial replaces what was still being retried. */
		for (p = TAILQ_FIRST(&n->pending); p != NULL; p = next) {
			next = TAILQ_NEXT(p, link);
			if (memcmp(p->origin, z->origin, z->olen) == 0 &&
			    same_addr(&p->to, &to->v[i].ss))
				pending_free(p);
		}
		if ((p = calloc(1, sizeof(*p))) == NULL ||
		    (p->timer = evtimer_new(n->base, retry, p)) == NULL) {
			free(p);
			log_warnx("NOTIFY: out of memory");
			return;
		}
		p->owner = n;
		memcpy(p->origin, z->origin, z->olen);
		p->serial = z->serial;
		p->to = to->v[i].ss;
		p->tolen = to->v[i].len;
		/* Unpredictable ids: a forged acknowledgement is a guess. */
		if (getrandom(&p->id, sizeof(p->id), 0) != sizeof(p->id))
			p->id = (uint16_t)random();
		TAILQ_INSERT_TAIL(&n->pending, p, link);
		log_info("NOTIFY of %s (serial %u) to %s", zone, z->serial,
		    to->v[i].text);
		send_one(p);
	}
}

void
dns_notify_changed(struct dns_notify *n, const struct dns_config *cfg,
    struct dns_zones *zones)
{
	const struct dns_zoneset	*set = dns_zones_current(zones);
	const struct dns_zone		*z;
	uint8_t				 o[DNS_NAME_MAX];
	size_t				 i;

	if (n == NULL)
		return;
	for (i = 0; i < cfg->zones.n; i++) {
		if (cfg->zones.v[i].notify.n == 0 ||
		    dns_name_from_text(cfg->zones.v[i].origin, o) == -1)
			continue;
		dns_name_lower(o, o);
		if ((z = dns_zoneset_origin(set, o)) == NULL ||
		    !is_news(n, z->origin, z->serial))
			continue;
		announce(n, z, &cfg->zones.v[i].notify);
	}
}

void
dns_notify_counts(const struct dns_notify *n, uint64_t *sent,
    uint64_t *acked, uint64_t *gaveup)
{
	*sent = n != NULL ? n->sent : 0;
	*acked = n != NULL ? n->acked : 0;
	*gaveup = n != NULL ? n->gaveup : 0;
}
