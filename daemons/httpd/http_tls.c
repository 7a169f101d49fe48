#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "http_tls.h"

#define TLS12_CIPHERS	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:" \
	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:" \
	"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"

struct http_tls {
	SSL_CTX	*ctx;
};

/* ALPN: h2 first, then http/1.1, in our order of preference. */
static const unsigned char alpn_ours[] = "\x02h2\x08http/1.1";

static int
alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
    const unsigned char *in, unsigned int inlen, void *arg)
{
	(void)ssl;
	(void)arg;
	if (SSL_select_next_proto((unsigned char **)(uintptr_t)out, outlen,
	    alpn_ours, sizeof(alpn_ours) - 1, in, inlen) !=
	    OPENSSL_NPN_NEGOTIATED)
		return SSL_TLSEXT_ERR_NOACK;	/* go on without ALPN */
	return SSL_TLSEXT_ERR_OK;
}

static void
openssl_error(char *err, size_t errlen, const char *what, const char *path)
{
	char	 why[256];

	ERR_error_string_n(ERR_get_error(), why, sizeof(why));
	snprintf(err, errlen, "%s %s: %s", what, path, why);
	ERR_clear_error();
}

struct http_tls *
http_tls_new(const char *cert, const char *key, char *err, size_t errlen)
{
	struct http_tls	*t;
	SSL_CTX		*ctx;

	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
		free(t);
		snprintf(err, errlen, "TLS: out of memory");
		return NULL;
	}
	t->ctx = ctx;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_security_level(ctx, 2);
	/* TLS 1.2: forward-secret AEAD suites only, no CBC (LUCKY13);
	 * TLS 1.3's are all AEAD and stay OpenSSL's. */
	if (SSL_CTX_set_cipher_list(ctx, TLS12_CIPHERS) != 1) {
		openssl_error(err, errlen, "ciphers", TLS12_CIPHERS);
		goto fail;
	}
	SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION |
	    SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_alpn_select_cb(ctx, alpn_select, NULL);
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
		openssl_error(err, errlen, "certificate", cert);
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
		openssl_error(err, errlen, "key", key);
		goto fail;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		openssl_error(err, errlen, "key does not match", cert);
		goto fail;
	}
	return t;
fail:
	http_tls_free(t);
	return NULL;
}

void
http_tls_free(struct http_tls *t)
{
	if (t == NULL)
		return;
	SSL_CTX_free(t->ctx);
	free(t);
}

SSL *
http_tls_conn(struct http_tls *t, int fd)
{
	SSL	*ssl;

	if ((ssl = SSL_new(t->ctx)) == NULL)
		return NULL;
	if (SSL_set_fd(ssl, fd) != 1) {
		SSL_free(ssl);
		return NULL;
	}
	SSL_set_accept_state(ssl);
	return ssl;
}

void
http_tls_conn_free(SSL *ssl)
{
	if (ssl == NULL)
		return;
	/* close_notify, best effort: the socket does not block. */
	if (SSL_is_init_finished(ssl))
		SSL_shutdown(ssl);
	SSL_free(ssl);
	ERR_clear_error();
}

static enum http_tls_io
outcome(SSL *ssl, int rc)
{
	switch (SSL_get_error(ssl, rc)) {
	case SSL_ERROR_WANT_READ:
		return HTTP_TLS_WANT_READ;
	case SSL_ERROR_WANT_WRITE:
		return HTTP_TLS_WANT_WRITE;
	default:	/* ZERO_RETURN, SYSCALL, SSL: the end of it */
		ERR_clear_error();
		return HTTP_TLS_CLOSED;
	}
}

enum http_tls_io
http_tls_handshake(SSL *ssl)
{
	int	 rc = SSL_do_handshake(ssl);

	return rc == 1 ? HTTP_TLS_OK : outcome(ssl, rc);
}

enum http_tls_io
http_tls_read(SSL *ssl, char *buf, size_t len, size_t *n)
{
	int	 rc = SSL_read_ex(ssl, buf, len, n);

	return rc == 1 ? HTTP_TLS_OK : outcome(ssl, rc);
}

enum http_tls_io
http_tls_write(SSL *ssl, const char *buf, size_t len, size_t *n)
{
	int	 rc = SSL_write_ex(ssl, buf, len, n);

	return rc == 1 ? HTTP_TLS_OK : outcome(ssl, rc);
}

bool
http_tls_pending(SSL *ssl)
{
	return SSL_pending(ssl) > 0;
}

const char *
http_tls_alpn(SSL *ssl)
{
	static char		 name[32];
	const unsigned char	*p;
	unsigned int		 n;

	SSL_get0_alpn_selected(ssl, &p, &n);
	if (n == 0 || n >= sizeof(name))
		return NULL;
	memcpy(name, p, n);
	name[n] = '\0';
	return name;
}

const char *
http_tls_version(SSL *ssl)
{
	return SSL_get_version(ssl);
}
