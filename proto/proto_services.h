/*
 * proto_services: the service descriptions in proto/services (one JSON
 * file each), as compiled into every program that speaks Shoal's RPC
 * (see README.md in this folder for the format).  Read them through
 * common/rpc_schema.h.
 */
#ifndef PROTO_SERVICES_H
#define PROTO_SERVICES_H

#include <stddef.h>

struct proto_service {
	const char	*name;		/* file name: "sys", "console"... */
	const char	*json;		/* its text, NUL-terminated */
};

extern const struct proto_service proto_services[];	/* NULL-ended */

#endif /* PROTO_SERVICES_H */
