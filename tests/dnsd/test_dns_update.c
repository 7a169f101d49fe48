/*
 * Dynamic update with no network: UPDATE messages made here (dns_wr,
 * signed with dns_tsig's sending side) go through dns_update() against a
 * zone in a temporary folder, and the zone, its journal and its history
 * are looked at afterwards.
 *   - additions and deletions of each kind (RFC 2136 3.4.2), with the
 *     apex's SOA and last NS kept, a CNAME never beside other data, an
 *     SOA taken only with a newer serial, rdata names the sender
 *     compressed expanded;
 *   - every prerequisite (3.2), met and not, NOTZONE and FORMERR;
 *   - TSIG: unsigned and other keys refused, BADKEY, BADSIG, BADTIME,
 *     and every answer to a signed request signed over its MAC;
 *   - the journal: a restart replays it, a torn tail is cut, a newer
 *     zone file wins, compaction keeps the zone, a set built before an
 *     update is caught up when published;
 *   - IXFR's history: each version knows the differences that led to it;
 *   - the zone's memory budget holds for updates as for files;
 *   - hostile bytes: thousands of mutated messages, no crash, no change
 *     without a valid signature.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dns_config.h"
#include "dns_journal.h"
#include "dns_msg.h"
#include "dns_tsig.h"
#include "dns_update.h"
#include "dns_zedit.h"
#include "dns_zones.h"
#include "log.h"
#include "unit.h"

#define NOW	1800000000ULL
#define CLASS_NONE_T	254
#define SECRET	"c2hvYWwtdGVzdC1rZXktMzItb2N0ZXRzLWxvbmctLS0="
#define OTHER	"b3RoZXIta2V5LXdpdGgtaXRzLW93bi1zZWNyZXQtLS0="

static char			 dir[] = "/tmp/shoal-dnsupd-XXXXXX";
static char			 path_zone[256], path_cfg[256], path_jnl[256];
static struct dns_config	 cfg;
static struct dns_zones		*zones;
static struct sockaddr_in	 peer;
static const struct dns_tsig_key *key, *other_key;

static const uint8_t *
nm(const char *text)
{
	static uint8_t	 buf[4][DNS_NAME_MAX];
	static int	 i;
	uint8_t		*b = buf[i++ % 4];

	ck_assert_int_eq(dns_name_from_text(text, b), 0);
	dns_name_lower(b, b);
	return b;
}

static void
write_file(const char *path, const char *text)
{
	FILE	*f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void
zone_file(uint32_t serial)
{
	char	 text[1024];

	snprintf(text, sizeof(text),
	    "$ORIGIN fleet.example.\n$TTL 300\n"
	    "@ SOA ns1 hostmaster %u 3600 600 86400 60\n"
	    "@ NS ns1\n@ NS ns2\nns1 A 192.0.2.1\nns2 A 192.0.2.2\n"
	    "www A 192.0.2.80\nwww A 192.0.2.81\nalias CNAME www\n"
	    "mail MX 10 mx.elsewhere.example.\n", serial);
	write_file(path_zone, text);
}

static int
load_zones(void)
{
	struct dns_zonecfg zc = { .origin = cfg.zones.v[0].origin,
	    .file = cfg.zones.v[0].file, .journal = cfg.zones.v[0].journal };

	return dns_zones_reload(zones, &zc, 1);
}

static void
setup(void)
{
	char	 err[CONFIG_ERRMAX], text[1024];

	log_init("unit_dnsd_update", 0, 0);
	strcpy(dir, "/tmp/shoal-dnsupd-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path_zone, sizeof(path_zone), "%s/fleet.zone", dir);
	snprintf(path_cfg, sizeof(path_cfg), "%s/dnsd.json", dir);
	snprintf(path_jnl, sizeof(path_jnl), "%s/jnl/fleet.example.jnl", dir);
	snprintf(text, sizeof(text), "%s/jnl", dir);
	ck_assert_int_eq(mkdir(text, 0700), 0);
	zone_file(1);
	snprintf(text, sizeof(text),
	    "{ \"listen\": [\"127.0.0.1:5399\"], \"journal-dir\": \"jnl\",\n"
	    "  \"zones\": [ { \"origin\": \"fleet.example.\",\n"
	    "    \"file\": \"fleet.zone\", \"update-keys\": [\"scaler\"] },\n"
	    "    { \"origin\": \"static.example.\", \"file\": \"fleet.zone\" }"
	    " ],\n"
	    "  \"tsig-keys\": [\n"
	    "    { \"name\": \"scaler.\", \"algorithm\": \"hmac-sha256\",\n"
	    "      \"secret\": \"%s\" },\n"
	    "    { \"name\": \"other.\", \"algorithm\": \"hmac-sha512\",\n"
	    "      \"secret\": \"%s\" } ] }\n", SECRET, OTHER);
	write_file(path_cfg, text);
	ck_assert_msg(dns_config_load(path_cfg, &cfg, err, sizeof(err)) == 0,
	    "%s", err);
	ck_assert_str_eq(cfg.zones.v[0].journal, path_jnl);
	key = dns_tsig_find(&cfg.tsig_keys, nm("scaler."));
	other_key = dns_tsig_find(&cfg.tsig_keys, nm("other."));
	ck_assert_ptr_nonnull(key);
	ck_assert_ptr_nonnull(other_key);
	ck_assert_ptr_nonnull(zones = dns_zones_new(0));
	ck_assert_int_eq(load_zones(), 0);
	peer.sin_family = AF_INET;
	peer.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

static void
teardown(void)
{
	char	 cmd[512];

	dns_zones_free(zones);
	dns_config_free(&cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* ---- making an UPDATE ---- */

