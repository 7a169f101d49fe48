#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http_config.h"

static int	rules_raw(struct config_ctx *, json_t *, void *);
static void	rules_free(void *);
static int	fields_raw(struct config_ctx *, json_t *, void *);
static void	fields_free(void *);

static const struct config_field limits_schema[] = {
	CONFIG_INT("request-line", false, struct http_limits, request_line,
	    64, 1 << 20),
	CONFIG_INT("head", false, struct http_limits, head, 256, 1 << 20),
	CONFIG_INT("fields", false, struct http_limits, fields, 1, 10000),
	CONFIG_INT("field-line", false, struct http_limits, field_line,
	    64, 1 << 20),
	CONFIG_INT("body", false, struct http_limits, body, 0, 1 << 30),
	CONFIG_INT("connections", false, struct http_limits, connections,
	    1, 1 << 20),
	CONFIG_INT("header-timeout-ms", false, struct http_limits,
	    header_timeout_ms, 100, 3600000),
	CONFIG_INT("body-timeout-ms", false, struct http_limits,
	    body_timeout_ms, 100, 3600000),
	CONFIG_INT("idle-timeout-ms", false, struct http_limits,
	    idle_timeout_ms, 100, 3600000),
	CONFIG_INT("send-timeout-ms", false, struct http_limits,
	    send_timeout_ms, 100, 3600000),
	CONFIG_INT("ranges", false, struct http_limits, ranges, 1, 32),
	CONFIG_END
};

static const struct config_field fcache_schema[] = {
	CONFIG_INT("entries", false, struct http_fcache, entries, 1, 1 << 20),
	CONFIG_INT("memory-mb", false, struct http_fcache, memory_mb, 0,
	    1 << 16),
	CONFIG_INT("small-file-kb", false, struct http_fcache, small_file_kb,
	    0, 1 << 16),
	CONFIG_INT("revalidate-ms", false, struct http_fcache, revalidate_ms,
	    0, 3600000),
	CONFIG_END
};

static const struct config_field status_schema[] = {
	CONFIG_STRING("page", true, struct http_status_conf, page),
	CONFIG_INT("interval-ms", false, struct http_status_conf, interval_ms,
	    100, 3600000),
	CONFIG_INT("timeout-ms", false, struct http_status_conf, timeout_ms,
	    100, 60000),
	CONFIG_INT("xenstore-domain", false, struct http_status_conf,
	    xenstore_domain, 0, 0x7fef),
	CONFIG_END
};

static const struct config_field tls_schema[] = {
	CONFIG_RAW("listen", true, struct http_tls_conf, listen,
	    net_listens_raw, net_listens_free),
	CONFIG_STRING("certificate", true, struct http_tls_conf, certificate),
	CONFIG_STRING("key", true, struct http_tls_conf, key),
	CONFIG_END
};

static const struct config_field schema[] = {
	CONFIG_RAW("listen", true, struct http_config, listen,
	    net_listens_raw, net_listens_free),
	CONFIG_OBJECT("tls", false, struct http_config, tls, tls_schema),
	CONFIG_RAW("admin", false, struct http_config, admin,
	    net_listens_raw, net_listens_free),
	CONFIG_BOOL("reuse-port", false, struct http_config, reuse_port),
	CONFIG_BOOL("standby", false, struct http_config, standby),
	CONFIG_STRING("root", true, struct http_config, root),
	CONFIG_STRLIST("index", false, struct http_config, index),
	CONFIG_STRING("mime-types", false, struct http_config, mime_types),
	CONFIG_STRING("access-log", false, struct http_config, access_log),
	CONFIG_STRING("access-log-format", false, struct http_config,
	    log_format),
	CONFIG_RAW("cache-control", false, struct http_config, cache_control,
	    rules_raw, rules_free),
	CONFIG_RAW("headers", false, struct http_config, headers,
	    fields_raw, fields_free),
	CONFIG_OBJECT("limits", false, struct http_config, limits,
	    limits_schema),
	CONFIG_OBJECT("file-cache", false, struct http_config, file_cache,
	    fcache_schema),
	CONFIG_OBJECT("status", false, struct http_config, status,
	    status_schema),
	CONFIG_OBJECT("rpc", false, struct http_config, rpc, rpc_limits_schema),
	CONFIG_END
};

