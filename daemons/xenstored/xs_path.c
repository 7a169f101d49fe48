#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "xs_path.h"

static bool
path_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '/' || c == '_' ||
	    c == '@';
}

/* An absolute path: "/" alone, or "/"-separated non-empty components. */
static bool
path_valid_abs(const char *p)
{
	size_t	 i, n = strlen(p);

	if (n == 0 || p[0] != '/' || n > XENSTORE_ABS_PATH_MAX)
		return false;
	if (n == 1)
		return true;
	if (p[n - 1] == '/')
		return false;
	for (i = 0; i < n; i++) {
		if (!path_char_ok(p[i]))
			return false;
		if (p[i] == '/' && p[i + 1] == '/')
			return false;
	}
	return true;
}

size_t
xs_path_home(unsigned domid, char *out, size_t len)
{
	int	 n = snprintf(out, len, "/local/domain/%u", domid);

	return n < 0 ? 0 : (size_t)n;
}

int
xs_path_canon(unsigned domid, const char *in, char *out, bool *relative)
{
	size_t	 n, hl;

	*relative = in[0] != '/';
	if (in[0] == '@')
		return EINVAL;
	if (!*relative) {
		if (strlen(in) >= XS_PATH_BUF)
			return EINVAL;
		strcpy(out, in);
		return path_valid_abs(out) ? 0 : EINVAL;
	}
	n = strlen(in);
	if (n == 0 || n > XENSTORE_REL_PATH_MAX)
		return EINVAL;
	hl = xs_path_home(domid, out, XS_PATH_BUF);
	if (hl + 1 + n >= XS_PATH_BUF)
		return EINVAL;
	out[hl] = '/';
	memcpy(out + hl + 1, in, n + 1);
	return path_valid_abs(out) ? 0 : EINVAL;
}

bool
xs_path_is_child(const char *child, const char *parent)
{
	size_t	 n = strlen(parent);

	if (strcmp(parent, "/") == 0)
		return child[0] == '/';
	if (strncmp(child, parent, n) != 0)
		return false;
	return child[n] == '\0' || child[n] == '/';
}

size_t
xs_path_parent_len(const char *path)
{
	const char	*slash = strrchr(path, '/');

	if (slash == NULL || path[1] == '\0')
		return 0;
	return slash == path ? 1 : (size_t)(slash - path);
}

const char *
xs_path_base(const char *path)
{
	const char	*slash = strrchr(path, '/');

	return slash == NULL ? path : slash + 1;
}
