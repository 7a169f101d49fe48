/*
 * rpc_vchan: the vchan transport of Shoal's RPC, and the rendezvous that
 * sets one up between any two domains through xenstore.
 *
 * Owns the xenstore layout of a service (proto/README.md, "Rendezvous"):
 *
 *	/local/domain/S/data/shoal/SERVICE/	"r S": everyone may read
 *		daemon, protocol		who serves, which versions
 *		inbox/				"w S": everyone may create
 *			NONCE = "1"		a caller's request, owned by it,
 *						readable and removable by S
 *	/local/domain/S/data/rpc/NONCE/		the vchan, made by the service
 *		ring-ref, event-channel
 *
 * The vchan's path is short on purpose: libxenvchan builds its keys in
 * 64-byte buffers and silently truncates longer ones.  NONCE is 64
 * random bits in hex, so another domain cannot take a caller's name
 * first.
 *
 * A caller creates inbox/NONCE, makes itself its sole owner (readable by
 * the service), then writes it; the service, watching inbox/, takes the
 * caller's domid from the node's owner (xenstored sets it; a message
 * cannot forge it), removes the entry and makes a vchan server at
 * rpc/NONCE granted to that domid alone; the caller, watching rpc/NONCE,
 * connects as its client.  The caller uses no transaction (Qubes' qrexec
 * ran out of a per-domain quota of 10 here), and the service makes one
 * vchan at a time, so it holds at most one.
 */
#ifndef RPC_VCHAN_H
#define RPC_VCHAN_H

#include <stdbool.h>
#include <stddef.h>

struct libxenvchan;
struct rpc_transport;
struct xs_handle;

extern const struct rpc_transport rpc_vchan_transport;

/* The transport's argument: wraps an open vchan (non-blocking). */
void	*rpc_vchan_wrap(struct libxenvchan *);

#define RPC_VCHAN_RING	8192	/* bytes each way */

/* Paths; buf of at least RPC_VCHAN_PATHMAX. */
#define RPC_VCHAN_PATHMAX	256
int	 rpc_vchan_service_path(char *buf, unsigned domid, const char *svc);
/* /local/domain/S/data/rpc/NONCE */
int	 rpc_vchan_conn_path(char *buf, size_t len, unsigned domid,
	    const char *nonce);
#define RPC_VCHAN_NONCE	16	/* hex digits */

/* libxenvchan's messages, sent to log_debug(). */
struct xentoollog_logger;
extern struct xentoollog_logger *rpc_vchan_logger;

/* Our own domid, from xenstore ("domid" under our home). -1 if unknown. */
int	 rpc_vchan_self(struct xs_handle *);
/*
 * The domain xenstored runs in (-1 if unknown): /tool/xenstored/domid,
 * which init-xenstore-domain writes (xensim too) and only a privileged
 * domain may, or dom0 when it is absent.  For xenstored's own RPC
 * helper, whose connection counts as dom0's wherever it runs.
 */
int	 rpc_vchan_store_domid(struct xs_handle *);
/*
 * The store rules (xs_filter.h) of a service and of a caller, for a
 * daemon confined to its user: what the rendezvous above reads and
 * writes, and no more.  -1 if the filter is full.
 */
struct xs_filter;
int	 rpc_vchan_service_rules(struct xs_filter *);
int	 rpc_vchan_caller_rules(struct xs_filter *);

/*
 * Caller side, blocking: the whole rendezvous to svc in domid, within
 * timeout_ms.  NULL with err set on failure.
 */
struct libxenvchan *rpc_vchan_connect(struct xs_handle *, unsigned domid,
	    const char *svc, int timeout_ms, char *err, size_t errlen);

#endif /* RPC_VCHAN_H */