static const struct config_field rule_schema[] = {
	CONFIG_STRING("prefix", true, struct http_cache_rule, prefix),
	CONFIG_STRING("value", true, struct http_cache_rule, value),
	CONFIG_END
};

/* [{"prefix": "/static/", "value": "max-age=86400"}, ...] */
static int
rules_raw(struct config_ctx *c, json_t *val, void *dst)
{
	struct http_cache_rules	*rs = dst;
	struct http_cache_rule	*r;
	json_t			*item;
	size_t			 i;

	if (!json_is_array(val))
		return config_error(c, val, "expected an array of "
		    "{\"prefix\", \"value\"}, found %s", config_typename(val));
	if (json_array_size(val) > 0 &&
	    (rs->v = calloc(json_array_size(val), sizeof(*rs->v))) == NULL)
		return config_error(c, val, "out of memory");
	json_array_foreach(val, i, item) {
		r = &rs->v[rs->n++];
		if (config_apply(c, item, rule_schema, r) == -1)
			return -1;
		if (r->prefix[0] != '/')
			return config_error(c, json_object_get(item, "prefix"),
			    "a prefix is a path: it begins with \"/\"");
		if (strpbrk(r->value, "\r\n") != NULL)
			return config_error(c, json_object_get(item, "value"),
			    "a field value cannot hold a line break");
	}
	return 0;
}

static void
rules_free(void *dst)
{
	struct http_cache_rules	*rs = dst;
	size_t			 i;

	for (i = 0; i < rs->n; i++)
		config_free(rule_schema, &rs->v[i]);
	free(rs->v);
	rs->v = NULL;
	rs->n = 0;
}

/* True for a field name httpd writes itself or that frames the message. */
static bool
reserved(const char *name)
{
	static const char *const ours[] = {
		"content-length", "content-type", "content-range",
		"content-encoding", "transfer-encoding", "connection", "date",
		"server", "etag", "last-modified", "vary", "location",
		"accept-ranges", "allow", "cache-control", NULL
	};
	size_t	 i;

	for (i = 0; ours[i] != NULL; i++)
		if (strcasecmp(name, ours[i]) == 0)
			return true;
	return false;
}

/* {"X-Content-Type-Options": "nosniff", ...}: token names, values with
 * no control characters, none of the fields httpd writes itself. */
