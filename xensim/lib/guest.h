/*
 * guest: what a PV guest's kernel has for reaching xenstore, for a
 * program that plays that kernel in a domain created with a raw xenbus
 * (`xensim create --raw-xenbus`): its ring page and its store event
 * channel, as start_info hands them over, and the hypercalls to signal and
 * wait on the channel.  Part of libxensimclient; other domains reach
 * xenstore through the relay with unmodified libxenstore instead.
 *
 * The page is the one granted to dom0 at ref 1, the layout Xen's
 * struct xenstore_domain_interface.  The event channel is the domain's:
 * it outlives the process, so another process of the same domain may open
 * it once this one has closed it (or died).
 */
#ifndef XENSIM_GUEST_H
#define XENSIM_GUEST_H

#include <stdint.h>

#include "../evtchn_word.h"

struct xsim_xenbus {
	void		*page;		/* the xenstore ring page */
	uint32_t	 port;		/* the store event channel */
	int		 fd;		/* readable when the port fired */
	/* private */
	int		 wfd;
	uint32_t	 h;
	evtchn_word	*states;
};

/* 0, or -1 with errno (EPERM: the domain has a relay; EBUSY: taken). */
int	xsim_xenbus_open(struct xsim_xenbus *);
/* Signal the other end (EVTCHNOP_send). */
int	xsim_xenbus_notify(struct xsim_xenbus *);
/*
 * Wait up to ms milliseconds (-1: forever) for the port to fire; then it
 * is unmasked again.  1 when it fired, 0 on timeout, -1 with errno.
 */
int	xsim_xenbus_wait(struct xsim_xenbus *, int ms);
void	xsim_xenbus_close(struct xsim_xenbus *);

#endif /* XENSIM_GUEST_H */
