#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_config.h"
#include "dns_name.h"

/* Two wire names, any case. */
static bool
name_eq(const uint8_t *a, const uint8_t *b)
{
	uint8_t	 la[DNS_NAME_MAX], lb[DNS_NAME_MAX];

	dns_name_lower(la, a);
	dns_name_lower(lb, b);
	return dns_name_cmp(la, lb) == 0;
}

static const struct config_field zone_schema[] = {
	CONFIG_STRING("origin", true, struct dns_zconf, origin),
	CONFIG_STRING("file", true, struct dns_zconf, file),
	CONFIG_STRLIST("axfr-allow", false, struct dns_zconf, axfr_allow),
	CONFIG_STRLIST("notify", false, struct dns_zconf, notify_to),
	CONFIG_END
};

static int	zones_raw(struct config_ctx *, json_t *, void *);
static void	zones_free(void *);

static const struct config_field schema[] = {
	CONFIG_RAW("listen", true, struct dns_config, listen, net_listens_raw,
	    net_listens_free),
	CONFIG_RAW("zones", true, struct dns_config, zones, zones_raw,
	    zones_free),
	CONFIG_STRING("version", false, struct dns_config, version),
	CONFIG_STRING("id", false, struct dns_config, id),
	CONFIG_INT("udp-payload", false, struct dns_config, udp_payload,
	    512, 4096),
	CONFIG_INT("tcp-clients", false, struct dns_config, tcp_clients,
	    1, 65536),
	CONFIG_INT("tcp-idle-ms", false, struct dns_config, tcp_idle_ms,
	    100, 3600000),
	CONFIG_INT("zone-max-mb", false, struct dns_config, zone_max_mb,
	    1, 65536),
	CONFIG_OBJECT("rpc", false, struct dns_config, rpc, rpc_limits_schema),
	CONFIG_END
};

/* The transfer prefixes, each reported where it is written. */
static int
zone_acl(struct config_ctx *c, json_t *obj, struct dns_zconf *z)
{
	json_t		*list = json_object_get(obj, "axfr-allow");
	const char	*why;
	size_t		 i;

	if (z->axfr_allow.n == 0)
		return 0;
	if ((z->axfr.v = calloc(z->axfr_allow.n, sizeof(*z->axfr.v))) == NULL)
		return config_error(c, obj, "out of memory");
	for (i = 0; i < z->axfr_allow.n; i++) {
		if (net_addr_parse_prefix(z->axfr_allow.v[i], &z->axfr.v[i],
		    &why) == -1)
			return config_error(c, json_array_get(list, i), "%s",
			    why);
		z->axfr.n++;
	}
	return 0;
}

/* Where NOTIFY goes: ADDRESS:PORT each, reported where written. */
static int
zone_notify(struct config_ctx *c, json_t *obj, struct dns_zconf *z)
{
	json_t			*list = json_object_get(obj, "notify");
	struct net_listen	*e;
	const char		*why;
	size_t			 i;

	if (z->notify_to.n == 0)
		return 0;
	if ((z->notify.v = calloc(z->notify_to.n, sizeof(*e))) == NULL)
		return config_error(c, obj, "out of memory");
	for (i = 0; i < z->notify_to.n; i++) {
		e = &z->notify.v[i];
		if (strchr(z->notify_to.v[i], ':') == NULL ||
		    net_addr_parse_listen(z->notify_to.v[i], &e->ss, &e->len,
		    &why) == -1)
			return config_error(c, json_array_get(list, i), "%s",
			    "expected ADDRESS:PORT or [IPV6]:PORT");
		net_addr_str((struct sockaddr *)&e->ss, e->text,
		    sizeof(e->text));
		z->notify.n++;
	}
	return 0;
}

static int
zones_raw(struct config_ctx *c, json_t *val, void *dst)
{
	struct dns_zconfs	*zs = dst;
	struct dns_zconf	*z;
	uint8_t			 wire[DNS_NAME_MAX], other[DNS_NAME_MAX];
	json_t			*item;
	size_t			 i, j;

	if (!json_is_array(val))
		return config_error(c, val, "expected an array of zones, "
		    "found %s", config_typename(val));
	if (json_array_size(val) > 0 &&
	    (zs->v = calloc(json_array_size(val), sizeof(*zs->v))) == NULL)
		return config_error(c, val, "out of memory");
	json_array_foreach(val, i, item) {
		z = &zs->v[zs->n++];
		if (config_apply(c, item, zone_schema, z) == -1 ||
		    zone_acl(c, item, z) == -1 || zone_notify(c, item, z) == -1)
			return -1;
		if (dns_name_from_text(z->origin, wire) == -1)
			return config_error(c, json_object_get(item, "origin"),
			    "not a domain name");
		for (j = 0; j < i; j++) {
			dns_name_from_text(zs->v[j].origin, other);
			if (name_eq(wire, other))
				return config_error(c,
				    json_object_get(item, "origin"),
				    "zone %s is already configured", z->origin);
		}
	}
	return 0;
}

static void
zones_free(void *dst)
{
	struct dns_zconfs	*zs = dst;
	size_t			 i;

	for (i = 0; i < zs->n; i++) {
		config_free(zone_schema, &zs->v[i]);
		net_acl_free(&zs->v[i].axfr);
		free(zs->v[i].notify.v);
	}
	free(zs->v);
	zs->v = NULL;
	zs->n = 0;
}

/* Zone files named relative to the configuration's folder. */
static int
absolute_files(const char *path, struct dns_config *cf, char *err,
    size_t errlen)
{
	char	*copy, *dir, *abs, *real;
	size_t	 i;

	if ((copy = strdup(path)) == NULL)
		goto nomem;
	/* The folder as an absolute path, so dns.zones shows one. */
	if ((real = realpath(dirname(copy), NULL)) != NULL) {
		free(copy);
		copy = real;
	}
	dir = copy;
	for (i = 0; i < cf->zones.n; i++) {
		if (cf->zones.v[i].file[0] == '/')
			continue;
		if (asprintf(&abs, "%s/%s", dir, cf->zones.v[i].file) == -1) {
			free(copy);
			goto nomem;
		}
		free(cf->zones.v[i].file);
		cf->zones.v[i].file = abs;
	}
	free(copy);
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}

int
dns_config_load(const char *path, struct dns_config *cf, char *err,
    size_t errlen)
{
	memset(cf, 0, sizeof(*cf));
	cf->udp_payload = 1232;
	cf->tcp_clients = 512;
	cf->tcp_idle_ms = 10000;
	cf->zone_max_mb = 256;
	if (config_load_file(path, schema, cf, err, errlen) == -1)
		return -1;
	if (absolute_files(path, cf, err, errlen) == -1) {
		dns_config_free(cf);
		return -1;
	}
	return 0;
}

void
dns_config_free(struct dns_config *cf)
{
	config_free(schema, cf);
}

const struct dns_zconf *
dns_config_zone(const struct dns_config *cf, const uint8_t *origin)
{
	uint8_t	 wire[DNS_NAME_MAX];
	size_t	 i;

	for (i = 0; i < cf->zones.n; i++)
		if (dns_name_from_text(cf->zones.v[i].origin, wire) == 0 &&
		    name_eq(wire, origin))
			return &cf->zones.v[i];
	return NULL;
}
