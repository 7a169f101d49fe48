/*
 * dnsd's zone loading with no network: the fixture zone in zones/ (every
 * common type, $ORIGIN, $TTL, $INCLUDE) loads and each RRset is where it
 * should be; lookups ignore case; closest enclosers, empty non-terminals
 * included; broken files are refused with FILE:LINE; and a reload keeps
 * the zone it had when the new file is bad.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dns_name.h"
#include "dns_zone.h"
#include "dns_zones.h"
#include "log.h"
#include "unit.h"

#define Z(f)	ZONEDIR "/" f

static char err[1024];

/* Text to wire, in one of a few rotating buffers so calls can nest. */
static const uint8_t *
nm(const char *text)
{
	static uint8_t buf[4][DNS_NAME_MAX];
	static int i;
	uint8_t *b = buf[i++ % 4];

	ck_assert_int_eq(dns_name_from_text(text, b), 0);
	return b;
}

static const struct dns_rrset *
rrset(const struct dns_zone *z, const char *name, uint16_t type)
{
	const struct dns_node *n = dns_zone_find(z, nm(name));

	ck_assert_msg(n != NULL, "%s not found", name);
	return dns_node_rrset(n, type);
}

static void
expect(const struct dns_zone *z, const char *name, uint16_t type,
    uint16_t count, uint32_t ttl)
{
	const struct dns_rrset *rs = rrset(z, name, type);

	ck_assert_msg(rs != NULL, "%s type %u not found", name, type);
	ck_assert_msg(rs->count == count, "%s type %u: %u records", name,
	    type, rs->count);
	ck_assert_msg(rs->ttl == ttl, "%s type %u: ttl %u", name, type,
	    rs->ttl);
}

static struct dns_zone *
load_ok(const char *file, const char *origin)
{
	struct dns_zone *z = dns_zone_load(file, origin, 0, err, sizeof(err));

	ck_assert_msg(z != NULL, "%s", err);
	return z;
}

static void
load_fails(const char *file, const char *origin, const char *want)
{
	struct dns_zone *z = dns_zone_load(file, origin, 0, err, sizeof(err));

	ck_assert_ptr_null(z);
	ck_assert_msg(strcmp(err, want) == 0, "got \"%s\", want \"%s\"",
	    err, want);
}

/* Refused, with a message that contains want. */
static void
refused(const char *file, const char *want)
{
	struct dns_zone *z;

	z = dns_zone_load(file, "example.com", 0, err, sizeof(err));
	ck_assert_ptr_null(z);
	ck_assert_msg(strstr(err, want) != NULL, "got \"%s\", want \"%s\"",
	    err, want);
}

START_TEST(test_name)
{
	uint8_t w[DNS_NAME_MAX];
	char t[DNS_NAME_TEXTMAX];

	ck_assert_int_eq(dns_name_from_text("A.b\\.c.\\065.", w), 0);
	ck_assert_int_eq(dns_name_len(w), 9);
	dns_name_to_text(w, t);
	ck_assert_str_eq(t, "A.b\\.c.A.");
	ck_assert_int_eq(dns_name_from_text("a..b", w), -1);
	ck_assert_int_eq(dns_name_from_text("", w), -1);
	ck_assert_int_eq(dns_name_from_text(".", w), 0);
	ck_assert_int_eq(dns_name_check(w, 1), 1);
	/* RFC 4034 6.1's example order, in part. */
	ck_assert_int_lt(dns_name_cmp(nm("example"), nm("a.example")), 0);
	ck_assert_int_lt(dns_name_cmp(nm("a.example"), nm("yljkjljk.a.example")),
	    0);
	ck_assert_int_lt(dns_name_cmp(nm("z.a.example"), nm("zabc.a.example")),
	    0);
	ck_assert_int_lt(dns_name_cmp(nm("zabc.a.example"), nm("z.example")),
	    0);
	ck_assert(dns_name_under(nm("a.b.example"), nm("example")));
	ck_assert(!dns_name_under(nm("aexample"), nm("example")));
}
END_TEST

