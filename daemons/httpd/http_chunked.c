#include <string.h>

#include "http_chunked.h"

#define LINE_MAX_BYTES	4096	/* an extension or a trailer line */

enum {
	CH_SIZE, CH_EXT, CH_SIZE_LF, CH_DATA, CH_DATA_CR, CH_DATA_LF,
	CH_TRAILER, CH_TRAILER_LINE, CH_TRAILER_LF, CH_END_LF, CH_DONE
};

void
http_chunked_init(struct http_chunked *c)
{
	memset(c, 0, sizeof(*c));
}

static int
hex(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static int
bad(struct http_chunked *c, const char *why)
{
	c->why = why;
	return 400;
}

/* One byte of framing (everything but data). */
static int
step(struct http_chunked *c, char ch)
{
	int	 v;

	switch (c->state) {
	case CH_SIZE:
		if ((v = hex(ch)) >= 0) {
			if (++c->digits > 16)
				return bad(c, "chunk size too long");
			c->left = c->left << 4 | (uint64_t)v;
		} else if (c->digits == 0)
			return bad(c, "chunk size missing");
		else if (ch == ';' || ch == ' ' || ch == '\t')
			c->state = CH_EXT;
		else if (ch == '\r')
			c->state = CH_SIZE_LF;
		else
			return bad(c, "malformed chunk size");
		return 0;
	case CH_EXT:
		if (ch == '\r')
			c->state = CH_SIZE_LF;
		else if ((unsigned char)ch < ' ' && ch != '\t')
			return bad(c, "control character in a chunk extension");
		else if (++c->line > LINE_MAX_BYTES)
			return bad(c, "chunk extension too long");
		return 0;
	case CH_SIZE_LF:
		if (ch != '\n')
			return bad(c, "chunk size line without CRLF");
		c->line = 0;
		c->digits = 0;
		c->state = c->left == 0 ? CH_TRAILER : CH_DATA;
		return 0;
	case CH_DATA_CR:
		if (ch != '\r')
			return bad(c, "chunk data longer than its size");
		c->state = CH_DATA_LF;
		return 0;
	case CH_DATA_LF:
		if (ch != '\n')
			return bad(c, "chunk data without CRLF");
		c->state = CH_SIZE;
		return 0;
	case CH_TRAILER:
		if (ch == '\r') {
			c->state = CH_END_LF;
			return 0;
		}
		c->state = CH_TRAILER_LINE;
		/* FALLTHROUGH */
	case CH_TRAILER_LINE:
		if (ch == '\r')
			c->state = CH_TRAILER_LF;
		else if ((unsigned char)ch < ' ' && ch != '\t')
			return bad(c, "control character in a trailer");
		else if (++c->line > LINE_MAX_BYTES)
			return bad(c, "trailer too long");
		return 0;
	case CH_TRAILER_LF:
		if (ch != '\n')
			return bad(c, "trailer without CRLF");
		c->line = 0;
		c->state = CH_TRAILER;
		return 0;
	case CH_END_LF:
		if (ch != '\n')
			return bad(c, "chunked body without final CRLF");
		c->state = CH_DONE;
		return 0;
	}
	return bad(c, "chunked decoder in a bad state");
}

int
http_chunked_feed(struct http_chunked *c, const char *p, size_t n,
    uint64_t max, size_t *used)
{
	size_t		 i = 0, k;
	int		 rc;

	while (i < n && c->state != CH_DONE) {
		if (c->state == CH_DATA) {
			k = n - i < c->left ? n - i : (size_t)c->left;
			c->left -= k;
			c->total += k;
			i += k;
			if (c->total > max) {
				c->why = "body too large";
				*used = i;
				return 413;
			}
			if (c->left == 0)
				c->state = CH_DATA_CR;
			continue;
		}
		if ((rc = step(c, p[i++])) != 0) {
			*used = i;
			return rc;
		}
		if (c->state == CH_DATA && c->left > max - c->total) {
			c->why = "body too large";
			*used = i;
			return 413;
		}
	}
	*used = i;
	return c->state == CH_DONE ? HTTP_CHUNKED_DONE : HTTP_CHUNKED_MORE;
}
