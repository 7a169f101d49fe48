#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "http_text.h"

int
http_text_init(struct http_text *t, size_t cap)
{
	*t = (struct http_text){ .cap = cap };
	return (t->p = malloc(cap)) == NULL ? -1 : 0;
}

void
http_text_put(struct http_text *t, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	if (t->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= t->cap - t->len)
		t->full = true;
	else
		t->len += (size_t)n;
}

void
http_text_end_cut(struct http_text *t, const char *tail)
{
	if (!t->full)
		return;
	t->full = false;
	t->len = t->cap > HTTP_TEXT_TAIL ? t->cap - HTTP_TEXT_TAIL : 0;
	/* At a line's end: no half a sample line, no half a tag. */
	while (t->len > 0 && t->p[t->len - 1] != '\n')
		t->len--;
	http_text_put(t, "%s", tail);
}
