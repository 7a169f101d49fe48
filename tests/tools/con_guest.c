/*
 * con-guest: a guest console driver for consoled's tests, and the
 * checker for what consoled logged.
 *
 * Inside a xensim domain it takes the domain's console ring
 * (xsim_console_open, xensim/lib/guest.h) and plays hvc_xen's part:
 * it produces into `out`, notifies, and waits on its port when the ring
 * is full.  What it says about itself goes to stdout (the domain's
 * xensim log), never into the ring.
 *
 *   con-guest write SEED BYTES RATE   BYTES of the stream SEED at RATE
 *                                     bytes/s (0: as fast as the ring
 *                                     goes), then "DONE bytes=N"
 *   con-guest corrupt                 a line, then out_prod far ahead
 *   con-guest echo                    "READY", then every byte read
 *                                     from `in` back into `out`
 *
 * Each then stays until the domain is destroyed.  On dom0:
 *
 *   con-guest check SEED FILE BYTES   FILE is exactly the stream's first
 *                                     BYTES bytes
 *   con-guest check-gaps SEED FILE BYTES
 *                                     FILE is the stream's first BYTES
 *                                     bytes with runs replaced by
 *                                     "[consoled: N bytes dropped]"
 *                                     lines; prints kept, dropped and
 *                                     markers
 *
 * The stream is a function of SEED and the offset alone, and never holds
 * '[' (so a marker cannot be mistaken for data): any loss, duplication
 * or reordering shows as a mismatch at a precise offset.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xen/io/console.h>

#include "lib/guest.h"

#define OUT_SIZE	sizeof(((struct xencons_interface *)0)->out)
#define IN_SIZE		sizeof(((struct xencons_interface *)0)->in)

struct gen {
	uint64_t	s;
};

static void
gen_init(struct gen *g, uint64_t seed)
{
	g->s = seed * 0x9e3779b97f4a7c15ull + 1;
}

static unsigned char
gen_byte(struct gen *g)
{
	unsigned char c;

	g->s ^= g->s << 13;
	g->s ^= g->s >> 7;
	g->s ^= g->s << 17;
	c = (unsigned char)(g->s >> 24);
	return c == '[' ? ']' : c;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static XENCONS_RING_IDX
load(XENCONS_RING_IDX *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

/* Put n bytes into out, waiting for room; the port is notified. */
static void
put(struct xsim_console *con, const unsigned char *p, size_t n)
{
	struct xencons_interface *c = con->page;
	XENCONS_RING_IDX prod = c->out_prod;
	size_t i, space;

	while (n > 0) {
		space = OUT_SIZE - (prod - load(&c->out_cons));
		if (space == 0 || space > OUT_SIZE) {
			xsim_console_wait(con, 100);
			continue;
		}
		for (i = 0; i < n && i < space; i++)
			c->out[MASK_XENCONS_IDX(prod + i, c->out)] = p[i];
		__atomic_store_n(&c->out_prod, prod + (XENCONS_RING_IDX)i,
		    __ATOMIC_RELEASE);
		prod += (XENCONS_RING_IDX)i;
		p += i;
		n -= i;
		xsim_console_notify(con);
	}
}

static void
put_str(struct xsim_console *con, const char *s)
{
	put(con, (const unsigned char *)s, strlen(s));
}

static void __attribute__((__noreturn__))
stay(void)
{
	for (;;)
		pause();
}

static int
do_write(struct xsim_console *con, uint64_t seed, uint64_t total,
    uint64_t rate)
{
	struct xencons_interface *c = con->page;
	unsigned char buf[512];
	struct gen g;
	uint64_t off = 0, start = now_ns(), due;
	size_t n, i;
	int waits;

	gen_init(&g, seed);
	while (off < total) {
		n = total - off < sizeof(buf) ? total - off : sizeof(buf);
		for (i = 0; i < n; i++)
			buf[i] = gen_byte(&g);
		put(con, buf, n);
		off += n;
		if (rate > 0 && (due = start + off * 1000000000ull / rate) >
		    now_ns())
			usleep((useconds_t)((due - now_ns()) / 1000));
	}
	for (waits = 0; waits < 600 && load(&c->out_cons) != c->out_prod;
	    waits++)
		xsim_console_wait(con, 50);
	printf("DONE bytes=%" PRIu64 " consumed=%s secs=%.2f\n", off,
	    load(&c->out_cons) == c->out_prod ? "yes" : "no",
	    (double)(now_ns() - start) / 1e9);
	fflush(stdout);
	return 0;
}

