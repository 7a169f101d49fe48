/*
 * xs-dom-ops: the domain requests xenstore-utils has no command for, sent
 * through Debian's libxenstore, plus a guest that hoards transaction
 * memory.  For tests/xenstored/it_domain_life.sh.
 *
 *   xs-dom-ops introduced DOMID      prints "yes" or "no"
 *   xs-dom-ops resume DOMID          XS_RESUME; exit 0 if it succeeded
 *   xs-dom-ops perms PATH            GET_PERMS, as "n0 r5": unlike
 *	xenstore-ls -p, it takes a special name (@releaseDomain)
 *   xs-dom-ops txn-hog N SIZE GO     (inside a domain) opens N
 *	transactions and writes up to 500 SIZE-byte nodes under data/hog
 *	in each (under the per-transaction node quota) until xenstored
 *	refuses one, prints "HELD K nodes, refused: ERR"
 *	and waits (at most a minute) for the file GO to exist; then aborts
 *	them all, checks a new transaction takes a write again, and prints
 *	"ABORTED ok" or "ABORTED failed: ERR".
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xenstore.h>

#define MAX_TXNS	64
#define PER_TXN		500	/* below the transaction-nodes quota */
#define WAIT_GO_S	60

static unsigned
parse_uint(const char *s)
{
	char	*end;
	long	 v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < 0 || v > 1000000) {
		fprintf(stderr, "xs-dom-ops: bad number %s\n", s);
		exit(2);
	}
	return (unsigned)v;
}

static int
wait_for_file(const char *path)
{
	struct timespec	 tick = { 0, 20 * 1000 * 1000 };
	int		 i;

	for (i = 0; i < WAIT_GO_S * 50; i++) {
		if (access(path, F_OK) == 0)
			return 0;
		nanosleep(&tick, NULL);
	}
	return -1;
}

/* Fills each transaction until a write is refused; the count written. */
static long
hoard(struct xs_handle *h, xs_transaction_t *t, unsigned n, unsigned size,
    int *err)
{
	char		*val = malloc(size), path[64];
	long		 k = 0;
	unsigned	 i;

	if (val == NULL)
		return -1;
	memset(val, 'h', size);
	*err = 0;
	for (i = 0; i < n && *err == 0; i++) {
		if ((t[i] = xs_transaction_start(h)) == XBT_NULL) {
			*err = errno;
			break;
		}
		for (unsigned j = 0; j < PER_TXN; j++, k++) {
			snprintf(path, sizeof(path), "data/hog/%u/%u", i, j);
			if (!xs_write(h, t[i], path, val, size)) {
				*err = errno;
				break;
			}
		}
	}
	free(val);
	return k;
}

static int
txn_hog(unsigned n, unsigned size, const char *go)
{
	struct xs_handle	*h = xs_open(0);
	xs_transaction_t	 t[MAX_TXNS];
	unsigned		 i;
	long			 k;
	int			 err = 0;

	if (h == NULL || n == 0 || n > MAX_TXNS) {
		printf("HOG failed to start\n");
		return 1;
	}
	for (i = 0; i < n; i++)
		t[i] = XBT_NULL;
	k = hoard(h, t, n, size, &err);
	printf("HELD %ld nodes, refused: %s\n", k,
	    err != 0 ? strerror(err) : "never");
	fflush(stdout);
	if (wait_for_file(go) != 0) {
		printf("HOG never told to go on\n");
		return 1;
	}
	for (i = 0; i < n; i++)
		if (t[i] != XBT_NULL)
			xs_transaction_end(h, t[i], true);
	t[0] = xs_transaction_start(h);
	if (t[0] == XBT_NULL || !xs_write(h, t[0], "data/after", "x", 1) ||
	    !xs_transaction_end(h, t[0], false))
		printf("ABORTED failed: %s\n", strerror(errno));
	else
		printf("ABORTED ok\n");
	xs_close(h);
	return 0;
}

static bool
print_perms(struct xs_handle *h, const char *path)
{
	struct xs_permissions	*p;
	unsigned int		 n, i;

	if ((p = xs_get_permissions(h, XBT_NULL, path, &n)) == NULL) {
		perror("xs-dom-ops: perms");
		return false;
	}
	for (i = 0; i < n; i++)
		printf("%s%c%u", i > 0 ? " " : "",
		    "nrwb"[p[i].perms & (XS_PERM_READ | XS_PERM_WRITE)],
		    p[i].id);
	printf("\n");
	free(p);
	return true;
}

int
main(int argc, char **argv)
{
	struct xs_handle	*h;
	bool			 ok;

	if (argc == 5 && strcmp(argv[1], "txn-hog") == 0)
		return txn_hog(parse_uint(argv[2]), parse_uint(argv[3]),
		    argv[4]);
	if (argc != 3) {
		fprintf(stderr, "usage: xs-dom-ops introduced|resume DOMID\n"
		    "       xs-dom-ops perms PATH\n"
		    "       xs-dom-ops txn-hog N SIZE GOFILE\n");
		return 2;
	}
	if ((h = xs_open(0)) == NULL) {
		perror("xs-dom-ops: xs_open");
		return 1;
	}
	if (strcmp(argv[1], "introduced") == 0) {
		errno = 0;
		ok = xs_is_domain_introduced(h, parse_uint(argv[2]));
		if (!ok && errno != 0) {
			perror("xs-dom-ops: introduced");
			return 1;
		}
		printf("%s\n", ok ? "yes" : "no");
	} else if (strcmp(argv[1], "perms") == 0) {
		if (!print_perms(h, argv[2]))
			return 1;
	} else if (strcmp(argv[1], "resume") == 0) {
		if (!xs_resume_domain(h, parse_uint(argv[2]))) {
			perror("xs-dom-ops: resume");
			return 1;
		}
	} else {
		fprintf(stderr, "xs-dom-ops: unknown request %s\n", argv[1]);
		return 2;
	}
	xs_close(h);
	return 0;
}