struct msg {
	struct dns_wr		 w;
	uint8_t			 buf[8192];
	size_t			 len;
	struct dns_tsig_state	 st;
};

static void
m_begin(struct msg *m, const char *zone)
{
	dns_wr_init(&m->w, m->buf, sizeof(m->buf));
	ck_assert_int_eq(dns_wr_question(&m->w, nm(zone), DNS_T_SOA,
	    DNS_CLASS_IN), 0);
}

/* A prerequisite (DNS_S_AN) or an update (DNS_S_NS). */
static void
m_rr(struct msg *m, enum dns_section sec, const char *owner, uint16_t type,
    uint16_t class, uint32_t ttl, const void *rd, uint16_t rdlen)
{
	ck_assert_int_eq(dns_wr_rr(&m->w, sec, nm(owner), type, class, ttl,
	    rd, rdlen), 0);
}

static void
m_a(struct msg *m, const char *owner, const char *addr)
{
	struct in_addr	 a;

	ck_assert_int_eq(inet_pton(AF_INET, addr, &a), 1);
	m_rr(m, DNS_S_NS, owner, DNS_T_A, DNS_CLASS_IN, 30, &a, 4);
}

static void
m_end(struct msg *m, const struct dns_tsig_key *k, uint64_t now)
{
	m->len = dns_wr_finish(&m->w, 0x4242, DNS_OPCODE_UPDATE << 11);
	memset(&m->st, 0, sizeof(m->st));
	if (k != NULL)
		ck_assert_uint_gt(m->len = dns_tsig_sign_request(k, m->buf,
		    m->len, sizeof(m->buf), now, &m->st), 0);
}

struct result {
	int			 rcode;
	enum dns_update_outcome	 outcome;
	uint8_t			 buf[DNS_MSGMAX];
	size_t			 len;
};

static struct result res;

/* Send it; a signed request's answer must be signed over its MAC. */
static int
send_msg(struct msg *m)
{
	size_t	 off;

	res.len = dns_update(zones, &cfg, m->buf, m->len,
	    (struct sockaddr *)&peer, NOW, res.buf, sizeof(res.buf),
	    &res.outcome);
	ck_assert_uint_ge(res.len, DNS_HDRLEN);
	ck_assert_uint_eq(res.buf[0] << 8 | res.buf[1], 0x4242);
	ck_assert_uint_eq((res.buf[2] >> 3) & 0xf, DNS_OPCODE_UPDATE);
	res.rcode = res.buf[3] & 0xf;
	if (m->st.present && res.rcode != DNS_R_NOTAUTH) {
		ck_assert_int_eq(dns_tsig_locate(res.buf, res.len, &off), 0);
		ck_assert_msg(dns_tsig_verify_response(&m->st, res.buf,
		    res.len, off) == 0, "the answer's TSIG does not verify");
	}
	return res.rcode;
}

