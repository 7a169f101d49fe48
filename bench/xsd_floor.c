/*
 * xsd-floor: the least a XenStore daemon can do, as a yardstick for the
 * reads and watch rows of `bench/run xenstored`.
 *
 *	XENSTORED_PATH=SOCK xsd-floor
 *
 * One epoll loop, one read, one send per request, and no store: READ
 * answers "x", WATCH answers OK and fires once, WRITE answers OK and
 * fires every watch of the connection with the written path, anything
 * else answers OK.  Whatever a real daemon does costs at least this much
 * daemon CPU per request on the same machine, so a real daemon's ratio
 * against another can be no better than the other's cost over this one.
 * Not a daemon: no limits, no checks, one client at a time is enough.
 */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xen/io/xs_wire.h>

#define BUF	65536
#define MAXFD	256

struct client {
	char	 in[BUF];
	size_t	 have;
	char	 token[64];	/* the one watch a benchmark sets */
	int	 watching;
};

static struct client	*clients[MAXFD];

static size_t
put(char *out, uint32_t type, const struct xsd_sockmsg *q, const char *p,
    size_t len)
{
	struct xsd_sockmsg	 h = { type, q->req_id, q->tx_id, (uint32_t)len };

	memcpy(out, &h, sizeof(h));
	memcpy(out + sizeof(h), p, len);
	return sizeof(h) + len;
}

/* Event payload "path\0token\0". */
static size_t
event(char *out, const struct xsd_sockmsg *q, struct client *c,
    const char *path)
{
	char	 p[512];
	int	 n = snprintf(p, sizeof(p), "%s%c%s", path, 0, c->token);

	return put(out, XS_WATCH_EVENT, q, p, (size_t)n + 1);
}

static size_t
answer(struct client *c, const struct xsd_sockmsg *q, const char *body,
    char *out)
{
	size_t	 o;

	switch (q->type) {
	case XS_READ:
		return put(out, XS_READ, q, "x", 1);
	case XS_WATCH:
		snprintf(c->token, sizeof(c->token), "%s",
		    body + strnlen(body, q->len) + 1);
		c->watching = 1;
		o = put(out, XS_WATCH, q, "OK", 3);
		return o + event(out + o, q, c, body);
	case XS_WRITE:
		o = put(out, XS_WRITE, q, "OK", 3);
		return c->watching ? o + event(out + o, q, c, body) : o;
	}
	return put(out, q->type, q, "OK", 3);
}

static void
serve(int ep, int fd)
{
	static char		 out[4 * BUF];
	struct client		*c = clients[fd];
	struct xsd_sockmsg	 q;
	size_t			 off = 0, o = 0;
	ssize_t			 n;

	if ((n = read(fd, c->in + c->have, BUF - c->have)) <= 0) {
		epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
		close(fd);
		free(c);
		clients[fd] = NULL;
		return;
	}
	c->have += (size_t)n;
	while (c->have - off >= sizeof(q)) {
		memcpy(&q, c->in + off, sizeof(q));
		if (q.len > XENSTORE_PAYLOAD_MAX)
			exit(1);
		if (c->have - off < sizeof(q) + q.len)
			break;
		o += answer(c, &q, c->in + off + sizeof(q), out + o);
		off += sizeof(q) + q.len;
	}
	memmove(c->in, c->in + off, c->have - off);
	c->have -= off;
	if (o > 0)
		(void)send(fd, out, o, MSG_NOSIGNAL);
}

int
main(void)
{
	struct sockaddr_un	 sun = { .sun_family = AF_UNIX };
	struct epoll_event	 ev = { .events = EPOLLIN }, got[16];
	const char		*path = getenv("XENSTORED_PATH");
	int			 l, ep, n, i, fd;

	if (path == NULL || strlen(path) >= sizeof(sun.sun_path))
		return 2;
	strcpy(sun.sun_path, path);
	unlink(path);
	if ((l = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    bind(l, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    listen(l, 16) == -1 || (ep = epoll_create1(0)) == -1)
		return 1;
	ev.data.fd = l;
	epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev);
	for (;;) {
		n = epoll_wait(ep, got, 16, -1);
		for (i = 0; i < n; i++) {
			if ((fd = got[i].data.fd) != l) {
				serve(ep, fd);
				continue;
			}
			if ((fd = accept(l, NULL, NULL)) < 0 || fd >= MAXFD ||
			    (clients[fd] = calloc(1, sizeof(struct client))) ==
			    NULL) {
				if (fd >= 0)
					close(fd);
				continue;
			}
			ev.data.fd = fd;
			epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
		}
	}
}
