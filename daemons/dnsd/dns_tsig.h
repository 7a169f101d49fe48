/*
 * dns_tsig: transaction signatures (RFC 8945), how dnsd knows that an
 * UPDATE comes from someone holding a key, and how the sender knows the
 * answer is ours.
 *
 * Owns the keys (a name, an HMAC algorithm, a secret given in base64 as
 * tsig-keygen and nsupdate write it), checking the TSIG record that ends
 * a request and signing a response with the same key.  The MAC is
 * OpenSSL's HMAC (EVP_MAC).  A request whose key is unknown (BADKEY) or
 * whose MAC is wrong (BADSIG) gets NOTAUTH with an unsigned TSIG; one
 * whose time is more than its fudge away from ours (BADTIME) gets
 * NOTAUTH signed, with our time in it (RFC 8945 5.2).  A MAC cut shorter
 * than RFC 8945 5.2.2.1 allows is FORMERR.
 */
#ifndef DNS_TSIG_H
#define DNS_TSIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns_name.h"

#define DNS_T_TSIG		250
#define DNS_CLASS_ANY		255
#define DNS_TSIG_MACMAX		64	/* SHA-512's */
#define DNS_TSIG_SECRETMAX	256

enum { DNS_R_NOTAUTH = 9 };
enum { DNS_TSIG_BADSIG = 16, DNS_TSIG_BADKEY = 17, DNS_TSIG_BADTIME = 18 };

struct dns_tsig_key {
	uint8_t		 name[DNS_NAME_MAX];	/* lowercase wire */
	uint8_t		 alg[DNS_NAME_MAX];	/* lowercase wire */
	const char	*digest;	/* OpenSSL's name for the hash */
	size_t		 maclen;
	uint8_t		 secret[DNS_TSIG_SECRETMAX];
	size_t		 slen;
};

struct dns_tsig_keys {
	size_t			 n;
	struct dns_tsig_key	*v;
};

/* For the configuration: -1 with why (a constant) if unusable. */
int	dns_tsig_key_init(struct dns_tsig_key *, const char *name,
	    const char *algorithm, const char *secret_base64,
	    const char **why);
const struct dns_tsig_key *dns_tsig_find(const struct dns_tsig_keys *,
	    const uint8_t *lname);

/* What checking a request found; what signing its response needs. */
struct dns_tsig_state {
	bool			 present;	/* the request had a TSIG */
	const struct dns_tsig_key *key;		/* NULL: BADKEY */
	uint16_t		 error;		/* 0 or DNS_TSIG_* */
	uint8_t			 keyname[DNS_NAME_MAX];
	uint8_t			 alg[DNS_NAME_MAX];
	uint8_t			 mac[DNS_TSIG_MACMAX];
	size_t			 maclen;
	uint64_t		 time;		/* the request's */
	uint16_t		 fudge;
	uint16_t		 orig_id;
};

/*
 * msg (len octets) ends with the TSIG record at tsig_off, the last of
 * its additional section.  0: st says what was found (error 0: signed
 * by st->key); -1: the record is malformed (FORMERR, unsigned).
 */
int	dns_tsig_verify(const struct dns_tsig_keys *, const uint8_t *msg,
	    size_t len, size_t tsig_off, uint64_t now,
	    struct dns_tsig_state *);
/*
 * Append our TSIG to the response resp (len octets, room for cap) and
 * count it in ARCOUNT: the new length, or 0 if it does not fit.
 */
size_t	dns_tsig_sign(const struct dns_tsig_state *, uint8_t *resp,
	    size_t len, size_t cap, uint64_t now);

/*
 * The sending side (the scaler's updates): sign a request we made, and
 * check that the response carries the same key's MAC over ours.
 */
size_t	dns_tsig_sign_request(const struct dns_tsig_key *, uint8_t *msg,
	    size_t len, size_t cap, uint64_t now, struct dns_tsig_state *);
int	dns_tsig_verify_response(const struct dns_tsig_state *,
	    const uint8_t *msg, size_t len, size_t tsig_off);
/* Where the TSIG record that ends msg starts: 0, or -1 if none. */
int	dns_tsig_locate(const uint8_t *msg, size_t len, size_t *off);

#endif /* DNS_TSIG_H */
