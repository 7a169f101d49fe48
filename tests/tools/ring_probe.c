/*
 * ring-probe: the smallest two-domain ring, to tell a fault of libxenvchan
 * from one below it (the kernel's gntalloc and gntdev, Xen, or the CPU,
 * real or emulated).
 *
 * The server shares 1 + 2P pages with the peer through xengntshr (Linux's
 * gntalloc) and publishes their grant references in xenstore; the client
 * maps them through xengnttab (gntdev).  Page 0 holds one producer and one
 * consumer index per direction; each direction has a ring of P pages.
 * Both ends send the same known stream (xfer_stream.h) at once and check
 * every byte they receive.  There is no event channel and no library
 * between the two: each end polls the indices, reads each shared index
 * once, and fences with full barriers around the data (acquire after
 * reading the peer's index, release before publishing its own), which is
 * stronger than x86 needs.  Write sizes vary (a fixed pseudo-random
 * sequence), so the data wraps the ring at every offset.
 *
 * So if vchan-xfer fails where ring-probe passes on the same machine,
 * libxenvchan (or how it is used) is at fault; if both fail alike, the
 * fault is below them.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <xengnttab.h>
#include <xenstore.h>

#include "xfer_home.h"
#include "xfer_stream.h"
#include "xfer_util.h"

#define PROBE_PAGE	4096
#define PROBE_MAGIC	0x52505242u		/* "RPRB" */
#define PROBE_PAGES_MAX	256
#define SEED_C2S	UINT64_C(0x5348f0a1c0de0011)
#define SEED_S2C	UINT64_C(0x5348f0a1c0de0012)

/* Page 0.  Direction 0 is client to server, 1 server to client. */
struct probe_ctl {
	uint32_t	 magic;
	uint32_t	 ring_pages;
	uint32_t	 finished[2];	/* [0] client, [1] server */
	uint32_t	 pad;
	struct {
		uint64_t prod __attribute__((aligned(64)));
		uint64_t cons __attribute__((aligned(64)));
	} idx[2];
};

struct probe_opts {
	bool		 server;
	int		 peer;
	const char	*path;
	uint64_t	 bytes;
	unsigned	 pages;
	int		 wait_s, timeout_s;
	int64_t		 corrupt_at;
};

struct probe_dir {
	struct probe_ctl *ctl;
	int		 dir;
	uint8_t		*ring;
	uint64_t	 size;		/* ring bytes */
	uint64_t	 seed;
	uint64_t	 done;		/* our own index: bytes moved */
	uint8_t		*buf;
};

static void
usage(FILE *f)
{
	fprintf(f,
"usage: ring-probe server|client --peer DOMID --path XSPATH [options]\n"
"\n"
"Moves BYTES of a known stream each way through a ring on grant-shared\n"
"pages (no libxenvchan, no event channel) and checks every byte.\n"
"\n"
"  --peer DOMID      the other domain\n"
"  --path XSPATH     where the server publishes its grant references\n"
"                    (relative: under the server's own domain path)\n"
"  --bytes N         bytes each way (default 16M; K, M, G suffixes)\n"
"  --ring-pages P    pages per direction (server; default 16)\n"
"  --wait S          client: seconds to wait for the server (default 60)\n"
"  --timeout S       give up when nothing moves for S seconds (default 60)\n"
"  --corrupt-at OFF  flip the outgoing byte at offset OFF (tests the test)\n");
}

static int
parse_opts(int argc, char **argv, struct probe_opts *o)
{
	static const struct option longopts[] = {
		{ "peer", required_argument, NULL, 'p' },
		{ "path", required_argument, NULL, 'P' },
		{ "bytes", required_argument, NULL, 'b' },
		{ "ring-pages", required_argument, NULL, 'r' },
		{ "wait", required_argument, NULL, 'w' },
		{ "timeout", required_argument, NULL, 't' },
		{ "corrupt-at", required_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	uint64_t v;
	int ch;

	*o = (struct probe_opts){ .peer = -1, .bytes = 16 << 20, .pages = 16,
	    .wait_s = 60, .timeout_s = 60, .corrupt_at = -1 };
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p': o->peer = atoi(optarg); break;
		case 'P': o->path = optarg; break;
		case 'b':
			if (xfer_parse_size(optarg, &o->bytes) == -1)
				return -1;
			break;
		case 'r':
			if (xfer_parse_size(optarg, &v) == -1 || v == 0 ||
			    v > PROBE_PAGES_MAX || (v & (v - 1)) != 0)
				return -1;
			o->pages = (unsigned)v;
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
	xfer_msg_as("ring-probe", o->server ? "server" : "client");
	return 0;
}

/* The peer's index, read once; nothing after it is read before it. */
static uint64_t
peer_index(const uint64_t *idx)
{
	uint64_t v = __atomic_load_n(idx, __ATOMIC_ACQUIRE);

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return v;
}

/* Our index, published after everything before it. */
static void
publish_index(uint64_t *idx, uint64_t v)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	__atomic_store_n(idx, v, __ATOMIC_RELEASE);
}

/* A fixed pseudo-random write size from 1 to the ring's size. */
static uint64_t
next_size(uint64_t *state, uint64_t ring)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return 1 + *state % ring;
}

