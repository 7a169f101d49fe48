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
 *
 * scaleout-bench N SERVER ZONE NAME SECRET: also, once the domain
 * answers, what the scaler does next: NAME's address set to the new
 * domain's (sc_dns_set, a TSIG-signed UPDATE with hmac-sha256 key
 * "scaler." to dnsd at SERVER), then A queries until dnsd answers with
 * it; the time from the call to that answer is a "warm-dns" or
 * "cold-dns" sample.  The address is 10.D.D.D for domain D (the domain
 * listens on loopback; DNS does not care).
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
#include "dns_msg.h"
#include "dns_zone.h"
#include "net_addr.h"
#include "rpc_client.h"
#include "sc_dns.h"

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

/* One A query for name to server: 1 if the answer holds addr. */
static int
dns_has(const struct sc_dns_settings *s, const uint8_t addr[4])
{
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	struct dns_wr		 w;
	struct pollfd		 p;
	const char		*why;
	uint8_t			 q[512], r[4096], name[DNS_NAME_MAX];
	size_t			 qlen;
	ssize_t			 n = 0;
	int			 fd;

	if (net_addr_parse_listen(s->server, &ss, &sslen, &why) == -1 ||
	    dns_name_from_text(s->name, name) == -1)
		return 0;
	dns_wr_init(&w, q, sizeof(q));
	if (dns_wr_question(&w, name, DNS_T_A, DNS_CLASS_IN) == -1)
		return 0;
	qlen = dns_wr_finish(&w, 0x5151, 0);
	if ((fd = socket(ss.ss_family, SOCK_DGRAM, 0)) == -1)
		return 0;
	if (sendto(fd, q, qlen, 0, (struct sockaddr *)&ss, sslen) ==
	    (ssize_t)qlen) {
		p = (struct pollfd){ .fd = fd, .events = POLLIN };
		if (poll(&p, 1, 1000) == 1)
			n = recv(fd, r, sizeof(r), 0);
	}
	close(fd);
	/* An answer (ANCOUNT > 0) whose last four octets are the address. */
	return n > DNS_HDRLEN + 4 && (r[6] | r[7]) != 0 &&
	    memcmp(r + n - 4, addr, 4) == 0;
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
report(const char *kind, double *v, int n);

/* The scaler's next step: the address in DNS, then dnsd answering it. */
static void
to_dns(const struct sc_dns_settings *s, int domid)
{
	char	 addr[1][SC_DNS_ADDRMAX], err[256];
	uint8_t	 a[4] = { 10, (uint8_t)(domid >> 16), (uint8_t)(domid >> 8),
		    (uint8_t)domid };
	double	 t0 = bench_now();

	snprintf(addr[0], sizeof(addr[0]), "%u.%u.%u.%u", a[0], a[1], a[2],
	    a[3]);
	if (sc_dns_set(s, (const char (*)[SC_DNS_ADDRMAX])addr, 1, 2000,
	    err, sizeof(err)) != 0) {
		fprintf(stderr, "dns: %s\n", err);
		exit(1);
	}
	while (!dns_has(s, a)) {
		if (bench_now() - t0 > 5) {
			fprintf(stderr, "dns: %s never answered %s\n",
			    s->server, addr[0]);
			exit(1);
		}
		usleep(200);
	}
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
	struct sc_dns_settings	 dns = { 0 };
	double			*warm, *cold, *warm_dns, *cold_dns, t0, ms;
	const char		*why;
	char			 err[256];
	int			 n, i, nw = 0, nc = 0, domid, port;
	bool			 is_warm;

	if ((argc != 2 && argc != 6) || (n = atoi(argv[1])) <= 0) {
		fprintf(stderr, "usage: scaleout-bench N "
		    "[DNS-SERVER ZONE NAME SECRET]\n");
		return 2;
	}
	if (argc == 6) {
		dns.on = true;
		snprintf(dns.server, sizeof(dns.server), "%s", argv[2]);
		snprintf(dns.zone, sizeof(dns.zone), "%s", argv[3]);
		snprintf(dns.name, sizeof(dns.name), "%s", argv[4]);
		dns.ttl = 5;
		if (dns_tsig_key_init(&dns.key, "scaler.", "hmac-sha256",
		    argv[5], &why) == -1) {
			fprintf(stderr, "key: %s\n", why);
			return 2;
		}
	}
	warm = calloc((size_t)n, sizeof(*warm));
	cold = calloc((size_t)n, sizeof(*cold));
	warm_dns = calloc((size_t)n, sizeof(*warm_dns));
	cold_dns = calloc((size_t)n, sizeof(*cold_dns));
	if (warm == NULL || cold == NULL || warm_dns == NULL ||
	    cold_dns == NULL ||
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
		is_warm = json_is_true(json_object_get(r, "warm"));
		if (is_warm)
			warm[nw] = ms;
		else
			cold[nc] = ms;
		if (dns.on) {
			to_dns(&dns, domid);
			ms = (bench_now() - t0) * 1000;
			if (is_warm)
				warm_dns[nw] = ms;
			else
				cold_dns[nc] = ms;
		}
		nw += is_warm;
		nc += !is_warm;
		json_decref(r);
		call(c, "domain.destroy", json_pack("{s:i}", "domid", domid),
		    &r);
		json_decref(r);
		settle(c);
	}
	report("warm", warm, nw);
	report("cold", cold, nc);
	if (dns.on) {
		report("warm-dns", warm_dns, nw);
		report("cold-dns", cold_dns, nc);
	}
	rpc_client_close(c);
	free(warm);
	free(cold);
	free(warm_dns);
	free(cold_dns);
	return 0;
}
