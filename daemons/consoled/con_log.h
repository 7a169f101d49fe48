/*
 * con_log: one domain's log file.
 *
 * Owns the file descriptor, its path and whether the next byte starts a
 * line (for the optional timestamp, "[YYYY-MM-DD HH:MM:SS.mmm] " in UTC
 * before each line).  The file is opened for appending and never
 * followed through a symlink; con_log_reopen() is for SIGHUP after
 * logrotate has moved it.  A write that fails is logged once, until one
 * succeeds again: a full disk must not turn into a log storm.
 */
#ifndef CON_LOG_H
#define CON_LOG_H

#include <stdbool.h>
#include <stddef.h>

struct con_log {
	char	*path;
	int	 fd;
	bool	 stamp;
	bool	 bol;		/* at the beginning of a line */
	bool	 failing;
};

/* Takes a copy of path.  -1 with errno; the struct is then closed. */
int	con_log_open(struct con_log *, const char *path, bool stamp);
int	con_log_reopen(struct con_log *);
void	con_log_write(struct con_log *, const char *, size_t);
void	con_log_close(struct con_log *);

/* "guest-NAME.log" with anything but [A-Za-z0-9._-] replaced by '_'. */
int	con_log_name(char *buf, size_t len, const char *dir, const char *name);

#endif /* CON_LOG_H */
