#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dns_msg.h"
#include "dns_update.h"
#include "net_addr.h"
#include "sc_dns.h"

#define CLASS_ANY	255

/* The UPDATE: zone section, both RRsets deleted, each address added. */
static size_t
make(const struct sc_dns_settings *s, const char (*addrs)[SC_DNS_ADDRMAX],
    size_t n, uint16_t id, uint8_t *buf, size_t cap, char *err,
    size_t errlen)
{
	struct dns_wr	 w;
	uint8_t		 zone[DNS_NAME_MAX], name[DNS_NAME_MAX], a[16];
	size_t		 i;
	int		 rc;

	if (dns_name_from_text(s->zone, zone) == -1 ||
	    dns_name_from_text(s->name, name) == -1) {
		snprintf(err, errlen, "bad zone or name");
		return 0;
	}
	dns_wr_init(&w, buf, cap);
	rc = dns_wr_question(&w, zone, DNS_T_SOA, DNS_CLASS_IN);
	rc |= dns_wr_rr(&w, DNS_S_NS, name, DNS_T_A, CLASS_ANY, 0, NULL, 0);
	rc |= dns_wr_rr(&w, DNS_S_NS, name, DNS_T_AAAA, CLASS_ANY, 0, NULL, 0);
	for (i = 0; i < n && rc == 0; i++) {
		if (inet_pton(AF_INET, addrs[i], a) == 1)
			rc = dns_wr_rr(&w, DNS_S_NS, name, DNS_T_A,
			    DNS_CLASS_IN, (uint32_t)s->ttl, a, 4);
		else if (inet_pton(AF_INET6, addrs[i], a) == 1)
			rc = dns_wr_rr(&w, DNS_S_NS, name, DNS_T_AAAA,
			    DNS_CLASS_IN, (uint32_t)s->ttl, a, 16);
		else {
			snprintf(err, errlen, "not an address: %s", addrs[i]);
			return 0;
		}
	}
	if (rc != 0) {
		snprintf(err, errlen, "too many addresses for one message");
		return 0;
	}
	return dns_wr_finish(&w, id, DNS_OPCODE_UPDATE << 11);
}

/* One datagram out, the answer with our id back, within timeout_ms. */
static ssize_t
exchange(const struct sc_dns_settings *s, const uint8_t *q, size_t qlen,
    uint8_t *r, size_t rcap, int timeout_ms, char *err, size_t errlen)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	struct pollfd		 p;
	const char		*why;
	ssize_t			 got = -1;
	int			 fd;

	if (net_addr_parse_listen(s->server, &ss, &sslen, &why) == -1) {
		snprintf(err, errlen, "server %s: %s", s->server, why);
		return -1;
	}
	if ((fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&ss, sslen) == -1 ||
	    send(fd, q, qlen, 0) != (ssize_t)qlen) {
		snprintf(err, errlen, "%s: %s", s->server, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	p.fd = fd;
	p.events = POLLIN;
	for (;;) {
		if (poll(&p, 1, timeout_ms) <= 0) {
			snprintf(err, errlen, "%s: no answer in %d ms",
			    s->server, timeout_ms);
			break;
		}
		if ((got = recv(fd, r, rcap, 0)) == -1) {
			snprintf(err, errlen, "%s: %s", s->server,
			    strerror(errno));
			break;
		}
		/* Another answer (a late one, say): keep waiting for ours. */
		if (got >= DNS_HDRLEN && r[0] == q[0] && r[1] == q[1])
			break;
		got = -1;
	}
	close(fd);
	return got;
}

static const char *
rcode_name(int rc)
{
	static const char *const names[] = { "NOERROR", "FORMERR",
	    "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN",
	    "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE" };

	return rc >= 0 && rc < 11 ? names[rc] : "an unknown rcode";
}

int
sc_dns_set(const struct sc_dns_settings *s,
    const char (*addrs)[SC_DNS_ADDRMAX], size_t n, int timeout_ms, char *err,
    size_t errlen)
{
	struct dns_tsig_state	 st;
	uint8_t			 q[4096], r[4096];
	size_t			 qlen, off;
	ssize_t			 rlen;
	uint16_t		 id;
	int			 rc;

	if (getentropy(&id, sizeof(id)) == -1)
		id = (uint16_t)time(NULL);
	if ((qlen = make(s, addrs, n, id, q, sizeof(q), err, errlen)) == 0)
		return -1;
	if ((qlen = dns_tsig_sign_request(&s->key, q, qlen, sizeof(q),
	    (uint64_t)time(NULL), &st)) == 0) {
		snprintf(err, errlen, "cannot sign the update");
		return -1;
	}
	if ((rlen = exchange(s, q, qlen, r, sizeof(r), timeout_ms, err,
	    errlen)) < 0)
		return -1;
	rc = r[3] & 0xf;
	if (dns_tsig_locate(r, (size_t)rlen, &off) == -1 ||
	    dns_tsig_verify_response(&st, r, (size_t)rlen, off) == -1) {
		snprintf(err, errlen, "%s: the answer (%s) is not signed by "
		    "our key", s->server, rcode_name(rc));
		return -1;
	}
	if (rc != DNS_R_NOERROR) {
		snprintf(err, errlen, "%s: %s", s->server, rcode_name(rc));
		return -1;
	}
	return 0;
}
