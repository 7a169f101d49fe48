#include <ctype.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

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
	CONFIG_STRLIST("update-keys", false, struct dns_zconf, update_keys),
	CONFIG_STRLIST("update-allow", false, struct dns_zconf,
	    update_allow_to),
	CONFIG_END
};

static int	zones_raw(struct config_ctx *, json_t *, void *);
static void	zones_free(void *);
static int	keys_raw(struct config_ctx *, json_t *, void *);
static void	keys_free(void *);

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
	CONFIG_RAW("tsig-keys", false, struct dns_config, tsig_keys, keys_raw,
	    keys_free),
	CONFIG_STRING("journal-dir", false, struct dns_config, journal_dir),
	CONFIG_END
};

/* One TSIG key: {"name", "algorithm", "secret"}, all required. */
struct key_text {
	char	*name, *algorithm, *secret;
};

static const struct config_field key_schema[] = {
	CONFIG_STRING("name", true, struct key_text, name),
	CONFIG_STRING("algorithm", true, struct key_text, algorithm),
	CONFIG_STRING("secret", true, struct key_text, secret),
	CONFIG_END
};

static int
keys_raw(struct config_ctx *c, json_t *val, void *dst)
{
	struct dns_tsig_keys	*keys = dst;
	struct key_text		 t;
	const char		*why;
	json_t			*item;
	size_t			 i;
	int			 rc;

	if (!json_is_array(val))
		return config_error(c, val, "expected an array of keys, "
		    "found %s", config_typename(val));
	if (json_array_size(val) > 0 &&
	    (keys->v = calloc(json_array_size(val), sizeof(*keys->v))) == NULL)
		return config_error(c, val, "out of memory");
	json_array_foreach(val, i, item) {
		memset(&t, 0, sizeof(t));
		if (config_apply(c, item, key_schema, &t) == -1) {
			config_free(key_schema, &t);
			return -1;
		}
		rc = dns_tsig_key_init(&keys->v[keys->n], t.name, t.algorithm,
		    t.secret, &why);
		config_free(key_schema, &t);
		if (rc == -1)
			return config_error(c, item, "%s", why);
		if (dns_tsig_find(keys, keys->v[keys->n].name) != NULL)
			return config_error(c, json_object_get(item, "name"),
			    "key %s is already defined",
			    json_string_value(json_object_get(item, "name")));
		keys->n++;
	}
	return 0;
}

static void
keys_free(void *dst)
{
	struct dns_tsig_keys	*keys = dst;

	if (keys->v != NULL)
		OPENSSL_cleanse(keys->v, keys->n * sizeof(*keys->v));
	free(keys->v);
	keys->v = NULL;
	keys->n = 0;
}

/*
 * A list of prefixes (axfr-allow, update-allow) parsed into acl, each
 * bad one reported where it is written.
 */
