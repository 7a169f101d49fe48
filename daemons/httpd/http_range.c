#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "http_range.h"

/* 1*DIGIT after optional blanks; 0 digits or a number too large for
 * 64 bits both make the range malformed. */
static size_t
number(const char *p, size_t len, uint64_t *v, bool *ok)
{
	size_t	 i = 0, start;

	*v = 0;
	*ok = false;
	while (i < len && (p[i] == ' ' || p[i] == '\t'))
		i++;
	for (start = i; i < len && p[i] >= '0' && p[i] <= '9'; i++) {
		if (*v > (UINT64_MAX - 9) / 10)
			return i;
		*v = *v * 10 + (uint64_t)(p[i] - '0');
	}
	*ok = i > start;
	while (i < len && (p[i] == ' ' || p[i] == '\t'))
		i++;
	return i;
}

/*
 * One range-spec, "first-[last]" or "-suffix", blanks allowed around
 * the dash as nginx and lighttpd allow them.  -1 if malformed, 0 if
 * unsatisfiable, 1 with *r set.
 */
static int
one(const char *p, size_t len, uint64_t size, struct http_range *r)
{
	uint64_t	 a, b;
	size_t		 i, j;
	bool		 has_a, has_b;

	i = number(p, len, &a, &has_a);
	if (i == len || p[i] != '-')
		return -1;
	j = number(p + i + 1, len - i - 1, &b, &has_b);
	if (i + 1 + j != len || (!has_a && !has_b))
		return -1;
	if (!has_a) {
		if (b == 0)
			return 0;
		r->first = b >= size ? 0 : size - b;
		r->last = size - 1;
		return 1;
	}
	if (!has_b)
		b = UINT64_MAX;
	else if (b < a)
		return -1;
	if (a >= size)
		return 0;
	r->first = a;
	r->last = b >= size ? size - 1 : b;
	return 1;
}

enum http_range_result
http_range_parse(const char *v, size_t len, uint64_t size,
    struct http_range *out, unsigned max, unsigned *n)
{
	size_t		 i = 6, s, e;
	unsigned	 specs = 0;
	int		 rc;

	*n = 0;
	if (len < 6 || strncasecmp(v, "bytes=", 6) != 0)
		return HTTP_RANGE_IGNORE;
	/* An empty file has no ranges to give: all of it (nothing), as
	 * nginx and lighttpd send. */
	if (size == 0)
		return HTTP_RANGE_IGNORE;
	while (i < len) {
		/* Elements are comma-separated; empty ones are allowed
		 * (RFC 9110 5.6.1). */
		while (i < len && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		if (i == len)
			break;
		s = i;
		while (i < len && v[i] != ',')
			i++;
		e = i;
		if (++specs > max)
			return HTTP_RANGE_IGNORE;
		if ((rc = one(v + s, e - s, size, &out[*n])) < 0)
			return HTTP_RANGE_UNSAT;
		if (rc > 0)
			(*n)++;
	}
	return *n > 0 ? HTTP_RANGE_OK : HTTP_RANGE_UNSAT;
}
