#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http_file.h"
#include "http_resp.h"
#include "http_tls.h"

static const struct {
	int		 status;
	const char	*reason;
} reasons[] = {
	{ 100, "Continue" }, { 200, "OK" }, { 204, "No Content" },
	{ 206, "Partial Content" }, { 301, "Moved Permanently" },
	{ 304, "Not Modified" }, { 400, "Bad Request" },
	{ 403, "Forbidden" }, { 404, "Not Found" },
	{ 405, "Method Not Allowed" }, { 408, "Request Timeout" },
	{ 411, "Length Required" }, { 412, "Precondition Failed" },
	{ 413, "Content Too Large" }, { 414, "URI Too Long" },
	{ 416, "Range Not Satisfiable" }, { 417, "Expectation Failed" },
	{ 431, "Request Header Fields Too Large" },
	{ 500, "Internal Server Error" }, { 501, "Not Implemented" },
	{ 503, "Service Unavailable" }, { 505, "HTTP Version Not Supported" },
};

const char *
http_reason(int status)
{
	size_t	 i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].status == status)
			return reasons[i].reason;
	return "Unknown";
}

void
http_resp_reset(struct http_resp *r)
{
	if (r->file != NULL)
		http_file_put(r->files, r->file);
	free(r->parts);
	r->file = NULL;
	r->files = NULL;
	r->parts = NULL;
	r->fd = -1;
	r->head_len = r->head_sent = 0;
	r->overflow = false;
	r->nseg = r->cur = 0;
	r->status = 0;
	r->body_len = r->sent = 0;
	r->close = false;
	r->tls_off = r->tls_len = 0;
}

static void
append(struct http_resp *r, const char *p, size_t n)
{
	if (r->head_len + n > sizeof(r->head)) {
		r->overflow = true;
		return;
	}
	memcpy(r->head + r->head_len, p, n);
	r->head_len += n;
}

#define APPEND(r, lit)	append(r, lit, sizeof(lit) - 1)

static void
append_u64(struct http_resp *r, uint64_t v)
{
	char	 buf[20];
	size_t	 i = sizeof(buf);

	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	append(r, buf + i, sizeof(buf) - i);
}

void
http_resp_start(struct http_resp *r, int status, const char *date)
{
	const char	*why = http_reason(status);

	r->status = status;
	APPEND(r, "HTTP/1.1 ");
	append_u64(r, (uint64_t)status);
	APPEND(r, " ");
	append(r, why, strlen(why));
	APPEND(r, "\r\nServer: shoal-httpd\r\nDate: ");
	append(r, date, strlen(date));
	APPEND(r, "\r\n");
}

void
http_resp_field(struct http_resp *r, const char *name, const char *value,
    size_t len)
{
	append(r, name, strlen(name));
	APPEND(r, ": ");
	append(r, value, len);
	APPEND(r, "\r\n");
}

void
http_resp_fieldf(struct http_resp *r, const char *name, const char *fmt, ...)
{
	char	 buf[HTTP_HEAD_MAX];
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf)) {
		r->overflow = true;
		return;
	}
	http_resp_field(r, name, buf, (size_t)n);
}

void
http_resp_raw(struct http_resp *r, const char *lines)
{
	append(r, lines, strlen(lines));
}

void
http_resp_length(struct http_resp *r, uint64_t n)
{
	r->body_len = n;
	APPEND(r, "Content-Length: ");
	append_u64(r, n);
	APPEND(r, "\r\n");
}

void
http_resp_end(struct http_resp *r, bool keepalive, bool ask_keep)
{
	r->close = !keepalive;
	if (!keepalive)
		APPEND(r, "Connection: close\r\n");
	else if (ask_keep)	/* HTTP/1.0 asked for it: say yes */
		APPEND(r, "Connection: keep-alive\r\n");
	APPEND(r, "\r\n");
}

void
http_resp_mem(struct http_resp *r, const char *p, uint64_t len)
{
	if (len == 0 || r->nseg == HTTP_SEGS_MAX)
		return;
	r->seg[r->nseg].mem = p;
	r->seg[r->nseg].off = 0;
	r->seg[r->nseg++].len = len;
}

void
http_resp_range(struct http_resp *r, uint64_t off, uint64_t len)
{
	if (len == 0 || r->nseg == HTTP_SEGS_MAX)
		return;
	r->seg[r->nseg].mem = NULL;
	r->seg[r->nseg].off = off;
	r->seg[r->nseg++].len = len;
}

void
http_resp_file(struct http_resp *r, struct http_files *fs,
    struct http_file *holder, int fd)
{
	r->files = fs;
	r->file = holder;
	r->fd = fd;
}

