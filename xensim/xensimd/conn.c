/*
 * conn.c: client connections.  One per client process; each request is
 * one datagram of exactly struct xsim_req, answered by one struct xsim_rsp
 * with any file descriptors attached.  A malformed request closes the
 * connection: a client that sends one is not running our library.
 *
 * Teardown order matters and is Xen's: grant maps and shares go first, so
 * their unmap notifications still find the process's event channels to
 * send on; the event channels go last.
 */
#include <sys/socket.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <xen/xen.h>

#include "log.h"
#include "xensimd.h"

#define REPLY_MAX_FDS	(XSIM_MAX_BATCH + 2)

struct reply {
	struct xsim_rsp	rsp;
	int		fds[REPLY_MAX_FDS];
	int		nfds;
};

static TAILQ_HEAD(, xsim_conn) conns = TAILQ_HEAD_INITIALIZER(conns);

static void	conn_read(int, short, void *);

void
conn_accept(int lfd, short what, void *arg)
{
	struct xsim_conn *c;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd;

	(void)what;
	(void)arg;
	if ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) == -1)
		return;
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		close(fd);
		return;
	}
	c->fd = fd;
	c->uid = (uid_t)-1;	/* unknown: treated as another user */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
		c->pid = cred.pid;
		c->uid = cred.uid;
	}
	TAILQ_INIT(&c->evts);
	TAILQ_INIT(&c->maps);
	c->ev = event_new(xsim_base, fd, EV_READ | EV_PERSIST, conn_read, c);
	if (c->ev == NULL || event_add(c->ev, NULL) == -1) {
		if (c->ev != NULL)
			event_free(c->ev);
		close(fd);
		free(c);
		return;
	}
	TAILQ_INSERT_TAIL(&conns, c, entry);
}

static void
conn_free(struct xsim_conn *c)
{
	struct evt_handle *h;

	gnt_handle_close(c, UINT32_MAX);
	while ((h = TAILQ_FIRST(&c->evts)) != NULL) {
		evt_handle_close(h, c->domid);
		TAILQ_REMOVE(&c->evts, h, entry);
		close(h->sock);
		free(h);
	}
	TAILQ_REMOVE(&conns, c, entry);
	event_free(c->ev);
	close(c->fd);
	free(c);
}

void
conn_close_all(void)
{
	struct xsim_conn *c;

	while ((c = TAILQ_FIRST(&conns)) != NULL)
		conn_free(c);
}

/* A dead domain's processes are gone; so are their connections. */
void
conn_kill_domain(uint32_t domid)
{
	struct xsim_conn *c, *next;

	for (c = TAILQ_FIRST(&conns); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (c->domid == domid && c->hello)
			conn_free(c);
	}
}

static struct evt_handle *
evt_handle_find(struct xsim_conn *c, uint32_t id)
{
	struct evt_handle *h;

	TAILQ_FOREACH(h, &c->evts, entry)
		if (h->id == id)
			return h;
	return NULL;
}

/*
 * A process of another user than xensimd's is a dom0 daemon that has
 * dropped root (docs/privilege.md).  On Xen it keeps what the devices
 * it may still open give: /dev/xen/evtchn and /dev/xen/gntalloc, which
 * deploy makes the group shoal-xen's, but not gntdev (mapping what
 * guests granted dom0) nor privcmd (domains, VIRQs).  So here: event
 * channels and sharing its own pages, nothing else, and only as dom0.
 */
static bool
other_user(const struct xsim_conn *c)
{
	return c->uid != geteuid();
}

static bool
device_allows(uint32_t op)
{
	switch (op) {
	case XSIM_HELLO:
	case XSIM_EVT_OPEN:
	case XSIM_EVT_CLOSE:
	case XSIM_EVT_BIND_UNBOUND:
	case XSIM_EVT_BIND_INTERDOMAIN:
	case XSIM_EVT_UNBIND:
	case XSIM_EVT_PEER:
	case XSIM_GNT_OPEN:
	case XSIM_GNT_CLOSE:
	case XSIM_GNT_SHARE:
	case XSIM_GNT_UNSHARE:
	case XSIM_GNT_SET_NOTIFY:
		return true;
	default:
		return false;
	}
}

static int
op_hello(struct xsim_conn *c, const struct xsim_req *q)
{
	if (q->a != XSIM_PROTO_VERSION)
		return EPROTONOSUPPORT;
	if (q->b != 0 && other_user(c))
		return EPERM;	/* only xensimd makes domains' processes */
	if (dom_find(q->b) == NULL)
		return ESRCH;
	c->domid = q->b;
	c->hello = true;
	return 0;
}

