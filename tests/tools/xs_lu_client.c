/*
 * xs-lu-client: one xenstore client that lives through a live update of
 * the daemon and checks it noticed nothing it should not.
 *
 *	xs-lu-client FIFO
 *
 * Before: opens a libxenstore connection with an open transaction (one
 * write in it) and a watch, and a raw socket holding half a READ
 * request.  Prints "READY" and waits for a line on FIFO (the update
 * happens meanwhile).  After: the rest of the READ must be answered, the
 * open transaction must still take writes and end with EAGAIN, a retry
 * must commit, and a write made after the update must fire the old watch.  Prints "OK <what>"
 * or "BAD <what>" per check; exits non-zero on any BAD.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xenstore.h>
#include <xen/io/xs_wire.h>

static int	 bad;

static void
check(bool ok, const char *what)
{
	printf("%s %s\n", ok ? "OK" : "BAD", what);
	fflush(stdout);
	bad += !ok;
}

static int
raw_connect(void)
{
	struct sockaddr_un	 sun = { .sun_family = AF_UNIX };
	const char		*p = getenv("XENSTORED_PATH");
	int			 fd;

	if (p == NULL || strlen(p) >= sizeof(sun.sun_path))
		return -1;
	strcpy(sun.sun_path, p);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* READ of path as one buffer; *len set. */
static size_t
read_request(const char *path, unsigned char *buf)
{
	struct xsd_sockmsg	 h = { .type = XS_READ, .req_id = 77,
				    .len = (uint32_t)strlen(path) + 1 };

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), path, h.len);
	return sizeof(h) + h.len;
}

/* The reply to the half-sent READ, within 5 s. */
static bool
raw_reply_is(int fd, const char *want)
{
	struct pollfd		 p = { .fd = fd, .events = POLLIN };
	struct xsd_sockmsg	 h;
	char			 body[64];
	size_t			 got = 0;
	ssize_t			 n;

	while (got < sizeof(h) && poll(&p, 1, 5000) == 1 &&
	    (n = read(fd, (char *)&h + got, sizeof(h) - got)) > 0)
		got += (size_t)n;
	if (got < sizeof(h) || h.type != XS_READ || h.req_id != 77 ||
	    h.len != strlen(want) || h.len >= sizeof(body))
		return false;
	for (got = 0; got < h.len && poll(&p, 1, 5000) == 1 &&
	    (n = read(fd, body + got, h.len - got)) > 0;)
		got += (size_t)n;
	return got == h.len && memcmp(body, want, h.len) == 0;
}

static bool
watch_fires(struct xs_handle *xs, const char *path)
{
	struct pollfd	 p = { .fd = xs_fileno(xs), .events = POLLIN };
	unsigned int	 num;
	char		**ev;
	bool		 ok = false;

	while (!ok && poll(&p, 1, 5000) == 1 &&
	    (ev = xs_read_watch(xs, &num)) != NULL) {
		ok = strcmp(ev[XS_WATCH_PATH], path) == 0 &&
		    strcmp(ev[XS_WATCH_TOKEN], "lu-tok") == 0;
		free(ev);
	}
	return ok;
}

static bool
retry_commits(struct xs_handle *xs)
{
	for (int i = 0; i < 10; i++) {
		xs_transaction_t t = xs_transaction_start(xs);

		if (t == XBT_NULL)
			return false;
		if (!xs_write(xs, t, "/tool/lu/txn", "2", 1))
			return false;
		if (xs_transaction_end(xs, t, false))
			return true;
		if (errno != EAGAIN)
			return false;
	}
	return false;
}

int
main(int argc, char **argv)
{
	struct xs_handle	*xs;
	xs_transaction_t	 t;
	unsigned char		 req[64];
	size_t			 len;
	char			 line[16], *v;
	FILE			*fifo;
	int			 fd;

	if (argc != 2) {
		fprintf(stderr, "usage: xs-lu-client FIFO\n");
		return 2;
	}
	if ((xs = xs_open(0)) == NULL || (fd = raw_connect()) == -1) {
		perror("connect");
		return 1;
	}
	/* Before: a transaction, a watch, half a request. */
	check(xs_write(xs, XBT_NULL, "/tool/lu/half", "h", 1), "prepare");
	check((t = xs_transaction_start(xs)) != XBT_NULL, "txn start");
	check(xs_write(xs, t, "/tool/lu/txn", "1", 1), "txn write");
	check(xs_watch(xs, "/tool/lu/w", "lu-tok"), "watch");
	check(watch_fires(xs, "/tool/lu/w"), "watch fires at registration");
	len = read_request("/tool/lu/half", req);
	check(write(fd, req, 10) == 10, "half a request sent");
	printf("READY\n");
	fflush(stdout);
	if ((fifo = fopen(argv[1], "r")) == NULL ||
	    fgets(line, sizeof(line), fifo) == NULL) {
		check(false, "told the update is done");
		return 1;
	}
	fclose(fifo);

	/* After. */
	check(write(fd, req + 10, len - 10) == (ssize_t)(len - 10),
	    "rest of the request sent");
	check(raw_reply_is(fd, "h"), "half-sent request answered");
	check(xs_write(xs, t, "/tool/lu/txn", "3", 1),
	    "a write in the open transaction works");
	check(!xs_transaction_end(xs, t, false) && errno == EAGAIN,
	    "open transaction ends with EAGAIN");
	check(retry_commits(xs), "a retried transaction commits");
	check((v = xs_read(xs, XBT_NULL, "/tool/lu/txn", NULL)) != NULL &&
	    strcmp(v, "2") == 0, "the retry's write is there");
	free(v);
	check(xs_write(xs, XBT_NULL, "/tool/lu/w", "x", 1), "write watched");
	check(watch_fires(xs, "/tool/lu/w"), "old watch fires after update");
	close(fd);
	xs_close(xs);
	return bad ? 1 : 0;
}
