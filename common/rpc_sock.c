#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "rpc_conn.h"
#include "rpc_sock.h"

/* The fd travels inside the pointer: nothing else to keep. */
static int
fd_of(void *t)
{
	return (int)(intptr_t)t - 1;
}

void *
rpc_sock_wrap(int fd)
{
	return (void *)(intptr_t)(fd + 1);
}

static ssize_t
st_read(void *t, void *buf, size_t len)
{
	ssize_t	 n = recv(fd_of(t), buf, len, MSG_DONTWAIT);

	if (n > 0)
		return n;
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return 0;
	return -1;
}

static ssize_t
st_write(void *t, const void *buf, size_t len)
{
	ssize_t	 n = send(fd_of(t), buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);

	if (n >= 0)
		return n;
	return errno == EAGAIN || errno == EINTR ? 0 : -1;
}

static int
st_fd(void *t)
{
	return fd_of(t);
}

static void
st_wakeup(void *t)
{
	(void)t;
}

static void
st_close(void *t)
{
	close(fd_of(t));
}

const struct rpc_transport rpc_sock_transport = {
	.name = "socket",
	.read = st_read,
	.write = st_write,
	.fd = st_fd,
	.wakeup = st_wakeup,
	.close = st_close,
	.poll_write = true,
};

static int
sock_addr(const char *path, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sun->sun_path, path);
	return 0;
}

int
rpc_sock_listen(const char *path)
{
	struct sockaddr_un	 sun;
	mode_t			 old;
	int			 fd, r;

	if (sock_addr(path, &sun) != 0 || (fd = socket(AF_UNIX,
	    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	unlink(path);
	/*
	 * Owner only, whatever the umask: a caller on this socket is taken
	 * to be our own domain.  The umask covers the moment between bind
	 * and chmod.
	 */
	old = umask(0177);
	r = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (r == -1 || chmod(path, 0600) == -1 || listen(fd, 128) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

int
rpc_sock_connect(const char *path)
{
	struct sockaddr_un	 sun;
	int			 fd;

	if (sock_addr(path, &sun) != 0 || (fd = socket(AF_UNIX,
	    SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    fcntl(fd, F_SETFL, O_NONBLOCK) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}
