/*
 * client: a process's one connection to xensimd (libxensimclient.so.0),
 * shared by the drop-in libxenevtchn and libxengnttab.  One connection per
 * process lets xensimd tear a dead process down in Xen's order (see
 * proto.h).  It connects on first use, again after fork (a child must not
 * speak on its parent's connection), and serialises calls from threads.
 */
#ifndef XENSIM_CLIENT_H
#define XENSIM_CLIENT_H

#include "../proto.h"

#define XSIM_CALL_MAX_FDS	(XSIM_MAX_BATCH + 2)

/*
 * Send q (with sendfd, if not -1) and wait for the reply.  Returns 0, or
 * -1 with errno set (the reply's error, or the transport's).  Descriptors
 * in the reply are stored in fds[]; the caller owns and closes them.
 */
int		xsim_call(struct xsim_req *q, int sendfd, struct xsim_rsp *r,
		    int *fds, int *nfds);
uint32_t	xsim_domid(void);
void		xsim_close_fds(int *fds, int nfds);
/* A call that sends and takes no descriptors and needs no answer but
 * its error: 0, or -1 with errno. */
int		xsim_call_simple(uint32_t op, uint32_t h, uint32_t a, uint32_t b,
		    uint32_t c, uint32_t count);

#endif /* XENSIM_CLIENT_H */
