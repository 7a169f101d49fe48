/*
 * rpc-bench: Shoal's RPC null call over vchan (xensim) beside the same
 * calls to the same service over its Unix socket, in one run.
 *
 *	rpc-bench [-d DOMID] [-s SOCKET] [-S SERVICE] [-n N] [-m M] [-w W]
 *	    [-c CPU] [-t SECONDS] [-x vchan,sock]
 *
 * For each transport (vchan to SERVICE in domain DOMID through the
 * xenstore rendezvous; SOCKET, the same daemon's Unix socket):
 *   rtt   N sequential sys.ping calls (default 20000, after 1000 not
 *         counted), each round trip timed with CLOCK_MONOTONIC: p50, p99
 *         and mean;
 *   pipe  M sys.ping calls (default 200000) on one connection with W
 *         (default 32, at most the server's max_inflight) in flight:
 *         calls/s.
 * Every loop is bounded by its count and by SECONDS (default 120) for
 * the whole run; each reply is checked (a result, for the right id).
 * Prints "RPC ..." lines for scripts, then a table with the ratios
 * vchan / socket.  -c pins this process to one CPU.
 */
#include <sched.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "bench_proc.h"
#include "rpc_client.h"
#include "rpc_wire.h"

#define TIMEOUT_MS	10000	/* any one wait */
#define WARMUP		1000

struct result {
	bool	 ok;
	double	 p50, p99, mean;	/* µs */
	double	 calls_s;		/* pipelined */
	double	 pipe_secs;
	unsigned long pipe_calls;
};

static double	 deadline;	/* s, CLOCK_MONOTONIC */

static int
cmp(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int
ping(struct rpc_client *c, const char *name)
{
	json_t	*res, *error;
	char	 err[256];
	int	 rc;

	rc = rpc_client_call(c, "sys.ping", NULL, &res, &error, TIMEOUT_MS,
	    err, sizeof(err));
	if (rc == 0 && !json_is_true(json_object_get(res, "pong")))
		rc = 1;
	if (rc != 0)
		fprintf(stderr, "rpc-bench: %s: sys.ping: %s\n", name,
		    rc < 0 ? err : "an error or no pong");
	json_decref(res);
	json_decref(error);
	return rc == 0 ? 0 : -1;
}

/* N sequential calls, each timed. */
static int
bench_rtt(struct rpc_client *c, const char *name, int n, struct result *r)
{
	double	*t, t0, sum = 0;
	int	 i;

	for (i = 0; i < WARMUP; i++)
		if (ping(c, name) != 0)
			return -1;
	if ((t = calloc((size_t)n, sizeof(*t))) == NULL)
		return -1;
	for (i = 0; i < n && bench_now() < deadline; i++) {
		t0 = bench_now();
		if (ping(c, name) != 0)
			break;
		t[i] = (bench_now() - t0) * 1e6;
		sum += t[i];
	}
	if (i < n) {
		fprintf(stderr, "rpc-bench: %s: rtt stopped after %d of %d "
		    "calls\n", name, i, n);
		free(t);
		return -1;
	}
	qsort(t, (size_t)n, sizeof(*t), cmp);
	r->p50 = t[n / 2];
	r->p99 = t[(size_t)n * 99 / 100];
	r->mean = sum / n;
	free(t);
	return 0;
}

static int
send_call(struct rpc_client *c, const char *name, uint64_t id)
{
	json_t	*m = rpc_msg_call(id, "sys.ping", NULL);
	char	 err[256];
	int	 rc;

	if (m == NULL)
		return -1;
	if ((rc = rpc_client_send(c, m, err, sizeof(err))) != 0)
		fprintf(stderr, "rpc-bench: %s: send: %s\n", name, err);
	json_decref(m);
	return rc;
}

/* M calls, W in flight; replies come in order of the calls' ends. */
static int
bench_pipe(struct rpc_client *c, const char *name, unsigned long m,
    unsigned w, struct result *r)
{
	unsigned long	 sent = 0, got = 0;
	uint64_t	 base = 1ull << 32, id;
	unsigned char	*seen;
	json_t		*msg;
	const char	*type;
	char		 err[256];
	double		 t0;

	if ((seen = calloc(m, 1)) == NULL)
		return -1;
	t0 = bench_now();
	while (sent < w && sent < m)
		if (send_call(c, name, base + sent++) != 0)
			goto fail;
	while (got < m) {
		if (bench_now() > deadline) {
			fprintf(stderr, "rpc-bench: %s: out of time\n", name);
			goto fail;
		}
		if (rpc_client_recv(c, &msg, TIMEOUT_MS, err,
		    sizeof(err)) != 0) {
			fprintf(stderr, "rpc-bench: %s: recv: %s\n", name, err);
			goto fail;
		}
		id = rpc_wire_id(msg);
		type = rpc_wire_type(msg);
		if (type == NULL || strcmp(type, "result") != 0 ||
		    id < base || id >= base + sent || seen[id - base]) {
			char *s = json_dumps(msg, JSON_COMPACT);

			fprintf(stderr, "rpc-bench: %s: unexpected reply %s\n",
			    name, s != NULL ? s : "?");
			free(s);
			json_decref(msg);
			goto fail;
		}
		seen[id - base] = 1;
		json_decref(msg);
		got++;
		if (sent < m && send_call(c, name, base + sent++) != 0)
			goto fail;
	}
	r->pipe_secs = bench_now() - t0;
	r->pipe_calls = m;
	r->calls_s = m / r->pipe_secs;
	free(seen);
	return 0;
fail:
	free(seen);
	return -1;
}

static void
pin(int cpu)
{
	cpu_set_t	 set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) == -1)
		fprintf(stderr, "rpc-bench: pin to cpu %d: %s\n", cpu,
		    strerror(errno));
}

