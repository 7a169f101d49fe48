/*
 * fuzz_dnsupd: libFuzzer over dnsd's dynamic update, dns_update(), from
 * an UPDATE's bytes to its answer, against the zone "fz" (fuzz.zone
 * beside this file) with its journal in a temporary folder.
 *
 * An input is one prefix byte, then the message:
 *
 *	p[0]	bit 0: the harness signs the message with the zone's key
 *		       (hmac-sha256 "fuzz."), so that what the fuzzer writes
 *		       gets past TSIG to the prerequisites and the changes;
 *		       else it goes as it is (and must be refused)
 *		bits 1-7: unused
 *
 * The opcode is forced to UPDATE and QR cleared (the rest of the header
 * is the fuzzer's).  Beyond the sanitizers, it aborts when:
 *
 *	- an answer is missing, or does not carry the message's id,
 *	  QR and opcode UPDATE;
 *	- an unsigned message changed the zone;
 *	- the zone changed without its serial moving, or the serial went
 *	  backwards (RFC 1982);
 *	- every 256 inputs, the zone loaded again from its file and the
 *	  journal differs from the one served (serial, names): what was
 *	  acknowledged must be what a restart serves.
 *
 * The zone is set back to its file (journal removed) when it grows past
 * 2000 names, so that one input's cost stays bounded.
 */
#include <sys/stat.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netinet/in.h>

#include "dns_config.h"
#include "dns_msg.h"
#include "dns_tsig.h"
#include "dns_update.h"
#include "dns_zones.h"
#include "log.h"

#define SECRET	"ZnV6ei1kbnN1cGQta2V5LTMyLW9jdGV0cy0tLS0tLS0="
#define NOW	1800000000ULL
#define MAXNODES 2000

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char			 dir[] = "/tmp/fuzz-dnsupd-XXXXXX";
static char			 jnl[256];
static struct dns_config	 cfg;
static struct dns_zones		*zones;
static const struct dns_tsig_key *key;
static struct sockaddr_in	 peer;
static unsigned			 inputs;

static void
die(const char *what)
{
	fprintf(stderr, "fuzz_dnsupd: %s\n", what);
	abort();
}

static int
load(struct dns_zones *zs)
{
	struct dns_zonecfg zc = { cfg.zones.v[0].origin, cfg.zones.v[0].file,
	    cfg.zones.v[0].journal };

	return dns_zones_reload(zs, &zc, 1);
}

static const struct dns_zone *
fz(struct dns_zones *zs)
{
	uint8_t	 o[DNS_NAME_MAX];

	dns_name_from_text("fz.", o);
	return dns_zoneset_origin(dns_zones_current(zs), o);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char	 path[256], err[CONFIG_ERRMAX];
	FILE	*f;
	uint8_t	 name[DNS_NAME_MAX];

	(void)argc;
	(void)argv;
	log_init("fuzz_dnsupd", 0, -1);
	if (mkdtemp(dir) == NULL)
		die("mkdtemp");
	snprintf(path, sizeof(path), "%s/dnsd.json", dir);
	if ((f = fopen(path, "w")) == NULL)
		die("cannot write the configuration");
	fprintf(f, "{ \"listen\": [\"127.0.0.1:1\"], \"journal-dir\": \".\",\n"
	    "  \"tsig-keys\": [ { \"name\": \"fuzz.\", \"algorithm\":"
	    " \"hmac-sha256\", \"secret\": \"%s\" } ],\n"
	    "  \"zones\": [ { \"origin\": \"fz.\", \"file\": \"%s/fuzz.zone\","
	    " \"update-keys\": [\"fuzz.\"] } ] }\n", SECRET, FUZZ_ZONEDIR);
	fclose(f);
	if (dns_config_load(path, &cfg, err, sizeof(err)) == -1)
		die(err);
	snprintf(jnl, sizeof(jnl), "%s", cfg.zones.v[0].journal);
	dns_name_from_text("fuzz.", name);
	dns_name_lower(name, name);
	if ((key = dns_tsig_find(&cfg.tsig_keys, name)) == NULL ||
	    (zones = dns_zones_new(0)) == NULL || load(zones) != 0 ||
	    fz(zones) == NULL)
		die("the fixture zone does not load");
	peer.sin_family = AF_INET;
	peer.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return 0;
}

/* A restart serves what was acknowledged. */
static void
replay_check(void)
{
	struct dns_zones	*again = dns_zones_new(0);
	const struct dns_zone	*a, *b;
	size_t			 i;

	if (again == NULL || load(again) != 0 || (b = fz(again)) == NULL)
		die("the journal does not load");
	a = fz(zones);
	if (a->serial != b->serial || a->nnodes != b->nnodes)
		die("the journal replayed is not the zone served");
	for (i = 0; i < a->nnodes; i++)
		if (dns_name_cmp(a->nodes[i].name, b->nodes[i].name) != 0 ||
		    a->nodes[i].nrrsets != b->nodes[i].nrrsets)
			die("the journal replayed has other names");
	dns_zones_free(again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t		 msg[DNS_MSGMAX], out[DNS_MSGMAX];
	struct dns_tsig_state	 st;
	enum dns_update_outcome	 o;
	const struct dns_zone	*z;
	uint32_t		 before;
	size_t			 len, n;
	bool			 sign;

	if (size < 1 + DNS_HDRLEN || size - 1 > sizeof(msg) - 512)
		return 0;
	sign = data[0] & 1;
	len = size - 1;
	memcpy(msg, data + 1, len);
	msg[2] = (uint8_t)((msg[2] & 0x07) | DNS_OPCODE_UPDATE << 3);
	if (sign && (len = dns_tsig_sign_request(key, msg, len, sizeof(msg),
	    NOW, &st)) == 0)
		return 0;
	before = fz(zones)->serial;
	n = dns_update(zones, &cfg, msg, len, (struct sockaddr *)&peer, NOW,
	    out, sizeof(out), &o);
	if (n < DNS_HDRLEN || out[0] != msg[0] || out[1] != msg[1] ||
	    !(out[2] & 0x80) || ((out[2] >> 3) & 0xf) != DNS_OPCODE_UPDATE)
		die("no answer, or not one to this UPDATE");
	z = fz(zones);
	if (o == DNS_UPD_APPLIED && !sign)
		die("an unsigned message changed the zone");
	if ((o == DNS_UPD_APPLIED) != (z->serial != before))
		die("the serial does not say whether the zone changed");
	if (z->serial != before && (int32_t)(z->serial - before) <= 0)
		die("the serial went backwards");
	if (++inputs % 256 == 0)
		replay_check();
	if (z->nnodes > MAXNODES) {
		unlink(jnl);
		if (load(zones) != 0)
			die("the file does not load again");
	}
	return 0;
}
