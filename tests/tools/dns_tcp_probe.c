/*
 * dns-tcp-probe: drives dnsd's TCP side the ways dig and kdig cannot,
 * for tests/dnsd/it_dnsd.sh.  Each mode prints one line of facts and
 * exits 0 when it could run (the script judges), 1 on a setup error.
 *
 *   pipeline ADDR PORT N NAME   N queries for NAME in one write, then
 *                               read N answers: prints how many came,
 *                               whether their ids were in order, rcodes
 *   idle ADDR PORT              connect, send nothing: seconds until the
 *                               server closes (or "open" after 30 s)
 *   badlen ADDR PORT LEN        a length prefix of LEN and that many
 *                               zero octets: "closed" or "answered"
 *   hog ADDR PORT N NAME SECS   write N queries and never read: prints
 *                               how many octets the server took before
 *                               it stopped reading, after SECS seconds
 *   conns ADDR PORT N NAME      open N connections, then one query on
 *                               each: "answered A closed C"
 *
 * Queries are built here (RFC 1035 4.1): no library, so that what is
 * sent is exactly what the test means.
 */
#include <sys/socket.h>
#include <sys/time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define QMAX	300

static struct sockaddr_storage	peer;
static socklen_t		peerlen;

static void
usage(void)
{
	fprintf(stderr, "usage: dns-tcp-probe pipeline|idle|badlen|hog|conns "
	    "ADDR PORT [ARGS]\n");
	exit(1);
}

static void
set_peer(const char *addr, const char *port)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)&peer;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&peer;

	memset(&peer, 0, sizeof(peer));
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)atoi(port));
		peerlen = sizeof(*sin);
	} else if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)atoi(port));
		peerlen = sizeof(*sin6);
	} else
		usage();
}

