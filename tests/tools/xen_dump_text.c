/*
 * xen-dump-text DOMID: the printable lines in a domain's memory that hold
 * a word, found without xenstore.
 *
 *   xen-dump-text DOMID WORD [MAX]
 *
 * For a domain whose messages cannot be read any other way: one built
 * without a console (init-xenstore-domain's xenstore domain), whose
 * store is the very thing that does not answer, so `xl dump-core` (which
 * asks xenstore first) waits forever.  libxenguest's xc_domain_dumpcore
 * writes the domain's memory to a temporary file, which is searched and
 * removed.  Each distinct line is printed once, at most MAX (default
 * 80).  dom0 only.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xenctrl.h>

#define LINE_MAX_BYTES	240

static int
seen_before(char **seen, size_t n, const char *line)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(seen[i], line) == 0)
			return 1;
	return 0;
}

/* Prints runs of printable bytes holding word, each once. */
static void
search(FILE *f, const char *word, size_t max)
{
	char run[LINE_MAX_BYTES + 1], **seen;
	size_t len = 0, n = 0;
	int c;

	if ((seen = calloc(max, sizeof(*seen))) == NULL)
		return;
	while (n < max && (c = getc(f)) != EOF) {
		if (isprint(c) && len < LINE_MAX_BYTES) {
			run[len++] = (char)c;
			continue;
		}
		run[len] = '\0';
		if (len > 0 && strstr(run, word) != NULL &&
		    !seen_before(seen, n, run) && (seen[n] = strdup(run)))
			printf("%s\n", seen[n++]);
		len = 0;
	}
	for (size_t i = 0; i < n; i++)
		free(seen[i]);
	free(seen);
}

int
main(int argc, char **argv)
{
	char path[] = "/tmp/xen-dump-text.XXXXXX";
	xc_interface *xch;
	FILE *f;
	int fd, rc;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: xen-dump-text DOMID WORD [MAX]\n");
		return 2;
	}
	if ((xch = xc_interface_open(NULL, NULL, 0)) == NULL) {
		perror("xen-dump-text: xc_interface_open");
		return 1;
	}
	if ((fd = mkstemp(path)) == -1) {
		perror("xen-dump-text: mkstemp");
		return 1;
	}
	close(fd);
	rc = xc_domain_dumpcore(xch, (uint32_t)strtoul(argv[1], NULL, 10), path);
	xc_interface_close(xch);
	if (rc != 0 || (f = fopen(path, "r")) == NULL) {
		perror("xen-dump-text: xc_domain_dumpcore");
		unlink(path);
		return 1;
	}
	search(f, argv[2], argc == 4 ? strtoul(argv[3], NULL, 10) : 80);
	fclose(f);
	unlink(path);
	return 0;
}
