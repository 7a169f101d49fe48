/*
 * xs_special: the permissions of the two special watch names,
 * @introduceDomain and @releaseDomain.
 *
 * They are not nodes of the tree, but since XSA-115 Xen gives each a
 * permission list as if it were one: owned by dom0 and readable by no one
 * else at first, so that a guest cannot learn when other domains come and
 * go.  A disaggregated system grants them (SET_PERMS of the name, e.g.
 * `xenstore-chmod @releaseDomain r5` from dom0) to the domains that must
 * watch them: a console or driver domain.  Whoever may read one may watch
 * it and hears its events.  Owns the two lists; the server holds them.
 */
#ifndef XS_SPECIAL_H
#define XS_SPECIAL_H

#include <stdint.h>

#include "xs_perm.h"

enum { XS_SPECIAL_INTRODUCE, XS_SPECIAL_RELEASE, XS_NSPECIAL };

struct xs_special {
	const char	*name;
	struct xs_perm	*perms;		/* perms[0] is the owner */
	uint32_t	 nperms;
};

struct xs_specials {
	struct xs_special	 v[XS_NSPECIAL];
};

/* Both "n0".  ENOMEM. */
int	 xs_specials_init(struct xs_specials *);
void	 xs_specials_fini(struct xs_specials *);
/* The special named name, NULL if it is not one. */
struct xs_special *xs_special_find(struct xs_specials *, const char *name);
/* Replaces the list with a copy of p (n >= 1).  ENOMEM. */
int	 xs_special_set(struct xs_special *, const struct xs_perm *p,
	    uint32_t n);

#endif /* XS_SPECIAL_H */