static int
op_evt_open(struct xsim_conn *c, int fd, struct reply *r)
{
	struct evt_handle *h;
	struct dom *d = dom_find(c->domid);

	if (fd == -1 || d == NULL)
		return EINVAL;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return ENOMEM;
	h->id = ++c->next_id;
	h->conn = c;
	h->sock = fd;
	TAILQ_INSERT_TAIL(&c->evts, h, entry);
	r->rsp.h = h->id;
	r->fds[r->nfds++] = d->states_fd;
	return 0;
}

static int
op_evt_close(struct xsim_conn *c, struct evt_handle *h)
{
	evt_handle_close(h, c->domid);
	TAILQ_REMOVE(&c->evts, h, entry);
	close(h->sock);
	free(h);
	return 0;
}

static int
op_evt_peer(struct xsim_conn *c, const struct xsim_req *q, struct reply *r)
{
	struct port *peer;
	struct dom *pd;
	int err = evt_peer(c->domid, q->a, &peer, &pd);

	if (err == ENOTCONN) {
		r->rsp.c = 0;
		return 0;
	}
	if (err != 0)
		return err;
	r->rsp.a = pd->domid;
	r->rsp.b = (uint32_t)(peer - pd->ports);
	r->rsp.c = 1;
	r->fds[r->nfds++] = pd->states_fd;
	r->fds[r->nfds++] = peer->h->sock;
	return 0;
}

/* The caller plays its domain's kernel: its ring page goes with the port. */
static int
op_guest_ring(struct xsim_conn *c, uint32_t op, struct evt_handle *h,
    struct reply *r)
{
	struct dom *d = dom_find(c->domid);
	int err;

	if (d == NULL)
		return ESRCH;
	if (op == XSIM_GUEST_XENBUS)
		err = dom_guest_xenbus(d, h, &r->rsp.a, &r->rsp.b);
	else
		err = dom_guest_console(d, h, &r->rsp.a, &r->rsp.b);
	if (err != 0)
		return err;
	r->fds[r->nfds++] = d->arena.fd;
	return 0;
}

static int
op_evt(struct xsim_conn *c, const struct xsim_req *q, struct reply *r)
{
	struct evt_handle *h = evt_handle_find(c, q->h);

	if (h == NULL)
		return EBADF;
	switch (q->op) {
	case XSIM_EVT_CLOSE:
		return op_evt_close(c, h);
	case XSIM_EVT_BIND_UNBOUND:
		return evt_bind_unbound(h, c->domid, q->a, &r->rsp.a);
	case XSIM_EVT_BIND_INTERDOMAIN:
		return evt_bind_interdomain(h, c->domid, q->a, q->b, &r->rsp.a);
	case XSIM_EVT_BIND_VIRQ:
		/* dom0, and the xenstore domain for VIRQ_DOM_EXC: Xen's
		 * init-xenstore-domain makes it that VIRQ's handler
		 * (xc_domain_set_virq_handler). */
		if ((dom_find(c->domid)->flags & XSIM_DOMF_PRIVILEGED) == 0 &&
		    !(c->domid == xsim_store_domid && c->domid != 0 &&
		    q->a == VIRQ_DOM_EXC))
			return EPERM;
		return evt_bind_virq(h, c->domid, q->a, &r->rsp.a);
	case XSIM_EVT_UNBIND:
		return evt_unbind(h, c->domid, q->a);
	case XSIM_EVT_PEER:
		return op_evt_peer(c, q, r);
	case XSIM_EVT_SEND:
		return evt_send_from(h, c->domid, q->a);
	case XSIM_GUEST_XENBUS:
	case XSIM_GUEST_CONSOLE:
		return op_guest_ring(c, q->op, h, r);
	}
	return ENOSYS;
}

/* A batch of grant copies checked; the caller copies (grant.c). */
static int
op_gnt_copy(struct xsim_conn *c, const struct xsim_req *q, struct reply *r)
{
	if (q->count == 0 || q->datalen < q->count)
		return EINVAL;
	gnt_copy_check(c->domid, q->count, q->doms, q->refs, q->data,
	    r->rsp.refs, r->rsp.pages);
	r->rsp.count = q->count;
	return 0;
}

