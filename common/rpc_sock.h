/*
 * rpc_sock: Shoal's RPC over a Unix stream socket, for callers in the
 * service's own domain (tests, benchmarks against vchan).  Same frames,
 * same protocol; the caller is taken to be the service's own domain.
 */
#ifndef RPC_SOCK_H
#define RPC_SOCK_H

struct rpc_transport;

extern const struct rpc_transport rpc_sock_transport;

/* The transport's argument for a connected, non-blocking fd (owned). */
void	*rpc_sock_wrap(int fd);
/* A listening socket at path (stale file replaced), or -1. */
int	 rpc_sock_listen(const char *path);
/* A connected, non-blocking socket to path, or -1. */
int	 rpc_sock_connect(const char *path);

#endif /* RPC_SOCK_H */
