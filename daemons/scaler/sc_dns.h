/*
 * sc_dns: the fleet's name in DNS (RFC 2136 UPDATE to dnsd, signed with
 * TSIG), so that clients find the web domains that serve (docs/scaler.md).
 *
 * Owns one operation: make the name's A and AAAA records exactly a given
 * set of addresses, in one UPDATE (delete both RRsets, add each address)
 * that dnsd applies atomically.  Replacing the whole set each time, not
 * adding and removing one address, is what makes it safe to repeat: a
 * scaler restarted after a crash, or one that lost an answer, sends the
 * set it wants and DNS converges; nothing depends on what was sent
 * before.  The message is made with dnsd's own writer and signed with
 * dnsd's TSIG code (dnsd_core), sent over UDP, answered within the
 * timeout or taken as failed; the answer's signature is checked.
 *
 * Blocking: the control loop's worker calls it (worker.h).  The settings
 * are flat (no pointers), as the worker's settings must be.
 */
#ifndef SC_DNS_H
#define SC_DNS_H

#include <stdbool.h>
#include <stddef.h>

#include "dns_tsig.h"

#define SC_DNS_ADDRMAX	64	/* an address's text */

struct sc_dns_settings {
	bool			 on;
	char			 server[SC_DNS_ADDRMAX];	/* ADDR:PORT */
	char			 zone[DNS_NAME_TEXTMAX];
	char			 name[DNS_NAME_TEXTMAX];
	int			 ttl;
	struct dns_tsig_key	 key;
};

/*
 * name's addresses become addrs[0..n) (IPv4 or IPv6 text, no port).  0
 * when dnsd answered NOERROR; -1 with err filled.
 */
int	sc_dns_set(const struct sc_dns_settings *, const char (*addrs)[
	    SC_DNS_ADDRMAX], size_t n, int timeout_ms, char *err,
	    size_t errlen);

#endif /* SC_DNS_H */
