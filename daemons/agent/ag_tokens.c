#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

#include "ag_ready.h"
#include "ag_tokens.h"
#include "log.h"

#define TOKENS	"/local/domain/0/data/shoal/agent/tokens"

int
ag_tokens_put(struct ag_ready *r, uint32_t domid, const char *token)
{
	struct xs_handle	*xs = r != NULL ? ag_ready_xs(r) : NULL;
	char			 path[128];
	bool			 ok;

	if (xs == NULL)
		return 0;
	snprintf(path, sizeof(path), "%s/%u", TOKENS, domid);
	if (token == NULL || *token == '\0')
		ok = xs_rm(xs, XBT_NULL, path);
	else
		ok = xs_write(xs, XBT_NULL, path, token, strlen(token));
	if (!ok && token != NULL && *token != '\0') {
		log_warn("domain %u: noting its token in the store", domid);
		return -1;
	}
	return 0;
}

int
ag_tokens_get(struct ag_ready *r, uint32_t domid, char *out, size_t outlen)
{
	struct xs_handle	*xs = r != NULL ? ag_ready_xs(r) : NULL;
	char			 path[128], *v;
	unsigned int		 len;

	if (xs == NULL)
		return 0;
	snprintf(path, sizeof(path), "%s/%u", TOKENS, domid);
	if ((v = xs_read(xs, XBT_NULL, path, &len)) == NULL)
		return 0;
	snprintf(out, outlen, "%.*s", (int)len, v);
	free(v);
	return 1;
}
