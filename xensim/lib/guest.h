/*
 * guest: what a PV guest's kernel has for reaching xenstore and its
 * console, for a program that plays that kernel: a ring page and an
 * event channel each, as start_info hands them over, and the hypercalls
 * to signal and wait on the channel.  Part of libxensimclient.
 *
 * xenbus: only in a domain created with a raw xenbus (`xensim create
 * --raw-xenbus`); other domains reach xenstore through the relay with
 * unmodified libxenstore instead.  The page is the one granted to dom0 at
 * ref 1, the layout Xen's struct xenstore_domain_interface.
 *
 * console: in every domain but dom0 (nothing in xensim plays the console
 * driver, so without a program that takes it the ring stays silent).
 * The page is the one granted to dom0 at ref 0, the layout Xen's
 * struct xencons_interface (xen/io/console.h); the program is the
 * ring's producer on `out` and consumer on `in`, as hvc_xen is.
 *
 * Either event channel is the domain's: it outlives the process, so
 * another process of the same domain may open it once this one has
 * closed it (or died).
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

/* The same, for the console; the fields mean what they mean above. */
struct xsim_console {
	void		*page;		/* struct xencons_interface */
	uint32_t	 port;		/* the console event channel */
	int		 fd;
	/* private */
	int		 wfd;
	uint32_t	 h;
	evtchn_word	*states;
};

/* 0, or -1 with errno (EPERM: dom0; EBUSY: another process has it). */
int	xsim_console_open(struct xsim_console *);
int	xsim_console_notify(struct xsim_console *);
int	xsim_console_wait(struct xsim_console *, int ms);
void	xsim_console_close(struct xsim_console *);

#endif /* XENSIM_GUEST_H */