void
http_resp_error(struct http_resp *r, int status, const char *date,
    bool head_only, bool keepalive, const char *extra)
{
	const char	*why = http_reason(status);
	int		 n;

	n = snprintf(r->small, sizeof(r->small), "<html><head><title>%d %s"
	    "</title></head><body><h1>%d %s</h1></body></html>\n", status,
	    why, status, why);
	if (n < 0 || (size_t)n >= sizeof(r->small))
		n = 0;
	http_resp_start(r, status, date);
	if (extra != NULL)
		append(r, extra, strlen(extra));
	if (status == 304) {
		http_resp_end(r, keepalive, false);
		return;
	}
	APPEND(r, "Content-Type: text/html\r\n");
	http_resp_length(r, (uint64_t)n);
	http_resp_end(r, keepalive, false);
	if (!head_only)
		http_resp_mem(r, r->small, (uint64_t)n);
}

/* The head's rest and the memory segments after it, in one writev. */
static ssize_t
send_vec(struct http_resp *r, int sock)
{
	struct iovec	 iov[16];
	unsigned	 n = 0, i;

	if (r->head_sent < r->head_len) {
		iov[n].iov_base = r->head + r->head_sent;
		iov[n++].iov_len = r->head_len - r->head_sent;
	}
	for (i = r->cur; i < r->nseg && n < 16 && r->seg[i].mem != NULL; i++) {
		iov[n].iov_base = (char *)(uintptr_t)(r->seg[i].mem +
		    r->seg[i].off);
		iov[n++].iov_len = r->seg[i].len;
	}
	return writev(sock, iov, (int)n);
}

/* Moves the cursor past n bytes just written. */
static void
advance(struct http_resp *r, size_t n)
{
	size_t	 k;

	r->sent += n;
	k = r->head_len - r->head_sent;
	if (k > 0) {
		k = k < n ? k : n;
		r->head_sent += k;
		n -= k;
	}
	while (n > 0 && r->cur < r->nseg) {
		k = r->seg[r->cur].len < n ? r->seg[r->cur].len : n;
		r->seg[r->cur].off += k;
		r->seg[r->cur].len -= k;
		n -= k;
		if (r->seg[r->cur].len == 0)
			r->cur++;
	}
}

static ssize_t
send_file(struct http_resp *r, int sock)
{
	struct http_seg	*s = &r->seg[r->cur];
	off_t		 off = (off_t)s->off;
	size_t		 n = s->len > (1U << 30) ? 1U << 30 : (size_t)s->len;

	return sendfile(sock, r->fd, &off, n);
}

int
http_resp_send(struct http_resp *r, int sock)
{
	ssize_t	 n;

	while (r->head_sent < r->head_len || r->cur < r->nseg) {
		if (r->head_sent < r->head_len ||
		    r->seg[r->cur].mem != NULL)
			n = send_vec(r, sock);
		else
			n = send_file(r, sock);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? 0 : -1;
		}
		if (n == 0)
			return -1;	/* the file shrank under us */
		advance(r, (size_t)n);
	}
	return 1;
}

#define TLS_CHUNK	16384	/* one TLS record's worth */

void
http_resp_free(struct http_resp *r)
{
	http_resp_reset(r);
	free(r->tls_buf);
	r->tls_buf = NULL;
	r->tls_off = r->tls_len = 0;
}

/* Up to TLS_CHUNK bytes from the cursor into tls_buf; -1 on a file
 * that shrank or failed. */
static int
gather(struct http_resp *r)
{
	size_t		 n = 0, k, hs = r->head_len - r->head_sent;
	unsigned	 i = r->cur;
	struct http_seg	*s;
	ssize_t		 got;

	k = hs < TLS_CHUNK ? hs : TLS_CHUNK;
	memcpy(r->tls_buf, r->head + r->head_sent, k);
	n = k;
	for (; n < TLS_CHUNK && i < r->nseg; i++) {
		s = &r->seg[i];
		k = TLS_CHUNK - n < s->len ? TLS_CHUNK - n : (size_t)s->len;
		if (s->mem != NULL)
			memcpy(r->tls_buf + n, s->mem + s->off, k);
		else if ((got = pread(r->fd, r->tls_buf + n, k,
		    (off_t)s->off)) != (ssize_t)k)
			return -1;
		n += k;
	}
	advance(r, n);
	r->tls_off = 0;
	r->tls_len = n;
	return 0;
}

int
http_resp_send_tls(struct http_resp *r, SSL *ssl, bool *want_read)
{
	enum http_tls_io	 io;
	size_t			 w;

	*want_read = false;
	if (r->tls_buf == NULL && (r->tls_buf = malloc(TLS_CHUNK)) == NULL)
		return -1;
	for (;;) {
		if (r->tls_off == r->tls_len) {
			if (r->head_sent == r->head_len && r->cur == r->nseg)
				return 1;
			if (gather(r) == -1)
				return -1;
		}
		io = http_tls_write(ssl, r->tls_buf + r->tls_off,
		    r->tls_len - r->tls_off, &w);
		if (io == HTTP_TLS_OK) {
			r->tls_off += w;
			continue;
		}
		if (io == HTTP_TLS_CLOSED)
			return -1;
		*want_read = io == HTTP_TLS_WANT_READ;
		return 0;
	}
}
