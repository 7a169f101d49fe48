/*
 * ag_tokens: which request made a running domain, so that domain.create
 * is idempotent.  The scaler names each create with a token (its job's);
 * asked again with that token (the job retried after the scaler or its
 * control loop died mid-call) the agent answers with the domain the
 * token made, not a new one.
 *
 * Owns the tokens' place in the store: dom0's own part,
 * /local/domain/0/data/shoal/agent/tokens/DOMID, which no guest can
 * write, so a domain cannot claim another's token, and an agent started
 * again reads them back with the domains it adopts.  Through the agent's
 * store connection (ag_ready.h); without a store the tokens live in the
 * agent's memory only, and a restarted agent has none.
 */
#ifndef AG_TOKENS_H
#define AG_TOKENS_H

#include <stddef.h>
#include <stdint.h>

#define AG_TOKEN_MAX	65	/* 64 and the NUL */

struct ag_ready;

/* Note domid's token (NULL or "": forget it).  0, or -1 (logged). */
int	ag_tokens_put(struct ag_ready *, uint32_t domid, const char *token);
/* 1 and out filled, 0 if none. */
int	ag_tokens_get(struct ag_ready *, uint32_t domid, char *out,
	    size_t outlen);

#endif /* AG_TOKENS_H */
