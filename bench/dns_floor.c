/*
 * dns-floor: the cheapest thing that dnsperf counts as a DNS server, for
 * `bench/run dns`: how much of a query's cost is the kernel's, whatever
 * the server does.
 *
 *	dns-floor PORT
 *
 * Listens on 127.0.0.1:PORT over UDP and sends every datagram back with
 * QR set and no records added: a well-formed NOERROR response with the
 * query's id and question, which dnsperf accepts.  It reads and sends as
 * dnsd does (recvmmsg and sendmmsg, 32 at a time, after epoll), so a
 * server's queries per CPU-second can be set beside this one's: no
 * server answering real questions through the same system calls can do
 * better than the floor, so floor/NSD bounds the ratio any server could
 * reach against NSD on this machine.  SIGTERM ends it.
 */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BATCH	32
#define MAXQ	4096

static volatile sig_atomic_t	stop;

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static int
listen_udp(int port)
{
	struct sockaddr_in	sin = { .sin_family = AF_INET };
	int			fd;

	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		perror("dns-floor: socket");
		exit(1);
	}
	return fd;
}

/* Read a batch and send it back as responses; how many were read. */
static int
echo_batch(int fd)
{
	static struct mmsghdr		m[BATCH];
	static struct iovec		iov[BATCH];
	static struct sockaddr_in	peer[BATCH];
	static unsigned char		buf[BATCH][MAXQ];
	int				i, n, k;

	for (i = 0; i < BATCH; i++) {
		iov[i].iov_base = buf[i];
		iov[i].iov_len = MAXQ;
		memset(&m[i].msg_hdr, 0, sizeof(m[i].msg_hdr));
		m[i].msg_hdr.msg_name = &peer[i];
		m[i].msg_hdr.msg_namelen = sizeof(peer[i]);
		m[i].msg_hdr.msg_iov = &iov[i];
		m[i].msg_hdr.msg_iovlen = 1;
	}
	if ((n = recvmmsg(fd, m, BATCH, MSG_DONTWAIT, NULL)) <= 0)
		return 0;
	for (i = 0; i < n; i++) {
		iov[i].iov_len = m[i].msg_len;
		if (m[i].msg_len >= 12)
			buf[i][2] |= 0x80;	/* QR */
	}
	for (k = 0; k < n; ) {
		int s = sendmmsg(fd, m + k, (unsigned)(n - k), MSG_DONTWAIT);

		k += s > 0 ? s : 1;	/* a reply the kernel refuses is lost */
	}
	return n;
}

int
main(int argc, char **argv)
{
	struct epoll_event	ev = { .events = EPOLLIN };
	int			fd, ep, round;

	if (argc != 2) {
		fprintf(stderr, "usage: dns-floor PORT\n");
		return 2;
	}
	signal(SIGTERM, on_term);
	fd = listen_udp(atoi(argv[1]));
	if ((ep = epoll_create1(0)) == -1 ||
	    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == -1) {
		perror("dns-floor: epoll");
		return 1;
	}
	while (!stop) {
		if (epoll_wait(ep, &ev, 1, -1) == -1 && errno != EINTR)
			break;
		/* As dnsd: up to 8 full batches a wake-up. */
		for (round = 0; round < 8 && echo_batch(fd) == BATCH; round++)
			;
	}
	close(ep);
	close(fd);
	return 0;
}