/* Returns bytes sent (0: ring full), or -1 on a broken index. */
static int64_t
send_some(const struct probe_opts *o, struct probe_dir *d, uint64_t *rng)
{
	uint64_t cons = peer_index(&d->ctl->idx[d->dir].cons);
	uint64_t used = d->done - cons, n, at, first;

	if (used > d->size) {
		xfer_msg("the peer's consumer index %" PRIu64 " is out of range "
		    "(we produced %" PRIu64 ")", cons, d->done);
		return -1;
	}
	n = next_size(rng, d->size);
	if (n > d->size - used)
		n = d->size - used;
	if (n > o->bytes - d->done)
		n = o->bytes - d->done;
	if (n == 0)
		return 0;
	xfer_stream_fill(d->seed, d->done, d->buf, n);
	if (o->corrupt_at >= 0 && (uint64_t)o->corrupt_at >= d->done &&
	    (uint64_t)o->corrupt_at < d->done + n)
		d->buf[o->corrupt_at - d->done] ^= XFER_FLIP;
	at = d->done % d->size;
	first = n < d->size - at ? n : d->size - at;
	memcpy(d->ring + at, d->buf, first);
	memcpy(d->ring, d->buf + first, n - first);
	d->done += n;
	publish_index(&d->ctl->idx[d->dir].prod, d->done);
	return (int64_t)n;
}

/* Returns bytes received (0: none ready), or -1 on mismatch or bad index. */
static int64_t
recv_some(const struct probe_opts *o, struct probe_dir *d)
{
	uint64_t prod = peer_index(&d->ctl->idx[d->dir].prod);
	uint64_t n = prod - d->done, at, first;
	int64_t bad;

	if (n > d->size) {
		xfer_msg("the peer's producer index %" PRIu64 " is out of range "
		    "(we consumed %" PRIu64 ")", prod, d->done);
		return -1;
	}
	if (n > o->bytes - d->done)
		n = o->bytes - d->done;
	if (n == 0)
		return 0;
	at = d->done % d->size;
	first = n < d->size - at ? n : d->size - at;
	memcpy(d->buf, d->ring + at, first);
	memcpy(d->buf + first, d->ring, n - first);
	if ((bad = xfer_stream_check(d->seed, d->done, d->buf, n)) >= 0) {
		xfer_stream_report(xfer_msg, d->seed, d->done, d->buf, n,
		    (size_t)bad, o->bytes, d->ring, d->size);
		return -1;
	}
	d->done += n;
	publish_index(&d->ctl->idx[d->dir].cons, d->done);
	return (int64_t)n;
}