static int
op_gnt(struct xsim_conn *c, const struct xsim_req *q, struct reply *r)
{
	uint32_t i;
	int err;

	/* SET_NOTIFY carries a port in count, not a number of entries. */
	if (q->op != XSIM_GNT_SET_NOTIFY && q->count > XSIM_MAX_BATCH)
		return EINVAL;
	switch (q->op) {
	case XSIM_GNT_OPEN:
		r->rsp.h = ++c->next_id;
		return 0;
	case XSIM_GNT_CLOSE:
		gnt_handle_close(c, q->h);
		return 0;
	case XSIM_GNT_SHARE:
		err = gnt_share(c, q->h, q->a, q->c != 0, q->count, r->rsp.refs,
		    r->rsp.pages);
		if (err == 0) {
			r->rsp.count = q->count;
			r->fds[r->nfds++] = gnt_arena_fd(c->domid);
		}
		return err;
	case XSIM_GNT_UNSHARE:
		return gnt_unshare(c, q->count, q->refs);
	case XSIM_GNT_MAP:
		err = gnt_map(c, q->h, q->c != 0, q->count, q->doms, q->refs,
		    r->rsp.pages, &r->rsp.a);
		if (err == 0) {
			r->rsp.count = q->count;
			for (i = 0; i < q->count; i++)
				r->fds[r->nfds++] = gnt_arena_fd(q->doms[i]);
		}
		return err;
	case XSIM_GNT_UNMAP:
		return gnt_unmap(c, q->a);
	case XSIM_GNT_SET_NOTIFY:
		return gnt_set_notify(c, q->a, q->b != 0, q->c, q->count);
	case XSIM_GNT_COPY:
		return op_gnt_copy(c, q, r);
	case XSIM_GNT_ARENA:
		if (gnt_arena_fd(q->a) == -1)
			return ESRCH;
		r->rsp.a = (uint32_t)gnt_arena_serial(q->a);
		r->rsp.b = (uint32_t)(gnt_arena_serial(q->a) >> 32);
		r->fds[r->nfds++] = gnt_arena_fd(q->a);
		r->fds[r->nfds++] = gnt_table_fd(q->a);
		return 0;
	}
	return ENOSYS;
}

static int
op_dom_create(const struct xsim_req *q, struct reply *r)
{
	char *argv[64];
	size_t n = 0, off = 0, len;
	char name[XSIM_NAME_MAX];

	if (q->datalen == 0 || q->datalen > sizeof(q->data) ||
	    q->data[q->datalen - 1] != '\0')
		return EINVAL;
	while (off < q->datalen && n < 63) {
		len = strlen(q->data + off);
		argv[n++] = (char *)q->data + off;
		off += len + 1;
	}
	argv[n] = NULL;
	memcpy(name, q->name, sizeof(name));
	name[sizeof(name) - 1] = '\0';
	return dom_create(name, argv, q->b, q->c, q->a, &r->rsp.a);
}

static int
op_dom(struct xsim_conn *c, const struct xsim_req *q, struct reply *r)
{
	struct dom *d;
	size_t max = sizeof(r->rsp.data) / sizeof(struct xsim_dominfo);

	/*
	 * Changing domains is the toolstack's (dom0's) business.  Reading
	 * their state is allowed to the xenstore domain too, which must
	 * learn which domains died: Xen 4.17's default policy (XSM_XS_PRIV
	 * for getdomaininfo) and no one else, so a console domain must
	 * find its domains in xenstore as it would on Xen.
	 */
	if (c->domid != 0 &&
	    !((q->op == XSIM_DOM_INFO || q->op == XSIM_DOM_LIST) &&
	    c->domid == xsim_store_domid) &&
	    !(q->op == XSIM_DOM_SHUTDOWN && q->a == c->domid))
		return EPERM;
	switch (q->op) {
	case XSIM_DOM_CREATE:
		return op_dom_create(q, r);
	case XSIM_DOM_DESTROY:
		if ((d = dom_find(q->a)) == NULL)
			return ESRCH;
		return dom_destroy(d);
	case XSIM_DOM_UNPAUSE:
		if ((d = dom_find(q->a)) == NULL)
			return ESRCH;
		return dom_unpause(d);
	case XSIM_DOM_SHUTDOWN:
		if ((d = dom_find(q->a)) == NULL)
			return ESRCH;
		return dom_shutdown(d, q->b);
	case XSIM_DOM_RESUME:
		if ((d = dom_find(q->a)) == NULL)
			return ESRCH;
		return dom_resume(d);
	case XSIM_DOM_PAUSE:
		if ((d = dom_find(q->a)) == NULL)
			return ESRCH;
		return dom_pause(d);
	case XSIM_DOM_INFO:
		if ((d = dom_find(q->a)) == NULL)
			return ESRCH;
		dom_info(d, (struct xsim_dominfo *)r->rsp.data);
		r->rsp.datalen = sizeof(struct xsim_dominfo);
		return 0;
	case XSIM_DOM_LIST:
		r->rsp.count = dom_list(q->a, (struct xsim_dominfo *)r->rsp.data,
		    max);
		r->rsp.datalen = r->rsp.count * sizeof(struct xsim_dominfo);
		return 0;
	case XSIM_SHUTDOWN:
		xsim_stop();
		return 0;
	}
	return ENOSYS;
}

