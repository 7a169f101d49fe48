#include <sys/uio.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "con_log.h"
#include "log.h"

#define STAMP_LEN	48	/* "[2024-01-01 00:00:00.000] " and room */
#define BATCH		16

static int
open_fd(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
	    O_NOFOLLOW, 0640);
}

int
con_log_open(struct con_log *l, const char *path, bool stamp)
{
	memset(l, 0, sizeof(*l));
	l->fd = -1;
	l->stamp = stamp;
	l->bol = true;
	if ((l->path = strdup(path)) == NULL)
		return -1;
	if ((l->fd = open_fd(path)) == -1) {
		con_log_close(l);
		return -1;
	}
	return 0;
}

int
con_log_reopen(struct con_log *l)
{
	int fd;

	if (l->path == NULL)
		return 0;
	if ((fd = open_fd(l->path)) == -1)
		return -1;
	if (l->fd != -1)
		close(l->fd);
	l->fd = fd;
	l->failing = false;
	return 0;
}

void
con_log_close(struct con_log *l)
{
	if (l->fd != -1)
		close(l->fd);
	free(l->path);
	memset(l, 0, sizeof(*l));
	l->fd = -1;
}

static size_t
stamp(char *buf)
{
	struct timespec ts;
	struct tm tm;
	char when[20];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	return (size_t)snprintf(buf, STAMP_LEN, "[%s.%03u] ", when,
	    (unsigned)(ts.tv_nsec / 1000000) % 1000);
}

static void
flush(struct con_log *l, struct iovec *iov, int n)
{
	ssize_t want = 0;
	int i;

	for (i = 0; i < n; i++)
		want += (ssize_t)iov[i].iov_len;
	if (n == 0 || l->fd == -1)
		return;
	if (writev(l->fd, iov, n) == want) {
		l->failing = false;
		return;
	}
	if (!l->failing)
		log_warn("%s: write", l->path);
	l->failing = true;
}

/*
 * Lines are gathered into one writev with their stamps; one stamp per
 * line, taken when the line's first byte arrives.
 */
void
con_log_write(struct con_log *l, const char *p, size_t n)
{
	char stamps[BATCH][STAMP_LEN];
	struct iovec iov[2 * BATCH];
	const char *nl;
	size_t run;
	int niov = 0, ns = 0;

	if (!l->stamp) {
		iov[0] = (struct iovec){ (void *)(uintptr_t)p, n };
		flush(l, iov, 1);
		return;
	}
	while (n > 0) {
		if (niov >= 2 * BATCH - 1) {
			flush(l, iov, niov);
			niov = ns = 0;
		}
		if (l->bol) {
			iov[niov].iov_len = stamp(stamps[ns]);
			iov[niov++].iov_base = stamps[ns++];
		}
		nl = memchr(p, '\n', n);
		run = nl != NULL ? (size_t)(nl - p) + 1 : n;
		iov[niov++] = (struct iovec){ (void *)(uintptr_t)p, run };
		l->bol = nl != NULL;
		p += run;
		n -= run;
	}
	flush(l, iov, niov);
}

int
con_log_name(char *buf, size_t len, const char *dir, const char *name)
{
	char safe[64];
	size_t i;

	snprintf(safe, sizeof(safe), "%s", name);
	for (i = 0; safe[i] != '\0'; i++)
		if (!((safe[i] >= 'a' && safe[i] <= 'z') ||
		    (safe[i] >= 'A' && safe[i] <= 'Z') ||
		    (safe[i] >= '0' && safe[i] <= '9') ||
		    safe[i] == '-' || safe[i] == '_' ||
		    (safe[i] == '.' && i > 0)))
			safe[i] = '_';
	if ((size_t)snprintf(buf, len, "%s/guest-%s.log", dir, safe) >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}
