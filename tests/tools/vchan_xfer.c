/*
 * vchan-xfer: move a known byte stream both ways over Debian's libxenvchan
 * and check every byte.
 *
 * One side runs as the vchan server (it grants the rings and publishes them
 * under a xenstore path), the other as the client (it maps them).  Both send
 * the same amount at the same time, so the rings run full duplex, and both
 * verify what they receive against the generator the peer used.  The stream
 * is a function of its offset alone, so a lost, duplicated or reordered chunk
 * shows up as a mismatch at a precise offset.
 *
 * It is a test program: it runs between two Xen domains (the real-Xen tier),
 * and between two simulated domains under xensim.  --corrupt-at flips one
 * outgoing byte, so a test can prove that the check fails when it should.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libxenvchan.h>
#include <xenstore.h>

#include "xfer_home.h"
#include "xfer_stream.h"
#include "xfer_util.h"

#define XFER_CHUNK_MAX		(1024 * 1024)
#define XFER_RING_MIN		(64 * 1024)
#define SEED_SERVER_TO_CLIENT	UINT64_C(0x5348f0a1c0de0001)
#define SEED_CLIENT_TO_SERVER	UINT64_C(0x5348f0a1c0de0002)

struct xfer_opts {
	bool		 server;
	bool		 packet;
	int		 peer;
	const char	*path;
	uint64_t	 bytes;
	size_t		 chunk;
	int		 wait_s;
	int		 timeout_s;
	int64_t		 corrupt_at;
};

struct xfer_dir {
	uint64_t	 seed;
	uint64_t	 done;		/* bytes moved so far */
	size_t		 fill;		/* bytes staged in buf (send side) */
	size_t		 off;		/* bytes of buf already sent */
	uint8_t		*buf;
};

static void
usage(FILE *f)
{
	fprintf(f,
"usage: vchan-xfer server|client --peer DOMID --path XSPATH [options]\n"
"\n"
"Sends BYTES of a known stream to the peer over libxenvchan while receiving\n"
"and checking the peer's stream.  Exit 0 only when every byte matched.\n"
"\n"
"  --peer DOMID      the other domain\n"
"  --path XSPATH     xenstore directory of the vchan (the server writes\n"
"                    ring-ref and event-channel there); a relative path is\n"
"                    taken under the server's own domain path\n"
"  --bytes N         bytes each way (default 16M; K, M, G suffixes)\n"
"  --mode stream|packet  libxenvchan_write/read or send/recv (default stream)\n"
"  --chunk N         bytes per write or packet (default 64K)\n"
"  --wait S          client: seconds to wait for the server (default 60)\n"
"  --timeout S       give up when nothing moves for S seconds (default 60)\n"
"  --corrupt-at OFF  flip the outgoing byte at offset OFF (tests the test)\n"
"  -h, --help        this text\n");
}

static int
parse_opts(int argc, char **argv, struct xfer_opts *o)
{
	static const struct option longopts[] = {
		{ "peer", required_argument, NULL, 'p' },
		{ "path", required_argument, NULL, 'P' },
		{ "bytes", required_argument, NULL, 'b' },
		{ "mode", required_argument, NULL, 'm' },
		{ "chunk", required_argument, NULL, 'c' },
		{ "wait", required_argument, NULL, 'w' },
		{ "timeout", required_argument, NULL, 't' },
		{ "corrupt-at", required_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	uint64_t v;
	int ch;

	*o = (struct xfer_opts){ .peer = -1, .bytes = 16 << 20,
	    .chunk = 64 << 10, .wait_s = 60, .timeout_s = 60,
	    .corrupt_at = -1 };
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p': o->peer = atoi(optarg); break;
		case 'P': o->path = optarg; break;
		case 'b':
			if (xfer_parse_size(optarg, &o->bytes) == -1)
				return -1;
			break;
		case 'm':
			if (strcmp(optarg, "packet") == 0)
				o->packet = true;
			else if (strcmp(optarg, "stream") != 0)
				return -1;
			break;
		case 'c':
			if (xfer_parse_size(optarg, &v) == -1 || v == 0 ||
			    v > XFER_CHUNK_MAX)
				return -1;
			o->chunk = v;
			break;
		case 'w': o->wait_s = atoi(optarg); break;
		case 't': o->timeout_s = atoi(optarg); break;
		case 'x':
			if (xfer_parse_size(optarg, &v) == -1)
				return -1;
			o->corrupt_at = (int64_t)v;
			break;
		case 'h': usage(stdout); exit(0);
		default: return -1;
		}
	}
	if (optind != argc - 1 || o->peer < 0 || o->path == NULL)
		return -1;
	if (strcmp(argv[optind], "server") == 0)
		o->server = true;
	else if (strcmp(argv[optind], "client") != 0)
		return -1;
	xfer_msg_as("vchan-xfer", o->server ? "server" : "client");
	return 0;
}

