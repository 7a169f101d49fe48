#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config.h"

#define CONFIG_MAXSIZE	(1024 * 1024)	/* no stub domain needs more */
#define PRINTFLIKE(f, a) __attribute__((__format__(__printf__, f, a)))

/* Where a value, and its key if it has one, begins in the text. */
struct pos {
	char	*path;
	int	 kline, kcol;	/* 0 for array elements and the root */
	int	 line, col;
};

struct posindex {
	struct pos	*v;
	size_t		 n, cap;
};

struct config_ctx {
	const char	*file;
	char		*err;
	size_t		 errlen;
	json_t		*root;
	struct posindex	 idx;
	json_t		*raw;		/* value a raw callback is looking at */
	const char	*rawpath;
};

/* The text was accepted by jansson, so the scanner can be trusting. */
struct scanner {
	const unsigned char	*p, *end;
	int			 line, col;	/* of the last char consumed */
	struct posindex		*idx;
};

static int	sc_value(struct scanner *, char *, int, int);
static int	apply_object(struct config_ctx *, const char *, json_t *,
		    const struct config_field *, char *);
static int	report(struct config_ctx *, const char *, int, const char *,
		    ...) PRINTFLIKE(4, 5);

/* Both the scanner and the walker name values this way, so they agree. */
static char *
path_key(const char *parent, const char *key)
{
	char	*p;

	if (asprintf(&p, "%s%s%s", parent, *parent ? "." : "", key) == -1)
		return NULL;
	return p;
}

static char *
path_index(const char *parent, size_t i)
{
	char	*p;

	if (asprintf(&p, "%s[%zu]", parent, i) == -1)
		return NULL;
	return p;
}

static int
pos_add(struct posindex *x, char *path, int kline, int kcol, int line,
    int col)
{
	struct pos	*nv;
	size_t		 cap;

	if (x->n == x->cap) {
		cap = x->cap ? x->cap * 2 : 32;
		if ((nv = reallocarray(x->v, cap, sizeof(*nv))) == NULL)
			return -1;
		x->v = nv;
		x->cap = cap;
	}
	x->v[x->n++] = (struct pos){ path, kline, kcol, line, col };
	return 0;
}

static const struct pos *
pos_find(const struct posindex *x, const char *path)
{
	size_t	 i;

	for (i = 0; path != NULL && i < x->n; i++)
		if (strcmp(x->v[i].path, path) == 0)
			return &x->v[i];
	return NULL;
}

static void
pos_free(struct posindex *x)
{
	size_t	 i;

	for (i = 0; i < x->n; i++)
		free(x->v[i].path);
	free(x->v);
}

static int
sc_peek(const struct scanner *s)
{
	return s->p < s->end ? *s->p : -1;
}

/* Count columns the way jansson does: UTF-8 continuation bytes are not. */
static void
sc_next(struct scanner *s)
{
	if (s->p >= s->end)
		return;
	if (*s->p == '\n') {
		s->line++;
		s->col = 0;
	} else if ((*s->p & 0xc0) != 0x80)
		s->col++;
	s->p++;
}

static void
sc_space(struct scanner *s)
{
	int	 c;

	while ((c = sc_peek(s)) == ' ' || c == '\t' || c == '\n' || c == '\r')
		sc_next(s);
}

static int
sc_string(struct scanner *s)
{
	sc_next(s);
	for (;;) {
		switch (sc_peek(s)) {
		case -1:
			return -1;
		case '"':
			sc_next(s);
			return 0;
		case '\\':
			sc_next(s);
			break;
		}
		sc_next(s);
	}
}

/* Let jansson undo escapes, so "\u0070ort" names the same key as "port". */
static char *
sc_key(const unsigned char *start, const unsigned char *end)
{
	json_t	*j;
	char	*key = NULL;

	j = json_loadb((const char *)start, end - start, JSON_DECODE_ANY, NULL);
	if (json_is_string(j))
		key = strdup(json_string_value(j));
	json_decref(j);
	return key;
}

/* After a member or element: step over the separator, if any. */
static void
sc_comma(struct scanner *s)
{
	sc_space(s);
	if (sc_peek(s) == ',') {
		sc_next(s);
		sc_space(s);
	}
}