static int
do_corrupt(struct xsim_console *con)
{
	struct xencons_interface *c = con->page;
	int i;

	put_str(con, "corrupt: a last sane line\n");
	for (i = 0; i < 100 && load(&c->out_cons) != c->out_prod; i++)
		xsim_console_wait(con, 50);
	__atomic_store_n(&c->out_prod, load(&c->out_cons) + 100000,
	    __ATOMIC_RELEASE);
	xsim_console_notify(con);
	printf("CORRUPTED\n");
	fflush(stdout);
	return 0;
}

static void __attribute__((__noreturn__))
do_echo(struct xsim_console *con)
{
	struct xencons_interface *c = con->page;
	unsigned char buf[IN_SIZE];
	XENCONS_RING_IDX cons, prod;
	size_t n;

	put_str(con, "READY\n");
	printf("READY\n");
	fflush(stdout);
	for (;;) {
		cons = c->in_cons;
		prod = load(&c->in_prod);
		if (prod == cons || prod - cons > IN_SIZE) {
			xsim_console_wait(con, 1000);
			continue;
		}
		for (n = 0; cons + n != prod; n++)
			buf[n] = (unsigned char)c->in[MASK_XENCONS_IDX(cons + n,
			    c->in)];
		__atomic_store_n(&c->in_cons, prod, __ATOMIC_RELEASE);
		xsim_console_notify(con);
		printf("GOT %zu: %.*s\n", n, (int)n, buf);
		fflush(stdout);
		put(con, buf, n);
	}
}

static unsigned char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *p = NULL, *np;
	size_t cap = 0, n;

	*len = 0;
	if (f == NULL)
		return NULL;
	for (;;) {
		if (*len == cap) {
			cap = cap ? cap * 2 : 65536;
			if ((np = realloc(p, cap)) == NULL)
				break;
			p = np;
		}
		if ((n = fread(p + *len, 1, cap - *len, f)) == 0)
			break;
		*len += n;
	}
	fclose(f);
	return p;
}

static int
check_exact(uint64_t seed, const char *path, uint64_t total)
{
	struct gen g;
	unsigned char *p;
	size_t len, i;
	int rc = 0;

	if ((p = slurp(path, &len)) == NULL && total > 0) {
		fprintf(stderr, "check: %s: %s\n", path, strerror(errno));
		return 1;
	}
	gen_init(&g, seed);
	for (i = 0; i < len && i < total; i++)
		if (p[i] != gen_byte(&g)) {
			printf("MISMATCH at byte %zu\n", i);
			rc = 1;
			break;
		}
	if (rc == 0 && len != total) {
		printf("LENGTH %zu, want %" PRIu64 "\n", len, total);
		rc = 1;
	}
	if (rc == 0)
		printf("OK %zu bytes\n", len);
	free(p);
	return rc;
}

/* "[consoled: N bytes dropped]\n" at p: its length, and N. */
static size_t
parse_marker(const unsigned char *p, size_t left, uint64_t *n)
{
	static const char pre[] = "[consoled: ", post[] = " bytes dropped]\n";
	size_t i = sizeof(pre) - 1;

	if (left < i || memcmp(p, pre, i) != 0)
		return 0;
	for (*n = 0; i < left && p[i] >= '0' && p[i] <= '9'; i++)
		*n = *n * 10 + (uint64_t)(p[i] - '0');
	if (left - i < sizeof(post) - 1 || memcmp(p + i, post,
	    sizeof(post) - 1) != 0)
		return 0;
	return i + sizeof(post) - 1;
}

/* Stream bytes [off, off+n) as a fresh generator gives them. */
static void
skip(struct gen *g, uint64_t n)
{
	while (n-- > 0)
		gen_byte(g);
}