static const struct dns_zone *
fleet(void)
{
	const struct dns_zone *z = dns_zoneset_origin(dns_zones_current(zones),
	    nm("fleet.example."));

	ck_assert_ptr_nonnull(z);
	return z;
}

/* Records of type at name in the served zone. */
static int
count(const char *name, uint16_t type)
{
	const struct dns_node	*n = dns_zone_find(fleet(), nm(name));
	const struct dns_rrset	*rs;

	if (n == NULL || (rs = dns_node_rrset(n, type)) == NULL)
		return 0;
	return rs->count;
}

/* One signed update adding name A addr: the rcode. */
static int
add_a(const char *name, const char *addr)
{
	struct msg	 m;

	m_begin(&m, "fleet.example.");
	m_a(&m, name, addr);
	m_end(&m, key, NOW);
	return send_msg(&m);
}

/* ---- the tests ---- */

START_TEST(test_add_delete)
{
	struct msg	 m;
	uint8_t		 mx[64] = { 0, 5 };
	size_t		 mxlen;

	ck_assert_int_eq(add_a("web1.fleet.example.", "10.0.0.1"), 0);
	ck_assert_int_eq(res.outcome, DNS_UPD_APPLIED);
	ck_assert_uint_eq(fleet()->serial, 2);
	ck_assert_int_eq(count("web1.fleet.example.", DNS_T_A), 1);
	/* The same again: nothing to change, the serial stays. */
	ck_assert_int_eq(add_a("web1.fleet.example.", "10.0.0.1"), 0);
	ck_assert_int_eq(res.outcome, DNS_UPD_NOCHANGE);
	ck_assert_uint_eq(fleet()->serial, 2);

	/* An MX whose target dns_wr compresses against the zone name. */
	mxlen = 2 + dns_name_len(nm("mx.fleet.example."));
	memcpy(mx + 2, nm("mx.fleet.example."), mxlen - 2);
	m_begin(&m, "fleet.example.");
	m_rr(&m, DNS_S_NS, "web1.fleet.example.", DNS_T_MX, DNS_CLASS_IN, 30,
	    mx, (uint16_t)mxlen);
	m_end(&m, key, NOW);
	ck_assert_int_eq(send_msg(&m), 0);
	ck_assert_int_eq(count("web1.fleet.example.", DNS_T_MX), 1);

	/* One record (class NONE), an RRset (ANY, type), a name (ANY ANY). */
	m_begin(&m, "fleet.example.");
	m_rr(&m, DNS_S_NS, "www.fleet.example.", DNS_T_A, CLASS_NONE_T, 0,
	    "\xc0\x00\x02\x50", 4);
	m_end(&m, key, NOW);
	ck_assert_int_eq(send_msg(&m), 0);
	ck_assert_int_eq(count("www.fleet.example.", DNS_T_A), 1);
	m_begin(&m, "fleet.example.");
	m_rr(&m, DNS_S_NS, "web1.fleet.example.", DNS_T_MX, DNS_CLASS_ANY, 0,
	    NULL, 0);
	m_end(&m, key, NOW);
	ck_assert_int_eq(send_msg(&m), 0);
	ck_assert_int_eq(count("web1.fleet.example.", DNS_T_MX), 0);
	ck_assert_int_eq(count("web1.fleet.example.", DNS_T_A), 1);
	m_begin(&m, "fleet.example.");
	m_rr(&m, DNS_S_NS, "web1.fleet.example.", DNS_T_ANY, DNS_CLASS_ANY, 0,
	    NULL, 0);
	m_end(&m, key, NOW);
	ck_assert_int_eq(send_msg(&m), 0);
	ck_assert_ptr_null(dns_zone_find(fleet(), nm("web1.fleet.example.")));
	ck_assert_uint_eq(fleet()->serial, 6);
}
END_TEST

