/*
 * rpc_schema: what each service's methods take and give, from the
 * descriptions in proto/services (compiled in, see proto_services.h).
 *
 * Owns reading them, finding a method by its full name ("console.tail";
 * "sys.*" belongs to every service), checking a call's params against it
 * (types, required keys, bounds, enums, no unknown keys; defaults filled
 * in), turning shoalctl's "key=value" and positional words into typed
 * params, and printing help.  Servers and shoalctl use the same code on
 * the same bytes, so they cannot disagree.
 */
#ifndef RPC_SCHEMA_H
#define RPC_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

struct rpc_schema;

/* NULL (after logging which file is broken) if a description is bad. */
struct rpc_schema *rpc_schema_load(void);
void		 rpc_schema_free(struct rpc_schema *);

/* The method's description, or NULL: "svc.method", sys.* in any svc. */
const json_t	*rpc_schema_method(const struct rpc_schema *,
		    const char *svc, const char *method);
bool		 rpc_schema_is_stream(const json_t *method);
/* Service names described, in a NULL-ended array (static). */
const char	*const *rpc_schema_services(const struct rpc_schema *);

/* 0, or -1 with err: params (an object) checked, defaults added. */
int		 rpc_schema_check(const json_t *method, json_t *params,
		    char *err, size_t errlen);
/* Words "key=value" or positional (the method's "args" order). */
int		 rpc_schema_from_words(const json_t *method, int argc,
		    char *const *argv, json_t **params, char *err,
		    size_t errlen);

/* Help for one method, or for a service's methods with method NULL. */
void		 rpc_schema_help(const struct rpc_schema *, const char *svc,
		    const char *method, FILE *);

#endif /* RPC_SCHEMA_H */
