/*
 * evtchn.c: xensim's libxenevtchn.so.1, the same API and symbol versions
 * as Xen's.  A handle is a stream socketpair: xensimd and the peers that
 * notify us hold one end and write 4-byte port numbers into it, we read
 * them from the other (xenevtchn_fd).  Binding goes through xensimd;
 * notifying does not, once we know where our port's events go: we raise
 * the peer's state word and, if it says so, write to the peer's socket.
 */
#include <sys/mman.h>
#include <sys/socket.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xenevtchn.h>

#include "../evtchn_word.h"
#include "client.h"

#define STATES_LEN	(EVW_PAGE_WORDS * sizeof(evtchn_word))
#define PUBLIC		__attribute__((visibility("default")))

/* Where events sent on one of our ports go, as of generation gen. */
struct evt_peer {
	uint32_t	 gen;
	int		 sock;		/* -1: unknown */
	uint32_t	 port;
	evtchn_word	*states;
};

/* A peer domain's state words, mapped once per handle. */
struct evt_remote {
	uint32_t	 domid;
	evtchn_word	*states;
};

struct xenevtchn_handle {
	uint32_t		 id;
	int			 rfd, wfd;
	evtchn_word		*states;
	pthread_mutex_t		 lock;
	struct evt_peer		 peers[XSIM_MAX_PORTS];
	struct evt_remote	*remotes;
	size_t			 nremotes;
};

static int
call(xenevtchn_handle *xce, uint32_t op, uint32_t a, uint32_t b,
    struct xsim_rsp *r)
{
	struct xsim_req q = { .op = op, .h = xce->id, .a = a, .b = b };
	int fds[XSIM_CALL_MAX_FDS], nfds;

	if (xsim_call(&q, -1, r, fds, &nfds) == -1)
		return -1;
	xsim_close_fds(fds, nfds);
	return 0;
}

static void
peer_forget(xenevtchn_handle *xce, uint32_t port)
{
	struct evt_peer *p = &xce->peers[port];

	if (p->sock != -1)
		close(p->sock);
	p->sock = -1;
}

PUBLIC xenevtchn_handle *
xenevtchn_open(struct xentoollog_logger *logger, unsigned open_flags)
{
	struct xsim_req q = { .op = XSIM_EVT_OPEN };
	struct xsim_rsp r;
	xenevtchn_handle *xce;
	int sv[2], fds[XSIM_CALL_MAX_FDS], nfds, cloexec;

	(void)logger;
	cloexec = (open_flags & XENEVTCHN_NO_CLOEXEC) ? 0 : SOCK_CLOEXEC;
	if ((xce = calloc(1, sizeof(*xce))) == NULL)
		return NULL;
	for (size_t i = 0; i < XSIM_MAX_PORTS; i++)
		xce->peers[i].sock = -1;
	pthread_mutex_init(&xce->lock, NULL);
	if (socketpair(AF_UNIX, SOCK_STREAM | cloexec, 0, sv) == -1)
		goto fail;
	xce->rfd = sv[0];
	xce->wfd = sv[1];
	if (xsim_call(&q, sv[1], &r, fds, &nfds) == -1)
		goto fail_fds;
	xce->id = r.h;
	if (nfds != 1)
		goto fail_reply;
	xce->states = mmap(NULL, STATES_LEN, PROT_READ | PROT_WRITE,
	    MAP_SHARED, fds[0], 0);
	if (xce->states == MAP_FAILED)
		goto fail_reply;
	xsim_close_fds(fds, nfds);
	return xce;
fail_reply:
	xsim_close_fds(fds, nfds);
	errno = EPROTO;
fail_fds:
	close(sv[0]);
	close(sv[1]);
fail:
	free(xce);
	return NULL;
}

PUBLIC xenevtchn_handle *
xenevtchn_fdopen(struct xentoollog_logger *logger, int fd,
    unsigned open_flags)
{
	(void)logger;
	(void)fd;
	(void)open_flags;
	errno = EOPNOTSUPP;	/* docs/xensim.md: not simulated yet */
	return NULL;
}

PUBLIC int
xenevtchn_close(xenevtchn_handle *xce)
{
	struct xsim_rsp r;
	size_t i;

	if (xce == NULL)
		return 0;
	call(xce, XSIM_EVT_CLOSE, 0, 0, &r);
	for (i = 0; i < XSIM_MAX_PORTS; i++)
		peer_forget(xce, i);
	for (i = 0; i < xce->nremotes; i++)
		munmap(xce->remotes[i].states, STATES_LEN);
	free(xce->remotes);
	munmap(xce->states, STATES_LEN);
	close(xce->rfd);
	close(xce->wfd);
	pthread_mutex_destroy(&xce->lock);
	free(xce);
	return 0;
}

PUBLIC int
xenevtchn_fd(xenevtchn_handle *xce)
{
	return xce->rfd;
}

PUBLIC int
xenevtchn_restrict(xenevtchn_handle *xce, domid_t domid)
{
	(void)xce;
	(void)domid;
	return 0;	/* docs/xensim.md: accepted, not enforced */
}