START_TEST(test_apex_kept)
{
	struct msg	 m;

	/* ANY ANY at the apex leaves its SOA and NS (RFC 2136 3.4.2.3). */
	m_begin(&m, "fleet.example.");
	m_rr(&m, DNS_S_NS, "fleet.example.", DNS_T_ANY, DNS_CLASS_ANY, 0,
	    NULL, 0);
	m_rr(&m, DNS_S_NS, "fleet.example.", DNS_T_NS, DNS_CLASS_ANY, 0,
	    NULL, 0);
	m_rr(&m, DNS_S_NS, "fleet.example.", DNS_T_SOA, DNS_CLASS_ANY, 0,
	    NULL, 0);
	m_end(&m, key, NOW);
	ck_assert_int_eq(send_msg(&m), 0);
	ck_assert_int_eq(res.outcome, DNS_UPD_NOCHANGE);
	ck_assert_int_eq(count("fleet.example.", DNS_T_NS), 2);
	/* The last apex NS is not deleted: the first goes, the second stays. */
	m_begin(&m, "fleet.example.");
	m_rr(&m, DNS_S_NS, "fleet.example.", DNS_T_NS, CLASS_NONE_T, 0,
	    nm("ns1.fleet.example."), dns_name_len(nm("ns1.fleet.example.")));
	m_rr(&m, DNS_S_NS, "fleet.example.", DNS_T_NS, CLASS_NONE_T, 0,
	    nm("ns2.fleet.example."), dns_name_len(nm("ns2.fleet.example.")));
	m_end(&m, key, NOW);
	ck_assert_int_eq(send_msg(&m), 0);
	ck_assert_int_eq(count("fleet.example.", DNS_T_NS), 1);
}
END_TEST

/* SOA rdata with this serial. */
static size_t
soa_rdata(uint8_t *out, uint32_t serial)
{
	size_t	 a = dns_name_len(nm("ns1.fleet.example."));
	size_t	 b = dns_name_len(nm("hostmaster.fleet.example."));
	uint32_t v[5] = { serial, 3600, 600, 86400, 60 };
	int	 i;

	memcpy(out, nm("ns1.fleet.example."), a);
	memcpy(out + a, nm("hostmaster.fleet.example."), b);
	for (i = 0; i < 5; i++) {
		out[a + b + 4 * i] = v[i] >> 24;
		out[a + b + 4 * i + 1] = (v[i] >> 16) & 0xff;
		out[a + b + 4 * i + 2] = (v[i] >> 8) & 0xff;
		out[a + b + 4 * i + 3] = v[i] & 0xff;
	}
	return a + b + 20;
}

START_TEST(test_rules)
{
	struct msg	 m;
	uint8_t		 soa[600];
	size_t		 n;

	/* A CNAME beside an A, and an A beside a CNAME: both ignored. */
	m_begin(&m, "fleet.example.");
	m_rr(&m, DNS_S_NS, "www.fleet.example.", DNS_T_CNAME, DNS_CLASS_IN,
	    30, nm("ns1.fleet.example."),
	    dns_name_len(nm("ns1.fleet.example.")));
	m_a(&m, "alias.fleet.example.", "10.0.0.9");
	m_end(&m, key, NOW);
	ck_assert_int_eq(send_msg(&m), 0);
	ck_assert_int_eq(res.outcome, DNS_UPD_NOCHANGE);
	ck_assert_int_eq(count("www.fleet.example.", DNS_T_CNAME), 0);
	ck_assert_int_eq(count("alias.fleet.example.", DNS_T_A), 0);
	/* An older SOA is ignored; a newer one is the new serial. */
	n = soa_rdata(soa, 0);
	m_begin(&m, "fleet.example.");
	m_rr(&m, DNS_S_NS, "fleet.example.", DNS_T_SOA, DNS_CLASS_IN, 300,
	    soa, (uint16_t)n);
	m_end(&m, key, NOW);
	ck_assert_int_eq(send_msg(&m), 0);
	ck_assert_uint_eq(fleet()->serial, 1);
	n = soa_rdata(soa, 2026120300);
	m_begin(&m, "fleet.example.");
	m_rr(&m, DNS_S_NS, "fleet.example.", DNS_T_SOA, DNS_CLASS_IN, 300,
	    soa, (uint16_t)n);
	m_end(&m, key, NOW);
	ck_assert_int_eq(send_msg(&m), 0);
	ck_assert_uint_eq(fleet()->serial, 2026120300);
	/* An SOA with no rdata (fuzz_dnsupd found it read a NULL). */
	m_begin(&m, "fleet.example.");
	m_rr(&m, DNS_S_NS, "fleet.example.", DNS_T_SOA, DNS_CLASS_IN, 300,
	    NULL, 0);
	m_end(&m, key, NOW);
	ck_assert_int_eq(send_msg(&m), DNS_R_FORMERR);
	/* Empty and non-empty rdata of one type at one name (fuzz_dnsupd:
	 * sorting compared the empty one's NULL). */
	m_begin(&m, "fleet.example.");
	m_rr(&m, DNS_S_NS, "opaque.fleet.example.", 65280, DNS_CLASS_IN, 30,
	    NULL, 0);
	m_rr(&m, DNS_S_NS, "opaque.fleet.example.", 65280, DNS_CLASS_IN, 30,
	    "\1", 1);
	m_end(&m, key, NOW);
	ck_assert_int_eq(send_msg(&m), 0);
	ck_assert_int_eq(count("opaque.fleet.example.", 65280), 2);
	/* An A of three octets, and a name outside the zone. */
	m_begin(&m, "fleet.example.");
	m_rr(&m, DNS_S_NS, "bad.fleet.example.", DNS_T_A, DNS_CLASS_IN, 30,
	    "abc", 3);
	m_end(&m, key, NOW);
	ck_assert_int_eq(send_msg(&m), DNS_R_FORMERR);
	m_begin(&m, "fleet.example.");
	m_a(&m, "web.elsewhere.example.", "10.0.0.1");
	m_end(&m, key, NOW);
	ck_assert_int_eq(send_msg(&m), DNS_R_NOTZONE);
	ck_assert_uint_eq(fleet()->serial, 2026120301);
}
END_TEST