static int
transfer(const struct probe_opts *o, struct probe_ctl *ctl, uint8_t *rings,
    uint64_t ring_size)
{
	int me = o->server ? 1 : 0;
	struct probe_dir out = { ctl, me, rings + (uint64_t)me * ring_size,
	    ring_size, o->server ? SEED_S2C : SEED_C2S, 0, NULL };
	struct probe_dir in = { ctl, !me, rings + (uint64_t)!me * ring_size,
	    ring_size, o->server ? SEED_C2S : SEED_S2C, 0, NULL };
	uint64_t rng = o->server ? 0x9e3779b97f4a7c15u : 0xd1b54a32d192ed03u;
	double start = xfer_now_s(), last = start, secs;
	int64_t n;
	int rc = -1;
	bool peer_stopped = false;

	out.buf = malloc(ring_size);
	in.buf = malloc(ring_size);
	if (out.buf == NULL || in.buf == NULL) {
		xfer_msg("out of memory");
		goto out;
	}
	while (out.done < o->bytes || in.done < o->bytes) {
		int64_t moved = 0;

		if (out.done < o->bytes) {
			if ((n = send_some(o, &out, &rng)) < 0)
				goto out;
			moved += n;
		}
		if (in.done < o->bytes) {
			if ((n = recv_some(o, &in)) < 0)
				goto out;
			moved += n;
		}
		if (moved) {
			last = xfer_now_s();
			continue;
		}
		/*
		 * The peer stopped: look once more, since its last bytes
		 * may have been published after we read its index.
		 */
		if (__atomic_load_n(&ctl->finished[!me], __ATOMIC_ACQUIRE) &&
		    !peer_stopped) {
			peer_stopped = true;
			continue;
		}
		if (peer_stopped) {
			xfer_msg("the peer stopped after sending %" PRIu64 " and "
			    "receiving %" PRIu64 " bytes (see its log)",
			    in.done, out.done);
			goto out;
		}
		if (xfer_now_s() - last > o->timeout_s) {
			xfer_msg("stalled for %d s (sent %" PRIu64 ", received %"
			    PRIu64 " of %" PRIu64 ")", o->timeout_s, out.done,
			    in.done, o->bytes);
			goto out;
		}
		sched_yield();
	}
	secs = xfer_now_s() - start;
	xfer_msg("sent %" PRIu64 " bytes, received %" PRIu64 " bytes through a %"
	    PRIu64 "-byte ring, all verified (%.1f MiB/s each way)",
	    out.done, in.done, ring_size,
	    secs > 0 ? o->bytes / secs / (1 << 20) : 0.0);
	rc = 0;
out:
	free(out.buf);
	free(in.buf);
	return rc;
}

/* Wait (bounded) for the peer to say it has finished with the pages. */
static void
await_peer_finished(struct probe_ctl *ctl, int peer_side, int timeout_s)
{
	double give_up = xfer_now_s() + timeout_s;

	while (__atomic_load_n(&ctl->finished[peer_side], __ATOMIC_ACQUIRE) ==
	    0 && xfer_now_s() < give_up)
		sched_yield();
}

/* Ours, and readable by the peer (a guest, when the client is not dom0). */
static bool
let_peer_read(struct xs_handle *xs, const char *key, int peer)
{
	struct xs_permissions p[2] = {
		{ .id = 0, .perms = XS_PERM_NONE },
		{ .id = (unsigned)peer, .perms = XS_PERM_READ },
	};
	unsigned int len;
	char *self = xs_read(xs, XBT_NULL, "domid", &len);

	if (self == NULL)
		return false;
	p[0].id = (unsigned)atoi(self);
	free(self);
	return xs_set_permissions(xs, XBT_NULL, key, p, 2);
}

static int
run_server(const struct probe_opts *o, struct xs_handle *xs)
{
	uint32_t count = 1 + 2 * o->pages, i;
	uint32_t refs[1 + 2 * PROBE_PAGES_MAX];
	char *path, key[512], val[(1 + 2 * PROBE_PAGES_MAX) * 11 + 1];
	size_t len = 0;
	xengntshr_handle *gs;
	struct probe_ctl *ctl;
	uint8_t *pages;
	int rc = 1;

	if ((path = xfer_home_path(xs, o->path, xfer_msg)) == NULL)
		return 1;
	if ((gs = xengntshr_open(NULL, 0)) == NULL) {
		xfer_msg("xengntshr_open: %s", strerror(errno));
		free(path);
		return 1;
	}
	if ((pages = xengntshr_share_pages(gs, (uint32_t)o->peer, (int)count,
	    refs, 1)) == NULL) {
		xfer_msg("sharing %u pages with domain %d: %s", count, o->peer,
		    strerror(errno));
		goto out;
	}
	memset(pages, 0, (size_t)count * PROBE_PAGE);
	ctl = (struct probe_ctl *)pages;
	ctl->ring_pages = o->pages;
	__atomic_store_n(&ctl->magic, PROBE_MAGIC, __ATOMIC_RELEASE);
	for (i = 0; i < count; i++)
		len += (size_t)snprintf(val + len, sizeof(val) - len, "%s%u",
		    i ? " " : "", refs[i]);
	snprintf(key, sizeof(key), "%s/grant-refs", path);
	if (!xs_write(xs, XBT_NULL, key, val, (unsigned)len) ||
	    !let_peer_read(xs, key, o->peer)) {
		xfer_msg("publishing %s: %s", key, strerror(errno));
		goto unshare;
	}
	xfer_msg("shared %u pages with domain %d at %s", count, o->peer, key);
	if (transfer(o, ctl, pages + PROBE_PAGE,
	    (uint64_t)o->pages * PROBE_PAGE) == 0)
		rc = 0;
	__atomic_store_n(&ctl->finished[1], 1, __ATOMIC_RELEASE);
	/* The client may still be reading our last bytes. */
	await_peer_finished(ctl, 0, o->timeout_s);
	xs_rm(xs, XBT_NULL, key);
unshare:
	xengntshr_unshare(gs, pages, count);
out:
	xengntshr_close(gs);
	free(path);
	return rc;
}

