/*
 * guest.c: a guest kernel's xenstore and console connections under
 * xensim (guest.h).  Each is an event-channel handle like libxenevtchn's (a socketpair whose
 * far end xensimd and notifiers write port numbers into, and the
 * domain's port state words for masking), to which xensimd binds the
 * domain's store port; sending goes through xensimd, which is slower
 * than libxenevtchn's direct path and simpler: a guest kernel's rings
 * are not where speed is measured.
 */
#include <sys/mman.h>
#include <sys/socket.h>
#include <errno.h>
#include <stddef.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "../evtchn_word.h"
#include "client.h"
#include "guest.h"

#define STATES_LEN	(EVW_PAGE_WORDS * sizeof(evtchn_word))

/*
 * Both public structs have this layout (checked below), so one set of
 * functions serves both; the tree builds with -fno-strict-aliasing.
 */
struct chan {
	void		*page;
	uint32_t	 port;
	int		 fd;
	int		 wfd;
	uint32_t	 h;
	evtchn_word	*states;
};

#define SAME_LAYOUT(t, m)						\
	_Static_assert(offsetof(struct chan, m) == offsetof(t, m),	\
	    #t " and struct chan differ at " #m)
SAME_LAYOUT(struct xsim_xenbus, page);
SAME_LAYOUT(struct xsim_xenbus, port);
SAME_LAYOUT(struct xsim_xenbus, fd);
SAME_LAYOUT(struct xsim_xenbus, wfd);
SAME_LAYOUT(struct xsim_xenbus, h);
SAME_LAYOUT(struct xsim_xenbus, states);
SAME_LAYOUT(struct xsim_console, page);
SAME_LAYOUT(struct xsim_console, port);
SAME_LAYOUT(struct xsim_console, fd);
SAME_LAYOUT(struct xsim_console, wfd);
SAME_LAYOUT(struct xsim_console, h);
SAME_LAYOUT(struct xsim_console, states);
_Static_assert(sizeof(struct chan) == sizeof(struct xsim_xenbus) &&
    sizeof(struct chan) == sizeof(struct xsim_console), "sizes differ");

static void	chan_close(struct chan *);

static int
call(struct chan *xb, uint32_t op, uint32_t a, struct xsim_rsp *r,
    int *fds, int *nfds)
{
	struct xsim_req q = { .op = op, .h = xb->h, .a = a };

	return xsim_call(&q, -1, r, fds, nfds);
}

/* The handle, and the domain's port states it comes with. */
static int
handle_open(struct chan *xb)
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

/* op: XSIM_GUEST_XENBUS or XSIM_GUEST_CONSOLE. */
static int
chan_open(struct chan *xb, uint32_t op)
{
	struct xsim_rsp r;
	int fds[XSIM_CALL_MAX_FDS], nfds, saved;

	memset(xb, 0, sizeof(*xb));
	xb->fd = xb->wfd = -1;
	if (handle_open(xb) == -1 ||
	    call(xb, op, 0, &r, fds, &nfds) == -1)
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
	chan_close(xb);
	errno = saved;
	return -1;
}

static int
chan_notify(struct chan *xb)
{
	struct xsim_rsp r;
	int fds[XSIM_CALL_MAX_FDS], nfds;

	if (call(xb, XSIM_EVT_SEND, xb->port, &r, fds, &nfds) == -1)
		return -1;
	xsim_close_fds(fds, nfds);
	return 0;
}

static int
chan_wait(struct chan *xb, int ms)
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

static void
chan_close(struct chan *xb)
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

int
xsim_xenbus_open(struct xsim_xenbus *xb)
{
	return chan_open((struct chan *)xb, XSIM_GUEST_XENBUS);
}

int
xsim_xenbus_notify(struct xsim_xenbus *xb)
{
	return chan_notify((struct chan *)xb);
}

int
xsim_xenbus_wait(struct xsim_xenbus *xb, int ms)
{
	return chan_wait((struct chan *)xb, ms);
}

void
xsim_xenbus_close(struct xsim_xenbus *xb)
{
	chan_close((struct chan *)xb);
}

int
xsim_console_open(struct xsim_console *con)
{
	return chan_open((struct chan *)con, XSIM_GUEST_CONSOLE);
}

int
xsim_console_notify(struct xsim_console *con)
{
	return chan_notify((struct chan *)con);
}

int
xsim_console_wait(struct xsim_console *con, int ms)
{
	return chan_wait((struct chan *)con, ms);
}

void
xsim_console_close(struct xsim_console *con)
{
	chan_close((struct chan *)con);
}