/* Do the bytes after a marker go on with the stream as g has it? */
static bool
resumes(struct gen g, uint64_t skipped, const unsigned char *p, size_t left)
{
	size_t i;

	skip(&g, skipped);
	for (i = 0; i < left && i < 64; i++) {
		if (p[i] == '[' || (p[i] == '\n' && i + 1 < left &&
		    p[i + 1] == '['))
			return true;	/* another marker: far enough */
		if (p[i] != gen_byte(&g))
			return false;
	}
	return true;
}

/*
 * At a "\n[consoled: " the newline is the marker's (the line was open)
 * or the stream's own followed by a marker: the bytes after tell.
 */
static size_t
marker_at(struct gen *g, const unsigned char *p, size_t i, size_t len,
    uint64_t *n, bool *own_nl)
{
	size_t m;
	struct gen alt = *g;

	*own_nl = false;
	if (p[i] == '[')
		return parse_marker(p + i, len - i, n);
	if (p[i] != '\n' || i + 1 >= len || p[i + 1] != '[' ||
	    (m = parse_marker(p + i + 1, len - i - 1, n)) == 0)
		return 0;
	if (gen_byte(&alt) == '\n' &&
	    resumes(alt, *n, p + i + 1 + m, len - i - 1 - m)) {
		*own_nl = true;		/* the stream's newline, then marker */
		return m + 1;
	}
	return i > 0 && p[i - 1] != '\n' ? m + 1 : 0;
}

static int
check_gaps(uint64_t seed, const char *path, uint64_t total)
{
	struct gen g;
	unsigned char *p;
	size_t len, i = 0, m;
	uint64_t off = 0, kept = 0, dropped = 0, markers = 0, n;
	bool own_nl;

	if ((p = slurp(path, &len)) == NULL) {
		fprintf(stderr, "check: %s: %s\n", path, strerror(errno));
		return 1;
	}
	gen_init(&g, seed);
	while (i < len) {
		if ((m = marker_at(&g, p, i, len, &n, &own_nl)) > 0) {
			if (own_nl) {
				gen_byte(&g);
				off++;
				kept++;
			}
			skip(&g, n);
			off += n;
			dropped += n;
			markers++;
			i += m;
			continue;
		}
		if (p[i] != gen_byte(&g)) {
			printf("MISMATCH at file byte %zu (stream byte %" PRIu64
			    ")\n", i, off);
			free(p);
			return 1;
		}
		off++;
		kept++;
		i++;
	}
	free(p);
	printf("kept=%" PRIu64 " dropped=%" PRIu64 " markers=%" PRIu64
	    " end=%" PRIu64 "\n", kept, dropped, markers, off);
	if (off != total) {
		printf("END at stream byte %" PRIu64 ", want %" PRIu64 "\n",
		    off, total);
		return 1;
	}
	return 0;
}

static int
guest(int argc, char **argv)
{
	struct xsim_console con;
	int rc;

	if (xsim_console_open(&con) == -1) {
		printf("console: %s\n", strerror(errno));
		return 1;
	}
	if (strcmp(argv[1], "write") == 0 && argc == 5)
		rc = do_write(&con, strtoull(argv[2], NULL, 10),
		    strtoull(argv[3], NULL, 10), strtoull(argv[4], NULL, 10));
	else if (strcmp(argv[1], "corrupt") == 0)
		rc = do_corrupt(&con);
	else if (strcmp(argv[1], "echo") == 0)
		do_echo(&con);
	else {
		fprintf(stderr, "con-guest: bad arguments\n");
		return 2;
	}
	if (rc == 0)
		stay();
	return rc;
}

int
main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "check") == 0)
		return check_exact(strtoull(argv[2], NULL, 10), argv[3],
		    strtoull(argv[4], NULL, 10));
	if (argc == 5 && strcmp(argv[1], "check-gaps") == 0)
		return check_gaps(strtoull(argv[2], NULL, 10), argv[3],
		    strtoull(argv[4], NULL, 10));
	if (argc < 2)
		return 2;
	return guest(argc, argv);
}
