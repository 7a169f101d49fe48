/*
 * tap-floor TAP-A TAP-B: the floor for a userspace network path on this
 * kernel (bench/run net): two TAPs with the same offloads netback and
 * netfront use (IFF_VNET_HDR, checksum and TSO), and a loop that does
 * nothing but the system calls, reading a frame from one and writing
 * it to the other, each way.  Shoal's path between two namespaces does
 * these and more (a ring, grant copies, two more processes); the ratio
 * is how close it comes.  Ends on SIGTERM or SIGINT.
 */
#include <sys/uio.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tap_dev.h"

#define FRAME	(sizeof(struct virtio_net_hdr) + 65535 + 4)
#define BURST	64

static volatile sig_atomic_t	 stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Up to BURST frames from one to the other. */
static void
move(int from, int to, unsigned char *buf)
{
	ssize_t	 n;
	int	 i;

	for (i = 0; i < BURST; i++) {
		if ((n = read(from, buf, FRAME)) <= 0)
			return;
		(void)write(to, buf, (size_t)n);
	}
}

static int
open_tap(const char *name, char *ifname)
{
	int	 fd;

	if (tap_dev_open(name, 1, &fd, ifname) == -1 ||
	    tap_dev_offload(fd, true, true, true) == -1 ||
	    tap_dev_set_up(ifname, true) == -1) {
		perror(name);
		exit(1);
	}
	return fd;
}

int
main(int argc, char **argv)
{
	char		 a_name[IFNAMSIZ], b_name[IFNAMSIZ];
	struct pollfd	 p[2];
	unsigned char	*buf;

	if (argc != 3) {
		fprintf(stderr, "usage: tap-floor TAP-A TAP-B\n");
		return 2;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	p[0].fd = open_tap(argv[1], a_name);
	p[1].fd = open_tap(argv[2], b_name);
	p[0].events = p[1].events = POLLIN;
	if ((buf = malloc(FRAME)) == NULL)
		return 1;
	printf("ready %s %s\n", a_name, b_name);
	fflush(stdout);
	while (!stop) {
		if (poll(p, 2, 1000) == -1 && errno != EINTR)
			break;
		if (p[0].revents & POLLIN)
			move(p[0].fd, p[1].fd, buf);
		if (p[1].revents & POLLIN)
			move(p[1].fd, p[0].fd, buf);
	}
	free(buf);
	return 0;
}