/* The server publishes under its own domain's area (xfer_home.h). */
static char *
resolve_path(const char *path)
{
	struct xs_handle *xs;
	char *abs;

	if ((xs = xs_open(0)) == NULL) {
		xfer_msg("xs_open: %s", strerror(errno));
		return NULL;
	}
	abs = xfer_home_path(xs, path, xfer_msg);
	xs_close(xs);
	return abs;
}

static struct libxenvchan *
xfer_connect(const struct xfer_opts *o, const char *path)
{
	struct libxenvchan *ctrl;
	double give_up = xfer_now_s() + o->wait_s;
	size_t ring = o->chunk > XFER_RING_MIN ? o->chunk : XFER_RING_MIN;

	if (o->server) {
		/* Packets must fit whole, so the rings are at least a chunk. */
		ctrl = libxenvchan_server_init(NULL, o->peer, path, ring, ring);
		if (ctrl == NULL)
			xfer_msg("libxenvchan_server_init(%d, %s): %s", o->peer,
			    path, strerror(errno));
		return ctrl;
	}
	/* The server may not have published its rings yet: poll, bounded. */
	for (;;) {
		ctrl = libxenvchan_client_init(NULL, o->peer, path);
		if (ctrl != NULL || xfer_now_s() > give_up)
			break;
		usleep(100 * 1000);
	}
	if (ctrl == NULL)
		xfer_msg("gave up waiting for the server after %d s: "
		    "libxenvchan_client_init(%d, %s): %s", o->wait_s,
		    o->peer, path, strerror(errno));
	return ctrl;
}

/* libxenvchan fails without setting errno when the peer has closed. */
static void
xfer_error(struct libxenvchan *ctrl, const char *op, uint64_t at)
{
	if (!libxenvchan_is_open(ctrl))
		xfer_msg("%s at byte %" PRIu64 ": peer closed the vchan", op, at);
	else
		xfer_msg("%s failed at byte %" PRIu64 ": %s", op, at,
		    strerror(errno));
}

/* Stage the next outgoing chunk, with the optional injected fault. */
static void
stage_chunk(const struct xfer_opts *o, struct xfer_dir *d)
{
	uint64_t left = o->bytes - d->done;

	d->fill = left < o->chunk ? (size_t)left : o->chunk;
	d->off = 0;
	xfer_stream_fill(d->seed, d->done, d->buf, d->fill);
	if (o->corrupt_at >= 0 && (uint64_t)o->corrupt_at >= d->done &&
	    (uint64_t)o->corrupt_at < d->done + d->fill)
		d->buf[o->corrupt_at - d->done] ^= XFER_FLIP;
}

/* Returns bytes moved (0: the ring is full), or -1 on error. */
static int
send_some(struct libxenvchan *ctrl, const struct xfer_opts *o,
    struct xfer_dir *d)
{
	int n;

	if (d->off == d->fill)
		stage_chunk(o, d);
	if (o->packet)
		n = libxenvchan_send(ctrl, d->buf, d->fill);
	else
		n = libxenvchan_write(ctrl, d->buf + d->off, d->fill - d->off);
	if (n < 0) {
		xfer_error(ctrl, o->packet ? "send" : "write", d->done);
		return -1;
	}
	d->off += n;
	if (d->off == d->fill)
		d->done += d->fill;
	return n;
}

/* Returns bytes moved (0: nothing ready), or -1 on error or mismatch. */
static int
recv_some(struct libxenvchan *ctrl, const struct xfer_opts *o,
    struct xfer_dir *d)
{
	uint64_t left = o->bytes - d->done;
	size_t want = left < o->chunk ? (size_t)left : o->chunk;
	int64_t bad;
	int n;

