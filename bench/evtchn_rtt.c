/*
 * evtchn-rtt: event-channel notify round trip under xensim, beside the
 * same ping-pong over a pipe pair and a Unix socketpair, in one run.
 *
 * Two processes bounce a signal N times; each round trip is timed with
 * CLOCK_MONOTONIC and the p50 and p99 are printed with their ratios to the
 * peers.  Run it with xensimd up (bench/run does that).
 */
#include <sys/socket.h>
#include <sched.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xenevtchn.h>

struct link {
	const char	*name;
	/* child side and parent side: wait for the peer, then signal it */
	int		(*wait)(struct link *, int side);
	int		(*signal)(struct link *, int side);
	int		 fd[2][2];	/* [side][0]=read, [side][1]=write */
	xenevtchn_handle *xce[2];
	int		 port[2];
};

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int
fd_wait(struct link *l, int side)
{
	char c;

	return read(l->fd[side][0], &c, 1) == 1 ? 0 : -1;
}

static int
fd_signal(struct link *l, int side)
{
	return write(l->fd[side][1], "x", 1) == 1 ? 0 : -1;
}

static int
evt_wait(struct link *l, int side)
{
	int p = xenevtchn_pending(l->xce[side]);

	return p < 0 ? -1 : xenevtchn_unmask(l->xce[side], p);
}

static int
evt_signal(struct link *l, int side)
{
	return xenevtchn_notify(l->xce[side], l->port[side]);
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/*
 * Side 1 (child) echoes; side 0 (parent) times.  Both are pinned: on one
 * core, or the child on the next core, because the scheduler's choice
 * otherwise decides the result.  Fills p50, p99 in ns.
 */
static int
pingpong(struct link *l, int n, bool cross, double *p50, double *p99)
{
	double *t = calloc(n, sizeof(*t)), t0;
	pid_t pid;
	int i, status;

	if (t == NULL)
		return -1;
	pin(0);
	if ((pid = fork()) == 0) {
		pin(cross ? 1 : 0);
		for (i = 0; i < n; i++)
			if (l->wait(l, 1) == -1 || l->signal(l, 1) == -1)
				_exit(1);
		_exit(0);
	}
	for (i = 0; i < n; i++) {
		t0 = now_ns();
		if (l->signal(l, 0) == -1 || l->wait(l, 0) == -1)
			break;
		t[i] = now_ns() - t0;
	}
	waitpid(pid, &status, 0);
	if (i < n || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "evtchn-rtt: %s: ping-pong broke at %d\n",
		    l->name, i);
		free(t);
		return -1;
	}
	qsort(t, n, sizeof(*t), cmp);
	*p50 = t[n / 2];
	*p99 = t[n * 99 / 100];
	free(t);
	return 0;
}

static int
setup_pipes(struct link *l, int socket)
{
	int a[2], b[2];

	if (socket) {
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, a) == -1)
			return -1;
		/* One socketpair carries both directions. */
		l->fd[0][0] = l->fd[0][1] = a[0];
		l->fd[1][0] = l->fd[1][1] = a[1];
		return 0;
	}
	if (pipe(a) == -1 || pipe(b) == -1)
		return -1;
	l->fd[0][0] = b[0];	/* parent reads what the child writes */
	l->fd[1][1] = b[1];
	l->fd[1][0] = a[0];
	l->fd[0][1] = a[1];
	return 0;
}

/*
 * Both ends are opened before the fork, one handle per side, as two
 * domains would each hold their own; the child uses only its own.  One
 * exchange before the fork teaches each side where its events go: under
 * xensim a handle's bookkeeping lives on its opener's connection, which a
 * forked child does not share (docs/xensim.md).
 */
static int
setup_evtchn(struct link *l)
{
	if ((l->xce[0] = xenevtchn_open(NULL, 0)) == NULL ||
	    (l->xce[1] = xenevtchn_open(NULL, 0)) == NULL)
		return -1;
	if ((l->port[0] = xenevtchn_bind_unbound_port(l->xce[0], 0)) < 0)
		return -1;
	if ((l->port[1] = xenevtchn_bind_interdomain(l->xce[1], 0,
	    l->port[0])) < 0)
		return -1;
	if (evt_signal(l, 0) == -1 || evt_wait(l, 1) == -1 ||
	    evt_signal(l, 1) == -1 || evt_wait(l, 0) == -1)
		return -1;
	return 0;
}

static void
report(int n, const char *where, const double *p50, const double *p99)
{
	static const char *names[] = { "pipe", "socketpair", "evtchn" };

	printf("evtchn-rtt: %d round trips each, %s\n", n, where);
	for (int i = 0; i < 3; i++)
		printf("  %-12s p50 %7.2f us  p99 %7.2f us\n", names[i],
		    p50[i] / 1e3, p99[i] / 1e3);
	printf("  evtchn / pipe:       p50 x%.2f  p99 x%.2f\n",
	    p50[2] / p50[0], p99[2] / p99[0]);
	printf("  evtchn / socketpair: p50 x%.2f  p99 x%.2f\n",
	    p50[2] / p50[1], p99[2] / p99[1]);
}

int
main(int argc, char **argv)
{
	struct link pipes = { .name = "pipe", .wait = fd_wait, .signal = fd_signal };
	struct link sock = { .name = "socketpair", .wait = fd_wait,
	    .signal = fd_signal };
	struct link evt = { .name = "evtchn", .wait = evt_wait,
	    .signal = evt_signal };
	double p50[3], p99[3];
	int n = argc > 1 ? atoi(argv[1]) : 100000;

	if (n < 100) {
		fprintf(stderr, "usage: evtchn-rtt [ROUNDS>=100]\n");
		return 2;
	}
	if (setup_pipes(&pipes, 0) == -1 || setup_pipes(&sock, 1) == -1) {
		perror("evtchn-rtt: pipes");
		return 1;
	}
	if (setup_evtchn(&evt) == -1) {
		fprintf(stderr, "evtchn-rtt: event channels: %s (is xensimd "
		    "up?)\n", strerror(errno));
		return 1;
	}
	for (int cross = 0; cross < 2; cross++) {
		if (cross && sysconf(_SC_NPROCESSORS_ONLN) < 2)
			break;
		if (pingpong(&pipes, n, cross, &p50[0], &p99[0]) == -1 ||
		    pingpong(&sock, n, cross, &p50[1], &p99[1]) == -1 ||
		    pingpong(&evt, n, cross, &p50[2], &p99[2]) == -1)
			return 1;
		report(n, cross ? "two cores" : "one core", p50, p99);
	}
	return 0;
}
