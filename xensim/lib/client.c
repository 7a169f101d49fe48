#include <sys/socket.h>
#include <sys/un.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"

static pthread_mutex_t	 lock = PTHREAD_MUTEX_INITIALIZER;
static int		 conn = -1;
static pthread_once_t	 fork_once = PTHREAD_ONCE_INIT;
static uint32_t		 domid;

/*
 * A forked child gets its own connection.  It closes its copy of the
 * parent's at once, in the child, rather than at its first call: by then
 * the child may have closed the descriptor itself (a daemon's child
 * closes what it does not need) and the number may name another file.
 * (Its copy must go: xensimd sees the parent's end only when no process
 * holds it.)
 */
static void
forget_after_fork(void)
{
	if (conn != -1)
		close(conn);
	conn = -1;
	pthread_mutex_init(&lock, NULL);
}

static void
watch_forks(void)
{
	pthread_atfork(NULL, NULL, forget_after_fork);
}

uint32_t
xsim_domid(void)
{
	const char *s = getenv(XSIM_DOMID_ENV);

	return s != NULL ? (uint32_t)strtoul(s, NULL, 10) : 0;
}

void
xsim_close_fds(int *fds, int nfds)
{
	for (int i = 0; i < nfds; i++)
		if (fds[i] != -1)
			close(fds[i]);
}

static int
exchange(int fd, struct xsim_req *q, int sendfd, struct xsim_rsp *r,
    int *fds, int *nfds)
{
	char cbuf[CMSG_SPACE(sizeof(int) * XSIM_CALL_MAX_FDS)];
	struct iovec iov = { q, sizeof(*q) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;
	ssize_t n;

	if (sendfd != -1) {
		msg.msg_control = cbuf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int));
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &sendfd, sizeof(int));
	}
	while ((n = sendmsg(fd, &msg, MSG_NOSIGNAL)) == -1 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof(*q))
		return -1;
	iov = (struct iovec){ r, sizeof(*r) };
	msg = (struct msghdr){ .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	while ((n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC)) == -1 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof(*r)) {
		errno = n == 0 ? ECONNRESET : errno;
		return -1;
	}
	*nfds = 0;
	for (cm = CMSG_FIRSTHDR(&msg); cm != NULL; cm = CMSG_NXTHDR(&msg, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
			*nfds = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			memcpy(fds, CMSG_DATA(cm), *nfds * sizeof(int));
		}
	return 0;
}

static int
connect_xensimd(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	const char *path = getenv(XSIM_SOCKET_ENV);
	struct xsim_req q = { .op = XSIM_HELLO, .a = XSIM_PROTO_VERSION };
	struct xsim_rsp r;
	int fd, fds[XSIM_CALL_MAX_FDS], nfds;

	if (path == NULL)
		path = XSIM_SOCKET_DEFAULT;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		goto fail;
	domid = xsim_domid();
	q.b = domid;
	if (exchange(fd, &q, -1, &r, fds, &nfds) == -1)
		goto fail;
	xsim_close_fds(fds, nfds);
	if (r.err != 0) {
		errno = r.err;
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

int
xsim_call(struct xsim_req *q, int sendfd, struct xsim_rsp *r, int *fds,
    int *nfds)
{
	int rc = -1;

	*nfds = 0;
	pthread_once(&fork_once, watch_forks);
	pthread_mutex_lock(&lock);
	if (conn == -1)
		conn = connect_xensimd();
	if (conn != -1 && exchange(conn, q, sendfd, r, fds, nfds) == 0) {
		rc = r->err == 0 ? 0 : -1;
		errno = r->err;
	}
	pthread_mutex_unlock(&lock);
	if (rc == -1 && *nfds > 0) {
		xsim_close_fds(fds, *nfds);
		*nfds = 0;
	}
	return rc;
}

int
xsim_call_simple(uint32_t op, uint32_t h, uint32_t a, uint32_t b, uint32_t c,
    uint32_t count)
{
	struct xsim_req q = { .op = op, .h = h, .a = a, .b = b, .c = c,
	    .count = count };
	struct xsim_rsp r;
	int fds[XSIM_CALL_MAX_FDS], nfds;

	if (xsim_call(&q, -1, &r, fds, &nfds) == -1)
		return -1;
	xsim_close_fds(fds, nfds);
	return 0;
}
