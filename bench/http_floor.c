/*
 * http-floor: the cheapest thing wrk counts as a web server, for
 * `bench/run http`: how much of a request's cost is the kernel's,
 * whatever the server does.
 *
 *	http-floor PORT BODY_BYTES
 *
 * Listens on 127.0.0.1:PORT; on each connection it reads what comes and
 * answers every request head it sees ("\r\n\r\n") with the same canned
 * 200 response of BODY_BYTES bytes, through the system calls httpd uses
 * for a cached file (epoll_wait, read, one writev per batch of answers).
 * It parses nothing and opens no file, so no server answering real
 * requests through the same calls does better: floor / peer bounds the
 * ratio any server could reach here.  SIGTERM ends it.
 */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAXEV	256
#define MAXREQ	64	/* answers gathered into one writev */

static volatile sig_atomic_t	stop;
static char			*response;
static size_t			 resplen;

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static int
listen_tcp(int port)
{
	struct sockaddr_in	sin = { .sin_family = AF_INET };
	int			fd, one = 1;

	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(fd, 4096) == -1) {
		perror("http-floor: listen");
		exit(1);
	}
	return fd;
}

/* The heads in what was read (a head split across reads is counted
 * where it ends: the last three bytes are carried over). */
static int
count_heads(const char *p, size_t n)
{
	const char	*end = p + n, *q;
	int		 k = 0;

	while ((q = memmem(p, (size_t)(end - p), "\r\n\r\n", 4)) != NULL) {
		k++;
		p = q + 4;
	}
	return k;
}

static void
serve(int fd)
{
	char		 buf[16384];
	struct iovec	 iov[MAXREQ];
	ssize_t		 n;
	int		 k, i;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		k = count_heads(buf, (size_t)n);
		if (k > MAXREQ)
			k = MAXREQ;
		for (i = 0; i < k; i++) {
			iov[i].iov_base = response;
			iov[i].iov_len = resplen;
		}
		if (k > 0 && writev(fd, iov, k) < 0)
			break;
		if ((size_t)n < sizeof(buf))
			return;
	}
	if (n == 0 || (n < 0 && errno != EAGAIN))
		close(fd);
}

int
main(int argc, char **argv)
{
	struct epoll_event	 ev, evs[MAXEV];
	int			 lfd, ep, n, i, fd, one = 1;
	size_t			 body, hl;

	if (argc != 3) {
		fprintf(stderr, "usage: http-floor PORT BODY_BYTES\n");
		return 2;
	}
	body = (size_t)strtoul(argv[2], NULL, 10);
	if ((response = malloc(256 + body)) == NULL)
		return 1;
	hl = (size_t)snprintf(response, 256, "HTTP/1.1 200 OK\r\nServer: floor"
	    "\r\nContent-Type: application/octet-stream\r\nContent-Length: "
	    "%zu\r\n\r\n", body);
	memset(response + hl, 'x', body);
	resplen = hl + body;
	signal(SIGTERM, on_term);
	signal(SIGPIPE, SIG_IGN);
	lfd = listen_tcp(atoi(argv[1]));
	ep = epoll_create1(0);
	ev.events = EPOLLIN;
	ev.data.fd = lfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	while (!stop) {
		if ((n = epoll_wait(ep, evs, MAXEV, -1)) < 0)
			continue;
		for (i = 0; i < n; i++) {
			if (evs[i].data.fd != lfd) {
				serve(evs[i].data.fd);
				continue;
			}
			while ((fd = accept4(lfd, NULL, NULL,
			    SOCK_NONBLOCK)) >= 0) {
				setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
				    sizeof(one));
				ev.events = EPOLLIN;
				ev.data.fd = fd;
				epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
			}
		}
	}
	free(response);
	return 0;
}