static evtchn_word *
remote_states(xenevtchn_handle *xce, uint32_t domid, int fd)
{
	struct evt_remote *nr;
	evtchn_word *w;
	size_t i;

	for (i = 0; i < xce->nremotes; i++)
		if (xce->remotes[i].domid == domid)
			return xce->remotes[i].states;
	w = mmap(NULL, STATES_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (w == MAP_FAILED)
		return NULL;
	nr = reallocarray(xce->remotes, xce->nremotes + 1, sizeof(*nr));
	if (nr == NULL) {
		munmap(w, STATES_LEN);
		return NULL;
	}
	xce->remotes = nr;
	nr[xce->nremotes++] = (struct evt_remote){ domid, w };
	return w;
}

/* Ask xensimd where port's events go.  0 with sock -1: nowhere yet. */
static int
peer_lookup(xenevtchn_handle *xce, uint32_t port)
{
	struct xsim_req q = { .op = XSIM_EVT_PEER, .h = xce->id, .a = port };
	struct evt_peer *p = &xce->peers[port];
	struct xsim_rsp r;
	int fds[XSIM_CALL_MAX_FDS], nfds;

	peer_forget(xce, port);
	p->gen = atomic_load(evw_gen(xce->states, port));
	if (xsim_call(&q, -1, &r, fds, &nfds) == -1)
		return -1;
	if (r.c == 0 || nfds != 2) {
		xsim_close_fds(fds, nfds);
		return 0;
	}
	if ((p->states = remote_states(xce, r.a, fds[0])) == NULL) {
		xsim_close_fds(fds, nfds);
		return -1;
	}
	close(fds[0]);
	p->sock = fds[1];
	p->port = r.b;
	return 0;
}

PUBLIC int
xenevtchn_notify(xenevtchn_handle *xce, evtchn_port_t port)
{
	struct evt_peer *p;
	uint32_t v;
	int rc = 0;

	if (port == 0 || port >= XSIM_MAX_PORTS) {
		errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&xce->lock);
	p = &xce->peers[port];
	if (p->sock == -1 ||
	    p->gen != atomic_load(evw_gen(xce->states, port)))
		rc = peer_lookup(xce, port);
	if (rc == 0 && p->sock != -1 && evw_raise(&p->states[p->port])) {
		v = p->port;
		/* A vanished peer handle is an unbound port: no error. */
		if (send(p->sock, &v, sizeof(v), MSG_DONTWAIT | MSG_NOSIGNAL) !=
		    sizeof(v))
			peer_forget(xce, port);
	}
	pthread_mutex_unlock(&xce->lock);
	return rc;
}

static xenevtchn_port_or_error_t
bind_call(xenevtchn_handle *xce, uint32_t op, uint32_t a, uint32_t b)
{
	struct xsim_rsp r;

	if (call(xce, op, a, b, &r) == -1)
		return -1;
	pthread_mutex_lock(&xce->lock);
	if (r.a < XSIM_MAX_PORTS)
		peer_forget(xce, r.a);
	pthread_mutex_unlock(&xce->lock);
	return (xenevtchn_port_or_error_t)r.a;
}

PUBLIC xenevtchn_port_or_error_t
xenevtchn_bind_unbound_port(xenevtchn_handle *xce, uint32_t domid)
{
	return bind_call(xce, XSIM_EVT_BIND_UNBOUND, domid, 0);
}

PUBLIC xenevtchn_port_or_error_t
xenevtchn_bind_interdomain(xenevtchn_handle *xce, uint32_t domid,
    evtchn_port_t remote_port)
{
	return bind_call(xce, XSIM_EVT_BIND_INTERDOMAIN, domid, remote_port);
}

PUBLIC xenevtchn_port_or_error_t
xenevtchn_bind_virq(xenevtchn_handle *xce, unsigned int virq)
{
	return bind_call(xce, XSIM_EVT_BIND_VIRQ, virq, 0);
}

PUBLIC int
xenevtchn_unbind(xenevtchn_handle *xce, evtchn_port_t port)
{
	struct xsim_rsp r;

	if (call(xce, XSIM_EVT_UNBIND, port, 0, &r) == -1)
		return -1;
	pthread_mutex_lock(&xce->lock);
	if (port < XSIM_MAX_PORTS)
		peer_forget(xce, port);
	pthread_mutex_unlock(&xce->lock);
	return 0;
}

/* Blocks until a port arrives, as a read of /dev/xen/evtchn does. */
PUBLIC xenevtchn_port_or_error_t
xenevtchn_pending(xenevtchn_handle *xce)
{
	uint32_t port;
	size_t got = 0;
	ssize_t n;

	while (got < sizeof(port)) {
		n = read(xce->rfd, (char *)&port + got, sizeof(port) - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EPIPE;
			return -1;
		}
		got += n;
	}
	return (xenevtchn_port_or_error_t)port;
}

PUBLIC int
xenevtchn_unmask(xenevtchn_handle *xce, evtchn_port_t port)
{
	uint32_t v = port;

	if (port == 0 || port >= XSIM_MAX_PORTS) {
		errno = EINVAL;
		return -1;
	}
	if (evw_unmask(&xce->states[port]) &&
	    send(xce->wfd, &v, sizeof(v), MSG_DONTWAIT | MSG_NOSIGNAL) !=
	    sizeof(v))
		return -1;
	return 0;
}