START_TEST(test_every_type)
{
	struct dns_zone *z = load_ok(Z("example.com.zone"), "example.com");

	ck_assert_uint_eq(z->serial, 2026112901);
	ck_assert_ptr_eq(&z->nodes[0], dns_zone_find(z, nm("example.com")));
	expect(z, "example.com", DNS_T_SOA, 1, 300);
	expect(z, "example.com", DNS_T_NS, 2, 300);
	expect(z, "example.com", DNS_T_MX, 1, 300);
	expect(z, "example.com", DNS_T_TXT, 1, 300);
	expect(z, "example.com", DNS_T_CAA, 1, 300);
	expect(z, "ns1.example.com", DNS_T_A, 1, 300);
	expect(z, "ns1.example.com", DNS_T_AAAA, 1, 300);
	expect(z, "www.example.com", DNS_T_CNAME, 1, 300);
	expect(z, "web.example.com", DNS_T_A, 2, 300);
	expect(z, "mail.example.com", DNS_T_A, 1, 300);
	expect(z, "_sip._tcp.example.com", DNS_T_SRV, 1, 300);
	expect(z, "sip.example.com", DNS_T_A, 1, 300);
	expect(z, "old.example.com", DNS_T_DNAME, 1, 300);
	expect(z, "sub.example.com", DNS_T_NS, 1, 300);
	expect(z, "sub.example.com", DNS_T_DS, 1, 300);
	expect(z, "ns.sub.example.com", DNS_T_A, 1, 300);
	expect(z, "a.b.c.example.com", DNS_T_TXT, 1, 300);
	/* After $TTL 60, and from both includes. */
	expect(z, "ftp.example.com", DNS_T_A, 1, 60);
	expect(z, "1.hosts.example.com", DNS_T_PTR, 1, 60);
	expect(z, "after.example.com", DNS_T_A, 1, 60);
	ck_assert_ptr_null(rrset(z, "www.example.com", DNS_T_A));
	dns_zone_unref(z);
}
END_TEST

START_TEST(test_rdata)
{
	struct dns_zone *z = load_ok(Z("example.com.zone"), "example.com");
	const struct dns_rrset *rs = rrset(z, "web.example.com", DNS_T_A);
	static const uint8_t a10[] = { 192, 0, 2, 10 }, a11[] = { 192, 0, 2, 11 };
	const uint8_t *p;
	uint16_t len;

	/* Canonical order within the set, the duplicate gone. */
	p = dns_rrset_next(rs, NULL, &len);
	ck_assert(p != NULL && len == 4 && memcmp(p, a10, 4) == 0);
	p = dns_rrset_next(rs, p, &len);
	ck_assert(p != NULL && len == 4 && memcmp(p, a11, 4) == 0);
	ck_assert_ptr_null(dns_rrset_next(rs, p, &len));
	/* Names in rdata keep the file's case. */
	rs = rrset(z, "www.example.com", DNS_T_CNAME);
	p = dns_rrset_next(rs, NULL, &len);
	ck_assert_int_eq(len, dns_name_len(nm("Web.example.com")));
	ck_assert(memcmp(p, nm("Web.example.com"), len) == 0);
	dns_zone_unref(z);
}
END_TEST

START_TEST(test_case)
{
	struct dns_zone *z = load_ok(Z("example.com.zone"), "EXAMPLE.Com.");
	const struct dns_node *n = dns_zone_find(z, nm("WWW.eXample.COM"));

	ck_assert_ptr_nonnull(n);
	ck_assert(memcmp(n->name, nm("www.example.com"), 17) == 0);
	ck_assert(memcmp(z->origin, nm("example.com"), 13) == 0);
	ck_assert_ptr_nonnull(dns_zone_find(z, nm("_SIP._TCP.example.com")));
	ck_assert_ptr_null(dns_zone_find(z, nm("nope.example.com")));
	dns_zone_unref(z);
}
END_TEST

static void
encloser(const struct dns_zone *z, const char *q, const char *want,
    bool exact)
{
	const struct dns_node *n;
	bool ex = !exact;

	n = dns_zone_encloser(z, nm(q), &ex);
	ck_assert_msg(n != NULL, "%s: no encloser", q);
	ck_assert_msg(dns_name_cmp(n->name, nm(want)) == 0 && ex == exact,
	    "%s: wrong encloser", q);
}

