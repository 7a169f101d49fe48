/*
 * xs_control: the CONTROL request's commands and the quota names they
 * and the configuration file share.
 *
 * Owns the command table (check, log, print, quota, quota-soft,
 * memreport, help, live-update, which xs_lu carries out) and the
 * consistency check: the tree's structure and every domain's accounted
 * node count and bytes recomputed from scratch.  CONTROL is for the
 * privileged only.  Quotas set here last until the next SIGHUP reloads
 * the configuration.
 */
#ifndef XS_CONTROL_H
#define XS_CONTROL_H

#include <stddef.h>

#include "xs_domain.h"

struct xs_quota_name {
	const char	*name;
	size_t		 off;		/* of the int in struct xs_quota */
};

/* Hard quotas, then soft ones; each table ends with a NULL name. */
extern const struct xs_quota_name xs_quota_hard[];
extern const struct xs_quota_name xs_quota_soft[];

struct xs_server;
/* 0 if the tree and the accounting agree; logs what does not. */
int	 xs_control_check(struct xs_server *);

#endif /* XS_CONTROL_H */