/* The server's grant references, once it has published them (bounded). */
static int
read_refs(const struct probe_opts *o, struct xs_handle *xs, uint32_t *refs,
    uint32_t *count)
{
	double give_up = xfer_now_s() + o->wait_s;
	char key[512], *val = NULL, *p, *end;
	unsigned int len;
	unsigned long r;

	snprintf(key, sizeof(key), "%s/grant-refs", o->path);
	while ((val = xs_read(xs, XBT_NULL, key, &len)) == NULL &&
	    xfer_now_s() < give_up)
		usleep(100 * 1000);
	if (val == NULL) {
		xfer_msg("no %s within %d s", key, o->wait_s);
		return -1;
	}
	*count = 0;
	for (p = val; *p != '\0' && *count < 1 + 2 * PROBE_PAGES_MAX;
	    p = end) {
		errno = 0;
		r = strtoul(p, &end, 10);
		if (end == p || errno || r > UINT32_MAX)
			break;
		refs[(*count)++] = (uint32_t)r;
	}
	free(val);
	if (*count < 3 || (*count - 1) % 2 != 0) {
		xfer_msg("%s does not hold 1 + 2P grant references", key);
		return -1;
	}
	return 0;
}

static int
run_client(const struct probe_opts *o, struct xs_handle *xs)
{
	uint32_t refs[1 + 2 * PROBE_PAGES_MAX], count, pages_per_ring;
	xengnttab_handle *gt;
	struct probe_ctl *ctl;
	uint8_t *pages;
	int rc = 1;

	if (read_refs(o, xs, refs, &count) != 0)
		return 1;
	pages_per_ring = (count - 1) / 2;
	if ((gt = xengnttab_open(NULL, 0)) == NULL) {
		xfer_msg("xengnttab_open: %s", strerror(errno));
		return 1;
	}
	if ((pages = xengnttab_map_domain_grant_refs(gt, count,
	    (uint32_t)o->peer, refs, PROT_READ | PROT_WRITE)) == NULL) {
		xfer_msg("mapping %u grants of domain %d: %s", count, o->peer,
		    strerror(errno));
		goto out;
	}
	ctl = (struct probe_ctl *)pages;
	if (__atomic_load_n(&ctl->magic, __ATOMIC_ACQUIRE) != PROBE_MAGIC ||
	    ctl->ring_pages != pages_per_ring) {
		xfer_msg("the shared page is not a ring-probe control page");
		goto unmap;
	}
	xfer_msg("mapped %u pages of domain %d", count, o->peer);
	if (transfer(o, ctl, pages + PROBE_PAGE,
	    (uint64_t)pages_per_ring * PROBE_PAGE) == 0)
		rc = 0;
	__atomic_store_n(&ctl->finished[0], 1, __ATOMIC_RELEASE);
unmap:
	xengnttab_unmap(gt, pages, count);
out:
	xengnttab_close(gt);
	return rc;
}

int
main(int argc, char **argv)
{
	struct probe_opts o;
	struct xs_handle *xs;
	int rc;

	if (parse_opts(argc, argv, &o) == -1) {
		usage(stderr);
		return 2;
	}
	if ((xs = xs_open(0)) == NULL) {
		xfer_msg("xs_open: %s", strerror(errno));
		return 1;
	}
	rc = o.server ? run_server(&o, xs) : run_client(&o, xs);
	xs_close(xs);
	return rc;
}
