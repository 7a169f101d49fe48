/*
 * dns-probe: wait until a DNS server on loopback answers, for the zone
 * load row of `bench/run dns`.
 *
 *	dns-probe PORT NAME [TIMEOUT_S [PID]]
 *
 * Asks 127.0.0.1:PORT over UDP for NAME's A records every 5 ms and exits
 * 0 at the first response to its latest query that says NOERROR with at
 * least one answer; 1 after TIMEOUT_S seconds (default 300) without one,
 * or as soon as process PID (the server, if given) is gone.
 * Prints the seconds it waited.  dig cannot do this job: its shortest
 * timeout is a second, and it needs a port-unreachable error to give up
 * early on a server that is not listening yet, which the kernel
 * rate-limits.  Here a refused send or receive is just another try.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_proc.h"

#define PROBE_EVERY_MS	5

/* A query for NAME (text, dots between labels) of type A, class IN. */
static size_t
build_query(uint8_t *q, size_t cap, const char *name, uint16_t id)
{
	size_t		 o = 12, len;
	const char	*p = name, *dot;

	memset(q, 0, 12);
	q[0] = (uint8_t)(id >> 8);
	q[1] = (uint8_t)(id & 0xff);
	q[5] = 1;			/* one question */
	while (*p != '\0') {
		dot = strchr(p, '.');
		len = dot != NULL ? (size_t)(dot - p) : strlen(p);
		if (len == 0 || len > 63 || o + 1 + len + 5 > cap)
			return 0;
		q[o++] = (uint8_t)len;
		memcpy(q + o, p, len);
		o += len;
		p += len;
		if (*p == '.')
			p++;
	}
	q[o++] = 0;
	q[o++] = 0;
	q[o++] = 1;			/* A */
	q[o++] = 0;
	q[o++] = 1;			/* IN */
	return o;
}

int
main(int argc, char **argv)
{
	struct sockaddr_in	 sin = { .sin_family = AF_INET };
	uint8_t			 q[300], r[4096];
	double			 start = bench_now(), limit;
	struct pollfd		 pfd;
	uint16_t		 id = 0;
	size_t			 qlen;
	ssize_t			 n;
	int			 s, pid;

	if (argc < 3 || argc > 5) {
		fprintf(stderr, "usage: dns-probe PORT NAME [TIMEOUT_S [PID]]\n");
		return 2;
	}
	limit = argc >= 4 ? atof(argv[3]) : 300;
	pid = argc == 5 ? atoi(argv[4]) : 0;
	sin.sin_port = htons((uint16_t)atoi(argv[1]));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((s = socket(AF_INET, SOCK_DGRAM, 0)) == -1 ||
	    connect(s, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		perror("dns-probe: socket");
		return 2;
	}
	pfd.fd = s;
	pfd.events = POLLIN;
	while (bench_now() - start < limit) {
		if (pid > 0 && kill(pid, 0) == -1) {
			fprintf(stderr, "dns-probe: process %d is gone\n", pid);
			return 1;
		}
		id++;
		if ((qlen = build_query(q, sizeof(q), argv[2], id)) == 0) {
			fprintf(stderr, "dns-probe: bad name %s\n", argv[2]);
			return 2;
		}
		(void)send(s, q, qlen, 0);
		while (poll(&pfd, 1, PROBE_EVERY_MS) == 1) {
			if ((n = recv(s, r, sizeof(r), 0)) < 12)
				continue;	/* refused, or not DNS */
			if (r[0] == (id >> 8) && r[1] == (id & 0xff) &&
			    (r[2] & 0x80) && (r[3] & 0x0f) == 0 &&
			    (r[6] != 0 || r[7] != 0)) {
				printf("%.3f\n", bench_now() - start);
				return 0;
			}
		}
	}
	fprintf(stderr, "dns-probe: no answer for %s on port %s in %g s\n",
	    argv[2], argv[1], limit);
	return 1;
}
