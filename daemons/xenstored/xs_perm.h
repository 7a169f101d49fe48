/*
 * xs_perm: node permissions and who may do what with them.
 *
 * Owns the wire form of a permission ("r5", "b0", "n12", "w3"), and the
 * access rule: the first entry names the owner and the mode everyone not
 * listed gets; the owner and privileged callers may do anything; a
 * caller acting for a target domain (SET_TARGET) is treated as that
 * domain's owner and, where it is not listed itself, gets the target's
 * entry.
 */
#ifndef XS_PERM_H
#define XS_PERM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XS_PERM_NONE	0x0
#define XS_PERM_READ	0x1
#define XS_PERM_WRITE	0x2
#define XS_PERM_BOTH	(XS_PERM_READ | XS_PERM_WRITE)
#define XS_PERM_OWNER	0x4	/* only from xs_perm_access() */

/* DOMID_FIRST_RESERVED: domids from here on are not real domains. */
#define XS_DOMID_MAX	0x7fef
#define XS_NO_TARGET	(-1)

struct xs_perm {
	uint32_t	 domid;
	uint8_t		 mode;		/* XS_PERM_NONE..XS_PERM_BOTH */
};

/* The caller of a request, as the access rule sees it. */
struct xs_who {
	unsigned	 domid;
	bool		 priv;		/* dom0 */
	int		 target;	/* domid, or XS_NO_TARGET */
};

/* "b12" -> {12, BOTH}.  Returns 0 or EINVAL. */
int	 xs_perm_parse(const char *s, struct xs_perm *out);
/* Writes e.g. "r5" and its NUL; returns the length without the NUL. */
size_t	 xs_perm_format(const struct xs_perm *, char *buf, size_t len);

/* XS_PERM_* bits the caller has on a node with these permissions. */
unsigned xs_perm_access(const struct xs_who *, const struct xs_perm *,
	    size_t n);
bool	 xs_perm_can(const struct xs_who *, const struct xs_perm *, size_t n,
	    unsigned want);

/* Parse a decimal domid argument; returns 0 or EINVAL. */
int	 xs_domid_parse(const char *s, unsigned *out);

#endif /* XS_PERM_H */
