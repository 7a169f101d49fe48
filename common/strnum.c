#include <errno.h>
#include <stdlib.h>

#include "strnum.h"

int
strnum(const char *s, long long min, long long max, long long *out)
{
	char		*end;
	long long	 v;

	if (s == NULL || *s == '\0' || *s == ' ' || *s == '\t' ||
	    *s == '\n') {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || (*end != '\0' && !(*end == '\n' && end[1] == '\0'))) {
		errno = EINVAL;
		return -1;
	}
	if (errno == ERANGE || v < min || v > max) {
		errno = ERANGE;
		return -1;
	}
	*out = v;
	return 0;
}
