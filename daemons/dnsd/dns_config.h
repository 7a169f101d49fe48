/*
 * dns_config: dnsd's configuration file.
 *
 *	{
 *	  "listen": ["127.0.0.1:53", "[::1]:53"],
 *	  "zones": [
 *	    { "origin": "example.com.", "file": "example.com.zone",
 *	      "axfr-allow": ["192.0.2.53", "2001:db8::/64"],
 *	      "notify": ["192.0.2.53:53"],
 *	      "update-keys": ["scaler."], "update-allow": ["127.0.0.1"] }
 *	  ],
 *	  "tsig-keys": [ { "name": "scaler.", "algorithm": "hmac-sha256",
 *	                   "secret": "BASE64" } ],
 *	  "journal-dir": "/var/lib/shoal/dnsd",
 *	  "version": "Shoal dnsd", "id": "ns1",
 *	  "udp-payload": 1232,
 *	  "tcp-clients": 512, "tcp-idle-ms": 10000,
 *	  "zone-max-mb": 256
 *	}
 *
 * Owns the schema, the defaults and what the loader checks beyond types:
 * listen addresses and transfer prefixes are parsed here, so a typo in
 * one is reported at its file, line and column instead of at bind(), and
 * relative zone file names are made relative to the configuration file's
 * folder (the daemon may run from anywhere).  "listen" and "zones" are
 * required; the rest have defaults (dns_config.c).  A zone with
 * "update-keys" takes dynamic updates (dns_update.h) signed by one of
 * those keys; it needs "journal-dir", where its journal is kept
 * (ORIGIN.jnl, dns_journal.h), and each key named must be in "tsig-keys".
 */
#ifndef DNS_CONFIG_H
#define DNS_CONFIG_H

#include <sys/socket.h>
#include <stddef.h>

#include "config.h"
#include "net_addr.h"
#include "dns_tsig.h"
#include "rpc_limits.h"

struct dns_zconf {
	char			*origin;
	char			*file;	/* absolute once loaded */
	struct config_strlist	 axfr_allow;
	struct net_acl		 axfr;	/* axfr_allow, parsed */
	struct config_strlist	 notify_to;
	struct net_listens	 notify;	/* notify_to, parsed */
	struct config_strlist	 update_keys;
	struct config_strlist	 update_allow_to;
	struct net_acl		 update_allow;	/* parsed; empty: any */
	char			*journal;	/* set when update_keys are */
};

struct dns_zconfs {
	size_t			 n;
	struct dns_zconf	*v;
};

struct dns_config {
	struct net_listens	 listen;
	struct dns_zconfs	 zones;
	char			*version;	/* CHAOS version.bind; NULL: none */
	char			*id;		/* CHAOS id.server */
	int			 udp_payload;
	int			 tcp_clients;
	int			 tcp_idle_ms;
	int			 zone_max_mb;
	struct rpc_limits	 rpc;
	struct dns_tsig_keys	 tsig_keys;
	char			*journal_dir;	/* absolute once loaded */
};

/* -1 with "FILE:LINE:COL: what" in err; nothing to free then. */
int	dns_config_load(const char *path, struct dns_config *, char *err,
	    size_t errlen);
void	dns_config_free(struct dns_config *);
/* The zone configured with this origin (text, any case, dot or not). */
const struct dns_zconf *dns_config_zone(const struct dns_config *,
	    const uint8_t *origin);

#endif /* DNS_CONFIG_H */
