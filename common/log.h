/*
 * log: the one place a daemon's diagnostics go.
 *
 * Owns the program name, the destination (stderr while a daemon runs in
 * the foreground or under a test, syslog once it is a service) and the
 * verbosity threshold.  Every module logs through here so that a single
 * -v/-q, or an RPC changing the verbosity at run time, governs them all.
 *
 * Verbosity: 0 is the default and shows info; each -v adds one (debug
 * appears at 1), each -q takes one away (info disappears below 0).
 * Warnings and fatal errors are always shown: silencing them would hide
 * the reason a stub domain died.
 *
 * stderr lines are "progname: message" with "warning: ", "debug: " or
 * "fatal: " after the name for those levels; syslog gets the bare message
 * and the level as its priority.  Lines longer than LOG_MAXLINE are cut.
 * No function here changes errno, so a caller can log and then still
 * inspect or return it.
 */
#ifndef SHOAL_LOG_H
#define SHOAL_LOG_H

#define LOG_MAXLINE	1024

#define LOG_PRINTF(f, a)	__attribute__((__format__(__printf__, f, a)))
#define LOG_DEAD		__attribute__((__noreturn__))

void	log_init(const char *progname, int to_syslog, int verbosity);
/*
 * In a process forked to play a part for the daemon: its lines say
 * "PROGNAME-ROLE" from now on, and syslog is opened again (call it once
 * the descriptors the fork copied are closed).
 */
void	log_child(const char *role);
void	log_setverbose(int verbosity);
int	log_getverbose(void);

void	log_warn(const char *fmt, ...) LOG_PRINTF(1, 2);
void	log_warnx(const char *fmt, ...) LOG_PRINTF(1, 2);
void	log_info(const char *fmt, ...) LOG_PRINTF(1, 2);
void	log_debug(const char *fmt, ...) LOG_PRINTF(1, 2);
void	fatal(const char *fmt, ...) LOG_PRINTF(1, 2) LOG_DEAD;
void	fatalx(const char *fmt, ...) LOG_PRINTF(1, 2) LOG_DEAD;

#endif /* SHOAL_LOG_H */
