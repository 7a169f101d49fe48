/*
 * xs_path: what a XenStore path may look like, and how a request's path
 * becomes the absolute one the tree is keyed by.
 *
 * Owns the character set (alphanumerics and -/_@), the ban on empty
 * components ("//", a trailing "/"), the length limits of xs_wire.h, the
 * rewriting of a relative path under the caller's home
 * /local/domain/<domid>, and the parent/child relation watches match on.
 * "@..." names are special watch names, never nodes.
 */
#ifndef XS_PATH_H
#define XS_PATH_H

#include <stdbool.h>
#include <stddef.h>

#include <errno.h>
#include <stdint.h>

#include <xen/io/xs_wire.h>

/* Room for any absolute path plus its NUL. */
#define XS_PATH_BUF	(XENSTORE_ABS_PATH_MAX + 1)

/*
 * Turn a request's path into an absolute one in out (XS_PATH_BUF bytes).
 * *relative says whether it was given relative to the caller's home.
 * Returns 0 or EINVAL.  Special "@" names are refused here; watches ask
 * for them through xs_path_special().
 */
int	 xs_path_canon(unsigned domid, const char *in, char *out,
	    bool *relative);

/* The special watch names clients may register (@introduceDomain...). */
bool	 xs_path_special(const char *path);

/* True if child equals parent or lies below it ("/" is above all). */
bool	 xs_path_is_child(const char *child, const char *parent);

/* Write /local/domain/<domid> into out; returns its length. */
size_t	 xs_path_home(unsigned domid, char *out, size_t len);

/* Length of the parent's path ("/a/b" -> 2, "/a" -> 1); 0 for "/". */
size_t	 xs_path_parent_len(const char *path);

/* The last component ("" for "/"). */
const char *xs_path_base(const char *path);

#endif /* XS_PATH_H */