static int
sc_object(struct scanner *s, const char *path)
{
	const unsigned char	*start;
	char			*key, *child;
	int			 kline, kcol;

	sc_next(s);
	sc_space(s);
	while (sc_peek(s) == '"') {
		kline = s->line;
		kcol = s->col + 1;
		start = s->p;
		if (sc_string(s) == -1 || (key = sc_key(start, s->p)) == NULL)
			return -1;
		child = path_key(path, key);
		free(key);
		sc_space(s);
		if (child == NULL || sc_peek(s) != ':') {
			free(child);
			return -1;
		}
		sc_next(s);
		sc_space(s);
		if (sc_value(s, child, kline, kcol) == -1)
			return -1;
		sc_comma(s);
	}
	sc_next(s);
	return 0;
}

static int
sc_array(struct scanner *s, const char *path)
{
	char	*child;
	size_t	 i;

	sc_next(s);
	sc_space(s);
	for (i = 0; sc_peek(s) != ']' && sc_peek(s) != -1; i++) {
		if ((child = path_index(path, i)) == NULL ||
		    sc_value(s, child, 0, 0) == -1)
			return -1;
		sc_comma(s);
	}
	sc_next(s);
	return 0;
}

/* Records the value at s, taking ownership of path, and steps over it. */
static int
sc_value(struct scanner *s, char *path, int kline, int kcol)
{
	int	 c;

	if (pos_add(s->idx, path, kline, kcol, s->line, s->col + 1) == -1) {
		free(path);
		return -1;
	}
	switch (sc_peek(s)) {
	case '{':
		return sc_object(s, path);
	case '[':
		return sc_array(s, path);
	case '"':
		return sc_string(s);
	}
	while ((c = sc_peek(s)) != -1 && c != ',' && c != ']' && c != '}' &&
	    c != ' ' && c != '\t' && c != '\n' && c != '\r')
		sc_next(s);
	return 0;
}

/*
 * A partial index only costs positions in messages, so a failure here
 * (out of memory) is not worth failing the load for.
 */
static void
pos_build(struct posindex *x, const char *text, size_t len)
{
	struct scanner	 s = { (const unsigned char *)text,
			    (const unsigned char *)text + len, 1, 0, x };
	char		*root;

	sc_space(&s);
	if ((root = strdup("")) != NULL)
		(void)sc_value(&s, root, 0, 0);
}

/* path NULL: no position.  atkey: point at the key, not the value. */
static int
report(struct config_ctx *c, const char *path, int atkey, const char *fmt,
    ...)
{
	const struct pos	*p = pos_find(&c->idx, path);
	char			 msg[CONFIG_ERRMAX];
	va_list			 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p == NULL)
		snprintf(c->err, c->errlen, "%s: %s", c->file, msg);
	else
		snprintf(c->err, c->errlen, "%s:%d:%d: %s", c->file,
		    atkey ? p->kline : p->line, atkey ? p->kcol : p->col, msg);
	return -1;
}

static const char *
sep(const char *path)
{
	return *path ? ": " : "";
}

static int
type_error(struct config_ctx *c, const char *path, const char *want,
    const json_t *v)
{
	return report(c, path, 0, "%s%sexpected %s, found %s", path, sep(path),
	    want, config_typename(v));
}

static int
nomem(struct config_ctx *c)
{
	return report(c, NULL, 0, "%s", strerror(ENOMEM));
}

static int
element_error(struct config_ctx *c, const char *path, size_t i,
    const char *want, const json_t *el)
{
	char	*elpath;
	int	 rv;

	if ((elpath = path_index(path, i)) == NULL)
		return nomem(c);
	rv = type_error(c, elpath, want, el);
	free(elpath);
	return rv;
}

const char *
config_typename(const json_t *v)
{
	static const char *const names[] = {
		[JSON_OBJECT] = "object",	[JSON_ARRAY] = "array",
		[JSON_STRING] = "string",	[JSON_INTEGER] = "integer",
		[JSON_REAL] = "real",		[JSON_TRUE] = "boolean",
		[JSON_FALSE] = "boolean",	[JSON_NULL] = "null",
	};

	return names[json_typeof(v)];
}

static int
set_string(struct config_ctx *c, const char *path, json_t *v, char **dst)
{
	char	*s;

	if (!json_is_string(v))
		return type_error(c, path, "string", v);
	if ((s = strdup(json_string_value(v))) == NULL)
		return nomem(c);
	free(*dst);
	*dst = s;
	return 0;
}

static int
set_int(struct config_ctx *c, const char *path, const struct config_field *f,
    json_t *v, int *dst)
{
	json_int_t	 n;

	if (!json_is_integer(v))
		return type_error(c, path, "integer", v);
	n = json_integer_value(v);
	if (n < f->min || n > f->max)
		return report(c, path, 0, "%s: %" JSON_INTEGER_FORMAT
		    " is out of range %d..%d", path, n, f->min, f->max);
	*dst = (int)n;
	return 0;
}

