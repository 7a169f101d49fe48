/*
 * strnum: decimal numbers from text another program or a user wrote
 * (a /proc file, an option, a message), checked whole: digits with an
 * optional sign, nothing else but a trailing newline, within [min, max].
 * glibc has no strtonum(3); this is the same contract with errno.
 */
#ifndef SHOAL_STRNUM_H
#define SHOAL_STRNUM_H

/* 0 with *out set, or -1 with errno EINVAL (not a number) or ERANGE. */
int	strnum(const char *s, long long min, long long max, long long *out);

#endif /* SHOAL_STRNUM_H */
