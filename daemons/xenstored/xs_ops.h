/*
 * xs_ops: the request handlers, one function per request type.
 *
 * Owns what each request means: argument syntax, path resolution, the
 * permission and quota checks, which errno a failure is reported as, the
 * reply payload, and which watch events a change raises.  Each handler
 * appends to a reply already addressed to the requester, or returns the
 * errno for an XS_ERROR reply.  CONTROL lives in xs_control.c and the
 * domain requests (INTRODUCE...) in xs_domops.c; they share struct xs_req.
 */
#ifndef XS_OPS_H
#define XS_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xs_db.h"
#include "xs_perm.h"
#include "xs_wire.h"

struct xs_conn;
struct xs_watch;

#define XS_MAXARGS	16

struct xs_req {
	struct xs_conn			*conn;
	const struct xsd_sockmsg	*hdr;
	const uint8_t			*body;
	size_t				 len;
	const char			*argv[XS_MAXARGS];
	int				 argc;		/* -1: not strings */
	struct xs_who			 who;
	struct xs_db			 db;
	struct xs_watch			*fire;		/* new watch to fire */
	bool				 defer;		/* no reply now: live
							   update answers later */
};

/* Handle one complete request from c; queues the reply. */
void	 xs_ops_dispatch(struct xs_conn *, const struct xsd_sockmsg *,
	    const uint8_t *body, size_t len);

/* Handlers defined outside xs_ops.c. */
int	 xs_op_control(struct xs_req *, struct xs_msg *);
int	 xs_op_introduce(struct xs_req *, struct xs_msg *);
int	 xs_op_release(struct xs_req *, struct xs_msg *);
int	 xs_op_resume(struct xs_req *, struct xs_msg *);
int	 xs_op_set_target(struct xs_req *, struct xs_msg *);
int	 xs_op_get_domain_path(struct xs_req *, struct xs_msg *);
int	 xs_op_is_introduced(struct xs_req *, struct xs_msg *);

/* Exactly n string arguments, else EINVAL. */
int	 xs_req_nargs(const struct xs_req *, int n);
int	 xs_reply_ok(struct xs_msg *);

#endif /* XS_OPS_H */
