#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xen/io/xs_wire.h>
#include <xenstore.h>

#include "log.h"
#include "privdrop.h"
#include "rpc_vchan.h"
#include "xs_broker.h"
#include "xs_filter.h"

#define MSG_MAX		(sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX)

/* One message being read from one side. */
struct msgbuf {
	size_t		 have;
	unsigned char	 buf[MSG_MAX];
};

struct client {
	int		 down;		/* the daemon's connection */
	int		 up;		/* ours to the store */
	struct msgbuf	 req, rsp;
};

struct broker {
	const struct xs_filter	*filter;
	const char		*upstream;	/* XENSTORED_PATH, or NULL */
	uid_t			 uid;
	int			 listen_fd, lifeline;
	struct client		 clients[XS_BROKER_CLIENTS];
	size_t			 nclients;
};

static pid_t			 broker_pid = -1;
static volatile sig_atomic_t	 stopping;

pid_t
xs_broker_pid(void)
{
	return broker_pid;
}

/* ---- the store's side ---- */

static int
open_path(const char *path)
{
	struct sockaddr_un	 sun = { .sun_family = AF_UNIX };
	struct stat		 st;
	int			 fd;

	if (stat(path, &st) != 0)
		return -1;
	if (!S_ISSOCK(st.st_mode))
		return open(path, O_RDWR | O_CLOEXEC);
	if (strlen(path) >= sizeof(sun.sun_path) ||
	    (fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
		return fd;
	close(fd);
	return -1;
}

/* Where libxenstore would go: XENSTORED_PATH, else the daemon's socket,
 * else the kernel's xenbus device. */
static int
open_store(const char *upstream)
{
	char		 sock[PATH_MAX];
	const char	*rundir = getenv("XENSTORED_RUNDIR");
	int		 fd;

	if (upstream != NULL)
		return open_path(upstream);
	snprintf(sock, sizeof(sock), "%s/socket", rundir != NULL ? rundir :
	    "/var/run/xenstored");
	if ((fd = open_path(sock)) != -1 ||
	    (fd = open_path("/dev/xen/xenbus")) != -1)
		return fd;
	return open_path("/proc/xen/xenbus");
}

/* ---- whole messages ---- */

/*
 * Reads what is there of the message under way: 1 once it is whole, 0
 * for more to come, -1 at the end or for a message over the store's
 * limit (the connection goes).
 */
static int
read_msg(int fd, struct msgbuf *m)
{
	struct xsd_sockmsg	 h;
	size_t			 want = sizeof(h);
	ssize_t			 n;

	if (m->have >= sizeof(h)) {
		memcpy(&h, m->buf, sizeof(h));
		if (h.len > XENSTORE_PAYLOAD_MAX)
			return -1;
		want += h.len;
	}
	if ((n = read(fd, m->buf + m->have, want - m->have)) <= 0)
		return n < 0 && (errno == EINTR || errno == EAGAIN) ? 0 : -1;
	m->have += (size_t)n;
	if (m->have == sizeof(h)) {
		memcpy(&h, m->buf, sizeof(h));
		if (h.len > XENSTORE_PAYLOAD_MAX)
			return -1;
		return h.len == 0 ? 1 : 0;
	}
	return m->have == want ? 1 : 0;
}

static int
write_all(int fd, const void *buf, size_t len)
{
	const unsigned char	*p = buf;
	ssize_t			 n;

	while (len > 0) {
		if ((n = write(fd, p, len)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The store's own answer to a refused request: XS_ERROR, "EACCES". */
static int
refuse(int fd, const struct xsd_sockmsg *req, int err)
{
	const char		*name = err == EINVAL ? "EINVAL" : "EACCES";
	struct xsd_sockmsg	 h = { .type = XS_ERROR,
				    .req_id = req->req_id,
				    .tx_id = req->tx_id,
				    .len = (uint32_t)strlen(name) + 1 };
	unsigned char		 out[sizeof(h) + 8];

	memcpy(out, &h, sizeof(h));
	memcpy(out + sizeof(h), name, h.len);
	return write_all(fd, out, sizeof(h) + h.len);
}

/* The request's path for the log, if it is one: never raw bytes. */
static const char *
shown_path(const unsigned char *payload, size_t len)
{
	size_t	 i;

	for (i = 0; i < len && payload[i] != '\0'; i++)
		if (!isgraph(payload[i]))
			return "not a printable path";
	return i < len && i > 0 ? (const char *)payload : "no path";
}

static int
forward_request(struct broker *b, struct client *c)
{
	struct xsd_sockmsg	 h;
	int			 err;

	memcpy(&h, c->req.buf, sizeof(h));
	c->req.have = 0;
	err = xs_filter_check(b->filter, h.type,
	    (const char *)c->req.buf + sizeof(h), h.len);
	if (err == 0)
		return write_all(c->up, c->req.buf, sizeof(h) + h.len);
	log_warnx("refused a request of type %u (%s)", h.type,
	    shown_path(c->req.buf + sizeof(h), h.len));
	return refuse(c->down, &h, err);
}

static int
forward_reply(struct client *c)
{
	struct xsd_sockmsg	 h;

	memcpy(&h, c->rsp.buf, sizeof(h));
	c->rsp.have = 0;
	return write_all(c->down, c->rsp.buf, sizeof(h) + h.len);
}

/* ---- connections ---- */

static void
drop_client(struct broker *b, size_t i)
{
	close(b->clients[i].down);
	close(b->clients[i].up);
	b->clients[i] = b->clients[--b->nclients];
}

/* Only the daemon's user: the socket's folder is its alone as well. */
static bool
from_daemon(const struct broker *b, int fd)
{
	struct ucred	 cr;
	socklen_t	 len = sizeof(cr);

	return getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) == 0 &&
	    cr.uid == b->uid;
}

static void
accept_client(struct broker *b)
{
	struct timeval	 tv = { XS_BROKER_SEND_MS / 1000,
			    (XS_BROKER_SEND_MS % 1000) * 1000 };
	struct client	*c;
	int		 fd, up;

	if ((fd = accept4(b->listen_fd, NULL, NULL, SOCK_CLOEXEC)) == -1)
		return;
	if (!from_daemon(b, fd) || b->nclients == XS_BROKER_CLIENTS) {
		log_warnx("a connection refused (%s)",
		    b->nclients == XS_BROKER_CLIENTS ? "too many" :
		    "not the daemon's user");
		close(fd);
		return;
	}
	if ((up = open_store(b->upstream)) == -1) {
		log_warn("the store");
		close(fd);
		return;
	}
	/* Bounded: a daemon that stops reading loses the connection. */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	c = &b->clients[b->nclients++];
	memset(c, 0, sizeof(*c));
	c->down = fd;
	c->up = up;
}

static int
serve_client(struct broker *b, struct client *c, short down_ev,
    short up_ev)
{
	int	 r;

	if (down_ev & (POLLIN | POLLHUP | POLLERR)) {
		if ((r = read_msg(c->down, &c->req)) < 0 ||
		    (r == 1 && forward_request(b, c) != 0))
			return -1;
	}
	if (up_ev & (POLLIN | POLLHUP | POLLERR)) {
		if ((r = read_msg(c->up, &c->rsp)) < 0 ||
		    (r == 1 && forward_reply(c) != 0))
			return -1;
	}
	return 0;
}

static void
on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

static void
serve(struct broker *b)
{
	struct pollfd	 pf[2 + 2 * XS_BROKER_CLIENTS];
	sigset_t	 open_mask;
	size_t		 i, n;

	sigemptyset(&open_mask);
	while (!stopping) {
		pf[0] = (struct pollfd){ .fd = b->listen_fd, .events = POLLIN };
		pf[1] = (struct pollfd){ .fd = b->lifeline, .events = POLLIN };
		for (i = 0; i < b->nclients; i++) {
			pf[2 + 2 * i] = (struct pollfd){
			    .fd = b->clients[i].down, .events = POLLIN };
			pf[3 + 2 * i] = (struct pollfd){
			    .fd = b->clients[i].up, .events = POLLIN };
		}
		n = b->nclients;
		/* SIGTERM is let in only while waiting. */
		if (ppoll(pf, 2 + 2 * n, NULL, &open_mask) == -1)
			continue;
		/* The daemon's end is closed: every holder has gone. */
		if (pf[1].revents != 0)
			break;
		/* Backwards: dropping one moves the last into its place. */
		for (i = n; i-- > 0;)
			if (serve_client(b, &b->clients[i], pf[2 + 2 * i].revents,
			    pf[3 + 2 * i].revents) != 0)
				drop_client(b, i);
		if (pf[0].revents & POLLIN)
			accept_client(b);
	}
}

/* ---- the broker's process ---- */

static void
broker_confine(const char *dir)
{
	struct privdrop	 p;

	/* Root still (to open the store), but nothing else of root's. */
	privdrop_base(&p);
	if (privdrop_rw(&p, "/dev/xen") != 0 ||
	    privdrop_rw(&p, "/proc/xen") != 0 ||
	    privdrop_rw(&p, dir) != 0 ||
	    privdrop_apply(&p) != 0)
		_exit(1);
}

static void LOG_DEAD
broker_main(struct broker *b, pid_t daemon_pid, const char *dir,
    const char *sockpath)
{
	struct sigaction	 sa = { .sa_handler = on_term };
	sigset_t		 block;
	int			 fd;

	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != daemon_pid)
		_exit(0);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	/* Nothing of the daemon's but stderr; syslog is opened anew. */
	for (fd = 3; fd < 1024; fd++)
		if (fd != b->listen_fd && fd != b->lifeline)
			close(fd);
	log_child("store");
	broker_confine(dir);
	serve(b);
	unlink(sockpath);
	/*
	 * _exit: the memory is a copy of the daemon's, the daemon's to
	 * free, not a leak of ours.
	 */
	_exit(0);
}

/* ---- the daemon's side ---- */

/* $self: the domain the daemon serves RPC in, as the store says. */
static int
learn_self(struct xs_filter *f, int (*self_of)(struct xs_handle *))
{
	struct xs_handle	*xs;
	int			 self;

	if ((xs = xs_open(0)) == NULL) {
		log_info("store broker: no store reachable (%s): none "
		    "started", strerror(errno));
		return 1;
	}
	self = self_of != NULL ? self_of(xs) : rpc_vchan_self(xs);
	xs_close(xs);
	if (self < 0) {
		log_warnx("store broker: the store does not say which domain "
		    "we are in: none started");
		return 1;
	}
	xs_filter_self(f, (unsigned)self);
	return 0;
}

/*
 * Shoal's run folder: root's, and no one else may write it, so that no
 * one can put a socket of theirs where the daemon will look (under /tmp
 * on a host without /run).
 */
static int
run_folder(char *dir, size_t len)
{
	struct stat	 st;

	snprintf(dir, len, "%s/shoal", access("/run", W_OK) == 0 ? "/run" :
	    "/tmp");
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return -1;
	if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & 022) != 0) {
		log_warnx("store broker: %s is not root's alone", dir);
		return -1;
	}
	/* Whatever the umask: every daemon's user must pass through it. */
	return chmod(dir, 0755);
}

/* The socket: the daemon's user may connect, no one else but root. */
static int
make_socket(const struct passwd *pw, const char *dir, char *sockpath,
    size_t len)
{
	struct sockaddr_un	 sun = { .sun_family = AF_UNIX };
	int			 fd;

	if ((size_t)snprintf(sockpath, len, "%s/store.%d", dir,
	    (int)getpid()) >= len || strlen(sockpath) >= sizeof(sun.sun_path) ||
	    (fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	memcpy(sun.sun_path, sockpath, strlen(sockpath) + 1);
	unlink(sockpath);	/* a crashed daemon's, of the same pid */
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0 ||
	    chown(sockpath, pw->pw_uid, pw->pw_gid) != 0 ||
	    chmod(sockpath, 0600) != 0 || listen(fd, 16) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int
xs_broker_start(struct xs_filter *f, int (*self_of)(struct xs_handle *),
    const char *user)
{
	static struct broker	 b;
	static char		 dir[PATH_MAX], sockpath[PATH_MAX];
	const char		*env = getenv("XENSTORED_PATH");
	struct passwd		*pw;
	int			 life[2], r;
	pid_t			 self = getpid();

	if ((r = learn_self(f, self_of)) != 0)
		return r;
	if ((pw = getpwnam(user)) == NULL) {
		log_warnx("store broker: no user %s", user);
		return -1;
	}
	memset(&b, 0, sizeof(b));
	b.filter = f;
	b.uid = pw->pw_uid;
	b.upstream = env != NULL ? strdup(env) : NULL;
	if ((env != NULL && b.upstream == NULL) ||
	    run_folder(dir, sizeof(dir)) != 0 ||
	    (b.listen_fd = make_socket(pw, dir, sockpath, sizeof(sockpath))) ==
	    -1 || pipe2(life, O_CLOEXEC) != 0) {
		log_warn("store broker: %s", dir);
		return -1;
	}
	switch (broker_pid = fork()) {
	case -1:
		log_warn("store broker: fork");
		return -1;
	case 0:
		close(life[1]);
		b.lifeline = life[0];
		broker_main(&b, self, dir, sockpath);
	}
	close(b.listen_fd);
	/*
	 * life[1] is never closed: it goes with the daemon and with the
	 * children it forks (which reach the store through the broker
	 * too), not with a program it executes.
	 */
	close(life[0]);
	if (setenv("XENSTORED_PATH", sockpath, 1) != 0)
		return -1;
	log_info("store broker: process %d at %s, %zu rules", (int)broker_pid,
	    sockpath, f->n);
	return 0;
}
