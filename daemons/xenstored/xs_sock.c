#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "xs_conn.h"
#include "xs_sock.h"

struct xs_listener {
	struct event_base	*base;
	struct xs_server	*srv;
	struct event		*ev;
	int			 fd;
	char			*path;
	unsigned long		 nclients;
};

/* One accepted client. */
struct sock_client {
	int		 fd;
	struct event	*rd, *wr;
	struct xs_conn	*conn;
};

static ssize_t
sock_recv(void *arg, void *buf, size_t len)
{
	struct sock_client	*s = arg;

	return read(s->fd, buf, len);
}

static ssize_t
sock_send(void *arg, const void *buf, size_t len)
{
	struct sock_client	*s = arg;

	return send(s->fd, buf, len, MSG_NOSIGNAL);
}

static void
toggle(struct event *ev, bool on)
{
	if (on && !event_pending(ev, EV_READ | EV_WRITE, NULL))
		event_add(ev, NULL);
	else if (!on)
		event_del(ev);
}

static void
sock_want(void *arg, bool rd, bool wr)
{
	struct sock_client	*s = arg;

	toggle(s->rd, rd);
	toggle(s->wr, wr);
}

static void
sock_destroy(void *arg)
{
	struct sock_client	*s = arg;

	event_free(s->rd);
	event_free(s->wr);
	close(s->fd);
	free(s);
}

static void
sock_info(void *arg, struct xs_tp_info *i)
{
	struct sock_client	*s = arg;

	*i = (struct xs_tp_info){ .kind = XS_TP_SOCKET, .fd = s->fd };
}

static const struct xs_transport sock_transport = {
	.name = "socket",
	.info = sock_info,
	.recv = sock_recv,
	.send = sock_send,
	.want = sock_want,
	.destroy = sock_destroy,
};

static void
on_readable(evutil_socket_t fd, short what, void *arg)
{
	struct sock_client	*s = arg;

	(void)fd;
	(void)what;
	xs_conn_readable(s->conn);
}

static void
on_writable(evutil_socket_t fd, short what, void *arg)
{
	struct sock_client	*s = arg;

	(void)fd;
	(void)what;
	xs_conn_writable(s->conn);
}

static struct xs_conn *
client_new(struct xs_listener *l, int fd)
{
	struct sock_client	*s;
	char			 desc[32];

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		close(fd);
		return NULL;
	}
	s->fd = fd;
	s->rd = event_new(l->base, fd, EV_READ | EV_PERSIST, on_readable, s);
	s->wr = event_new(l->base, fd, EV_WRITE | EV_PERSIST, on_writable, s);
	snprintf(desc, sizeof(desc), "socket client %lu", ++l->nclients);
	if (s->rd == NULL || s->wr == NULL ||
	    (s->conn = xs_conn_new(l->srv, 0, &sock_transport, s,
	    desc)) == NULL) {
		log_warnx("out of memory for a new client");
		if (s->rd != NULL)
			event_free(s->rd);
		if (s->wr != NULL)
			event_free(s->wr);
		close(fd);
		free(s);
		return NULL;
	}
	return s->conn;
}

static void
on_accept(evutil_socket_t fd, short what, void *arg)
{
	struct xs_listener	*l = arg;
	int			 c;

	(void)what;
	if ((c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) == -1) {
		if (errno != EAGAIN && errno != EINTR &&
		    errno != ECONNABORTED)
			log_warn("accept");
		return;
	}
	client_new(l, c);
}

static int
sock_bind(const char *path)
{
	struct sockaddr_un	 sun = { .sun_family = AF_UNIX };
	int			 fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		log_warnx("socket path too long: %s", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		log_warn("socket");
		return -1;
	}
	/* A socket file left by a daemon that died is stale, not busy. */
	if (unlink(path) == -1 && errno != ENOENT)
		log_warn("unlink %s", path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    chmod(path, 0600) == -1 || listen(fd, 64) == -1) {
		log_warn("%s", path);
		close(fd);
		return -1;
	}
	return fd;
}

/* fd -1: bind path; otherwise a socket already listening there. */
static struct xs_listener *
listener_new(struct event_base *base, struct xs_server *srv,
    const char *path, int fd)
{
	struct xs_listener	*l;

	if ((l = calloc(1, sizeof(*l))) == NULL ||
	    (l->path = strdup(path)) == NULL) {
		free(l);
		if (fd != -1)
			close(fd);
		return NULL;
	}
	l->base = base;
	l->srv = srv;
	if ((l->fd = fd != -1 ? fd : sock_bind(path)) == -1) {
		free(l->path);
		free(l);
		return NULL;
	}
	l->ev = event_new(base, l->fd, EV_READ | EV_PERSIST, on_accept, l);
	if (l->ev == NULL || event_add(l->ev, NULL) == -1) {
		xs_sock_close(l);
		return NULL;
	}
	return l;
}

struct xs_listener *
xs_sock_listen(struct event_base *base, struct xs_server *srv,
    const char *path)
{
	struct xs_listener	*l = listener_new(base, srv, path, -1);

	if (l != NULL)
		log_info("listening on %s", path);
	return l;
}

struct xs_listener *
xs_sock_adopt_listener(struct event_base *base, struct xs_server *srv,
    const char *path, int fd)
{
	if (xs_sock_cloexec(fd, true) == -1) {
		log_warn("listening socket %d", fd);
		close(fd);
		return NULL;
	}
	return listener_new(base, srv, path, fd);
}

struct xs_conn *
xs_sock_adopt(struct xs_listener *l, int fd)
{
	if (xs_sock_cloexec(fd, true) == -1) {
		log_warn("client socket %d", fd);
		close(fd);
		return NULL;
	}
	return client_new(l, fd);
}

int
xs_sock_fd(const struct xs_listener *l)
{
	return l->fd;
}

const char *
xs_sock_path(const struct xs_listener *l)
{
	return l->path;
}

int
xs_sock_cloexec(int fd, bool on)
{
	int	 fl;

	if ((fl = fcntl(fd, F_GETFD)) == -1)
		return -1;
	fl = on ? fl | FD_CLOEXEC : fl & ~FD_CLOEXEC;
	return fcntl(fd, F_SETFD, fl);
}

void
xs_sock_close(struct xs_listener *l)
{
	if (l == NULL)
		return;
	if (l->ev != NULL)
		event_free(l->ev);
	close(l->fd);
	unlink(l->path);
	free(l->path);
	free(l);
}
