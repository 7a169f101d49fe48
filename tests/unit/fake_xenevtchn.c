#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "fake_xenevtchn.h"

struct xenevtchn_handle {
	int	 rfd, wfd;
};

evtchn_port_t	fake_evtchn_unmasked[FAKE_EVTCHN_MAXLOG];
int		fake_evtchn_nunmasked;

xenevtchn_handle *
xenevtchn_open(struct xentoollog_logger *logger, unsigned int flags)
{
	xenevtchn_handle	*h;
	int			 fds[2];

	(void)logger;
	(void)flags;
	if (pipe(fds) == -1 || (h = malloc(sizeof(*h))) == NULL)
		return NULL;
	h->rfd = fds[0];
	h->wfd = fds[1];
	return h;
}

int
xenevtchn_close(xenevtchn_handle *h)
{
	close(h->rfd);
	close(h->wfd);
	free(h);
	return 0;
}

int
xenevtchn_fd(xenevtchn_handle *h)
{
	return h->rfd;
}

xenevtchn_port_or_error_t
xenevtchn_pending(xenevtchn_handle *h)
{
	evtchn_port_t	 port;

	if (read(h->rfd, &port, sizeof(port)) != sizeof(port))
		return -1;
	if (port == FAKE_EVTCHN_FAIL) {
		errno = EIO;
		return -1;
	}
	return (xenevtchn_port_or_error_t)port;
}

int
xenevtchn_unmask(xenevtchn_handle *h, evtchn_port_t port)
{
	(void)h;
	if (fake_evtchn_nunmasked == FAKE_EVTCHN_MAXLOG) {
		errno = ENOSPC;
		return -1;
	}
	fake_evtchn_unmasked[fake_evtchn_nunmasked++] = port;
	return 0;
}

void
fake_evtchn_fire(xenevtchn_handle *h, evtchn_port_t port)
{
	if (write(h->wfd, &port, sizeof(port)) != sizeof(port))
		abort();
}