/* One prerequisite, then an addition that shows whether it passed. */
static int
with_prereq(const char *owner, uint16_t type, uint16_t class,
    const void *rd, uint16_t rdlen)
{
	struct msg	 m;

	m_begin(&m, "fleet.example.");
	m_rr(&m, DNS_S_AN, owner, type, class, 0, rd, rdlen);
	m_a(&m, "marker.fleet.example.", "10.9.9.9");
	m_end(&m, key, NOW);
	return send_msg(&m);
}

START_TEST(test_prerequisites)
{
	const char	 a80[] = "\xc0\x00\x02\x50", a81[] = "\xc0\x00\x02\x51";
	struct msg	 m;

	/* Name in use (ANY ANY), not in use (NONE ANY). */
	ck_assert_int_eq(with_prereq("nothere.fleet.example.", DNS_T_ANY,
	    DNS_CLASS_ANY, NULL, 0), DNS_R_NXDOMAIN);
	ck_assert_int_eq(with_prereq("www.fleet.example.", DNS_T_ANY,
	    CLASS_NONE_T, NULL, 0), DNS_R_YXDOMAIN);
	/* RRset exists (ANY type), does not (NONE type). */
	ck_assert_int_eq(with_prereq("www.fleet.example.", DNS_T_AAAA,
	    DNS_CLASS_ANY, NULL, 0), DNS_R_NXRRSET);
	ck_assert_int_eq(with_prereq("www.fleet.example.", DNS_T_A,
	    CLASS_NONE_T, NULL, 0), DNS_R_YXRRSET);
	ck_assert_int_eq(count("marker.fleet.example.", DNS_T_A), 0);
	ck_assert_uint_eq(fleet()->serial, 1);
	/* Value-dependent (class IN): the whole RRset, no more, no less. */
	m_begin(&m, "fleet.example.");
	m_rr(&m, DNS_S_AN, "www.fleet.example.", DNS_T_A, DNS_CLASS_IN, 0,
	    a80, 4);
	m_a(&m, "marker.fleet.example.", "10.9.9.9");
	m_end(&m, key, NOW);
	ck_assert_int_eq(send_msg(&m), DNS_R_NXRRSET);
	m_begin(&m, "fleet.example.");
	m_rr(&m, DNS_S_AN, "www.fleet.example.", DNS_T_A, DNS_CLASS_IN, 0,
	    a81, 4);
	m_rr(&m, DNS_S_AN, "www.fleet.example.", DNS_T_A, DNS_CLASS_IN, 0,
	    a80, 4);
	m_a(&m, "marker.fleet.example.", "10.9.9.9");
	m_end(&m, key, NOW);
	ck_assert_int_eq(send_msg(&m), 0);
	ck_assert_int_eq(count("marker.fleet.example.", DNS_T_A), 1);
	/* The met kinds pass. */
	ck_assert_int_eq(with_prereq("www.fleet.example.", DNS_T_ANY,
	    DNS_CLASS_ANY, NULL, 0), 0);
	ck_assert_int_eq(with_prereq("nothere.fleet.example.", DNS_T_ANY,
	    CLASS_NONE_T, NULL, 0), 0);
	ck_assert_int_eq(with_prereq("www.fleet.example.", DNS_T_A,
	    DNS_CLASS_ANY, NULL, 0), 0);
	ck_assert_int_eq(with_prereq("www.fleet.example.", DNS_T_AAAA,
	    CLASS_NONE_T, NULL, 0), 0);
	/* A TTL on a prerequisite, or a name outside the zone. */
	m_begin(&m, "fleet.example.");
	m_rr(&m, DNS_S_AN, "www.fleet.example.", DNS_T_A, DNS_CLASS_ANY, 5,
	    NULL, 0);
	m_end(&m, key, NOW);
	ck_assert_int_eq(send_msg(&m), DNS_R_FORMERR);
	ck_assert_int_eq(with_prereq("www.elsewhere.", DNS_T_A,
	    DNS_CLASS_ANY, NULL, 0), DNS_R_NOTZONE);
}
END_TEST

