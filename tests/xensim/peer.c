/*
 * xensim-peer: runs inside a simulated domain for tests/xensim.  It offers
 * dom0 an event channel and one page granted with an unmap notification
 * (clear byte 0, send on that channel), writes "REF PORT" to the file it
 * is given, then waits to be killed: its death must fire the notification.
 */
#include <sys/mman.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <xenevtchn.h>
#include <xengnttab.h>

int
main(int argc, char **argv)
{
	xenevtchn_handle *xce;
	xengntshr_handle *xgs;
	uint32_t ref;
	int port;
	char *page, tmp[4096];
	FILE *f;

	if (argc != 2)
		return 2;
	if ((xce = xenevtchn_open(NULL, 0)) == NULL ||
	    (xgs = xengntshr_open(NULL, 0)) == NULL) {
		perror("xensim-peer: open");
		return 1;
	}
	if ((port = xenevtchn_bind_unbound_port(xce, 0)) < 0 ||
	    (page = xengntshr_share_page_notify(xgs, 0, &ref, 1, 0,
	    port)) == NULL) {
		perror("xensim-peer: share");
		return 1;
	}
	page[0] = 1;
	strcpy(page + 8, "hello from a simulated domain");
	snprintf(tmp, sizeof(tmp), "%s.tmp", argv[1]);
	if ((f = fopen(tmp, "w")) == NULL)
		return 1;
	fprintf(f, "%u %d\n", ref, port);
	fclose(f);
	rename(tmp, argv[1]);
	for (;;)
		pause();
}