static int
dial(void)
{
	int	 fd;

	if ((fd = socket(peer.ss_family, SOCK_STREAM, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&peer, peerlen) == -1) {
		perror("connect");
		exit(1);
	}
	return fd;
}

/* A framed query for name (dotted text), type A, id; its length. */
static size_t
query(uint8_t *b, uint16_t id, const char *name)
{
	size_t		 n = 14;
	const char	*p = name, *dot;
	size_t		 l;

	memset(b, 0, 14);
	b[2] = (uint8_t)(id >> 8);
	b[3] = (uint8_t)id;
	b[7] = 1;		/* QDCOUNT */
	while (*p != '\0') {
		dot = strchr(p, '.');
		l = dot != NULL ? (size_t)(dot - p) : strlen(p);
		if (l == 0 || l > 63 || n + l + 6 > QMAX)
			break;
		b[n++] = (uint8_t)l;
		memcpy(b + n, p, l);
		n += l;
		p += l + (dot != NULL);
	}
	b[n++] = 0;
	b[n++] = 0, b[n++] = 1;		/* A */
	b[n++] = 0, b[n++] = 1;		/* IN */
	b[0] = (uint8_t)((n - 2) >> 8);
	b[1] = (uint8_t)(n - 2);
	return n;
}

static int
read_full(int fd, uint8_t *b, size_t n)
{
	size_t	 got = 0;
	ssize_t	 r;

	while (got < n) {
		if ((r = read(fd, b + got, n - got)) <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

/* One framed message; its id and rcode, -1 at EOF. */
static int
read_msg(int fd, int *id, int *rcode)
{
	uint8_t	 len[2], m[65535];
	size_t	 n;

	if (read_full(fd, len, 2) == -1)
		return -1;
	n = (size_t)len[0] << 8 | len[1];
	if (n < 12 || read_full(fd, m, n) == -1)
		return -1;
	*id = m[0] << 8 | m[1];
	*rcode = m[3] & 0xf;
	return 0;
}

static int
pipeline(int n, const char *name)
{
	uint8_t	*all = malloc((size_t)n * QMAX);
	size_t	 len = 0;
	int	 fd = dial(), i, id, rc, got = 0, inorder = 1, noerror = 0;
	ssize_t	 w;

	for (i = 0; i < n; i++)
		len += query(all + len, (uint16_t)(i + 1), name);
	for (size_t off = 0; off < len; off += (size_t)w)
		if ((w = write(fd, all + off, len - off)) <= 0) {
			perror("write");
			return 1;
		}
	for (i = 0; i < n; i++) {
		if (read_msg(fd, &id, &rc) == -1)
			break;
		got++;
		if (id != i + 1)
			inorder = 0;
		if (rc == 0)
			noerror++;
	}
	printf("answers %d of %d in-order %s noerror %d\n", got, n,
	    inorder ? "yes" : "no", noerror);
	free(all);
	close(fd);
	return 0;
}

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
idle(void)
{
	int		 fd = dial();
	double		 t0 = now();
	struct pollfd	 p = { .fd = fd, .events = POLLIN };
	uint8_t		 b[1];

	if (poll(&p, 1, 30000) == 1 && read(fd, b, 1) <= 0)
		printf("closed after %.1f s\n", now() - t0);
	else
		printf("open\n");
	close(fd);
	return 0;
}

static int
badlen(int len)
{
	uint8_t		 b[2 + 65535] = { (uint8_t)(len >> 8), (uint8_t)len };
	int		 fd = dial(), id, rc;

	if (write(fd, b, 2 + (size_t)len) < 0) {
		perror("write");
		return 1;
	}
	shutdown(fd, SHUT_WR);
	printf("%s\n", read_msg(fd, &id, &rc) == -1 ? "closed" : "answered");
	close(fd);
	return 0;
}

/* Write without reading until the server stops taking queries. */
static int
hog(int n, const char *name, int secs)
{
	uint8_t	 q[QMAX];
	size_t	 len, sent = 0, off;
	int	 fd = dial(), i;
	ssize_t	 w;
	double	 end = now() + secs;

	fcntl(fd, F_SETFL, O_NONBLOCK);
	for (i = 0; i < n && now() < end; i++) {
		len = query(q, (uint16_t)i, name);
		for (off = 0; off < len && now() < end; ) {
			if ((w = write(fd, q + off, len - off)) > 0) {
				off += (size_t)w;
				continue;
			}
			if (w == -1 && errno != EAGAIN) {
				printf("closed after %zu octets\n", sent);
				return 0;
			}
			usleep(10000);
		}
		sent += off;
	}
	printf("took %zu octets of %d queries\n", sent, n);
	close(fd);
	return 0;
}

static int
conns(int n, const char *name)
{
	int	*fds = calloc((size_t)n, sizeof(int));
	uint8_t	 q[QMAX];
	size_t	 len;
	int	 i, id, rc, answered = 0, closed = 0;

	for (i = 0; i < n; i++)
		fds[i] = dial();
	usleep(200000);
	for (i = 0; i < n; i++) {
		len = query(q, (uint16_t)i, name);
		if (write(fds[i], q, len) != (ssize_t)len) {
			closed++;
			continue;
		}
		if (read_msg(fds[i], &id, &rc) == 0)
			answered++;
		else
			closed++;
	}
	printf("answered %d closed %d\n", answered, closed);
	for (i = 0; i < n; i++)
		close(fds[i]);
	free(fds);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc < 4)
		usage();
	signal(SIGPIPE, SIG_IGN);
	set_peer(argv[2], argv[3]);
	if (strcmp(argv[1], "pipeline") == 0 && argc == 6)
		return pipeline(atoi(argv[4]), argv[5]);
	if (strcmp(argv[1], "idle") == 0 && argc == 4)
		return idle();
	if (strcmp(argv[1], "badlen") == 0 && argc == 5)
		return badlen(atoi(argv[4]) & 0xffff);
	if (strcmp(argv[1], "hog") == 0 && argc == 7)
		return hog(atoi(argv[4]), argv[5], atoi(argv[6]));
	if (strcmp(argv[1], "conns") == 0 && argc == 6)
		return conns(atoi(argv[4]), argv[5]);
	usage();
	return 1;
}