static int
set_bool(struct config_ctx *c, const char *path, json_t *v, bool *dst)
{
	if (!json_is_boolean(v))
		return type_error(c, path, "boolean", v);
	*dst = json_is_true(v);
	return 0;
}

static void
strlist_free(struct config_strlist *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int
set_strlist(struct config_ctx *c, const char *path, json_t *v,
    struct config_strlist *dst)
{
	struct config_strlist	 l = { 0, NULL };
	json_t			*el;
	size_t			 i;

	if (!json_is_array(v))
		return type_error(c, path, "array of strings", v);
	if ((l.v = calloc(json_array_size(v) + 1, sizeof(*l.v))) == NULL)
		return nomem(c);
	json_array_foreach(v, i, el) {
		if (!json_is_string(el)) {
			strlist_free(&l);
			return element_error(c, path, i, "string", el);
		}
		if ((l.v[l.n] = strdup(json_string_value(el))) == NULL) {
			strlist_free(&l);
			return nomem(c);
		}
		l.n++;
	}
	strlist_free(dst);
	*dst = l;
	return 0;
}

/* Nested raw fields each see their own value, then the outer one's. */
static int
call_raw(struct config_ctx *c, const char *path, const struct config_field *f,
    json_t *v, void *dst)
{
	json_t		*oraw = c->raw;
	const char	*opath = c->rawpath;
	int		 rv;

	c->raw = v;
	c->rawpath = path;
	rv = f->raw(c, v, dst);
	c->raw = oraw;
	c->rawpath = opath;
	if (rv == -1 && c->err[0] == '\0')
		report(c, path, 0, "%s%sinvalid value", path, sep(path));
	return rv;
}

static int
apply_field(struct config_ctx *c, const char *path,
    const struct config_field *f, json_t *v, char *dst)
{
	switch (f->type) {
	case CFG_STRING:
		return set_string(c, path, v, (char **)dst);
	case CFG_INT:
		return set_int(c, path, f, v, (int *)dst);
	case CFG_BOOL:
		return set_bool(c, path, v, (bool *)dst);
	case CFG_OBJECT:
		if (!json_is_object(v))
			return type_error(c, path, "object", v);
		return apply_object(c, path, v, f->sub, dst);
	case CFG_STRLIST:
		return set_strlist(c, path, v, (struct config_strlist *)dst);
	case CFG_RAW:
		return call_raw(c, path, f, v, dst);
	}
	return report(c, path, 0, "bad schema type %d", f->type);
}

static const struct config_field *
field_find(const struct config_field *schema, const char *key)
{
	for (; schema->key != NULL; schema++)
		if (strcmp(schema->key, key) == 0)
			return schema;
	return NULL;
}

static int
check_required(struct config_ctx *c, const char *path, const json_t *obj,
    const struct config_field *schema)
{
	char	*sub;

	for (; schema->key != NULL; schema++) {
		if (!schema->required || json_object_get(obj, schema->key))
			continue;
		if ((sub = path_key(path, schema->key)) == NULL)
			return nomem(c);
		report(c, path, 0, "missing required key \"%s\"", sub);
		free(sub);
		return -1;
	}
	return 0;
}

static int
apply_object(struct config_ctx *c, const char *path, json_t *obj,
    const struct config_field *schema, char *base)
{
	const struct config_field	*f;
	const char			*key;
	json_t				*v;
	char				*sub;
	int				 rv;

	json_object_foreach(obj, key, v) {
		if ((sub = path_key(path, key)) == NULL)
			return nomem(c);
		if ((f = field_find(schema, key)) == NULL)
			rv = report(c, sub, 1, "unknown key \"%s\"", sub);
		else
			rv = apply_field(c, sub, f, v, base + f->off);
		free(sub);
		if (rv == -1)
			return -1;
	}
	return check_required(c, path, obj, schema);
}

/* Path of want within v, which is at path; NULL if absent. */
static char *
find_path(json_t *v, const char *path, const json_t *want)
{
	const char	*key;
	json_t		*el;
	char		*sub, *found = NULL;
	size_t		 i;

	if (v == want)
		return strdup(path);
	if (json_is_object(v)) {
		json_object_foreach(v, key, el) {
			if ((sub = path_key(path, key)) == NULL)
				return NULL;
			found = find_path(el, sub, want);
			free(sub);
			if (found != NULL)
				return found;
		}
	}
	json_array_foreach(v, i, el) {
		if ((sub = path_index(path, i)) == NULL)
			return NULL;
		found = find_path(el, sub, want);
		free(sub);
		if (found != NULL)
			return found;
	}
	return NULL;
}

/* Look in the raw value first, so shared true/false/null stay local. */
static char *
locate(struct config_ctx *c, const json_t *want)
{
	char	*path = NULL;

	if (c->raw != NULL)
		path = find_path(c->raw, c->rawpath, want);
	if (path == NULL)
		path = find_path(c->root, "", want);
	if (path == NULL)
		path = strdup(c->rawpath != NULL ? c->rawpath : "");
	return path;
}

int
config_error(struct config_ctx *c, const json_t *where, const char *fmt, ...)
{
	char	 msg[CONFIG_ERRMAX], *path;
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if ((path = locate(c, where)) == NULL)
		return nomem(c);
	report(c, path, 0, "%s%s%s", path, sep(path), msg);
	free(path);
	return -1;
}

int
config_apply(struct config_ctx *c, json_t *obj,
    const struct config_field *schema, void *dst)
{
	char	*path;
	int	 rv;

	if (!json_is_object(obj))
		return config_error(c, obj, "expected object, found %s",
		    config_typename(obj));
	if ((path = locate(c, obj)) == NULL)
		return nomem(c);
	rv = apply_object(c, path, obj, schema, dst);
	free(path);
	return rv;
}

json_t *
config_root(struct config_ctx *c)
{
	return c->root;
}

void
config_free(const struct config_field *schema, void *dst)
{
	char	*p;

	for (; schema->key != NULL; schema++) {
		p = (char *)dst + schema->off;
		switch (schema->type) {
		case CFG_STRING:
			free(*(char **)p);
			*(char **)p = NULL;
			break;
		case CFG_STRLIST:
			strlist_free((struct config_strlist *)p);
			break;
		case CFG_OBJECT:
			config_free(schema->sub, p);
			break;
		case CFG_RAW:
			if (schema->rawfree != NULL)
				schema->rawfree(p);
			break;
		case CFG_INT:
		case CFG_BOOL:
			break;
		}
	}
}

static int
syntax_error(struct config_ctx *c, const json_error_t *je)
{
	if (je->line < 1)
		snprintf(c->err, c->errlen, "%s: %s", c->file, je->text);
	else
		snprintf(c->err, c->errlen, "%s:%d:%d: %s", c->file, je->line,
		    je->column, je->text);
	return -1;
}

static int
load(const char *name, const char *text, size_t len,
    const struct config_field *schema, void *dst, char *err, size_t errlen)
{
	struct config_ctx	 c = { .file = name, .err = err, .errlen = errlen };
	json_error_t		 je;
	int			 rv;

	err[0] = '\0';
	/* Unique keys keep each path naming exactly one place in the text. */
	c.root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (c.root == NULL)
		return syntax_error(&c, &je);
	pos_build(&c.idx, text, len);
	if (!json_is_object(c.root))
		rv = type_error(&c, "", "object", c.root);
	else
		rv = apply_object(&c, "", c.root, schema, dst);
	pos_free(&c.idx);
	json_decref(c.root);
	return rv;
}

static char *
read_text(const char *path, size_t *lenp, char *err, size_t errlen)
{
	FILE	*f;
	char	*buf;
	size_t	 len;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: cannot open: %s", path,
		    strerror(errno));
		return NULL;
	}
	if ((buf = malloc(CONFIG_MAXSIZE + 1)) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		fclose(f);
		return NULL;
	}
	len = fread(buf, 1, CONFIG_MAXSIZE + 1, f);
	if (ferror(f) || len > CONFIG_MAXSIZE) {
		snprintf(err, errlen, "%s: cannot read: %s", path,
		    ferror(f) ? strerror(errno) : "file too large");
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*lenp = len;
	return buf;
}

int
config_load_file(const char *path, const struct config_field *schema,
    void *dst, char *err, size_t errlen)
{
	char	*text;
	size_t	 len;
	int	 rv = -1;

	if ((text = read_text(path, &len, err, errlen)) != NULL) {
		rv = load(path, text, len, schema, dst, err, errlen);
		free(text);
	}
	if (rv == -1)
		config_free(schema, dst);
	return rv;
}

int
config_load_string(const char *name, const char *text,
    const struct config_field *schema, void *dst, char *err, size_t errlen)
{
	if (load(name, text, strlen(text), schema, dst, err, errlen) == 0)
		return 0;
	config_free(schema, dst);
	return -1;
}