static void
usage(void)
{
	fprintf(stderr, "usage: rpc-bench [-d DOMID] [-s SOCKET] "
	    "[-S SERVICE] [-n N] [-m M] [-w W] [-c CPU] [-t SECONDS] "
	    "[-x vchan,sock]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const char		*sock = NULL, *svc = "test", *only = "vchan,sock";
	const char		*names[2] = { "vchan", "sock" };
	struct result		 r[2];
	struct rpc_client	*c;
	unsigned long		 m = 200000;
	unsigned		 w = 32, max;
	int			 ch, n = 20000, dom = -1, cpu = -1, secs = 120;
	int			 i, failed = 0;
	char			 err[256];

	while ((ch = getopt(argc, argv, "c:d:m:n:s:S:t:w:x:")) != -1)
		switch (ch) {
		case 'c': cpu = atoi(optarg); break;
		case 'd': dom = atoi(optarg); break;
		case 'm': m = strtoul(optarg, NULL, 10); break;
		case 'n': n = atoi(optarg); break;
		case 's': sock = optarg; break;
		case 'S': svc = optarg; break;
		case 't': secs = atoi(optarg); break;
		case 'w': w = (unsigned)atoi(optarg); break;
		case 'x': only = optarg; break;
		default: usage();
		}
	if (n < 1 || n > 10000000 || m < 1 || m > 100000000 || w < 1 ||
	    secs < 1)
		usage();
	if (cpu >= 0)
		pin(cpu);
	deadline = bench_now() + secs;
	memset(r, 0, sizeof(r));
	for (i = 0; i < 2; i++) {
		if (strstr(only, names[i]) == NULL)
			continue;
		if (i == 0 && dom < 0)
			continue;
		if (i == 1 && sock == NULL)
			continue;
		c = i == 0 ? rpc_client_vchan((unsigned)dom, svc, NULL,
		    TIMEOUT_MS, err, sizeof(err)) :
		    rpc_client_sock(sock, NULL, TIMEOUT_MS, err, sizeof(err));
		if (c == NULL) {
			fprintf(stderr, "rpc-bench: %s: connect: %s\n",
			    names[i], err);
			failed = 1;
			continue;
		}
		max = (unsigned)json_integer_value(json_object_get(
		    json_object_get(rpc_client_server(c), "limits"),
		    "max_inflight"));
		if (max > 0 && w > max) {
			fprintf(stderr, "rpc-bench: window %u is over the "
			    "server's max_inflight %u: using %u\n", w, max,
			    max);
			w = max;
		}
		if (bench_rtt(c, names[i], n, &r[i]) == 0 &&
		    bench_pipe(c, names[i], m, w, &r[i]) == 0) {
			r[i].ok = true;
			printf("RPC %s rtt n=%d p50_us=%.2f p99_us=%.2f "
			    "mean_us=%.2f\n", names[i], n, r[i].p50, r[i].p99,
			    r[i].mean);
			printf("RPC %s pipe calls=%lu window=%u secs=%.3f "
			    "calls_per_s=%.0f\n", names[i], r[i].pipe_calls, w,
			    r[i].pipe_secs, r[i].calls_s);
		} else
			failed = 1;
		rpc_client_close(c);
	}
	if (r[0].ok && r[1].ok) {
		printf("  %-22s %12s %12s %14s\n", "sys.ping", "vchan",
		    "unix socket", "vchan / socket");
		printf("  %-22s %9.1f us %9.1f us %14.2f\n", "round trip p50",
		    r[0].p50, r[1].p50, r[0].p50 / r[1].p50);
		printf("  %-22s %9.1f us %9.1f us %14.2f\n", "round trip p99",
		    r[0].p99, r[1].p99, r[0].p99 / r[1].p99);
		printf("  %-22s %9.1f us %9.1f us %14.2f\n", "round trip mean",
		    r[0].mean, r[1].mean, r[0].mean / r[1].mean);
		printf("  %-22s %12.0f %12.0f %14.2f\n", "pipelined calls/s",
		    r[0].calls_s, r[1].calls_s, r[0].calls_s / r[1].calls_s);
	}
	return failed;
}
