#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "proto_services.h"
#include "rpc_schema.h"

#define RPC_SCHEMA_MAX	32

struct rpc_schema {
	json_t		*svc[RPC_SCHEMA_MAX];
	const char	*names[RPC_SCHEMA_MAX + 1];
	size_t		 n;
};

struct rpc_schema *
rpc_schema_load(void)
{
	struct rpc_schema	*s;
	json_error_t		 e;
	size_t			 i;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	for (i = 0; proto_services[i].name != NULL; i++) {
		/* More services than room: say so, rather than drop some. */
		if (i == RPC_SCHEMA_MAX) {
			log_warnx("proto/services: more than %d services; "
			    "raise RPC_SCHEMA_MAX", RPC_SCHEMA_MAX);
			s->n = i;
			rpc_schema_free(s);
			return NULL;
		}
		s->svc[i] = json_loads(proto_services[i].json, 0, &e);
		if (!json_is_object(json_object_get(s->svc[i], "methods"))) {
			log_warnx("proto/services/%s.json:%d:%d: %s",
			    proto_services[i].name, e.line, e.column,
			    s->svc[i] == NULL ? e.text : "no \"methods\"");
			s->n = i + 1;
			rpc_schema_free(s);
			return NULL;
		}
		s->names[i] = proto_services[i].name;
	}
	s->n = i;
	return s;
}

void
rpc_schema_free(struct rpc_schema *s)
{
	size_t	 i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++)
		json_decref(s->svc[i]);
	free(s);
}

const char *const *
rpc_schema_services(const struct rpc_schema *s)
{
	return s->names;
}

static const json_t *
service(const struct rpc_schema *s, const char *name)
{
	size_t	 i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->names[i], name) == 0)
			return s->svc[i];
	return NULL;
}

const json_t *
rpc_schema_method(const struct rpc_schema *s, const char *svc,
    const char *method)
{
	const json_t	*d;

	if ((d = service(s, svc)) == NULL)
		return NULL;
	return json_object_get(json_object_get(d, "methods"), method);
}

bool
rpc_schema_is_stream(const json_t *m)
{
	return json_is_true(json_object_get(m, "stream"));
}

static int
check_one(const char *key, const json_t *spec, const json_t *v, char *err,
    size_t errlen)
{
	const char	*type = json_string_value(json_object_get(spec, "type"));
	json_t		*min = json_object_get(spec, "min");
	json_t		*max = json_object_get(spec, "max");
	json_t		*en = json_object_get(spec, "enum"), *x;
	json_int_t	 n;
	size_t		 i;

	if (type == NULL || strcmp(type, "string") == 0) {
		if (!json_is_string(v))
			goto type;
		n = (json_int_t)json_string_length(v);
		if (max != NULL && n > json_integer_value(max)) {
			snprintf(err, errlen, "%s: longer than %lld bytes",
			    key, (long long)json_integer_value(max));
			return -1;
		}
		if (en == NULL)
			return 0;
		json_array_foreach(en, i, x)
			if (json_equal(x, v))
				return 0;
		snprintf(err, errlen, "%s: not one of the allowed values", key);
		return -1;
	}
	if (strcmp(type, "boolean") == 0)
		return json_is_boolean(v) ? 0 : (snprintf(err, errlen,
		    "%s: want true or false", key), -1);
	if (strcmp(type, "integer") != 0 || !json_is_integer(v))
		goto type;
	n = json_integer_value(v);
	if ((min != NULL && n < json_integer_value(min)) ||
	    (max != NULL && n > json_integer_value(max))) {
		snprintf(err, errlen, "%s: out of range", key);
		return -1;
	}
	return 0;
type:
	snprintf(err, errlen, "%s: want %s", key, type != NULL ? type :
	    "string");
	return -1;
}

int
rpc_schema_check(const json_t *m, json_t *params, char *err, size_t errlen)
{
	const json_t	*specs = json_object_get(m, "params"), *spec;
	const char	*key;
	json_t		*v, *def;

	if (!json_is_object(params)) {
		snprintf(err, errlen, "params must be an object");
		return -1;
	}
	json_object_foreach(params, key, v)
		if (json_object_get(specs, key) == NULL) {
			snprintf(err, errlen, "%s: no such parameter", key);
			return -1;
		}
	json_object_foreach((json_t *)specs, key, spec) {
		if ((v = json_object_get(params, key)) != NULL) {
			if (check_one(key, spec, v, err, errlen) != 0)
				return -1;
		} else if ((def = json_object_get(spec, "default")) != NULL)
			json_object_set(params, key, def);
		else if (json_is_true(json_object_get(spec, "required"))) {
			snprintf(err, errlen, "%s: required", key);
			return -1;
		}
	}
	return 0;
}

