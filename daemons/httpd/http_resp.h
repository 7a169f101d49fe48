/*
 * http_resp: a response on its way out.
 *
 * Owns the head's bytes (status line and fields, built by appending),
 * the body as a list of segments (bytes in memory, or a range of an open
 * file sent with sendfile(2)), and sending them: writev(2) for the head
 * and every memory segment that follows it, sendfile for file ranges,
 * resuming where a short write stopped.  A response holds a reference to
 * the file it sends from (http_file.h) until it is reset.
 *
 * Nothing here reads the request: http_static.c decides what to send.
 */
#ifndef HTTP_RESP_H
#define HTTP_RESP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_HEAD_MAX	8192
#define HTTP_SEGS_MAX	68	/* 32 ranges' part heads and bytes, ... */

struct http_file;
struct http_files;

struct http_seg {
	const char	*mem;		/* or NULL: from the file */
	uint64_t	 off, len;
};

struct http_resp {
	char			 head[HTTP_HEAD_MAX];
	size_t			 head_len, head_sent;
	bool			 overflow;	/* a field did not fit */
	struct http_seg		 seg[HTTP_SEGS_MAX];
	unsigned		 nseg, cur;
	int			 fd;		/* of file, for its segments */
	struct http_file	*file;		/* the reference held */
	struct http_files	*files;
	char			*parts;		/* multipart's part heads */
	char			 small[192];	/* an error page */
	int			 status;
	uint64_t		 body_len;	/* Content-Length sent */
	uint64_t		 sent;		/* bytes written, head included */
	bool			 close;		/* close once sent */
	/* TLS: bytes gathered for SSL_write, kept across short writes */
	char			*tls_buf;
	size_t			 tls_off, tls_len;
};

typedef struct ssl_st SSL;

const char *http_reason(int status);

/* Empty, releasing what it held. */
void	 http_resp_reset(struct http_resp *);
/* "HTTP/1.1 STATUS Reason", Server and Date. */
void	 http_resp_start(struct http_resp *, int status, const char *date);
void	 http_resp_field(struct http_resp *, const char *name,
	    const char *value, size_t len);
void	 http_resp_fieldf(struct http_resp *, const char *name,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void	 http_resp_length(struct http_resp *, uint64_t);
/* Field lines already formed ("Name: value\r\n"...), as they are. */
void	 http_resp_raw(struct http_resp *, const char *lines);
/* Connection, then the empty line that ends the head. */
void	 http_resp_end(struct http_resp *, bool keepalive, bool ask_keep);
/* Body segments. */
void	 http_resp_mem(struct http_resp *, const char *, uint64_t len);
void	 http_resp_range(struct http_resp *, uint64_t off, uint64_t len);
/* The file segments come from (the reference passes to the response). */
void	 http_resp_file(struct http_resp *, struct http_files *,
	    struct http_file *holder, int fd);

/*
 * A complete error response with a small HTML page (none for HEAD),
 * after any extra fields in extra ("Name: value\r\n"..., or NULL).
 */
void	 http_resp_error(struct http_resp *, int status, const char *date,
	    bool head_only, bool keepalive, const char *extra);

/* 1 once all is sent, 0 if the socket would block, -1 on error. */
int	 http_resp_send(struct http_resp *, int sock);
/*
 * The same over TLS: head, memory and file bytes are gathered 16 KiB at
 * a time (files by pread: no sendfile through OpenSSL's records) and
 * written; on 0, *want_read says the handshake layer waits to read.
 */
int	 http_resp_send_tls(struct http_resp *, SSL *, bool *want_read);
/* Frees what the response keeps between requests (the TLS buffer). */
void	 http_resp_free(struct http_resp *);

#endif /* HTTP_RESP_H */
