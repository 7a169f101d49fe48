/*
 * config: JSON configuration files checked against a daemon's schema.
 *
 * Owns reading and parsing the text (jansson), walking it against a table
 * of field descriptors that fill the daemon's own struct, and every error
 * message about it.  Nothing here exits: a bad file on SIGHUP must leave
 * the running configuration alone, so the loaders return -1 and describe
 * the problem in the caller's buffer.
 *
 * Messages read "FILE:LINE:COL: message".  Jansson forgets where values
 * were once it has parsed them, so the loader also scans the text to note
 * where each key and value begins, addressed by its path ("listen.port",
 * "backends[2].host").  Lines and columns are 1-based and a column counts
 * characters, not bytes (a tab or an "é" is one), which is jansson's own
 * convention.  Syntax errors carry jansson's position, which is the last
 * character it read; every other error points at the first character of
 * the offending key or value, and a missing key at the "{" of the object
 * that lacks it.  Paths join keys with "." so keys that themselves contain
 * "." or "[" may be reported at the wrong place.  Unknown and duplicate
 * keys are errors: a typo must not silently fall back to a default.
 *
 * Ownership: strings and string lists written into the caller's struct
 * are malloc'd and belong to it; config_free() releases them, so string
 * defaults placed in the struct beforehand must be NULL or malloc'd.
 * Absent optional keys leave their field untouched (that is how defaults
 * work).  When a load fails the struct has already been through
 * config_free() and should be thrown away.
 */
#ifndef SHOAL_CONFIG_H
#define SHOAL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* Enough for any message short of a very long file name. */
#define CONFIG_ERRMAX	512

enum config_type {
	CFG_STRING,	/* char *, malloc'd */
	CFG_INT,	/* int, within [min, max] */
	CFG_BOOL,	/* bool */
	CFG_OBJECT,	/* embedded struct, described by sub */
	CFG_STRLIST,	/* struct config_strlist */
	CFG_RAW		/* anything: handed to the raw callback */
};

/* v has n strings and a NULL after them. */
struct config_strlist {
	size_t	  n;
	char	**v;
};

/* The document being loaded; raw callbacks pass it back to report. */
struct config_ctx;

/* dst points at the field; return 0, or -1 after config_error(). */
typedef int	(*config_raw_fn)(struct config_ctx *, json_t *val, void *dst);
typedef void	(*config_rawfree_fn)(void *dst);

struct config_field {
	const char			*key;	/* NULL ends the table */
	enum config_type		 type;
	bool				 required;
	size_t				 off;	/* of the field in the struct */
	int				 min, max;	/* CFG_INT */
	const struct config_field	*sub;		/* CFG_OBJECT */
	config_raw_fn			 raw;		/* CFG_RAW */
	config_rawfree_fn		 rawfree;	/* CFG_RAW, or NULL */
};

/*
 * Table entries.  The _Generic term is zero but fails to compile when the
 * member's type does not match what the loader will store there.
 */
#define CONFIG_IS(t, m, type)	(0 * sizeof(_Generic(((t *)0)->m, type: 1)))
#define CONFIG_STRING(k, req, t, m)					\
	{ .key = (k), .type = CFG_STRING, .required = (req),		\
	  .off = offsetof(t, m) + CONFIG_IS(t, m, char *) }
#define CONFIG_INT(k, req, t, m, lo, hi)				\
	{ .key = (k), .type = CFG_INT, .required = (req),		\
	  .off = offsetof(t, m) + CONFIG_IS(t, m, int),			\
	  .min = (lo), .max = (hi) }
#define CONFIG_BOOL(k, req, t, m)					\
	{ .key = (k), .type = CFG_BOOL, .required = (req),		\
	  .off = offsetof(t, m) + CONFIG_IS(t, m, bool) }
#define CONFIG_STRLIST(k, req, t, m)					\
	{ .key = (k), .type = CFG_STRLIST, .required = (req),		\
	  .off = offsetof(t, m) + CONFIG_IS(t, m, struct config_strlist) }
#define CONFIG_OBJECT(k, req, t, m, schema)				\
	{ .key = (k), .type = CFG_OBJECT, .required = (req),		\
	  .off = offsetof(t, m), .sub = (schema) }
#define CONFIG_RAW(k, req, t, m, fn, freefn)				\
	{ .key = (k), .type = CFG_RAW, .required = (req),		\
	  .off = offsetof(t, m), .raw = (fn), .rawfree = (freefn) }
#define CONFIG_END	{ .key = NULL }

int	config_load_file(const char *path, const struct config_field *schema,
	    void *dst, char *err, size_t errlen);
int	config_load_string(const char *name, const char *text,
	    const struct config_field *schema, void *dst, char *err,
	    size_t errlen);
void	config_free(const struct config_field *schema, void *dst);

/*
 * For raw callbacks.  config_error() reports at any value inside the raw
 * one and returns -1; jansson shares a single true, false and null, so
 * those resolve to their first occurrence within the raw value.
 * config_apply() fills dst from an object found inside the raw value
 * (an array element, say) using another schema, with full positions.
 */
int	config_error(struct config_ctx *, const json_t *where,
	    const char *fmt, ...) __attribute__((__format__(__printf__, 3, 4)));
int	config_apply(struct config_ctx *, json_t *obj,
	    const struct config_field *schema, void *dst);
const char *config_typename(const json_t *);
/* The whole document, for a raw value that must agree with a sibling. */
json_t	*config_root(struct config_ctx *);

#endif /* SHOAL_CONFIG_H */
