/*
 * The MAC covers, for a request: the message as it was before the TSIG
 * record was added (original ID, ARCOUNT one less), then the "TSIG
 * variables" (key name and algorithm in canonical form, class ANY, TTL
 * 0, time, fudge, error, other data).  For a response: the request's MAC
 * (its length first), then the response, then the variables
 * (RFC 8945 4.3).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "dns_msg.h"
#include "dns_tsig.h"

#define TSIG_FUDGE	300

static const struct {
	const char	*name;		/* as nsupdate and tsig-keygen write */
	const char	*digest;
	size_t		 maclen;
} algs[] = {
	{ "hmac-sha1", "SHA1", 20 },
	{ "hmac-sha224", "SHA224", 28 },
	{ "hmac-sha256", "SHA256", 32 },
	{ "hmac-sha384", "SHA384", 48 },
	{ "hmac-sha512", "SHA512", 64 },
};

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint64_t
get48(const uint8_t *p)
{
	return (uint64_t)get16(p) << 32 | (uint64_t)get16(p + 2) << 16 |
	    get16(p + 4);
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void
put48(uint8_t *p, uint64_t v)
{
	put16(p, (uint16_t)(v >> 32));
	put16(p + 2, (uint16_t)(v >> 16));
	put16(p + 4, (uint16_t)v);
}

static int
base64(const char *in, uint8_t *out, size_t cap, size_t *outlen)
{
	size_t	 n = strlen(in), pad = 0;
	uint8_t	*tmp;
	int	 got;

	if (n == 0 || n % 4 != 0 || n / 4 * 3 > cap)
		return -1;
	if ((tmp = malloc(n / 4 * 3 + 1)) == NULL)
		return -1;
	if ((got = EVP_DecodeBlock(tmp, (const unsigned char *)in,
	    (int)n)) < 0) {
		free(tmp);
		return -1;
	}
	pad = in[n - 1] == '=' ? (in[n - 2] == '=' ? 2 : 1) : 0;
	*outlen = (size_t)got - pad;
	memcpy(out, tmp, *outlen);
	OPENSSL_cleanse(tmp, n / 4 * 3 + 1);
	free(tmp);
	return 0;
}

int
dns_tsig_key_init(struct dns_tsig_key *k, const char *name,
    const char *algorithm, const char *secret, const char **why)
{
	uint8_t	 wire[DNS_NAME_MAX];
	size_t	 i;

	memset(k, 0, sizeof(*k));
	if (dns_name_from_text(name, wire) == -1) {
		*why = "not a domain name";
		return -1;
	}
	dns_name_lower(k->name, wire);
	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (strcasecmp(algorithm, algs[i].name) == 0 ||
		    (strncasecmp(algorithm, algs[i].name,
		    strlen(algs[i].name)) == 0 &&
		    strcmp(algorithm + strlen(algs[i].name), ".") == 0))
			break;
	if (i == sizeof(algs) / sizeof(algs[0])) {
		*why = "expected hmac-sha1, hmac-sha224, hmac-sha256, "
		    "hmac-sha384 or hmac-sha512";
		return -1;
	}
	dns_name_from_text(algs[i].name, k->alg);
	k->digest = algs[i].digest;
	k->maclen = algs[i].maclen;
	if (base64(secret, k->secret, sizeof(k->secret), &k->slen) == -1 ||
	    k->slen == 0) {
		*why = "the secret is not base64 (or longer than 256 octets)";
		return -1;
	}
	return 0;
}

const struct dns_tsig_key *
dns_tsig_find(const struct dns_tsig_keys *keys, const uint8_t *lname)
{
	size_t	 i;

	for (i = 0; keys != NULL && i < keys->n; i++)
		if (dns_name_cmp(keys->v[i].name, lname) == 0)
			return &keys->v[i];
	return NULL;
}

/* An HMAC being computed. */
struct mac {
	EVP_MAC		*alg;
	EVP_MAC_CTX	*ctx;
};

static int
mac_begin(struct mac *m, const struct dns_tsig_key *k)
{
	OSSL_PARAM	 p[2];

	p[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)k->digest, 0);
	p[1] = OSSL_PARAM_construct_end();
	m->ctx = NULL;
	if ((m->alg = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL ||
	    (m->ctx = EVP_MAC_CTX_new(m->alg)) == NULL ||
	    EVP_MAC_init(m->ctx, k->secret, k->slen, p) != 1) {
		EVP_MAC_CTX_free(m->ctx);
		EVP_MAC_free(m->alg);
		return -1;
	}
	return 0;
}

static void
mac_add(struct mac *m, const void *p, size_t n)
{
	if (n > 0)
		(void)EVP_MAC_update(m->ctx, p, n);
}

static int
mac_end(struct mac *m, uint8_t *out, size_t *outlen)
{
	int	 rc;

	rc = EVP_MAC_final(m->ctx, out, outlen, DNS_TSIG_MACMAX) == 1 ? 0 : -1;
	EVP_MAC_CTX_free(m->ctx);
	EVP_MAC_free(m->alg);
	return rc;
}

/* The TSIG variables (RFC 8945 4.3.3). */
static void
mac_vars(struct mac *m, const uint8_t *keyname, const uint8_t *alg,
    uint64_t time, uint16_t fudge, uint16_t error, const uint8_t *other,
    uint16_t olen)
{
	uint8_t	 b[16];

	mac_add(m, keyname, dns_name_len(keyname));
	put16(b, DNS_CLASS_ANY);
	memset(b + 2, 0, 4);			/* TTL */
	mac_add(m, b, 6);
	mac_add(m, alg, dns_name_len(alg));
	put48(b, time);
	put16(b + 6, fudge);
	put16(b + 8, error);
	put16(b + 10, olen);
	mac_add(m, b, 12);
	mac_add(m, other, olen);
}

/* The TSIG record's fields, from the octet after its type. */
struct tsig_rr {
	uint8_t		 owner[DNS_NAME_MAX], alg[DNS_NAME_MAX];
	uint64_t	 time;
	uint16_t	 fudge, macsize, orig_id, error, olen;
	const uint8_t	*mac, *other;
};

static int
read_tsig(const uint8_t *msg, size_t len, size_t off, struct tsig_rr *t)
{
	size_t	 p = off, end;

	if (dns_msg_name(msg, len, &p, t->owner) == -1 || len - p < 10 ||
	    get16(msg + p) != DNS_T_TSIG ||
	    get16(msg + p + 2) != DNS_CLASS_ANY ||
	    get16(msg + p + 4) != 0 || get16(msg + p + 6) != 0 ||
	    p + 10 + get16(msg + p + 8) != len)
		return -1;
	end = len;
	p += 10;
	if (dns_msg_name(msg, end, &p, t->alg) == -1 || end - p < 10)
		return -1;
	t->time = get48(msg + p);
	t->fudge = get16(msg + p + 6);
	t->macsize = get16(msg + p + 8);
	p += 10;
	if (end - p < (size_t)t->macsize + 6)
		return -1;
	t->mac = msg + p;
	p += t->macsize;
	t->orig_id = get16(msg + p);
	t->error = get16(msg + p + 2);
	t->olen = get16(msg + p + 4);
	p += 6;
	t->other = msg + p;
	return p + t->olen == end ? 0 : -1;
}

/*
 * What a received message's MAC covers (RFC 8945 4.3): prior (the
 * request's MAC, for an answer; NULL for a request), then the message as
 * it was before its TSIG at off was added (the original ID, ARCOUNT one
 * less), then the TSIG variables t carries.  -1 if the MAC cannot be
 * made.
 */
static int
mac_received(const struct dns_tsig_key *k, const uint8_t *prior,
    size_t priorlen, const uint8_t *msg, size_t off, const uint8_t *keyname,
    const uint8_t *alg, const struct tsig_rr *t, uint8_t *mac,
    size_t *maclen)
{
	struct mac	 m;
	uint8_t		 hdr[DNS_HDRLEN], rl[2];

	memcpy(hdr, msg, DNS_HDRLEN);
	put16(hdr, t->orig_id);
	put16(hdr + 10, (uint16_t)(get16(msg + 10) - 1));
	if (mac_begin(&m, k) == -1)
		return -1;
	if (prior != NULL) {
		put16(rl, (uint16_t)priorlen);
		mac_add(&m, rl, 2);
		mac_add(&m, prior, priorlen);
	}
	mac_add(&m, hdr, DNS_HDRLEN);
	mac_add(&m, msg + DNS_HDRLEN, off - DNS_HDRLEN);
	mac_vars(&m, keyname, alg, t->time, t->fudge, t->error, t->other,
	    t->olen);
	return mac_end(&m, mac, maclen);
}

int
dns_tsig_verify(const struct dns_tsig_keys *keys, const uint8_t *msg,
    size_t len, size_t off, uint64_t now, struct dns_tsig_state *st)
{
	struct tsig_rr	 t;
	uint8_t		 mac[DNS_TSIG_MACMAX];
	size_t		 maclen, least;

	memset(st, 0, sizeof(*st));
	st->present = true;
	if (off < DNS_HDRLEN || read_tsig(msg, len, off, &t) == -1)
		return -1;
	dns_name_lower(st->keyname, t.owner);
	dns_name_lower(st->alg, t.alg);
	st->time = t.time;
	st->fudge = t.fudge;
	st->orig_id = t.orig_id;
	if ((st->key = dns_tsig_find(keys, st->keyname)) == NULL ||
	    dns_name_cmp(st->key->alg, st->alg) != 0) {
		st->key = NULL;
		st->error = DNS_TSIG_BADKEY;
		return 0;
	}
	least = st->key->maclen / 2 > 10 ? st->key->maclen / 2 : 10;
	if (t.macsize > st->key->maclen || t.macsize < least)
		return -1;
	if (mac_received(st->key, NULL, 0, msg, off, st->keyname, st->alg,
	    &t, mac, &maclen) == -1)
		return -1;
	if (CRYPTO_memcmp(mac, t.mac, t.macsize) != 0) {
		st->error = DNS_TSIG_BADSIG;
		return 0;
	}
	memcpy(st->mac, t.mac, t.macsize);
	st->maclen = t.macsize;
	if ((now > t.time ? now - t.time : t.time - now) > t.fudge)
		st->error = DNS_TSIG_BADTIME;
	return 0;
}

/*
 * Append a TSIG to msg (len octets, cap room) by key k, MAC'd over prior
 * (a request's MAC, for a response; NULL for a request), the message and
 * the variables; mac NULL: unsigned (an error about the key or MAC).
 */
static size_t
append(const struct dns_tsig_key *k, const uint8_t *keyname,
    const uint8_t *alg, const uint8_t *prior, size_t priorlen,
    uint64_t when, uint16_t error, const uint8_t *other, uint16_t olen,
    uint16_t orig_id, uint8_t *msg, size_t len, size_t cap,
    uint8_t *macout, size_t *maclenout)
{
	struct mac	 m;
	uint8_t		 mac[DNS_TSIG_MACMAX], rl[2];
	size_t		 maclen = 0, klen, alen, rdlen, p;

	if (k != NULL) {
		if (mac_begin(&m, k) == -1)
			return 0;
		if (prior != NULL) {
			put16(rl, (uint16_t)priorlen);
			mac_add(&m, rl, 2);
			mac_add(&m, prior, priorlen);
		}
		mac_add(&m, msg, len);
		mac_vars(&m, keyname, alg, when, TSIG_FUDGE, error, other,
		    olen);
		if (mac_end(&m, mac, &maclen) == -1)
			return 0;
	}
	klen = dns_name_len(keyname);
	alen = dns_name_len(alg);
	rdlen = alen + 16 + maclen + olen;
	if (cap < len || cap - len < klen + 10 + rdlen)
		return 0;
	p = len;
	memcpy(msg + p, keyname, klen);
	p += klen;
	put16(msg + p, DNS_T_TSIG);
	put16(msg + p + 2, DNS_CLASS_ANY);
	memset(msg + p + 4, 0, 4);
	put16(msg + p + 8, (uint16_t)rdlen);
	p += 10;
	memcpy(msg + p, alg, alen);
	p += alen;
	put48(msg + p, when);
	put16(msg + p + 6, TSIG_FUDGE);
	put16(msg + p + 8, (uint16_t)maclen);
	p += 10;
	if (maclen > 0)
		memcpy(msg + p, mac, maclen);
	p += maclen;
	put16(msg + p, orig_id);
	put16(msg + p + 2, error);
	put16(msg + p + 4, olen);
	p += 6;
	if (olen > 0)
		memcpy(msg + p, other, olen);
	p += olen;
	put16(msg + 10, (uint16_t)(get16(msg + 10) + 1));
	if (macout != NULL) {
		memcpy(macout, mac, maclen);
		*maclenout = maclen;
	}
	return p;
}

size_t
dns_tsig_sign(const struct dns_tsig_state *st, uint8_t *resp, size_t len,
    size_t cap, uint64_t now)
{
	uint8_t		 other[6];
	uint16_t	 olen = 0;
	uint64_t	 when = now;
	bool		 sign;

	if (!st->present)
		return len;
	sign = st->key != NULL && st->error != DNS_TSIG_BADSIG &&
	    st->error != DNS_TSIG_BADKEY;
	if (st->error == DNS_TSIG_BADTIME) {
		/* Their time signed, ours in other data (RFC 8945 5.2.3). */
		when = st->time;
		put48(other, now);
		olen = 6;
	}
	return append(sign ? st->key : NULL, st->keyname, st->alg, st->mac,
	    st->maclen, when, st->error, other, olen, st->orig_id, resp, len,
	    cap, NULL, NULL);
}

size_t
dns_tsig_sign_request(const struct dns_tsig_key *k, uint8_t *msg,
    size_t len, size_t cap, uint64_t now, struct dns_tsig_state *st)
{
	memset(st, 0, sizeof(*st));
	if (len < DNS_HDRLEN)
		return 0;
	st->present = true;
	st->key = k;
	memcpy(st->keyname, k->name, dns_name_len(k->name));
	memcpy(st->alg, k->alg, dns_name_len(k->alg));
	st->time = now;
	st->orig_id = get16(msg);
	return append(k, k->name, k->alg, NULL, 0, now, 0, NULL, 0,
	    st->orig_id, msg, len, cap, st->mac, &st->maclen);
}

int
dns_tsig_verify_response(const struct dns_tsig_state *st,
    const uint8_t *msg, size_t len, size_t off)
{
	struct tsig_rr	 t;
	uint8_t		 mac[DNS_TSIG_MACMAX], owner[DNS_NAME_MAX];
	size_t		 maclen;

	if (st->key == NULL || off < DNS_HDRLEN ||
	    read_tsig(msg, len, off, &t) == -1)
		return -1;
	dns_name_lower(owner, t.owner);
	if (dns_name_cmp(owner, st->key->name) != 0 || t.error != 0 ||
	    t.macsize != st->key->maclen)
		return -1;
	if (mac_received(st->key, st->mac, st->maclen, msg, off,
	    st->key->name, st->key->alg, &t, mac, &maclen) == -1)
		return -1;
	return CRYPTO_memcmp(mac, t.mac, maclen) == 0 ? 0 : -1;
}

int
dns_tsig_locate(const uint8_t *msg, size_t len, size_t *off)
{
	uint8_t		 name[DNS_NAME_MAX];
	size_t		 p = DNS_HDRLEN, last = 0;
	unsigned	 i, n;

	if (len < DNS_HDRLEN)
		return -1;
	for (i = 0; i < get16(msg + 4); i++)
		if (dns_msg_name(msg, len, &p, name) == -1 || len - p < 4)
			return -1;
		else
			p += 4;
	n = (unsigned)get16(msg + 6) + get16(msg + 8) + get16(msg + 10);
	for (i = 0; i < n; i++) {
		last = p;
		if (dns_msg_name(msg, len, &p, name) == -1 || len - p < 10 ||
		    len - p - 10 < get16(msg + p + 8))
			return -1;
		p += 10 + get16(msg + p + 8);
	}
	if (n == 0 || p != len)
		return -1;
	p = last;
	if (dns_msg_name(msg, len, &p, name) == -1 ||
	    get16(msg + p) != DNS_T_TSIG)
		return -1;
	*off = last;
	return 0;
}
