/*
 * guest.c: a guest kernel's xenstore connection under xensim (guest.h).
 * It is an event-channel handle like libxenevtchn's (a socketpair whose
 * far end xensimd and notifiers write port numbers into, and the
 * domain's port state words for masking), to which xensimd binds the
 * domain's store port; sending goes through xensimd, which is slower
 * than libxenevtchn's direct path and simpler: a guest kernel's rings
 * are not where speed is measured.
 */
#include <sys/mman.h>
#include <sys/socket.h>
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "../evtchn_word.h"
#include "client.h"
#include "guest.h"

#define STATES_LEN	(EVW_PAGE_WORDS * sizeof(evtchn_word))

static int
call(struct xsim_xenbus *xb, uint32_t op, uint32_t a, struct xsim_rsp *r,
    int *fds, int *nfds)
{
	struct xsim_req q = { .op = op, .h = xb->h, .a = a };

	return xsim_call(&q, -1, r, fds, nfds);
}

/* The handle, and the domain's port states it comes with. */
static int
handle_open(struct xsim_xenbus *xb)
{
	struct xsim_req q = { .op = XSIM_EVT_OPEN };
	struct xsim_rsp r;
	int sv[2], fds[XSIM_CALL_MAX_FDS], nfds;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		return -1;
	xb->fd = sv[0];
	xb->wfd = sv[1];
	if (xsim_call(&q, sv[1], &r, fds, &nfds) == -1)
		return -1;
	xb->h = r.h;
	if (nfds == 1)
		xb->states = mmap(NULL, STATES_LEN, PROT_READ | PROT_WRITE,
		    MAP_SHARED, fds[0], 0);
	xsim_close_fds(fds, nfds);
	if (nfds != 1 || xb->states == MAP_FAILED) {
		xb->states = NULL;
		errno = EPROTO;
		return -1;
	}
	return 0;
}

int
xsim_xenbus_open(struct xsim_xenbus *xb)
{
	struct xsim_rsp r;
	int fds[XSIM_CALL_MAX_FDS], nfds, saved;

	memset(xb, 0, sizeof(*xb));
	xb->fd = xb->wfd = -1;
	if (handle_open(xb) == -1 ||
	    call(xb, XSIM_GUEST_XENBUS, 0, &r, fds, &nfds) == -1)
		goto fail;
	xb->port = r.a;
	if (nfds == 1)
		xb->page = mmap(NULL, XSIM_PAGE_SIZE, PROT_READ | PROT_WRITE,
		    MAP_SHARED, fds[0], (off_t)r.b * XSIM_PAGE_SIZE);
	xsim_close_fds(fds, nfds);
	if (nfds != 1 || xb->page == MAP_FAILED) {
		xb->page = NULL;
		errno = EPROTO;
		goto fail;
	}
	return 0;
fail:
	saved = errno;
	xsim_xenbus_close(xb);
	errno = saved;
	return -1;
}

int
xsim_xenbus_notify(struct xsim_xenbus *xb)
{
	struct xsim_rsp r;
	int fds[XSIM_CALL_MAX_FDS], nfds;

	if (call(xb, XSIM_EVT_SEND, xb->port, &r, fds, &nfds) == -1)
		return -1;
	xsim_close_fds(fds, nfds);
	return 0;
}

int
xsim_xenbus_wait(struct xsim_xenbus *xb, int ms)
{
	struct pollfd pfd = { .fd = xb->fd, .events = POLLIN };
	uint32_t port;
	ssize_t n;
	int rc;

	while ((rc = poll(&pfd, 1, ms)) == -1 && errno == EINTR)
		;
	if (rc <= 0)
		return rc;
	/* Ports arrive whole: a 4-byte write to a stream socket. */
	if ((n = read(xb->fd, &port, sizeof(port))) != sizeof(port)) {
		errno = n == 0 ? EPIPE : n == -1 ? errno : EPROTO;
		return -1;
	}
	/* Raised again while masked: deliver it to ourselves once more. */
	if (port < XSIM_MAX_PORTS && evw_unmask(&xb->states[port]) &&
	    send(xb->wfd, &port, sizeof(port), MSG_DONTWAIT | MSG_NOSIGNAL) !=
	    sizeof(port))
		return -1;
	return 1;
}

void
xsim_xenbus_close(struct xsim_xenbus *xb)
{
	struct xsim_rsp r;
	int fds[XSIM_CALL_MAX_FDS], nfds;

	/* xensimd lets go of the port; it stays the domain's. */
	if (xb->h != 0 && call(xb, XSIM_EVT_CLOSE, 0, &r, fds, &nfds) == 0)
		xsim_close_fds(fds, nfds);
	if (xb->page != NULL)
		munmap(xb->page, XSIM_PAGE_SIZE);
	if (xb->states != NULL)
		munmap((void *)xb->states, STATES_LEN);
	if (xb->fd != -1)
		close(xb->fd);
	if (xb->wfd != -1)
		close(xb->wfd);
	memset(xb, 0, sizeof(*xb));
	xb->fd = xb->wfd = -1;
}
