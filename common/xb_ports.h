/*
 * xb_ports: which of a backend's rings each of its event-channel ports
 * belongs to, for netback's and blkback's one handle on every guest's
 * channels: evloop hands over a port, this says whose it is.  Owns the
 * table, grown as ports come (to Xen's FIFO ABI's 2^17 at most).
 */
#ifndef SHOAL_XB_PORTS_H
#define SHOAL_XB_PORTS_H

#include <xenevtchn.h>

#define XB_PORTS_MAX	(1u << 17)

struct xb_ports {
	void		**owner;
	unsigned	  n;
};

/* port's owner set (NULL: none); 0, or -1 past the ABI or no memory. */
int	 xb_ports_set(struct xb_ports *, evtchn_port_t, void *owner);
/* port's owner, or NULL. */
void	*xb_ports_get(const struct xb_ports *, evtchn_port_t);
void	 xb_ports_free(struct xb_ports *);

#endif /* SHOAL_XB_PORTS_H */