START_TEST(test_encloser)
{
	struct dns_zone *z = load_ok(Z("example.com.zone"), "example.com");
	const struct dns_node *n;
	bool ex;

	encloser(z, "WEB.example.com", "web.example.com", true);
	encloser(z, "x.y.a.b.c.example.com", "a.b.c.example.com", false);
	encloser(z, "q.b.c.example.com", "b.c.example.com", false);
	encloser(z, "nope.example.com", "example.com", false);
	encloser(z, "example.com", "example.com", true);
	encloser(z, "x._tcp.example.com", "_tcp.example.com", false);
	/* Empty non-terminals exist, with no data. */
	n = dns_zone_find(z, nm("b.c.example.com"));
	ck_assert(n != NULL && n->nrrsets == 0);
	ck_assert_ptr_nonnull(dns_zone_find(z, nm("c.example.com")));
	ck_assert_ptr_nonnull(dns_zone_find(z, nm("hosts.example.com")));
	ck_assert_ptr_null(dns_zone_encloser(z, nm("example.org"), &ex));
	ck_assert_ptr_null(dns_zone_encloser(z, nm("com"), &ex));
	dns_zone_unref(z);
}
END_TEST

START_TEST(test_broken)
{
	load_fails(Z("broken.zone"), "example.com",
	    Z("broken.zone") ":5: invalid IPv4 address");
	/* An error in an included file names that file. */
	load_fails(Z("inc-broken.zone"), "example.com",
	    Z("broken.inc") ":2: invalid address character");
	load_fails(Z("nosoa.zone"), "example.com",
	    Z("nosoa.zone") ": no SOA at the apex");
	load_fails(Z("outside.zone"), "example.com",
	    Z("outside.zone") ":4: www.example.org. is outside the zone "
	    "example.com.");
	load_fails(Z("missing.zone"), "example.com",
	    Z("missing.zone") ": No such file or directory");
	load_fails(Z("loop.zone"), "example.com",
	    Z("loop.zone") ":2: $INCLUDE nested deeper than 8");
	/* A zone bigger than its budget stops where it goes over. */
	ck_assert_ptr_null(dns_zone_load(Z("example.com.zone"), "example.com",
	    200, err, sizeof(err)));
	ck_assert_msg(strstr(err, "example.com.zone:10: zone larger than 200 "
	    "bytes") != NULL, "%s", err);
}
END_TEST

/* A file in a fresh directory, for the tests that write their own. */
static char dir[64];

