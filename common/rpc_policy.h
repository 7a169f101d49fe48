/*
 * rpc_policy: who may call what, in the spirit of Qubes' qrexec policy.
 *
 * A text file, one rule a line, the first rule that matches decides:
 *
 *	# METHOD	CALLER		ACTION
 *	sys.*		@any		allow
 *	console.*	dom0		allow
 *	console.tail	@tag:ops	allow
 *	*		@any		deny
 *	tag ops web1 7 admin		(a tag: domain names or ids)
 *
 * METHOD is "svc.method", "svc.*" or "*".  CALLER is a domid, a domain
 * name (from the caller's /local/domain/N/name, written by the
 * toolstack), "dom0", "@tag:NAME" or "@any".  ACTION is allow or deny.
 * No rule matching denies.  A file that does not parse denies everything
 * (the error names file and line), so a typo never opens a door.
 */
#ifndef RPC_POLICY_H
#define RPC_POLICY_H

#include <stdbool.h>
#include <stddef.h>

struct rpc_policy;

/* Never NULL but for memory: a broken file gives a deny-all policy. */
struct rpc_policy *rpc_policy_load(const char *path, char *err,
		    size_t errlen);
/* From text (tests); name is what errors call it. */
struct rpc_policy *rpc_policy_parse(const char *text, const char *name,
		    char *err, size_t errlen);
void		 rpc_policy_free(struct rpc_policy *);
bool		 rpc_policy_broken(const struct rpc_policy *);

/*
 * method is "svc.method"; name may be NULL when unknown.  *line is the
 * deciding rule's line (0: none matched, or the policy is broken).
 */
bool		 rpc_policy_allows(const struct rpc_policy *,
		    const char *method, unsigned domid, const char *name,
		    int *line);

#endif /* RPC_POLICY_H */