static int
fields_raw(struct config_ctx *c, json_t *val, void *dst)
{
	struct http_extra_fields	*f = dst;
	const char			*k, *v;
	json_t				*item;
	size_t				 len = 0, o = 0;

	if (!json_is_object(val))
		return config_error(c, val, "expected an object of field "
		    "names and values, found %s", config_typename(val));
	json_object_foreach(val, k, item) {
		if (!json_is_string(item))
			return config_error(c, item, "expected string, found %s",
			    config_typename(item));
		if (*k == '\0' || strspn(k, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~") !=
		    strlen(k) || reserved(k))
			return config_error(c, item, "%s: not a field name "
			    "httpd can add", k);
		for (v = json_string_value(item); *v != '\0'; v++)
			if ((unsigned char)*v < ' ' && *v != '\t')
				return config_error(c, item, "a field value "
				    "cannot hold control characters");
		len += strlen(k) + strlen(json_string_value(item)) + 4;
	}
	if ((f->text = malloc(len + 1)) == NULL)
		return config_error(c, val, "out of memory");
	json_object_foreach(val, k, item) {
		o += (size_t)snprintf(f->text + o, len + 1 - o, "%s: %s\r\n", k,
		    json_string_value(item));
		f->n++;
	}
	f->text[o] = '\0';
	return 0;
}

static void
fields_free(void *dst)
{
	struct http_extra_fields	*f = dst;

	free(f->text);
	f->text = NULL;
	f->n = 0;
}

/* A relative path made absolute against the configuration's folder. */
static int
absolute(const char *cfgpath, char **p)
{
	char	*copy, *dir, *abs;

	if (*p == NULL || (*p)[0] == '/')
		return 0;
	if ((copy = strdup(cfgpath)) == NULL)
		return -1;
	dir = realpath(dirname(copy), NULL);
	if (asprintf(&abs, "%s/%s", dir != NULL ? dir : ".", *p) == -1)
		abs = NULL;
	free(dir);
	free(copy);
	if (abs == NULL)
		return -1;
	free(*p);
	*p = abs;
	return 0;
}

static void
defaults(struct http_config *cf)
{
	memset(cf, 0, sizeof(*cf));
	cf->limits = (struct http_limits){
		.request_line = 8192, .head = 16384, .fields = 500,
		.field_line = 8192,
		.body = 1 << 20, .connections = 16384,
		.header_timeout_ms = 10000, .body_timeout_ms = 10000,
		.idle_timeout_ms = 60000, .send_timeout_ms = 30000,
		.ranges = 16,
	};
	cf->file_cache = (struct http_fcache){
		.entries = 4096, .memory_mb = 64, .small_file_kb = 64,
		.revalidate_ms = 1000,
	};
	cf->status.interval_ms = 2000;
	cf->status.timeout_ms = 1000;
	cf->status.xenstore_domain = -1;
}

int
http_config_load(const char *path, struct http_config *cf, char *err,
    size_t errlen)
{
	static const char	*index_default = "index.html";

	defaults(cf);
	if (config_load_file(path, schema, cf, err, errlen) == -1)
		return -1;
	if (cf->log_format != NULL && strcmp(cf->log_format, "json") != 0 &&
	    strcmp(cf->log_format, "clf") != 0) {
		snprintf(err, errlen, "%s: access-log-format: expected "
		    "\"clf\" or \"json\"", path);
		goto fail;
	}
	if (cf->status.page != NULL && (cf->status.page[0] != '/' ||
	    strcmp(cf->status.page, "/") == 0)) {
		snprintf(err, errlen, "%s: status: page: a path below \"/\", "
		    "such as \"/status\"", path);
		goto fail;
	}
	cf->log_json = cf->log_format != NULL &&
	    strcmp(cf->log_format, "json") == 0;
	if (cf->index.n == 0) {
		free(cf->index.v);
		if ((cf->index.v = calloc(2, sizeof(char *))) == NULL ||
		    (cf->index.v[0] = strdup(index_default)) == NULL)
			goto nomem;
		cf->index.n = 1;
	}
	if (cf->mime_types == NULL &&
	    (cf->mime_types = strdup("/etc/mime.types")) == NULL)
		goto nomem;
	if (absolute(path, &cf->tls.certificate) == -1 ||
	    absolute(path, &cf->tls.key) == -1 ||
	    absolute(path, &cf->root) == -1 ||
	    absolute(path, &cf->access_log) == -1 ||
	    absolute(path, &cf->mime_types) == -1)
		goto nomem;
	if (cf->limits.request_line > cf->limits.head)
		cf->limits.request_line = cf->limits.head;
	return 0;
nomem:
	snprintf(err, errlen, "%s: out of memory", path);
fail:
	http_config_free(cf);
	return -1;
}

void
http_config_free(struct http_config *cf)
{
	config_free(schema, cf);
}

const char *
http_config_cache_control(const struct http_config *cf, const char *path)
{
	const char	*best = NULL;
	size_t		 i, n, bestlen = 0;

	for (i = 0; i < cf->cache_control.n; i++) {
		n = strlen(cf->cache_control.v[i].prefix);
		if (n >= bestlen && strncmp(path, cf->cache_control.v[i].prefix,
		    n) == 0) {
			best = cf->cache_control.v[i].value;
			bestlen = n;
		}
	}
	return best;
}
