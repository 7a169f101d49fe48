#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "log.h"

/*
 * Our own level names: LOG_ERR, LOG_INFO and friends already belong to
 * <syslog.h>.
 */
enum loglevel {
	LVL_FATAL,
	LVL_WARN,
	LVL_INFO,
	LVL_DEBUG
};

static const struct {
	const char	*prefix;
	int		 priority;
	int		 minverbose;	/* shown when verbose >= this */
} levels[] = {
	[LVL_FATAL] = { "fatal: ",	LOG_CRIT,	INT_MIN },
	[LVL_WARN] =  { "warning: ",	LOG_WARNING,	INT_MIN },
	[LVL_INFO] =  { "",		LOG_INFO,	0 },
	[LVL_DEBUG] = { "debug: ",	LOG_DEBUG,	1 },
};

static const char	*log_progname = "shoal";
static int		 log_syslog;
static int		 log_verbose;

static void	vlog(enum loglevel, int, const char *, va_list)
		    LOG_PRINTF(3, 0);

void
log_init(const char *progname, int to_syslog, int verbosity)
{
	int	 saved = errno;

	log_progname = progname;
	log_syslog = to_syslog;
	log_verbose = verbosity;
	if (to_syslog)
		openlog(progname, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	errno = saved;
}

void
log_child(const char *role)
{
	static char	 name[64];
	int		 saved = errno;

	snprintf(name, sizeof(name), "%s-%s", log_progname, role);
	log_progname = name;
	if (log_syslog) {
		closelog();
		openlog(name, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	}
	errno = saved;
}

void
log_setverbose(int verbosity)
{
	log_verbose = verbosity;
}

int
log_getverbose(void)
{
	return log_verbose;
}

/*
 * The whole line is built first and written with one call, so lines from
 * the privileged parent and its children do not interleave mid-line.
 */
static void
vlog(enum loglevel lvl, int errnum, const char *fmt, va_list ap)
{
	char	 msg[LOG_MAXLINE];
	int	 saved = errno;
	size_t	 len;

	if (log_verbose < levels[lvl].minverbose)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (errnum != 0) {
		len = strlen(msg);
		snprintf(msg + len, sizeof(msg) - len, ": %s",
		    strerror(errnum));
	}
	if (log_syslog)
		syslog(levels[lvl].priority, "%s", msg);
	else
		fprintf(stderr, "%s: %s%s\n", log_progname,
		    levels[lvl].prefix, msg);
	errno = saved;
}

/* Every public entry point is this, at its own level. */
#define LOG_BODY(lvl, errnum) do {		\
	va_list	 ap;				\
						\
	va_start(ap, fmt);			\
	vlog((lvl), (errnum), fmt, ap);		\
	va_end(ap);				\
} while (0)

void
log_warn(const char *fmt, ...)
{
	LOG_BODY(LVL_WARN, errno);
}

void
log_warnx(const char *fmt, ...)
{
	LOG_BODY(LVL_WARN, 0);
}

void
log_info(const char *fmt, ...)
{
	LOG_BODY(LVL_INFO, 0);
}

void
log_debug(const char *fmt, ...)
{
	LOG_BODY(LVL_DEBUG, 0);
}

void
fatal(const char *fmt, ...)
{
	LOG_BODY(LVL_FATAL, errno);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	LOG_BODY(LVL_FATAL, 0);
	exit(1);
}
