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
#include <string.h>

#include <xen/io/xs_wire.h>

/* Room for any absolute path plus its NUL. */
#define XS_PATH_BUF	(XENSTORE_ABS_PATH_MAX + 1)

/*
 * Turn a request's path into an absolute one in out (XS_PATH_BUF bytes).
 * *relative says whether it was given relative to the caller's home.
 * Returns 0 or EINVAL.  Special "@" names are refused here; watches and
 * permissions look them up in xs_special.
 */
int	 xs_path_canon(unsigned domid, const char *in, char *out,
	    bool *relative);


/* True if child equals parent or lies below it ("/" is above all). */
bool	 xs_path_is_child(const char *child, const char *parent);

/* Write /local/domain/<domid> into out; returns its length. */
size_t	 xs_path_home(unsigned domid, char *out, size_t len);

/* Length of the parent's path ("/a/b" -> 2, "/a" -> 1); 0 for "/". */
size_t	 xs_path_parent_len(const char *path);

/* The last component ("" for "/"). */
const char *xs_path_base(const char *path);

/*
 * Where the component name[0..len) (a piece of a longer path, so not
 * NUL-terminated) is among n names sorted by strcmp, or where it would be
 * inserted; *found says which.  name_at reads the i-th name, so the tree
 * (an array of nodes) and a transaction (an array of strings) share one
 * search; being inline, the call costs nothing.
 */
static inline uint32_t
xs_path_name_search(const void *names, uint32_t n,
    const char *(*name_at)(const void *, uint32_t), const char *name,
    size_t len, bool *found)
{
	uint32_t	 lo = 0, hi = n, mid;
	const char	*have;
	int		 c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		have = name_at(names, mid);
		if ((c = strncmp(have, name, len)) == 0 && have[len] != '\0')
			c = 1;
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

#endif /* XS_PATH_H */
