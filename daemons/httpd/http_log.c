#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http_log.h"
#include "log.h"

#define LOG_BUF		65536
#define LINE_MAX_LEN	16384	/* a line is cut, never the buffer overrun */

struct http_log {
	char	*path;
	int	 fd;
	bool	 json;
	size_t	 len;
	char	 buf[LOG_BUF];
};

static int
open_log(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
}

struct http_log *
http_log_open(const char *path, bool json, char *err, size_t errlen)
{
	struct http_log	*l;

	if ((l = calloc(1, sizeof(*l))) == NULL ||
	    (l->path = strdup(path)) == NULL) {
		free(l);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if ((l->fd = open_log(path)) < 0) {
		snprintf(err, errlen, "access log %s: %s", path,
		    strerror(errno));
		free(l->path);
		free(l);
		return NULL;
	}
	l->json = json;
	return l;
}

void
http_log_flush(struct http_log *l)
{
	size_t	 o = 0;
	ssize_t	 n;

	if (l == NULL)
		return;
	while (o < l->len) {
		if ((n = write(l->fd, l->buf + o, l->len - o)) <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			log_warn("access log %s: lost %zu bytes", l->path,
			    l->len - o);
			break;
		}
		o += (size_t)n;
	}
	l->len = 0;
}

int
http_log_reopen(struct http_log *l)
{
	int	 fd;

	if (l == NULL)
		return 0;
	http_log_flush(l);
	if ((fd = open_log(l->path)) < 0) {
		log_warn("access log %s: cannot reopen, keeping the old file",
		    l->path);
		return -1;
	}
	close(l->fd);
	l->fd = fd;
	return 0;
}

void
http_log_close(struct http_log *l)
{
	if (l == NULL)
		return;
	http_log_flush(l);
	close(l->fd);
	free(l->path);
	free(l);
}

void
http_log_set_json(struct http_log *l, bool json)
{
	http_log_flush(l);
	l->json = json;
}

const char *
http_log_path(const struct http_log *l)
{
	return l != NULL ? l->path : NULL;
}

/* A client's bytes, escaped for the format; stops short of the end. */
static size_t
escaped(char *o, size_t room, const char *p, size_t n, bool json)
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 w = 0, i;
	unsigned char		 c;

	for (i = 0; i < n && w + 7 < room; i++) {
		c = (unsigned char)p[i];
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			o[w++] = (char)c;
		} else if (json) {
			memcpy(o + w, "\\u00", 4);
			o[w + 4] = hex[c >> 4];
			o[w + 5] = hex[c & 15];
			w += 6;
		} else {
			o[w++] = '\\';
			o[w++] = 'x';
			o[w++] = hex[c >> 4];
			o[w++] = hex[c & 15];
		}
	}
	return w;
}

/* Appends fmt's output; the escaped fields go in as %s of copies. */
void
http_log_write(struct http_log *l, const struct http_log_entry *e)
{
	char		 m[64], t[4096], r[1024], a[1024], when[64], *out;
	struct tm	 tm;
	int		 n;

	if (l == NULL)
		return;
	if (l->len + LINE_MAX_LEN > sizeof(l->buf))
		http_log_flush(l);
	m[escaped(m, sizeof(m), e->method, e->method_len, l->json)] = '\0';
	t[escaped(t, sizeof(t), e->target, e->target_len, l->json)] = '\0';
	r[escaped(r, sizeof(r), e->referer, e->referer_len, l->json)] = '\0';
	a[escaped(a, sizeof(a), e->agent, e->agent_len, l->json)] = '\0';
	gmtime_r(&e->when, &tm);
	out = l->buf + l->len;
	if (l->json) {
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		n = snprintf(out, LINE_MAX_LEN, "{\"time\":\"%s\","
		    "\"client\":\"%s\",\"method\":\"%s\",\"target\":\"%s\","
		    "\"version\":\"%s\",\"status\":%d,\"bytes\":%llu,"
		    "\"us\":%llu,\"referer\":\"%s\",\"agent\":\"%s\"}\n",
		    when, e->client, m, t, e->version, e->status,
		    (unsigned long long)e->bytes, (unsigned long long)e->us,
		    r, a);
	} else {
		strftime(when, sizeof(when), "%d/%b/%Y:%H:%M:%S +0000", &tm);
		n = snprintf(out, LINE_MAX_LEN, "%s - - [%s] \"%s %s "
		    "%s\" %d %llu \"%s\" \"%s\"\n", e->client, when, m,
		    t, e->version, e->status, (unsigned long long)e->bytes,
		    r[0] != '\0' ? r : "-", a[0] != '\0' ? a : "-");
	}
	if (n > 0)
		l->len += (size_t)n < LINE_MAX_LEN ? (size_t)n :
		    LINE_MAX_LEN - 1;
}
