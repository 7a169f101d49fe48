/*
 * xfer_util: what the test programs that move or hold data between
 * domains (vchan-xfer, ring-probe, simd-probe) share for their command
 * lines and their clocks.
 */
#ifndef XFER_UTIL_H
#define XFER_UTIL_H

#include <stdint.h>

/* Messages to stderr as "PROG: ROLE: ...", one a line. */
void	 xfer_msg_as(const char *prog, const char *role);
void	 xfer_msg(const char *, ...)
	    __attribute__((__format__(__printf__, 1, 2)));

/* Seconds on the monotonic clock. */
double	 xfer_now_s(void);

/* A byte count with an optional K, M or G suffix: 0, or -1 if bad. */
int	 xfer_parse_size(const char *, uint64_t *);

#endif /* XFER_UTIL_H */
