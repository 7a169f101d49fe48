/*
 * scaleout-bench N: scale-out latency through the dom0 agent, run in
 * the scaler's domain (the one the agent's policy allows).  N times:
 * call domain.create over vchan, then GET / on 127.0.0.1:(8000 + domid)
 * until the new domain's httpd answers 200; the time from the call to
 * that 200 is one sample; then domain.destroy (not timed), and the next
 * once the agent's pool is full again (a fleet at rest scaling out, not
 * one still refilling: that is its own row to measure).
 * Prints one line per kind ("warm": unpaused from the pool; "cold":
 * built for the call): samples, p50, p99 and max in ms.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_proc.h"
#include "rpc_client.h"

#define PORT_BASE	8000
#define ANSWER_MS	5000	/* a domain that never answers */

/* One GET: 1 if it answered 200, 0 if not (yet). */
static int
answers(int port)
{
	struct sockaddr_in	 sin = { .sin_family = AF_INET,
				    .sin_port = htons((uint16_t)port) };
	static const char	 req[] = "GET / HTTP/1.1\r\nHost: bench\r\n"
				    "Connection: close\r\n\r\n";
	char			 buf[64] = "";
	struct pollfd		 p;
	int			 fd, ok = 0;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return 0;
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	    write(fd, req, sizeof(req) - 1) == (ssize_t)(sizeof(req) - 1)) {
		p = (struct pollfd){ .fd = fd, .events = POLLIN };
		if (poll(&p, 1, 1000) == 1 && read(fd, buf, sizeof(buf) - 1) >
		    12)
			ok = strncmp(buf, "HTTP/1.1 200", 12) == 0;
	}
	close(fd);
	return ok;
}

static int
call(struct rpc_client *c, const char *method, json_t *params,
    json_t **result)
{
	char	 err[256];
	json_t	*error = NULL;
	int	 rc = rpc_client_call(c, method, params, result, &error, 30000,
		    err, sizeof(err));

	if (rc != 0) {
		fprintf(stderr, "%s: %s\n", method, rc < 0 ? err :
		    json_string_value(json_object_get(error, "message")));
		json_decref(error);
		exit(1);
	}
	return 0;
}

/* Until the pool is full again (10 s at most). */
static void
settle(struct rpc_client *c)
{
	json_t	*r, *pool;
	double	 t0 = bench_now();
	int	 full;

	do {
		call(c, "domain.list", json_object(), &r);
		pool = json_object_get(r, "pool");
		full = json_integer_value(json_object_get(pool, "ready")) >=
		    json_integer_value(json_object_get(pool, "size"));
		json_decref(r);
		if (!full)
			usleep(2000);
	} while (!full && bench_now() - t0 < 10);
}

static int
by_value(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
report(const char *kind, double *v, int n)
{
	if (n == 0)
		return;
	qsort(v, (size_t)n, sizeof(*v), by_value);
	printf("SCALEOUT %s n=%d p50=%.2f p99=%.2f max=%.2f\n", kind, n,
	    v[n / 2], v[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1],
	    v[n - 1]);
}

int
main(int argc, char **argv)
{
	struct rpc_client	*c;
	json_t			*r;
	double			*warm, *cold, t0, ms;
	char			 err[256];
	int			 n, i, nw = 0, nc = 0, domid, port;

	if (argc != 2 || (n = atoi(argv[1])) <= 0) {
		fprintf(stderr, "usage: scaleout-bench N\n");
		return 2;
	}
	warm = calloc((size_t)n, sizeof(*warm));
	cold = calloc((size_t)n, sizeof(*cold));
	if (warm == NULL || cold == NULL ||
	    (c = rpc_client_vchan(0, "domain", NULL, 30000, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "the agent: %s\n", err);
		return 1;
	}
	for (i = 0; i < n; i++) {
		t0 = bench_now();
		call(c, "domain.create", json_object(), &r);
		domid = (int)json_integer_value(json_object_get(r, "domid"));
		port = PORT_BASE + domid;
		while (!answers(port)) {
			if ((bench_now() - t0) * 1000 > ANSWER_MS) {
				fprintf(stderr, "domain %d: no answer on %d\n",
				    domid, port);
				return 1;
			}
			usleep(200);
		}
		ms = (bench_now() - t0) * 1000;
		if (json_is_true(json_object_get(r, "warm")))
			warm[nw++] = ms;
		else
			cold[nc++] = ms;
		json_decref(r);
		call(c, "domain.destroy", json_pack("{s:i}", "domid", domid),
		    &r);
		json_decref(r);
		settle(c);
	}
	report("warm", warm, nw);
	report("cold", cold, nc);
	rpc_client_close(c);
	free(warm);
	free(cold);
	return 0;
}