START_TEST(test_tsig)
{
	struct msg	 m;
	size_t		 off;

	/* Unsigned, and signed by a key the zone does not name. */
	m_begin(&m, "fleet.example.");
	m_a(&m, "web1.fleet.example.", "10.0.0.1");
	m_end(&m, NULL, NOW);
	ck_assert_int_eq(send_msg(&m), DNS_R_REFUSED);
	ck_assert_int_eq(dns_tsig_locate(res.buf, res.len, &off), -1);
	m_begin(&m, "fleet.example.");
	m_a(&m, "web1.fleet.example.", "10.0.0.1");
	m_end(&m, other_key, NOW);
	ck_assert_int_eq(send_msg(&m), DNS_R_REFUSED);
	/* A byte changed after signing: BADSIG, answered unsigned. */
	m_begin(&m, "fleet.example.");
	m_a(&m, "web1.fleet.example.", "10.0.0.1");
	m_end(&m, key, NOW);
	m.buf[m.w.qend + 20] ^= 1;	/* the address's last octet */
	ck_assert_int_eq(send_msg(&m), DNS_R_NOTAUTH);
	ck_assert_int_eq(dns_tsig_locate(res.buf, res.len, &off), 0);
	ck_assert_uint_eq(res.buf[res.len - 3], DNS_TSIG_BADSIG);
	ck_assert_uint_eq(res.buf[res.len - 6] << 8 | res.buf[res.len - 5],
	    0x4242);
	/* Ten minutes off: BADTIME, with our time in other data. */
	m_begin(&m, "fleet.example.");
	m_a(&m, "web1.fleet.example.", "10.0.0.1");
	m_end(&m, key, NOW - 600);
	ck_assert_int_eq(send_msg(&m), DNS_R_NOTAUTH);
	ck_assert_uint_eq(res.buf[res.len - 9], DNS_TSIG_BADTIME);
	ck_assert_uint_eq(res.buf[res.len - 1], NOW & 0xff);
	ck_assert_int_eq(count("web1.fleet.example.", DNS_T_A), 0);
	ck_assert_uint_eq(fleet()->serial, 1);
	/* Not our zone; and the static zone takes no updates. */
	m_begin(&m, "nowhere.example.");
	m_a(&m, "web1.nowhere.example.", "10.0.0.1");
	m_end(&m, key, NOW);
	ck_assert_int_eq(send_msg(&m), DNS_R_NOTAUTH);
}
END_TEST

