/*
 * xfer_home: where a test program that serves a ring publishes it in
 * xenstore: a path relative to its own domain's home, spelled out.
 */
#ifndef XFER_HOME_H
#define XFER_HOME_H

struct xs_handle;

/*
 * The absolute form of path (a copy, the caller frees it): a path that
 * starts with '/' as it is, any other under /local/domain/SELF, the way
 * libxenstore resolves relative paths for a guest, but spelled out so a
 * log names the path the peer must be given.  NULL with the reason logged.
 */
char	*xfer_home_path(struct xs_handle *, const char *path,
	    void (*logf)(const char *, ...));

#endif /* XFER_HOME_H */
