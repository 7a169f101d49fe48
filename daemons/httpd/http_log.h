/*
 * http_log: the access log, one line per response, in the combined log
 * format (CLF with referrer and user agent, as nginx and Apache write
 * it) or as JSON lines.  Lines are gathered in memory and written when
 * 64 KiB have gathered or when the server's periodic tick flushes, so
 * that a busy server does not pay a write(2) per request; SIGHUP reopens
 * the file (after logrotate moved it).  Bytes a client sent are escaped
 * (\xHH in CLF, \u00HH in JSON): a request cannot forge a log line.
 */
#ifndef HTTP_LOG_H
#define HTTP_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct http_log;

struct http_log_entry {
	const char	*client;	/* address text */
	time_t		 when;
	const char	*method, *target, *referer, *agent;
	size_t		 method_len, target_len, referer_len, agent_len;
	const char	*version;	/* "HTTP/1.1", "HTTP/2.0" */
	int		 status;
	uint64_t	 bytes;		/* body bytes */
	uint64_t	 us;		/* latency */
};

/* NULL with err set. */
struct http_log	*http_log_open(const char *path, bool json, char *err,
		    size_t errlen);
/* 0, or -1 (the old file is kept). */
int		 http_log_reopen(struct http_log *);
void		 http_log_write(struct http_log *,
		    const struct http_log_entry *);
void		 http_log_flush(struct http_log *);
void		 http_log_set_json(struct http_log *, bool json);
void		 http_log_close(struct http_log *);
const char	*http_log_path(const struct http_log *);

#endif /* HTTP_LOG_H */