START_TEST(test_journal_restart)
{
	struct stat	 st;
	FILE		*f;

	ck_assert_int_eq(add_a("web1.fleet.example.", "10.0.0.1"), 0);
	ck_assert_int_eq(add_a("web2.fleet.example.", "10.0.0.2"), 0);
	ck_assert_int_eq(stat(path_jnl, &st), 0);
	/* A restart: a new set from the file and the journal. */
	dns_zones_free(zones);
	ck_assert_ptr_nonnull(zones = dns_zones_new(0));
	ck_assert_int_eq(load_zones(), 0);
	ck_assert_uint_eq(fleet()->serial, 3);
	ck_assert_int_eq(count("web2.fleet.example.", DNS_T_A), 1);
	ck_assert_uint_eq(fleet()->nhist, 2);
	/* A torn write at the end: cut off, the rest kept, then overwritten. */
	ck_assert_ptr_nonnull(f = fopen(path_jnl, "a"));
	fwrite("\0\0\0\x40garbage", 1, 11, f);
	fclose(f);
	dns_zones_free(zones);
	ck_assert_ptr_nonnull(zones = dns_zones_new(0));
	ck_assert_int_eq(load_zones(), 0);
	ck_assert_uint_eq(fleet()->serial, 3);
	ck_assert_uint_eq(fleet()->jpos, (uint64_t)st.st_size);
	ck_assert_int_eq(add_a("web3.fleet.example.", "10.0.0.3"), 0);
	dns_zones_free(zones);
	ck_assert_ptr_nonnull(zones = dns_zones_new(0));
	ck_assert_int_eq(load_zones(), 0);
	ck_assert_uint_eq(fleet()->serial, 4);
	ck_assert_int_eq(count("web3.fleet.example.", DNS_T_A), 1);
}
END_TEST

START_TEST(test_file_wins)
{
	ck_assert_int_eq(add_a("web1.fleet.example.", "10.0.0.1"), 0);
	/* The operator edits the file and bumps its serial past ours. */
	zone_file(100);
	ck_assert_int_eq(load_zones(), 0);
	ck_assert_uint_eq(fleet()->serial, 100);
	ck_assert(fleet()->jreset);
	ck_assert_int_eq(count("web1.fleet.example.", DNS_T_A), 0);
	/* The next update starts the journal again, from serial 100. */
	ck_assert_int_eq(add_a("web9.fleet.example.", "10.0.0.9"), 0);
	dns_zones_free(zones);
	ck_assert_ptr_nonnull(zones = dns_zones_new(0));
	ck_assert_int_eq(load_zones(), 0);
	ck_assert_uint_eq(fleet()->serial, 101);
	ck_assert(!fleet()->jreset);
	ck_assert_int_eq(count("web9.fleet.example.", DNS_T_A), 1);
}
END_TEST

START_TEST(test_history)
{
	const struct dns_diff	*d;

	ck_assert_int_eq(add_a("web1.fleet.example.", "10.0.0.1"), 0);
	ck_assert_int_eq(add_a("web2.fleet.example.", "10.0.0.2"), 0);
	ck_assert_uint_eq(fleet()->nhist, 2);
	d = fleet()->hist[1];
	ck_assert_uint_eq(d->from, 2);
	ck_assert_uint_eq(d->to, 3);
	/* Old SOA first among deletions, new SOA first among additions. */
	ck_assert_uint_eq(d->del.n, 1);
	ck_assert_uint_eq(d->del.v[0].type, DNS_T_SOA);
	ck_assert_uint_eq(d->add.n, 2);
	ck_assert_uint_eq(d->add.v[0].type, DNS_T_SOA);
	ck_assert_uint_eq(d->add.v[1].type, DNS_T_A);
}
END_TEST

/* An update replacing big.fleet.example.'s TXT with text number i. */
static int
replace_txt(int i)
{
	struct msg	 m;
	uint8_t		 txt[1004];
	int		 k;

	for (k = 0; k < 4; k++) {
		txt[k * 251] = 250;
		memset(txt + k * 251 + 1, 'a' + (i + k) % 26, 250);
	}
	snprintf((char *)txt + 1, 12, "%08d", i);
	txt[9] = '-';
	m_begin(&m, "fleet.example.");
	m_rr(&m, DNS_S_NS, "big.fleet.example.", DNS_T_TXT, DNS_CLASS_ANY, 0,
	    NULL, 0);
	m_rr(&m, DNS_S_NS, "big.fleet.example.", DNS_T_TXT, DNS_CLASS_IN, 30,
	    txt, sizeof(txt));
	m_end(&m, key, NOW);
	return send_msg(&m);
}

