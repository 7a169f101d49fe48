/*
 * xs_ring: domain connections, the Xen side of a guest's xenstore ring.
 *
 * Owns the event-channel and grant-table handles, the VIRQ_DOM_EXC
 * binding, and one ring per introduced domain: INTRODUCE maps the
 * domain's xenstore page (the reserved grant ref 1) and binds its event
 * channel, and the ring becomes an xs_conn transport acting for that
 * domain.  RELEASE, or the domain's death (VIRQ_DOM_EXC, then domain
 * info), tears it down and fires @releaseDomain; INTRODUCE fires
 * @introduceDomain.
 *
 * Ring indices come from the guest and are not trusted: a producer more
 * than a ring's size ahead of the consumer marks the ring's error field
 * (XENSTORE_ERROR_RINGIDX, the ring error indicator feature) and drops
 * that connection alone; the domain stays introduced until released.
 *
 * On Xen it also serves dom0's own kernel, whose ring is xenfs's
 * /proc/xen/xsd_kva and /proc/xen/xsd_port.
 *
 * Without event channels (a plain host with neither Xen nor xensim)
 * xs_rings_open() returns NULL and the daemon serves its socket alone.
 */
#ifndef XS_RING_H
#define XS_RING_H

#include <stdbool.h>

struct evloop;
struct xs_rings;
struct xs_server;

struct xs_rings	*xs_rings_open(struct evloop *, struct xs_server *);
/* After the server's connections are gone and the loop is freed. */
void		 xs_rings_close(struct xs_rings *);

/* 0 or an errno for the reply. */
int		 xs_ring_introduce(struct xs_rings *, unsigned domid,
		    unsigned port);
/*
 * In a xenstore domain (--event): dom0 reaches us through a ring of its
 * own, its page at dom0's grant ref 1 and port the one given, as Xen's
 * xenstore stub domain is told on its command line.  0 or an errno.
 */
int		 xs_ring_dom0(struct xs_rings *, unsigned port);
int		 xs_ring_release(struct xs_rings *, unsigned domid);
int		 xs_ring_resume(struct xs_rings *, unsigned domid);

/*
 * Live update (xs_state).  The old process lists its rings and unbinds
 * their ports before exec; the new one adopts each (the same page and
 * guest port, no @introduceDomain), then kicks them all once its state
 * is back.  dom0's kernel ring is set up afresh by xs_rings_open() and
 * found with xs_rings_kernel_conn().  conn is NULL for a ring whose
 * connection was dropped (the domain stays introduced).
 */
struct xs_conn;
typedef void	(*xs_rings_fn)(unsigned domid, unsigned rport,
		    struct xs_conn *, void *);
void		 xs_rings_foreach(struct xs_rings *, xs_rings_fn, void *);
void		 xs_rings_prepare_exec(struct xs_rings *);
struct xs_conn	*xs_ring_adopt(struct xs_rings *, unsigned domid,
		    unsigned rport, bool serve);
struct xs_conn	*xs_rings_kernel_conn(struct xs_rings *);
void		 xs_rings_kick_all(struct xs_rings *);
/* exec failed: bind the ports again. */
void		 xs_rings_rebind(struct xs_rings *);

#endif /* XS_RING_H */
