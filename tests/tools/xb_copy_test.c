/*
 * xb-copy-test: grant copies through common/xb_copy.h, both ways, on
 * xensim or Xen (tests/xenbus/it_copy.sh).
 *
 *   xb-copy-test guest
 *	in a domain: shares two pages with dom0 (writable), the first
 *	filled with a pattern, the second zero; writes their refs to
 *	data/xbcopy/ref0 and ref1; waits for data/xbcopy/done; then checks
 *	that the second page holds, at 200, the first's bytes 100 to 1099
 *	and zeros elsewhere; prints "GUEST OK" or what differs.
 *   xb-copy-test backend DOMID
 *	in dom0: one batch from the guest's first page (1000 bytes at 100,
 *	and its last 96 bytes), plus one segment with a grant ref the guest
 *	never made: that one alone must fail; the bytes checked against the
 *	pattern; then one segment to the guest's second page at 200; writes
 *	done; prints "BACKEND OK" or what failed.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* xenctrl.h first: it tells the Xen headers after it this is a tool. */
#include <xenctrl.h>
#include <xen/grant_table.h>
#include <xengnttab.h>
#include <xenstore.h>

#include "xb_copy.h"

static uint8_t
pattern(unsigned i)
{
	return (uint8_t)(i * 7 + 1);
}

/* A key's value as a number, waiting for it up to 10 s. */
static long
wait_key(struct xs_handle *xs, const char *path)
{
	unsigned int	 len;
	char		*v;
	long		 n;
	int		 i;

	for (i = 0; i < 1000; i++) {
		if ((v = xs_read(xs, XBT_NULL, path, &len)) != NULL) {
			n = strtol(v, NULL, 10);
			free(v);
			return n;
		}
		usleep(10000);
	}
	return -1;
}

static int
guest(void)
{
	struct xs_handle	*xs = xs_open(0);
	xengntshr_handle	*gs = xengntshr_open(NULL, 0);
	uint32_t		 refs[2];
	uint8_t			*p;
	char			 v[16];
	unsigned		 i, bad = 0;

	if (xs == NULL || gs == NULL ||
	    (p = xengntshr_share_pages(gs, 0, 2, refs, 1)) == NULL) {
		printf("GUEST: cannot share pages\n");
		return 1;
	}
	for (i = 0; i < XB_PAGE_SIZE; i++) {
		p[i] = pattern(i);
		p[XB_PAGE_SIZE + i] = 0;
	}
	snprintf(v, sizeof(v), "%u", refs[0]);
	xs_write(xs, XBT_NULL, "data/xbcopy/ref0", v, strlen(v));
	snprintf(v, sizeof(v), "%u", refs[1]);
	xs_write(xs, XBT_NULL, "data/xbcopy/ref1", v, strlen(v));
	if (wait_key(xs, "data/xbcopy/done") < 0) {
		printf("GUEST: never done\n");
		return 1;
	}
	for (i = 0; i < XB_PAGE_SIZE; i++) {
		uint8_t want = i >= 200 && i < 1200 ? pattern(i - 200 + 100) : 0;

		if (p[XB_PAGE_SIZE + i] != want && bad++ == 0)
			printf("GUEST: byte %u is %u, not %u\n", i,
			    p[XB_PAGE_SIZE + i], want);
	}
	printf(bad == 0 ? "GUEST OK\n" : "GUEST BAD (%u bytes)\n", bad);
	xengntshr_unshare(gs, p, 2);
	return bad == 0 ? 0 : 1;
}

struct outcome {
	int16_t	 status[4];
};

static void
told(void *tag, int16_t status, void *arg)
{
	((struct outcome *)arg)->status[(uintptr_t)tag] = status;
}

static int
backend(unsigned domid)
{
	struct xs_handle	*xs = xs_open(0);
	xengnttab_handle	*gt = xengnttab_open(NULL, 0);
	struct xb_copy		*c;
	struct outcome		 o;
	uint8_t			 a[1000], b[96];
	char			 path[96];
	long			 ref0, ref1;
	unsigned		 i;
	int			 failed;

	snprintf(path, sizeof(path), "/local/domain/%u/data/xbcopy/ref0",
	    domid);
	ref0 = xs != NULL ? wait_key(xs, path) : -1;
	path[strlen(path) - 1] = '1';
	ref1 = xs != NULL ? wait_key(xs, path) : -1;
	if (ref0 < 0 || ref1 < 0 || gt == NULL ||
	    (c = xb_copy_new(gt, 4)) == NULL) {
		printf("BACKEND: no refs or no grant device\n");
		return 1;
	}
	memset(&o, 0x55, sizeof(o));
	if (xb_copy_from(c, (uint16_t)domid, (uint32_t)ref0, 100, a,
	    sizeof(a), (void *)0) != 0 ||
	    xb_copy_from(c, (uint16_t)domid, 0xfffff, 0, b, 1,
	    (void *)1) != 0 ||
	    xb_copy_from(c, (uint16_t)domid, (uint32_t)ref0, 4000, b,
	    sizeof(b), (void *)2) != 0) {
		printf("BACKEND: queueing refused\n");
		return 1;
	}
	failed = xb_copy_flush(c, told, &o);
	printf("BACKEND: from the guest: %d failed, statuses %d %d %d\n",
	    failed, o.status[0], o.status[1], o.status[2]);
	if (failed != 1 || o.status[0] != GNTST_okay ||
	    o.status[1] == GNTST_okay || o.status[2] != GNTST_okay)
		return 1;
	for (i = 0; i < sizeof(a); i++)
		if (a[i] != pattern(100 + i)) {
			printf("BACKEND: byte %u of the copy differs\n", i);
			return 1;
		}
	for (i = 0; i < sizeof(b); i++)
		if (b[i] != pattern(4000 + i)) {
			printf("BACKEND: byte %u of the page's end differs\n", i);
			return 1;
		}
	if (xb_copy_to(c, a, (uint16_t)domid, (uint32_t)ref1, 200, sizeof(a),
	    (void *)3) != 0 || xb_copy_flush(c, told, &o) != 0) {
		printf("BACKEND: the copy to the guest failed (%d)\n",
		    o.status[3]);
		return 1;
	}
	snprintf(path, sizeof(path), "/local/domain/%u/data/xbcopy/done",
	    domid);
	xs_write(xs, XBT_NULL, path, "1", 1);
	printf("BACKEND OK\n");
	xb_copy_free(c);
	xengnttab_close(gt);
	xs_close(xs);
	return 0;
}

int
main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && strcmp(argv[1], "guest") == 0)
		return guest();
	if (argc == 3 && strcmp(argv[1], "backend") == 0)
		return backend((unsigned)strtoul(argv[2], NULL, 10));
	fprintf(stderr, "usage: xb-copy-test guest | backend DOMID\n");
	return 2;
}
