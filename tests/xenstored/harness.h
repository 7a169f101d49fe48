/*
 * harness: a XenStore test client that speaks the wire protocol either
 * to an in-process server through a memory transport (so tests can be
 * any domain, not only the socket's dom0) or to a running daemon over
 * its Unix socket.  Both render messages the same way so that one
 * assertion style fits all tests:
 *
 *	request "args"	NUL-separated arguments written with '|' for NUL:
 *			"/a|" is READ's payload, "/a|hello" is WRITE's.
 *	reply		payload with each NUL shown as '|', or "E:ENOENT"
 *			for an XS_ERROR reply, "T:<type>" prefixed when the
 *			reply's type differs from the request's, "DEAD"
 *			when the server closed the connection.
 *	event		"path|token|".
 */
#ifndef XS_HARNESS_H
#define XS_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct xs_server;
struct xt;

struct xt	*xt_mem(struct xs_server *, unsigned domid);
struct xt	*xt_sock(const char *path);
void		 xt_close(struct xt *);

/* Send a request and wait for its reply (events that come first are
 * kept for xt_event).  The string lives until the next call. */
const char	*xt_do(struct xt *, uint32_t type, uint32_t tx,
		    const char *args);
/* Same, with a binary payload. */
const char	*xt_do_raw(struct xt *, uint32_t type, uint32_t tx,
		    const void *payload, size_t len);
/* Raw bytes, header included; then the next message, "NONE" if none
 * comes within a short wait, "DEAD" if the connection closed. */
const char	*xt_bytes(struct xt *, const void *, size_t);
/* Next watch event, or "NONE". */
const char	*xt_event(struct xt *);
/* Memory only: while stalled the client takes none of its output, so
 * replies pile up in the server as with a client that stops reading. */
void		 xt_stall(struct xt *, bool);
size_t		 xt_pending_input(const struct xt *);
/* Echoed header fields of the last reply. */
uint32_t	 xt_last_req_id(const struct xt *);
uint32_t	 xt_last_tx_id(const struct xt *);
/* Start a transaction, returning its id (0 on failure). */
uint32_t	 xt_txn(struct xt *);

#endif /* XS_HARNESS_H */