static int
prefixes(struct config_ctx *c, json_t *obj, const char *key,
    const struct config_strlist *text, struct net_acl *acl)
{
	json_t		*list = json_object_get(obj, key);
	const char	*why;
	size_t		 i;

	if (text->n == 0)
		return 0;
	if ((acl->v = calloc(text->n, sizeof(*acl->v))) == NULL)
		return config_error(c, obj, "out of memory");
	for (i = 0; i < text->n; i++) {
		if (net_addr_parse_prefix(text->v[i], &acl->v[i], &why) == -1)
			return config_error(c, json_array_get(list, i), "%s",
			    why);
		acl->n++;
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

/*
 * A zone taking updates: each key it names is in "tsig-keys" (which may
 * come later in the file, so the document is asked), and there is a
 * "journal-dir" to keep its updates in.
 */
static int
zone_update_keys(struct config_ctx *c, json_t *obj, struct dns_zconf *z)
{
	json_t		*root = config_root(c), *keys, *k;
	json_t		*list = json_object_get(obj, "update-keys");
	uint8_t		 want[DNS_NAME_MAX], have[DNS_NAME_MAX];
	size_t		 i, j;
	bool		 found;

	if (z->update_keys.n == 0)
		return 0;
	if (!json_is_string(json_object_get(root, "journal-dir")))
		return config_error(c, list, "a zone taking updates needs "
		    "\"journal-dir\" for its journal");
	keys = json_object_get(root, "tsig-keys");
	for (i = 0; i < z->update_keys.n; i++) {
		found = false;
		if (dns_name_from_text(z->update_keys.v[i], want) == -1)
			return config_error(c, json_array_get(list, i),
			    "not a domain name");
		json_array_foreach(keys, j, k)
			if (dns_name_from_text(json_string_value(
			    json_object_get(k, "name")) ?: "", have) == 0 &&
			    name_eq(want, have))
				found = true;
		if (!found)
			return config_error(c, json_array_get(list, i),
			    "no key %s in \"tsig-keys\"", z->update_keys.v[i]);
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
		    prefixes(c, item, "axfr-allow", &z->axfr_allow,
		    &z->axfr) == -1 || zone_notify(c, item, z) == -1 ||
		    prefixes(c, item, "update-allow", &z->update_allow_to,
		    &z->update_allow) == -1 ||
		    zone_update_keys(c, item, z) == -1)
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
		net_acl_free(&zs->v[i].update_allow);
		free(zs->v[i].notify.v);
		free(zs->v[i].journal);
	}
	free(zs->v);
	zs->v = NULL;
	zs->n = 0;
}

/*
 * ORIGIN.jnl in the journal folder, the origin's text with anything but
 * letters, digits, '-' and '.' made '_' (a label may hold a '/').
 */
static int
journal_paths(struct dns_config *cf)
{
	char	 name[DNS_NAME_TEXTMAX], *p;
	uint8_t	 wire[DNS_NAME_MAX];
	size_t	 i;

	for (i = 0; i < cf->zones.n; i++) {
		struct dns_zconf *z = &cf->zones.v[i];

		if (z->update_keys.n == 0)
			continue;
		dns_name_from_text(z->origin, wire);
		dns_name_lower(wire, wire);
		dns_name_to_text(wire, name);
		if (strlen(name) > 1 && name[strlen(name) - 1] == '.')
			name[strlen(name) - 1] = '\0';
		else if (strcmp(name, ".") == 0)
			snprintf(name, sizeof(name), "root");
		for (p = name; *p != '\0'; p++)
			if (!isalnum((unsigned char)*p) && *p != '-' &&
			    *p != '.')
				*p = '_';
		if (asprintf(&z->journal, "%s/%s.jnl", cf->journal_dir,
		    name) == -1) {
			z->journal = NULL;
			return -1;
		}
	}
	return 0;
}

/* A path named relative to dir made absolute, in place. */
static int
absolute(const char *dir, char **path)
{
	char	*abs;

	if (*path == NULL || (*path)[0] == '/')
		return 0;
	if (asprintf(&abs, "%s/%s", dir, *path) == -1)
		return -1;
	free(*path);
	*path = abs;
	return 0;
}

/* Zone files named relative to the configuration's folder. */
static int
absolute_files(const char *path, struct dns_config *cf, char *err,
    size_t errlen)
{
	char	*copy, *dir, *real;
	size_t	 i;

	if ((copy = strdup(path)) == NULL)
		goto nomem;
	/* The folder as an absolute path, so dns.zones shows one. */
	if ((real = realpath(dirname(copy), NULL)) != NULL) {
		free(copy);
		copy = real;
	}
	dir = copy;
	for (i = 0; i < cf->zones.n; i++)
		if (absolute(dir, &cf->zones.v[i].file) == -1) {
			free(copy);
			goto nomem;
		}
	if (absolute(dir, &cf->journal_dir) == -1 || journal_paths(cf) == -1) {
		free(copy);
		goto nomem;
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
