/*
 * http_tls: HTTPS, through OpenSSL 3.
 *
 * Owns the TLS context built from the configured certificate chain and
 * key (TLS 1.2 and 1.3 only; for 1.2 forward-secret AEAD suites only,
 * for 1.3 OpenSSL's; security level 2, no compression, no
 * renegotiation, server cipher preference), ALPN
 * (h2, then http/1.1), and the per-connection state
 * with the non-blocking handshake, reads and writes mapped onto what the
 * connection waits for.  A reload builds a new context; connections made
 * before keep the old one (OpenSSL counts its references), so a renewed
 * certificate applies to new connections without dropping any.
 */
#ifndef HTTP_TLS_H
#define HTTP_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct http_tls;
typedef struct ssl_st SSL;

/* NULL with err set (which file, and OpenSSL's reason). */
struct http_tls	*http_tls_new(const char *cert, const char *key, char *err,
		    size_t errlen);
void		 http_tls_free(struct http_tls *);
SSL		*http_tls_conn(struct http_tls *, int fd);
void		 http_tls_conn_free(SSL *);

/*
 * What an I/O call wants next: done, or wait to read or to write before
 * calling again, or the connection is over.
 */
enum http_tls_io { HTTP_TLS_OK, HTTP_TLS_WANT_READ, HTTP_TLS_WANT_WRITE,
	HTTP_TLS_CLOSED };

enum http_tls_io http_tls_handshake(SSL *);
/* Bytes read into buf (*n), or what it waits for; CLOSED at the end. */
enum http_tls_io http_tls_read(SSL *, char *buf, size_t len, size_t *n);
enum http_tls_io http_tls_write(SSL *, const char *buf, size_t len,
		    size_t *n);
/* Decrypted bytes OpenSSL holds that a socket read would not signal. */
bool		 http_tls_pending(SSL *);
/* The protocol ALPN chose ("http/1.1", "h2") or NULL; its version. */
const char	*http_tls_alpn(SSL *);
const char	*http_tls_version(SSL *);

#endif /* HTTP_TLS_H */
