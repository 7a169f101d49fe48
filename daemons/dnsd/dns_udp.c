/*
 * dns_udp: queries over UDP (RFC 1035 4.2.1), answered in batches.
 *
 * Owns reading datagrams and sending the answers.  Each wake-up reads up
 * to UDP_BATCH queries with one recvmmsg(2), answers them all, and sends
 * the answers with one sendmmsg(2): under load that is two system calls
 * for many queries, which is most of what a query costs.  A few batches
 * are taken per wake-up, then the loop gets to serve TCP too.  A reply
 * the kernel will not take now is dropped and counted (a UDP client
 * retries); nothing is queued, so memory does not grow with load.
 *
 * The buffers are static: one thread answers everything (dns_server.h).
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <string.h>

#include <event2/event.h>

#include "dns_server.h"
#include "log.h"

#define UDP_BATCH	32
#define UDP_ROUNDS	8	/* batches per wake-up */
#define UDP_INMAX	4096	/* a query longer than this is not one */
#define UDP_OUTMAX	4096	/* udp-payload's ceiling */
#define UDP_CMSG	CMSG_SPACE(sizeof(struct in6_pktinfo))

static struct udp_batch {
	struct mmsghdr		 in[UDP_BATCH], out[UDP_BATCH];
	struct iovec		 iin[UDP_BATCH], iout[UDP_BATCH];
	struct sockaddr_storage	 peer[UDP_BATCH];
	uint8_t			 q[UDP_BATCH][UDP_INMAX];
	uint8_t			 r[UDP_BATCH][UDP_OUTMAX];
	uint8_t			 cin[UDP_BATCH][UDP_CMSG];
	uint8_t			 cout[UDP_BATCH][UDP_CMSG];
} b;

static bool	prepared;
static int	dirty;		/* headers the last recvmmsg wrote into */

/*
 * Point every header at its buffers once; after a batch, only the
 * headers the kernel wrote into need their lengths back.  Every header
 * has room for a pktinfo: a socket that did not ask for one gets none.
 */
static void
prepare_recv(void)
{
	int	 i, n = prepared ? dirty : UDP_BATCH;

	for (i = 0; i < n; i++) {
		if (!prepared) {
			b.iin[i].iov_base = b.q[i];
			b.iin[i].iov_len = UDP_INMAX;
			memset(&b.in[i].msg_hdr, 0, sizeof(b.in[i].msg_hdr));
			b.in[i].msg_hdr.msg_name = &b.peer[i];
			b.in[i].msg_hdr.msg_iov = &b.iin[i];
			b.in[i].msg_hdr.msg_iovlen = 1;
			b.in[i].msg_hdr.msg_control = b.cin[i];
		}
		b.in[i].msg_hdr.msg_namelen = sizeof(b.peer[i]);
		b.in[i].msg_hdr.msg_controllen = UDP_CMSG;
		b.in[i].msg_hdr.msg_flags = 0;
	}
	prepared = true;
}

/*
 * The reply leaves from the address the query came to: copy the
 * destination the kernel told us into a pktinfo for sendmsg.
 */
static void
reply_from(struct msghdr *in, struct msghdr *out, uint8_t *cbuf)
{
	struct cmsghdr		*c, *o;
	struct in_pktinfo	*p4;

	for (c = CMSG_FIRSTHDR(in); c != NULL; c = CMSG_NXTHDR(in, c)) {
		if (!((c->cmsg_level == IPPROTO_IP &&
		    c->cmsg_type == IP_PKTINFO) ||
		    (c->cmsg_level == IPPROTO_IPV6 &&
		    c->cmsg_type == IPV6_PKTINFO)))
			continue;
		out->msg_control = cbuf;
		out->msg_controllen = CMSG_SPACE(c->cmsg_len - CMSG_LEN(0));
		o = CMSG_FIRSTHDR(out);
		memcpy(o, c, c->cmsg_len);
		if (c->cmsg_level == IPPROTO_IP) {
			p4 = (struct in_pktinfo *)CMSG_DATA(o);
			p4->ipi_spec_dst = p4->ipi_addr;
			p4->ipi_ifindex = 0;
		}
		return;
	}
}

/* Answer b.in[0..n); returns how many replies were set up in b.out. */
static int
answer_batch(struct dns_udp_sock *u, int n)
{
	struct dns_server	*s = u->srv;
	const struct dns_zoneset *zs = dns_zones_current(s->zones);
	struct msghdr		*mo;
	size_t			 len;
	int			 i, k = 0;

	for (i = 0; i < n; i++) {
		if (b.in[i].msg_hdr.msg_flags & MSG_TRUNC)
			len = 0;	/* longer than any query */
		else if (dns_is_update(b.q[i], b.in[i].msg_len)) {
			len = dns_server_update(s, b.q[i], b.in[i].msg_len,
			    (struct sockaddr *)&b.peer[i], b.r[k], UDP_OUTMAX);
			/* The update may have replaced the set. */
			zs = dns_zones_current(s->zones);
			goto reply;
		} else
			len = dns_answer(zs, &s->acfg, b.q[i], b.in[i].msg_len,
			    false, b.r[k], UDP_OUTMAX);
		dns_stats_response(&s->stats, b.r[k], len, false);
reply:
		if (len == 0)
			continue;
		b.iout[k].iov_base = b.r[k];
		b.iout[k].iov_len = len;
		mo = &b.out[k].msg_hdr;
		memset(mo, 0, sizeof(*mo));
		mo->msg_name = &b.peer[i];
		mo->msg_namelen = b.in[i].msg_hdr.msg_namelen;
		mo->msg_iov = &b.iout[k];
		mo->msg_iovlen = 1;
		if (u->wildcard)
			reply_from(&b.in[i].msg_hdr, mo, b.cout[k]);
		k++;
	}
	return k;
}

static void
send_batch(struct dns_udp_sock *u, int k)
{
	int	 sent = 0, rv;

	while (sent < k) {
		rv = sendmmsg(u->fd, b.out + sent, (unsigned)(k - sent),
		    MSG_DONTWAIT);
		if (rv > 0) {
			sent += rv;
			continue;
		}
		if (rv == -1 && errno == EINTR)
			continue;
		/*
		 * A full socket buffer (EAGAIN) or a peer that cannot be
		 * reached: this reply is lost, the rest may go.
		 */
		u->srv->stats.udp_send_errors++;
		sent++;
	}
}

static void
udp_read(evutil_socket_t fd, short what, void *arg)
{
	struct dns_udp_sock	*u = arg;
	int			 n, k, round;

	(void)what;
	for (round = 0; round < UDP_ROUNDS; round++) {
		prepare_recv();
		n = recvmmsg(fd, b.in, UDP_BATCH, MSG_DONTWAIT, NULL);
		dirty = n > 0 ? n : 0;
		if (n <= 0) {
			if (n == -1 && errno != EAGAIN && errno != EINTR)
				log_warn("udp recvmmsg");
			return;
		}
		if ((k = answer_batch(u, n)) > 0)
			send_batch(u, k);
		u->srv->stats.udp_batches++;
		if (n < UDP_BATCH)
			return;
	}
}

int
dns_udp_start(struct dns_server *s, struct dns_udp_sock *u)
{
	u->ev = event_new(s->base, u->fd, EV_READ | EV_PERSIST, udp_read, u);
	if (u->ev == NULL || event_add(u->ev, NULL) == -1) {
		log_warnx("udp: cannot add the socket to the event loop");
		return -1;
	}
	return 0;
}