/* A word as the type the spec wants. */
static json_t *
typed(const json_t *spec, const char *word)
{
	const char	*type = json_string_value(json_object_get(spec, "type"));
	char		*end;
	long long	 n;

	if (type != NULL && strcmp(type, "integer") == 0) {
		errno = 0;
		n = strtoll(word, &end, 0);
		if (*word == '\0' || *end != '\0' || errno != 0)
			return NULL;
		return json_integer((json_int_t)n);
	}
	if (type != NULL && strcmp(type, "boolean") == 0) {
		if (strcmp(word, "true") == 0 || strcmp(word, "yes") == 0 ||
		    strcmp(word, "1") == 0)
			return json_true();
		if (strcmp(word, "false") == 0 || strcmp(word, "no") == 0 ||
		    strcmp(word, "0") == 0)
			return json_false();
		return NULL;
	}
	return json_string(word);
}

int
rpc_schema_from_words(const json_t *m, int argc, char *const *argv,
    json_t **params, char *err, size_t errlen)
{
	const json_t	*specs = json_object_get(m, "params");
	const json_t	*args = json_object_get(m, "args");
	const char	*eq, *key;
	char		 name[64];
	size_t		 pos = 0;
	json_t		*p, *v;
	int		 i;

	if ((p = json_object()) == NULL)
		return -1;
	for (i = 0; i < argc; i++) {
		if ((eq = strchr(argv[i], '=')) != NULL &&
		    (size_t)(eq - argv[i]) < sizeof(name)) {
			memcpy(name, argv[i], (size_t)(eq - argv[i]));
			name[eq - argv[i]] = '\0';
			key = name;
			eq++;
		} else if ((key = json_string_value(json_array_get(args,
		    pos++))) == NULL) {
			snprintf(err, errlen, "%s: too many arguments", argv[i]);
			goto fail;
		} else
			eq = argv[i];
		if (json_object_get(specs, key) == NULL) {
			snprintf(err, errlen, "%s: no such parameter", key);
			goto fail;
		}
		if ((v = typed(json_object_get(specs, key), eq)) == NULL) {
			snprintf(err, errlen, "%s: not a valid %s", key,
			    json_string_value(json_object_get(json_object_get(
			    specs, key), "type")));
			goto fail;
		}
		json_object_set_new(p, key, v);
	}
	*params = p;
	return 0;
fail:
	json_decref(p);
	return -1;
}

static void
help_method(const char *svc, const char *name, const json_t *m, FILE *f)
{
	const json_t	*args = json_object_get(m, "args"), *spec;
	const char	*key;
	size_t		 i;
	json_t		*a;

	fprintf(f, "%s.%s", svc, name);
	json_array_foreach(args, i, a)
		fprintf(f, " [%s]", json_string_value(a));
	fprintf(f, "%s\n    %s\n", rpc_schema_is_stream(m) ? "  (stream)" : "",
	    json_string_value(json_object_get(m, "help")));
	json_object_foreach((json_t *)json_object_get(m, "params"), key, spec)
		fprintf(f, "    %-10s %s%s\n", key,
		    json_string_value(json_object_get(spec, "help")),
		    json_is_true(json_object_get(spec, "required")) ?
		    " (required)" : "");
}

void
rpc_schema_help(const struct rpc_schema *s, const char *svc,
    const char *method, FILE *f)
{
	const json_t	*d = service(s, svc), *m;
	const char	*key;

	if (d == NULL)
		return;
	if (method != NULL) {
		if ((m = rpc_schema_method(s, svc, method)) != NULL)
			help_method(svc, method, m, f);
		return;
	}
	fprintf(f, "%s: %s\n", svc, json_string_value(json_object_get(d,
	    "help")));
	json_object_foreach((json_t *)json_object_get(d, "methods"), key, m)
		help_method(svc, key, m, f);
}
