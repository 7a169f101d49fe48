/*
 * xs_conn: one client connection, whatever carries its bytes.
 *
 * Owns reading requests off a transport (header first, then exactly the
 * payload it announces, so a paused connection stops at a message
 * boundary), handing each to the request handlers, the queue of replies
 * and watch events not yet written, and the connection's transactions.
 * A connection acts for one domain: a Unix socket client is dom0 and
 * privileged; a domain ring (xs_ring) acts for the domain that was
 * introduced.  The transport is a small table of functions so that the
 * ring sits beside the socket.
 *
 * Memory a client can make us hold is bounded: one payload of input and
 * one receive buffer;
 * replies to at most XS_CONN_MAX_REPLIES requests (or the outstanding
 * quota for unprivileged domains) before we stop reading its requests
 * until it reads its replies; and at most max_events watch events, past
 * which new events for it are dropped and counted (a client that does
 * not read its events loses some rather than taking memory).  An
 * unprivileged domain over its write rate (xs_domain) is slowed, not
 * failed: its next changing request waits, unread, until the rate allows
 * it, and its input with it.  A header
 * announcing more than XENSTORE_PAYLOAD_MAX bytes drops the connection.
 */
#ifndef XS_CONN_H
#define XS_CONN_H

#include <sys/queue.h>
#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xs_perm.h"
#include "xs_wire.h"

struct event;
struct xs_server;
struct xs_txn;

#define XS_CONN_INBUF	4096

/*
 * recv/send return bytes moved, 0 for end of stream (recv only), or -1
 * with errno (EAGAIN: try when told).  want says which readiness the
 * connection wants to hear about through xs_conn_readable/_writable.
 */
/* What a transport is, so that live update can hand it on (xs_state). */
enum xs_tp_kind { XS_TP_SOCKET, XS_TP_RING, XS_TP_KERNEL, XS_TP_OTHER };

struct xs_tp_info {
	enum xs_tp_kind	 kind;
	int		 fd;		/* socket */
	unsigned	 rport;		/* ring: the guest's event channel */
};

struct xs_transport {
	const char	*name;
	void		(*info)(void *tp, struct xs_tp_info *);
	/* The peer broke the protocol (may be NULL): say so if it can. */
	void		(*fault)(void *tp);
	ssize_t		(*recv)(void *tp, void *buf, size_t len);
	ssize_t		(*send)(void *tp, const void *buf, size_t len);
	void		(*want)(void *tp, bool rd, bool wr);
	void		(*destroy)(void *tp);
};

struct xs_conn {
	TAILQ_ENTRY(xs_conn)		 entry;
	struct xs_server		*srv;
	const struct xs_transport	*tp;
	void				*tparg;
	unsigned			 domid;
	bool				 dead;
	char				 desc[48];	/* for logs */

	/*
	 * Bytes received and not yet parsed: one recv serves several small
	 * requests, and a lone request costs one call, not three.
	 */
	uint8_t				 in[XS_CONN_INBUF];
	size_t				 in_off, in_len;
	bool				 in_drained;	/* this wakeup's recv was short */

	/* The request being read. */
	struct xsd_sockmsg		 hdr;
	size_t				 hdr_got, body_got;
	uint8_t				 body[XENSTORE_PAYLOAD_MAX + 1];

	/* Written in order, each possibly in pieces. */
	struct xs_msg			*out_head, **out_tail;
	size_t				 out_off;
	unsigned			 nreplies, nevents;
	unsigned long			 dropped;

	struct xs_txn			**txns;
	size_t				 ntxns, txcap;

	/* Over the write rate: the request read waits for the timer. */
	bool				 throttled;
	struct event			*throttle;
};

struct xs_conn	*xs_conn_new(struct xs_server *, unsigned domid,
		    const struct xs_transport *, void *tparg,
		    const char *desc);
/* Both may free the connection: do not touch it afterwards. */
void		 xs_conn_readable(struct xs_conn *);
void		 xs_conn_writable(struct xs_conn *);
/* Closes the transport too. */
void		 xs_conn_free(struct xs_conn *);

struct xs_who	 xs_conn_who(const struct xs_conn *);

/* Takes the message; on failure the connection is marked dead. */
void		 xs_conn_reply(struct xs_conn *, struct xs_msg *);
void		 xs_conn_error(struct xs_conn *, int err,
		    const struct xsd_sockmsg *req);
void		 xs_conn_event(struct xs_conn *, const char *path,
		    const char *token);

/* Transactions: add takes ownership; take removes without freeing. */
int		 xs_conn_txn_add(struct xs_conn *, struct xs_txn *);
struct xs_txn	*xs_conn_txn_find(const struct xs_conn *, uint32_t id);
struct xs_txn	*xs_conn_txn_take(struct xs_conn *, uint32_t id);
void		 xs_conn_txn_drop_all(struct xs_conn *);

/* Live update: put back a queued message without sending it yet. */
void		 xs_conn_requeue(struct xs_conn *, struct xs_msg *);
/* Parse what a restored connection already holds, then wait as usual. */
void		 xs_conn_resume(struct xs_conn *);

#endif /* XS_CONN_H */