	if (o->packet)
		n = libxenvchan_recv(ctrl, d->buf, want);
	else
		n = libxenvchan_read(ctrl, d->buf, want);
	if (n < 0) {
		xfer_error(ctrl, o->packet ? "recv" : "read", d->done);
		return -1;
	}
	if ((bad = xfer_stream_check(d->seed, d->done, d->buf, n)) >= 0) {
		xfer_stream_report(xfer_msg, d->seed, d->done, d->buf, (size_t)n,
		    (size_t)bad, o->bytes, ctrl->read.buffer,
		    UINT64_C(1) << ctrl->read.order);
		return -1;
	}
	d->done += n;
	return n;
}

/*
 * Sleep until the peer signals or a second passes.  poll() first so that a
 * peer that vanished cannot park us in libxenvchan_wait() forever.
 */
static int
wait_peer(struct libxenvchan *ctrl)
{
	struct pollfd pfd = { .fd = libxenvchan_fd_for_select(ctrl),
	    .events = POLLIN };
	int r = poll(&pfd, 1, 1000);

	if (r > 0)
		return libxenvchan_wait(ctrl);
	return r;
}

static int
transfer(struct libxenvchan *ctrl, const struct xfer_opts *o)
{
	uint8_t *sbuf = malloc(o->chunk), *rbuf = malloc(o->chunk);
	struct xfer_dir out = { .buf = sbuf }, in = { .buf = rbuf };
	double start = xfer_now_s(), last = start, secs;
	int rc = -1, n;

	out.seed = o->server ? SEED_SERVER_TO_CLIENT : SEED_CLIENT_TO_SERVER;
	in.seed = o->server ? SEED_CLIENT_TO_SERVER : SEED_SERVER_TO_CLIENT;
	if (sbuf == NULL || rbuf == NULL) {
		xfer_msg("out of memory");
		goto out;
	}
	while (out.done < o->bytes || in.done < o->bytes) {
		int moved = 0;

		if (out.done < o->bytes) {
			if ((n = send_some(ctrl, o, &out)) < 0)
				goto out;
			moved += n;
		}
		if (in.done < o->bytes) {
			if ((n = recv_some(ctrl, o, &in)) < 0)
				goto out;
			moved += n;
		}
		if (moved) {
			last = xfer_now_s();
			continue;
		}
		if (!libxenvchan_is_open(ctrl)) {
			xfer_msg("peer gone after sending %" PRIu64 " and receiving"
			    " %" PRIu64 " of %" PRIu64 " bytes", out.done,
			    in.done, o->bytes);
			goto out;
		}
		if (xfer_now_s() - last > o->timeout_s) {
			xfer_msg("stalled for %d s (sent %" PRIu64 ", received %"
			    PRIu64 " of %" PRIu64 ")", o->timeout_s, out.done,
			    in.done, o->bytes);
			goto out;
		}
		if (wait_peer(ctrl) < 0) {
			xfer_msg("wait: %s", strerror(errno));
			goto out;
		}
	}
	secs = xfer_now_s() - start;
	xfer_msg("%s mode: sent %" PRIu64 " bytes, received %" PRIu64 " bytes, "
	    "all verified (%.1f MiB/s each way)", o->packet ? "packet" :
	    "stream", out.done, in.done,
	    secs > 0 ? o->bytes / secs / (1 << 20) : 0.0);
	rc = 0;
out:
	free(sbuf);
	free(rbuf);
	return rc;
}

/*
 * The server's last bytes may still sit in the ring when it has everything
 * it expects; closing now would take the rings from under the client.  So
 * the client closes first and the server waits (bounded) to see it go.
 */
static void
server_linger(struct libxenvchan *ctrl, int timeout_s)
{
	double give_up = xfer_now_s() + timeout_s;

	while (libxenvchan_is_open(ctrl) && xfer_now_s() < give_up)
		if (wait_peer(ctrl) < 0)
			break;
}

int
main(int argc, char **argv)
{
	struct xfer_opts o;
	struct libxenvchan *ctrl;
	char *path;
	int rc;

	if (parse_opts(argc, argv, &o) == -1) {
		usage(stderr);
		return 2;
	}
	if ((path = o.server ? resolve_path(o.path) : strdup(o.path)) == NULL)
		return 1;
	if ((ctrl = xfer_connect(&o, path)) == NULL) {
		free(path);
		return 1;
	}
	ctrl->blocking = 0;
	xfer_msg("connected to domain %d at %s, %" PRIu64 " bytes each way",
	    o.peer, path, o.bytes);
	rc = transfer(ctrl, &o);
	if (o.server && rc == 0)
		server_linger(ctrl, o.timeout_s);
	libxenvchan_close(ctrl);
	free(path);
	return rc == 0 ? 0 : 1;
}
