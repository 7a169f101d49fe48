/*
 * nf_config: what netfront is asked to do (its command line) and the
 * checks on it, and the one value it parses from the toolstack: the
 * vif's MAC address.  Also entering a network namespace, so that a
 * domain on xensim can have one whose only link is our TAP.
 */
#ifndef SHOAL_NF_CONFIG_H
#define SHOAL_NF_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NF_MTU_MIN	68		/* IPv4's least */
#define NF_MTU_DEFAULT	1500		/* netif.h: when "mtu" is absent */

struct nf_opts {
	unsigned	 devid;		/* device/vif/DEVID */
	const char	*tap;		/* NULL: the kernel names it */
	unsigned	 queues;	/* asked; the backend may give fewer */
	unsigned	 mtu;		/* 0: the toolstack's "mtu", or 1500 */
	const char	*netns;		/* /run/netns/NAME, or NULL */
	bool		 sg, gso, csum;	/* offer and use each */
	bool		 split;		/* two event channels if offered */
};

void	 nf_opts_default(struct nf_opts *);
/* 0, or -1 with why. */
int	 nf_opts_check(const struct nf_opts *, char *err, size_t errlen);

/* "00:16:3e:0a:0b:0c" (either case), whole; 0 or -1. */
int	 nf_parse_mac(const char *, uint8_t mac[6]);

/* Into /run/netns/NAME (ip-netns(8)'s); 0, or -1 (errno). */
int	 nf_netns_enter(const char *name);

#endif /* SHOAL_NF_CONFIG_H */
