#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http_mime.h"

#define MIME_DEFAULT	"application/octet-stream"

struct mime_entry {
	char		*ext;
	const char	*type;		/* into types[] */
	size_t		 order;		/* in the file, to break ties */
};

struct http_mime {
	struct mime_entry	*v;
	size_t			 n, cap;
	char			**types;
	size_t			 ntypes;
};

static int
by_ext(const void *a, const void *b)
{
	return strcasecmp(((const struct mime_entry *)a)->ext,
	    ((const struct mime_entry *)b)->ext);
}

static int
by_ext_then_order(const void *a, const void *b)
{
	const struct mime_entry	*x = a, *y = b;
	int			 c = by_ext(a, b);

	if (c != 0)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int
add(struct http_mime *m, const char *ext, const char *type)
{
	struct mime_entry	*nv;

	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 256;
		if ((nv = realloc(m->v, m->cap * sizeof(*nv))) == NULL)
			return -1;
		m->v = nv;
	}
	if ((m->v[m->n].ext = strdup(ext)) == NULL)
		return -1;
	m->v[m->n].order = m->n;
	m->v[m->n++].type = type;
	return 0;
}

/* "type ext ext ..." into the table; the type string kept once. */
static int
line(struct http_mime *m, char *s)
{
	char	*save, *type, *ext, **nt;

	if ((s = strtok_r(s, " \t\r\n", &save)) == NULL || *s == '#')
		return 0;
	if ((nt = realloc(m->types, (m->ntypes + 1) * sizeof(*nt))) == NULL)
		return -1;
	m->types = nt;
	if ((type = strdup(s)) == NULL)
		return -1;
	m->types[m->ntypes++] = type;
	while ((ext = strtok_r(NULL, " \t\r\n", &save)) != NULL &&
	    *ext != '#')
		if (add(m, ext, type) == -1)
			return -1;
	return 0;
}

/* Of duplicates the first listed wins, as in most servers. */
static void
dedup(struct http_mime *m)
{
	size_t	 i, o = 0;

	for (i = 0; i < m->n; i++) {
		if (o > 0 && strcasecmp(m->v[o - 1].ext, m->v[i].ext) == 0) {
			free(m->v[i].ext);
			continue;
		}
		m->v[o++] = m->v[i];
	}
	m->n = o;
}

struct http_mime *
http_mime_load(const char *path, char *err, size_t errlen)
{
	struct http_mime	*m;
	FILE			*f;
	char			 buf[4096];

	if ((m = calloc(1, sizeof(*m))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if ((f = fopen(path, "re")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(m);
		return NULL;
	}
	while (fgets(buf, sizeof(buf), f) != NULL)
		if (line(m, buf) == -1) {
			snprintf(err, errlen, "%s: out of memory", path);
			fclose(f);
			http_mime_free(m);
			return NULL;
		}
	fclose(f);
	qsort(m->v, m->n, sizeof(*m->v), by_ext_then_order);
	dedup(m);
	return m;
}

void
http_mime_free(struct http_mime *m)
{
	size_t	 i;

	if (m == NULL)
		return;
	for (i = 0; i < m->n; i++)
		free(m->v[i].ext);
	for (i = 0; i < m->ntypes; i++)
		free(m->types[i]);
	free(m->types);
	free(m->v);
	free(m);
}

const char *
http_mime_type(const struct http_mime *m, const char *name)
{
	const char		*dot = strrchr(name, '.');
	struct mime_entry	 key, *e;

	if (m == NULL || dot == NULL || dot[1] == '\0' ||
	    strchr(dot, '/') != NULL)
		return MIME_DEFAULT;
	key.ext = (char *)(uintptr_t)(dot + 1);
	e = bsearch(&key, m->v, m->n, sizeof(*m->v), by_ext);
	return e != NULL ? e->type : MIME_DEFAULT;
}

size_t
http_mime_count(const struct http_mime *m)
{
	return m != NULL ? m->n : 0;
}