static void
mkdir_tmp(void)
{
	strcpy(dir, "/tmp/unit_dnsd.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
rmdir_tmp(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static const char *
put(const char *name, const char *text)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
	return path;
}

#define SOA	"@ 300 SOA ns1 hostmaster %d 7200 3600 1209600 300\n" \
		"@ 300 NS ns1\nns1 300 A 192.0.2.1\n"

static const char *
put_soa(const char *name, int serial, const char *more)
{
	char text[512];

	snprintf(text, sizeof(text), SOA "%s", serial, more);
	return put(name, text);
}

START_TEST(test_semantics)
{
	struct dns_zone *z;

	mkdir_tmp();
	refused(put_soa("z", 1, "www CNAME ns1\nwww A 192.0.2.2\n"),
	    "/z:4: www.example.com. has a CNAME and other data");
	refused(put_soa("z", 1, "x CNAME a\nx CNAME b\n"),
	    "/z:4: x.example.com. has more than one CNAME");
	refused(put_soa("z", 1, "d DNAME example.net.\ny.x.d A 192.0.2.3\n"),
	    "/z:5: y.x.d.example.com. is below a DNAME");
	refused(put_soa("z", 1, "s SOA a b 1 2 3 4 5\n"),
	    "/z:4: s.example.com. has an SOA below the apex");
	refused(put_soa("z", 1, "@ SOA a b 1 2 3 4 5\n"),
	    "/z:4: example.com. has more than one SOA");
	refused(put_soa("z", 1, "$INCLUDE nothere.inc\n"),
	    "/z:4: $INCLUDE ");
	ck_assert(strstr(err, "/nothere.inc: No such file or directory") !=
	    NULL);
	refused(put("z", ""), "/z: no SOA at the apex");
	/* The scanner itself knows no class but IN. */
	refused(put_soa("z", 1, "x CH A 192.0.2.1\n"), "/z:4: ");
	/* Still a zone: a CNAME beside its own DNSSEC records. */
	z = dns_zone_load(put_soa("z", 1,
	    "www CNAME ns1\nwww NSEC ns1 CNAME RRSIG NSEC\n"), "example.com", 0,
	    err, sizeof(err));
	ck_assert_msg(z != NULL, "%s", err);
	dns_zone_unref(z);
	rmdir_tmp();
}
END_TEST

static uint32_t
serial_of(struct dns_zones *zs, const char *q)
{
	const struct dns_zone *z;

	z = dns_zoneset_find(dns_zones_current(zs), nm(q));
	ck_assert_msg(z != NULL, "no zone for %s", q);
	return z->serial;
}

START_TEST(test_zones)
{
	struct dns_zones *zs = dns_zones_new(0);
	struct dns_zonecfg cfg[] = {
		{ "example.com", Z("example.com.zone"), NULL },
		{ "hosts.example.com.", Z("hosts.example.com.zone"), NULL },
	};
	struct dns_zonecfg dup[] = {
		{ "example.com", Z("example.com.zone"), NULL },
		{ "EXAMPLE.com.", Z("example.com.zone"), NULL },
	};

	ck_assert_ptr_nonnull(zs);
	ck_assert_uint_eq(dns_zones_current(zs)->n, 0);
	ck_assert_int_eq(dns_zones_reload(zs, cfg, 2), 0);
	ck_assert_uint_eq(dns_zones_current(zs)->n, 2);
	/* The longest suffix wins. */
	ck_assert_uint_eq(serial_of(zs, "2.HOSTS.example.com"), 7);
	ck_assert_uint_eq(serial_of(zs, "hosts.example.com"), 7);
	ck_assert_uint_eq(serial_of(zs, "xhosts.example.com"), 2026112901);
	ck_assert_uint_eq(serial_of(zs, "Example.COM"), 2026112901);
	ck_assert_ptr_null(dns_zoneset_find(dns_zones_current(zs),
	    nm("example.org")));
	ck_assert_ptr_null(dns_zoneset_find(dns_zones_current(zs), nm("com")));
	ck_assert_int_eq(dns_zones_reload(zs, dup, 2), -1);
	ck_assert_uint_eq(dns_zones_current(zs)->n, 2);
	/* Dropped from the configuration: dropped from the set. */
	ck_assert_int_eq(dns_zones_reload(zs, cfg, 1), 0);
	ck_assert_uint_eq(dns_zones_current(zs)->n, 1);
	ck_assert_uint_eq(serial_of(zs, "2.hosts.example.com"), 2026112901);
	dns_zones_free(zs);
}
END_TEST

/*
 * A random lowercase name: 1-3 labels of few distinct octets (0 and 255
 * among them: long common prefixes and ties), then the label "x" that
 * every name shares, as a zone's names share its origin.
 */
static void
random_name(uint8_t *n, unsigned *seed)
{
	static const uint8_t pick[] = { 0, 'a', 'b', 254, 255 };
	int labels = 1 + rand_r(seed) % 3, i, j, len;
	size_t o = 0;

	for (i = 0; i < labels; i++) {
		len = 1 + rand_r(seed) % 12;
		n[o++] = (uint8_t)len;
		for (j = 0; j < len; j++)
			n[o++] = pick[rand_r(seed) % 5];
	}
	n[o++] = 1;
	n[o++] = 'x';
	n[o] = 0;
}

/* A smaller key always means an earlier name (dns_name_key). */
START_TEST(test_sort_key)
{
	uint8_t a[DNS_NAME_MAX], b[DNS_NAME_MAX];
	unsigned seed = 7;
	int i, c, skip, less = 0;
	uint64_t ka, kb;

	for (i = 0; i < 200000; i++) {
		random_name(a, &seed);
		random_name(b, &seed);
		skip = rand_r(&seed) % 2;
		c = dns_name_cmp(a, b);
		ka = dns_name_key(a, skip);
		kb = dns_name_key(b, skip);
		if (ka < kb) {
			ck_assert_msg(c < 0, "key order against canonical (%d)", i);
			less++;
		}
		if (ka > kb)
			ck_assert_msg(c > 0, "key order against canonical (%d)", i);
		if (c == 0)
			ck_assert(ka == kb);
	}
	/* The keys decide most comparisons, or they are no use. */
	ck_assert_int_gt(less, 50000);
}
END_TEST

/*
 * A zone of many names in shuffled order, with shared and unshared
 * ancestors: the nodes come out strictly sorted, every owner and every
 * ancestor of one is a node, and nothing else is.
 */
START_TEST(test_many_nodes)
{
	char path[] = "/tmp/unit_dnsd_many.XXXXXX";
	int fd = mkstemp(path), i;
	FILE *f;
	struct dns_zone *z;
	size_t k, owners = 0;

	ck_assert_int_ne(fd, -1);
	ck_assert_ptr_nonnull(f = fdopen(fd, "w"));
	fprintf(f, "$ORIGIN many.test.\n@ 60 SOA ns hm 1 2 3 4 5\n"
	    "@ 60 NS ns\nns 60 A 192.0.2.1\n");
	for (i = 0; i < 3000; i++) {
		int v = (i * 7919) % 3000;	/* a permutation */

		fprintf(f, "h%d.g%d.f%d 60 A 192.0.2.%d\n", v, v % 17, v % 3,
		    v % 250);
		owners++;
	}
	fclose(f);
	z = load_ok(path, "many.test");
	unlink(path);
	for (k = 1; k < z->nnodes; k++)
		ck_assert_msg(dns_name_cmp(z->nodes[k - 1].name,
		    z->nodes[k].name) < 0, "nodes %zu and %zu out of order",
		    k - 1, k);
	/* apex, ns, 3 f*, 3 x 17 f*.g* pairs that occur, 3000 owners. */
	for (i = 0; i < 3000; i++) {
		char n[64];

		snprintf(n, sizeof(n), "h%d.g%d.f%d.many.test", i, i % 17,
		    i % 3);
		ck_assert_ptr_nonnull(dns_zone_find(z, nm(n)));
		snprintf(n, sizeof(n), "g%d.f%d.many.test", i % 17, i % 3);
		ck_assert_ptr_nonnull(dns_zone_find(z, nm(n)));
	}
	ck_assert_uint_eq(z->nnodes, 1 + 1 + 3 + 51 + owners);
	dns_zone_unref(z);
}
END_TEST

START_TEST(test_reload_keeps_old)
{
	struct dns_zones *zs = dns_zones_new(0);
	struct dns_zonecfg cfg[2] = {
		{ "example.net", NULL, NULL }, { "example.org", NULL, NULL },
	};
	const struct dns_zoneset *before;
	const struct dns_zone *z1;

	mkdir_tmp();
	cfg[0].file = strdup(put_soa("net", 1, ""));
	cfg[1].file = strdup(put("org", "@ 300 A 192.0.2.1\n"));
	/* A zone that never loaded is not served; the other one is. */
	ck_assert_int_eq(dns_zones_reload(zs, cfg, 2), 1);
	ck_assert_uint_eq(dns_zones_current(zs)->n, 1);
	ck_assert_uint_eq(serial_of(zs, "www.example.net"), 1);
	z1 = dns_zoneset_find(dns_zones_current(zs), nm("example.net"));
	/* Broken on reload: the same zone object stays, in a new set. */
	put_soa("net", 9, "bad A 192.0.2\n");
	before = dns_zones_current(zs);
	ck_assert_int_eq(dns_zones_reload(zs, cfg, 2), 2);
	ck_assert_ptr_ne(dns_zones_current(zs), before);
	ck_assert_ptr_eq(dns_zoneset_find(dns_zones_current(zs),
	    nm("example.net")), z1);
	ck_assert_uint_eq(serial_of(zs, "example.net"), 1);
	/* Fixed: the new zone replaces it, and the other one appears. */
	put_soa("net", 2, "");
	put_soa("org", 5, "");
	ck_assert_int_eq(dns_zones_reload(zs, cfg, 2), 0);
	ck_assert_uint_eq(serial_of(zs, "example.net"), 2);
	ck_assert_uint_eq(serial_of(zs, "a.example.org"), 5);
	dns_zones_free(zs);
	free((char *)cfg[0].file);
	free((char *)cfg[1].file);
	rmdir_tmp();
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("dnsd");
	TCase *tc = tcase_create("zone");

	log_init("unit_dnsd", 0, -1);
	tcase_add_test(tc, test_name);
	tcase_add_test(tc, test_every_type);
	tcase_add_test(tc, test_rdata);
	tcase_add_test(tc, test_case);
	tcase_add_test(tc, test_encloser);
	tcase_add_test(tc, test_broken);
	tcase_add_test(tc, test_semantics);
	tcase_add_test(tc, test_zones);
	tcase_add_test(tc, test_reload_keeps_old);
	tcase_add_test(tc, test_sort_key);
	tcase_add_test(tc, test_many_nodes);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