START_TEST(test_compaction)
{
	struct stat	 st;
	uint32_t	 serial;
	size_t		 nnodes;
	int		 i;

	/* About 2 KB an entry: past DNS_JOURNAL_MAX after ~500. */
	for (i = 0; i < 600; i++)
		ck_assert_int_eq(replace_txt(i), 0);
	ck_assert_int_eq(stat(path_jnl, &st), 0);
	ck_assert_uint_lt((uint64_t)st.st_size, DNS_JOURNAL_MAX / 2);
	ck_assert_uint_eq(fleet()->nhist, DNS_ZONE_HISTORY);
	serial = fleet()->serial;
	nnodes = fleet()->nnodes;
	ck_assert_uint_eq(serial, 601);
	dns_zones_free(zones);
	ck_assert_ptr_nonnull(zones = dns_zones_new(0));
	ck_assert_int_eq(load_zones(), 0);
	ck_assert_uint_eq(fleet()->serial, serial);
	ck_assert_uint_eq(fleet()->nnodes, nnodes);
	ck_assert_int_eq(count("big.fleet.example.", DNS_T_TXT), 1);
}
END_TEST

/* zone-max-mb holds for updates too: one that would pass it is refused. */
START_TEST(test_budget)
{
	int	 i, rc = 0;

	zones->maxbytes = 16384;
	for (i = 0; i < 40 && rc == 0; i++) {
		struct msg	 m;
		uint8_t		 txt[1004];
		char		 name[64];

		memset(txt, 'x', sizeof(txt));
		txt[0] = txt[251] = txt[502] = txt[753] = 250;
		snprintf(name, sizeof(name), "t%d.fleet.example.", i);
		m_begin(&m, "fleet.example.");
		m_rr(&m, DNS_S_NS, name, DNS_T_TXT, DNS_CLASS_IN, 30, txt,
		    sizeof(txt));
		m_end(&m, key, NOW);
		rc = send_msg(&m);
	}
	ck_assert_int_eq(rc, DNS_R_REFUSED);
	ck_assert_int_lt(i, 40);
	ck_assert_uint_eq(fleet()->serial, (uint32_t)i);
}
END_TEST

/* A reload's set, built before an update, is caught up when published. */
START_TEST(test_catch_up)
{
	struct dns_zonecfg zc = { .origin = cfg.zones.v[0].origin,
	    .file = cfg.zones.v[0].file, .journal = cfg.zones.v[0].journal };
	struct dns_zoneset *set;
	int		 failed;

	ck_assert_ptr_nonnull(set = dns_zones_build(zones, &zc, 1, &failed));
	ck_assert_int_eq(add_a("web1.fleet.example.", "10.0.0.1"), 0);
	dns_zones_publish(zones, set);
	ck_assert_uint_eq(fleet()->serial, 2);
	ck_assert_int_eq(count("web1.fleet.example.", DNS_T_A), 1);
}
END_TEST

/* Mutated messages: nothing crashes, nothing changes unsigned. */
START_TEST(test_hostile)
{
	struct msg	 m, x;
	unsigned	 seed = 7;
	int		 i, j;

	m_begin(&m, "fleet.example.");
	m_a(&m, "web1.fleet.example.", "10.0.0.1");
	m_rr(&m, DNS_S_AN, "www.fleet.example.", DNS_T_A, DNS_CLASS_ANY, 0,
	    NULL, 0);
	m_end(&m, key, NOW);
	for (i = 0; i < 5000; i++) {
		x = m;
		for (j = 0; j < 1 + i % 4; j++)
			x.buf[rand_r(&seed) % x.len] = (uint8_t)rand_r(&seed);
		if (i % 5 == 0)
			x.len = rand_r(&seed) % x.len;
		res.len = dns_update(zones, &cfg, x.buf, x.len,
		    (struct sockaddr *)&peer, NOW, res.buf, sizeof(res.buf),
		    &res.outcome);
		/* Only the ID is outside the MAC (the original is in it). */
		if (res.outcome == DNS_UPD_APPLIED) {
			ck_assert_uint_eq(x.len, m.len);
			ck_assert_mem_eq(x.buf + 2, m.buf + 2, m.len - 2);
		}
	}
	ck_assert_uint_le(fleet()->serial, 2);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("dnsd_update");
	TCase	*tc = tcase_create("update");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_add_delete);
	tcase_add_test(tc, test_apex_kept);
	tcase_add_test(tc, test_rules);
	tcase_add_test(tc, test_prerequisites);
	tcase_add_test(tc, test_tsig);
	tcase_add_test(tc, test_journal_restart);
	tcase_add_test(tc, test_file_wins);
	tcase_add_test(tc, test_history);
	tcase_add_test(tc, test_compaction);
	tcase_add_test(tc, test_budget);
	tcase_add_test(tc, test_catch_up);
	tcase_add_test(tc, test_hostile);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