static int
dispatch(struct xsim_conn *c, const struct xsim_req *q, int fd,
    struct reply *r)
{
	if (q->op == XSIM_HELLO)
		return c->hello ? EALREADY : op_hello(c, q);
	if (!c->hello)
		return ENOTCONN;
	if (other_user(c) && !device_allows(q->op))
		return EACCES;
	if (q->op == XSIM_EVT_OPEN)
		return op_evt_open(c, fd, r);
	if ((q->op >= XSIM_EVT_CLOSE && q->op <= XSIM_EVT_PEER) ||
	    q->op == XSIM_EVT_SEND || q->op == XSIM_GUEST_XENBUS ||
	    q->op == XSIM_GUEST_CONSOLE)
		return op_evt(c, q, r);
	if ((q->op >= XSIM_GNT_OPEN && q->op <= XSIM_GNT_SET_NOTIFY) ||
	    q->op == XSIM_GNT_COPY || q->op == XSIM_GNT_ARENA)
		return op_gnt(c, q, r);
	if ((q->op >= XSIM_DOM_CREATE && q->op <= XSIM_SHUTDOWN) ||
	    q->op == XSIM_DOM_SHUTDOWN || q->op == XSIM_DOM_RESUME ||
	    q->op == XSIM_DOM_PAUSE)
		return op_dom(c, q, r);
	return ENOSYS;
}

/* One request and at most one descriptor with it. */
static ssize_t
recv_req(int fd, struct xsim_req *q, int *rfd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { q, sizeof(*q) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	ssize_t n;

	*rfd = -1;
	if ((n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC)) <= 0)
		return n;
	for (cm = CMSG_FIRSTHDR(&msg); cm != NULL; cm = CMSG_NXTHDR(&msg, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
		    cm->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(rfd, CMSG_DATA(cm), sizeof(int));
	if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
		errno = EMSGSIZE;
		return -1;
	}
	return n;
}

static int
send_reply(int fd, struct reply *r)
{
	char cbuf[CMSG_SPACE(sizeof(int) * REPLY_MAX_FDS)];
	struct iovec iov = { &r->rsp, sizeof(r->rsp) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	if (r->nfds > 0) {
		msg.msg_control = cbuf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * r->nfds);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * r->nfds);
		memcpy(CMSG_DATA(cm), r->fds, sizeof(int) * r->nfds);
	}
	return sendmsg(fd, &msg, MSG_NOSIGNAL) == (ssize_t)sizeof(r->rsp) ?
	    0 : -1;
}

static void
conn_read(int fd, short what, void *arg)
{
	struct xsim_conn *c = arg;
	static struct xsim_req q;
	static struct reply r;
	int rfd;
	ssize_t n;

	(void)what;
	n = recv_req(fd, &q, &rfd);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n != (ssize_t)sizeof(q)) {
		if (n != 0)
			log_warnx("pid %d: bad request, dropping it", (int)c->pid);
		if (rfd != -1)
			close(rfd);
		conn_free(c);
		return;
	}
	memset(&r, 0, sizeof(r));
	r.rsp.err = dispatch(c, &q, rfd, &r);
	r.rsp.h = r.rsp.h ? r.rsp.h : q.h;
	/* The handle socket is kept only by a successful EVT_OPEN. */
	if (rfd != -1 && !(q.op == XSIM_EVT_OPEN && r.rsp.err == 0))
		close(rfd);
	if (r.rsp.err != 0)
		r.nfds = 0;
	if (send_reply(fd, &r) == -1)
		conn_free(c);
}
