#include <string.h>
#include <strings.h>

#include "http_path.h"

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "http://authority/path" -> "/path" (the authority is not ours to
 * check: one site is served whatever the client calls it). */
static const char *
skip_absolute(const char *t, size_t *len)
{
	size_t		 skip, i;

	if (*len >= 7 && strncasecmp(t, "http://", 7) == 0)
		skip = 7;
	else if (*len >= 8 && strncasecmp(t, "https://", 8) == 0)
		skip = 8;
	else
		return t;
	for (i = skip; i < *len && t[i] != '/' && t[i] != '?'; i++)
		;
	*len -= i;
	return t + i;
}

/* A fragment is not sent, but if it is, it is not query. */
static void
cut_fragment(struct http_path *p)
{
	const char	*hash = memchr(p->query, '#', p->query_len);

	if (hash != NULL)
		p->query_len = (size_t)(hash - p->query);
}

/* Decodes %XX into out; the path ends at "?" or "#". */
static int
decode(const char *t, size_t len, struct http_path *p, const char **why)
{
	size_t	 i, o = 0;
	int	 hi, lo;

	for (i = 0; i < len && t[i] != '?' && t[i] != '#'; i++) {
		if (o + 1 >= sizeof(p->path)) {
			*why = "path too long";
			return 414;
		}
		if (t[i] != '%') {
			p->path[o++] = t[i];
			continue;
		}
		if (i + 2 >= len || (hi = hexval(t[i + 1])) < 0 ||
		    (lo = hexval(t[i + 2])) < 0) {
			*why = "malformed percent-encoding";
			return 400;
		}
		if ((p->path[o++] = (char)(hi << 4 | lo)) == '\0') {
			*why = "encoded NUL in the path";
			return 400;
		}
		i += 2;
	}
	p->path[o] = '\0';
	p->len = o;
	if (i < len && t[i] == '?') {
		p->query = t + i + 1;
		p->query_len = len - i - 1;
		cut_fragment(p);
	}
	return 0;
}

/*
 * In place: segments copied one by one, "." dropped, ".." taking the
 * last kept one back, empty ones (from "//") dropped.  A final ".", ".."
 * or "/" leaves the trailing slash a directory's path has.
 */
static int
remove_dots(struct http_path *p, const char **why)
{
	char	*in = p->path, *out = p->path;
	size_t	 n, o = 0, i = 0;
	int	 slash = 0;

	while (i < p->len) {
		while (i < p->len && in[i] == '/')
			i++;
		for (n = 0; i + n < p->len && in[i + n] != '/'; n++)
			;
		slash = i + n < p->len || n == 0;
		if (n == 1 && in[i] == '.') {
			slash = 1;
		} else if (n == 2 && in[i] == '.' && in[i + 1] == '.') {
			if (o == 0) {
				*why = "path climbs above the root";
				return 400;
			}
			while (o > 0 && out[o - 1] != '/')
				o--;
			o--;		/* the slash before it */
			slash = 1;
		} else if (n > 0) {
			out[o++] = '/';
			memmove(out + o, in + i, n);
			o += n;
		}
		i += n;
	}
	if (o == 0 || slash)
		out[o++] = '/';
	out[o] = '\0';
	p->len = o;
	return 0;
}

int
http_path_parse(const char *target, size_t len, struct http_path *p,
    const char **why)
{
	int	 rc;

	p->query = NULL;
	p->query_len = 0;
	p->asterisk = 0;
	p->path[0] = '\0';
	p->len = 0;
	if (len == 1 && target[0] == '*') {
		p->asterisk = 1;
		return 0;
	}
	target = skip_absolute(target, &len);
	if (len == 0 || target[0] == '?') {
		/* "http://host" names the root. */
		if (len > 1) {
			p->query = target + 1;
			p->query_len = len - 1;
			cut_fragment(p);
		}
		p->path[0] = '/';
		p->path[1] = '\0';
		p->len = 1;
		return 0;
	}
	if (target[0] != '/') {
		*why = "request target is not a path";
		return 400;
	}
	if ((rc = decode(target, len, p, why)) != 0)
		return rc;
	return remove_dots(p, why);
}
