#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http_cond.h"
#include "http_date.h"

/*
 * Walks a list of entity tags ("*" handled by the caller); true if one
 * matches.  weak: W/ prefixes are ignored on both sides.  A malformed
 * list matches nothing.
 */
static bool
etag_in(const char *p, size_t n, const struct http_validators *v, bool weak)
{
	const char	*mine = v->etag;
	size_t		 mlen = v->etag_len, i = 0, s;
	bool		 w;

	if (mlen >= 2 && mine[0] == 'W' && mine[1] == '/') {
		if (!weak)	/* a weak tag never matches strongly */
			return false;
		mine += 2;
		mlen -= 2;
	}
	while (i < n) {
		while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == ','))
			i++;
		if (i == n)
			break;
		w = false;
		if (n - i >= 2 && p[i] == 'W' && p[i + 1] == '/') {
			w = true;
			i += 2;
		}
		if (i == n || p[i] != '"')
			return false;
		s = i++;
		while (i < n && p[i] != '"')
			i++;
		if (i == n)
			return false;
		i++;
		if ((weak || !w) && i - s == mlen && memcmp(p + s, mine, mlen) == 0)
			return true;
	}
	return false;
}

static bool
is_star(const char *p, size_t n)
{
	return n == 1 && p[0] == '*';
}

int
http_cond_check(const char *buf, const struct http_req *r,
    const struct http_validators *v)
{
	const char	*p;
	time_t		 t;
	bool		 safe = r->method == HTTP_M_GET || r->method == HTTP_M_HEAD;

	if (r->if_match.len > 0) {
		p = buf + r->if_match.off;
		if (!is_star(p, r->if_match.len) &&
		    !etag_in(p, r->if_match.len, v, false))
			return 412;
	} else if (r->if_unmodified_since.len > 0) {
		t = http_date_parse(buf + r->if_unmodified_since.off,
		    r->if_unmodified_since.len);
		if (t != -1 && v->mtime > t)
			return 412;
	}
	if (r->if_none_match.len > 0) {
		p = buf + r->if_none_match.off;
		if (is_star(p, r->if_none_match.len) ||
		    etag_in(p, r->if_none_match.len, v, true))
			return safe ? 304 : 412;
	} else if (r->if_modified_since.len > 0 && safe) {
		t = http_date_parse(buf + r->if_modified_since.off,
		    r->if_modified_since.len);
		if (t != -1 && v->mtime <= t)
			return 304;
	}
	return 0;
}

bool
http_cond_if_range(const char *buf, const struct http_req *r,
    const struct http_validators *v)
{
	const char	*p = buf + r->if_range.off;
	size_t		 n = r->if_range.len;

	if (n == 0)
		return true;
	if (p[0] == '"' || (n > 1 && p[0] == 'W' && p[1] == '/'))
		return etag_in(p, n, v, false);
	/* A date is a weak validator unless it matches exactly. */
	return http_date_parse(p, n) == v->mtime;
}

/* The q of one element's parameters; 1 when absent, 0 when broken. */
static double
qvalue(const char *p, size_t n)
{
	const char	*q;
	char		 num[8];
	size_t		 i, len;

	if ((q = memchr(p, ';', n)) == NULL)
		return 1;
	for (i = (size_t)(q - p) + 1; i < n && (p[i] == ' ' || p[i] == '\t');
	    i++)
		;
	if (n - i < 3 || (p[i] != 'q' && p[i] != 'Q') || p[i + 1] != '=')
		return 1;
	len = n - i - 2;
	if (len == 0 || len >= sizeof(num))
		return 0;
	memcpy(num, p + i + 2, len);
	num[len] = '\0';
	return strtod(num, NULL);
}

unsigned
http_accept_encoding(const char *p, size_t n)
{
	unsigned	 yes = 0, no = 0, bit;
	size_t		 i = 0, s, e, name;
	double		 q;
	bool		 star = false;

	while (i < n) {
		while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == ','))
			i++;
		s = i;
		while (i < n && p[i] != ',')
			i++;
		for (e = i; e > s && (p[e - 1] == ' ' || p[e - 1] == '\t'); e--)
			;
		for (name = s; name < e && p[name] != ';' && p[name] != ' ' &&
		    p[name] != '\t'; name++)
			;
		if (name == s)
			continue;
		q = qvalue(p + s, e - s);
		bit = 0;
		if (name - s == 4 && strncasecmp(p + s, "gzip", 4) == 0)
			bit = HTTP_ENC_GZIP;
		else if (name - s == 2 && strncasecmp(p + s, "br", 2) == 0)
			bit = HTTP_ENC_BR;
		else if (name - s == 1 && p[s] == '*')
			star = q > 0;
		if (bit != 0)
			*(q > 0 ? &yes : &no) |= bit;
	}
	if (star)
		yes |= (HTTP_ENC_GZIP | HTTP_ENC_BR) & ~no;
	return yes & ~no;
}
