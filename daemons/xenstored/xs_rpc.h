/*
 * xs_rpc: xenstored's sys.* methods (docs/rpc.md), served by a helper
 * process.
 *
 * xenstored cannot embed the RPC server as other daemons do: the layer
 * reaches xenstore through libxenstore, which here means through
 * xenstored itself, with blocking calls from its own event loop.  So, as
 * OpenBSD's daemons split their work between processes, a helper forked
 * at start runs the RPC server (registering service "xenstore" through the
 * daemon's socket, as any dom0 client would) and asks the daemon, over a
 * socketpair, for what only the daemon knows: that it answers (sys.ping),
 * its counters (sys.stats), a new log level, a reload.
 *
 * The helper goes when the daemon does: it sees EOF on the socketpair
 * (also at a live update's exec, after which the new image forks a new
 * helper) and has PR_SET_PDEATHSIG.  On unless --no-rpc, as in every
 * daemon (common/daemon.h): the helper registers the service's nodes
 * under data/shoal of the domain xenstored runs in (on xenstored's
 * socket it counts as dom0, so it asks /tool/xenstored/domid which
 * domain that is: rpc_vchan_store_domid).
 */
#ifndef XS_RPC_H
#define XS_RPC_H

struct event_base;
struct daemon_args;
struct rpc_limits;
struct xs_rpc;
struct xs_server;

/*
 * Forks the helper; call before any event loop or Xen handle exists.
 * sockpath is the daemon's socket, which the helper waits for.
 */
struct xs_rpc	*xs_rpc_fork(const struct daemon_args *, const char *sockpath,
		    const struct rpc_limits *);
/* The daemon's side: answer the helper from the loop. */
int		 xs_rpc_serve(struct xs_rpc *, struct event_base *,
		    struct xs_server *, void (*reload)(void *), void *arg);
void		 xs_rpc_stop(struct xs_rpc *);

#endif /* XS_RPC_H */
