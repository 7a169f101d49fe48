/*
 * xs_orphans: what becomes of the store when a domain goes.
 *
 * When a domain is released (RELEASE, or its death seen through
 * VIRQ_DOM_EXC) nothing may keep naming it: its domid will be reused, and
 * the next domain with that number must not inherit access.  As Xen 4.17
 * does, every node the domain owns is deleted with its subtree (firing
 * watches, as an RM would), or, when orphans are kept (-K, "keep-orphans"),
 * handed to dom0 instead; and every other permission entry naming the
 * domain is dropped.  The domain's quota record goes too.
 */
#ifndef XS_ORPHANS_H
#define XS_ORPHANS_H

#include <stdbool.h>

struct xs_server;

/* Returns how many nodes were deleted or handed to dom0. */
long	 xs_orphans_forget(struct xs_server *, unsigned domid);

#endif /* XS_ORPHANS_H */
