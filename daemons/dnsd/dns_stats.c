#include <stdio.h>
#include <string.h>

#include "dns_msg.h"
#include "dns_stats.h"
#include "dns_zone.h"

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The 12-bit rcode: the header's 4 bits and, if an OPT ends it, its 8. */
static unsigned
full_rcode(const uint8_t *r, size_t len)
{
	unsigned	 rc = r[3] & 0xf;
	const uint8_t	*opt;

	if (get16(r + 10) == 0 || len < DNS_HDRLEN + DNS_OPTLEN)
		return rc;
	opt = r + len - DNS_OPTLEN;
	if (opt[0] == 0 && get16(opt + 1) == DNS_T_OPT && get16(opt + 9) == 0)
		rc |= (unsigned)opt[5] << 4;
	return rc;
}

/* The question's type, or -1 when the response has none. */
static int
qtype_of(const uint8_t *r, size_t len)
{
	size_t	 off = DNS_HDRLEN;

	if (get16(r + 4) != 1)
		return -1;
	/* We wrote this question, uncompressed, first in the message. */
	while (off < len && r[off] != 0 && (r[off] & 0xc0) == 0)
		off += 1 + r[off];
	if (off + 3 > len || r[off] != 0)
		return -1;
	return get16(r + off + 1);
}

void
dns_stats_response(struct dns_stats *s, const uint8_t *r, size_t len,
    bool tcp)
{
	unsigned	 rc;
	int		 qt;

	if (tcp)
		s->tcp_queries++;
	else
		s->udp_queries++;
	if (len < DNS_HDRLEN) {
		s->dropped++;
		return;
	}
	rc = full_rcode(r, len);
	s->rcode[rc < DNS_STATS_RCODES ? rc : DNS_R_SERVFAIL]++;
	if (get16(r + 2) & DNS_F_TC)
		s->truncated++;
	if ((qt = qtype_of(r, len)) < 0)
		return;
	if (qt < DNS_STATS_QTYPES)
		s->qtype[qt]++;
	else
		s->qtype_other++;
}

static const char *
rcode_name(unsigned rc)
{
	static const char *const names[] = {
		"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",
		"REFUSED", "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH",
		"NOTZONE"
	};

	if (rc < sizeof(names) / sizeof(names[0]))
		return names[rc];
	return rc == DNS_R_BADVERS ? "BADVERS" : NULL;
}

static const char *
qtype_name(unsigned t)
{
	switch (t) {
	case DNS_T_A: return "A";
	case DNS_T_NS: return "NS";
	case DNS_T_CNAME: return "CNAME";
	case DNS_T_SOA: return "SOA";
	case DNS_T_PTR: return "PTR";
	case DNS_T_MX: return "MX";
	case DNS_T_TXT: return "TXT";
	case DNS_T_AAAA: return "AAAA";
	case DNS_T_SRV: return "SRV";
	case DNS_T_DNAME: return "DNAME";
	case DNS_T_DS: return "DS";
	case DNS_T_CAA: return "CAA";
	case 64: return "SVCB";
	case 65: return "HTTPS";
	case 251: return "IXFR";
	case 252: return "AXFR";
	case DNS_T_ANY: return "ANY";
	default: return NULL;
	}
}

static void
set(json_t *o, const char *k, uint64_t v)
{
	json_object_set_new(o, k, json_integer((json_int_t)v));
}

json_t *
dns_stats_json(const struct dns_stats *s)
{
	json_t		*o = json_object(), *rc = json_object(),
			*qt = json_object();
	char		 name[16];
	const char	*n;
	unsigned	 i;

	for (i = 0; i < DNS_STATS_RCODES; i++) {
		if (s->rcode[i] == 0)
			continue;
		if ((n = rcode_name(i)) == NULL)
			snprintf(name, sizeof(name), "RCODE%u", i);
		set(rc, n != NULL ? n : name, s->rcode[i]);
	}
	for (i = 0; i < DNS_STATS_QTYPES; i++) {
		if (s->qtype[i] == 0)
			continue;
		if ((n = qtype_name(i)) == NULL)
			snprintf(name, sizeof(name), "TYPE%u", i);
		set(qt, n != NULL ? n : name, s->qtype[i]);
	}
	if (s->qtype_other != 0)
		set(qt, "other", s->qtype_other);
	set(o, "udp_queries", s->udp_queries);
	set(o, "tcp_queries", s->tcp_queries);
	set(o, "dropped", s->dropped);
	set(o, "truncated", s->truncated);
	set(o, "udp_send_errors", s->udp_send_errors);
	set(o, "udp_batches", s->udp_batches);
	set(o, "tcp_accepted", s->tcp_accepted);
	set(o, "tcp_over_limit", s->tcp_over_limit);
	set(o, "tcp_idle_closed", s->tcp_idle_closed);
	set(o, "tcp_bad", s->tcp_bad);
	set(o, "axfr_done", s->axfr_done);
	set(o, "axfr_refused", s->axfr_refused);
	set(o, "ixfr_incremental", s->ixfr_incremental);
	set(o, "updates_applied", s->updates_applied);
	set(o, "updates_unchanged", s->updates_unchanged);
	set(o, "updates_rejected", s->updates_rejected);
	set(o, "reloads", s->reloads);
	set(o, "reload_failures", s->reload_failures);
	json_object_set_new(o, "rcodes", rc);
	json_object_set_new(o, "qtypes", qt);
	return o;
}
