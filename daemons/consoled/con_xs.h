/*
 * con_xs: finding domains and their consoles through xenstore, as
 * xenconsoled does.
 *
 * Owns the xenstore and xenctrl handles and the watches: @introduceDomain
 * and @releaseDomain make us list the domains; a new one gets a con_dom
 * and a watch on /local/domain/N/console, a gone or dying one is freed
 * (after its last words).  Xen lists domains (xc_domain_getinfo) to dom0
 * and the xenstore domain only; in a console domain Xen says EPERM and
 * the list is read from xenstore instead: the directories under
 * /local/domain, which the toolstack makes at creation and removes at
 * destruction, and which dom0 must grant the console domain to read.
 * When that watch fires, console/ring-ref, console/port and console/type
 * are read: type, when present, must be "xenconsoled" (anything else,
 * such as "ioemu", is served by someone else); a new ring-ref or port
 * attaches the ring again.  Once attached, console/tty is written (libxl
 * waits for it): the pty's path in dom0, else a path that says why not.
 *
 * Domain 0 is never served: its console is Xen's own, it has no ring.
 * Nor is our own domain, when consoled runs in a console domain of its
 * own (/tool/xenconsoled/domid names it; its own console is dom0's).
 */
#ifndef CON_XS_H
#define CON_XS_H

struct con_doms;
struct con_xs;
struct xs_filter;

/*
 * What of the store it reads and writes, for a consoled confined to its
 * user (xs_filter.h): the domain list, each domain's name and console
 * nodes, its tty node, and the two special watches.  -1 if full.
 */
int		 con_xs_store_rules(struct xs_filter *);

/* NULL (logged) if xenstore or xenctrl cannot be opened. */
struct con_xs	*con_xs_open(struct con_doms *);
/* Before con_doms_fini(): the watches go, the domains stay. */
void		 con_xs_close(struct con_xs *);

#endif /* CON_XS_H */
