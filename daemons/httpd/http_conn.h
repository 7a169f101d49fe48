/*
 * http_conn: one client connection, from accept to close.
 *
 * Owns the read buffer (2 KiB, grown up to the head limit only for a
 * request that needs it, and given back when the connection idles), the
 * request being parsed, the response being sent and the state between:
 *
 *	[HANDSHAKE] -> READ_HEAD -> SEND -> [READ_BODY] -> READ_HEAD ...
 *	    -> LINGER -> closed
 *	HANDSHAKE -> H2 (ALPN chose h2: http_h2.h runs the connection)
 *
 * Pipelined requests are answered one at a time, in order: the next is
 * not parsed until the previous response is fully handed to the kernel,
 * so a client that sends but never reads costs one response's worth of
 * memory, not its whole pipeline.  A request is answered as soon as its
 * head is in; its body (httpd serves no method that uses one) is then
 * read and dropped to keep the stream in step.  With "Expect:
 * 100-continue" a success is preceded by 100 Continue, an error closes
 * the connection instead of waiting for the body.  After an error that
 * ends the connection,
 * the write side is shut and what the client still sends is read and
 * dropped for a moment (LINGER), so the error is not lost to a reset.
 */
#ifndef HTTP_CONN_H
#define HTTP_CONN_H

#include <sys/socket.h>
#include <stdbool.h>
#include <stdint.h>

struct http_server;
struct http_conn;

struct http_tls;

/* Takes fd (non-blocking); closes it if the connection cannot be set up.
 * With tls, the connection begins with a TLS handshake; admin: its
 * requests go to http_admin.h, not to the files. */
void	 http_conn_accept(struct http_server *, int fd,
	    const struct sockaddr *peer, struct http_tls *tls, bool admin);
/* Timeouts and idle buffers, from the server's tick. */
void	 http_conn_sweep(struct http_server *, uint64_t now_ms);
void	 http_conn_close_all(struct http_server *);

#endif /* HTTP_CONN_H */
