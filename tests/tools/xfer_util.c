#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "xfer_util.h"

static const char *msg_prog = "xfer", *msg_role = "?";

void
xfer_msg_as(const char *prog, const char *role)
{
	msg_prog = prog;
	msg_role = role;
}

void
xfer_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "%s: %s: ", msg_prog, msg_role);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

double
xfer_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
xfer_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'G': v <<= 10;	/* FALLTHROUGH */
	case 'M': v <<= 10;	/* FALLTHROUGH */
	case 'K': v <<= 10; end++; break;
	case '\0': break;
	default: return -1;
	}
	if (*end != '\0')
		return -1;
	*out = v;
	return 0;
}
