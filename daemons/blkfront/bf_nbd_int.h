/*
 * bf_nbd_int: what bf_nbd.c (listeners, clients' lives, flow control),
 * bf_nbd_hs.c (the handshake) and bf_nbd_tx.c (transmission) share.
 */
#ifndef SHOAL_BF_NBD_INT_H
#define SHOAL_BF_NBD_INT_H

#include <sys/queue.h>

#include "bf_config.h"
#include "bf_io.h"
#include "bf_nbd.h"
#include "bf_nbd_wire.h"

/* A client's bytes read ahead of what is served, at most. */
#define BF_READ_HIGH	(1u << 20)

struct bufferevent;
struct evbuffer;
struct evconnlistener;

enum bf_conn_state {
	BC_FLAGS,		/* the client's flags awaited */
	BC_OPTS,		/* options */
	BC_TRANS,		/* transmission */
	BC_CLOSING		/* answered what it had, then closed */
};

struct bf_conn;

/* A request in flight: the device's io and whose it is. */
struct bf_nreq {
	struct bf_io		 io;
	LIST_ENTRY(bf_nreq)	 link;
	struct bf_conn		*conn;		/* NULL: the client left */
	uint16_t		 type;
};

struct bf_conn {
	LIST_ENTRY(bf_conn)	 link;
	struct bf_nbd		*srv;
	struct bufferevent	*bev;
	enum bf_conn_state	 state;
	bool			 no_zeroes;
	bool			 have_opt;	/* opt's payload awaited */
	struct bf_nbd_opt	 opt;
	struct bf_nreq		*wreq;		/* a write's data awaited */
	uint32_t		 wgot;
	uint64_t		 skip;		/* a refused write's bytes */
	uint32_t		 skip_err;
	uint64_t		 skip_cookie;
	LIST_HEAD(, bf_nreq)	 reqs;
	unsigned		 nreqs;
	uint64_t		 nbytes;	/* of reqs' buffers */
	bool			 paused;
};

struct bf_nbd {
	struct event_base		*base;
	struct bf_dev			*dev;
	const struct bf_config *const	*cfg;
	struct evconnlistener		*unix_l, *tcp_l;
	char				*unix_path;
	LIST_HEAD(, bf_conn)		 conns;
	unsigned			 nconns;
	struct bf_nbd_stats		 stats;
};

/* bf_nbd.c */
void	 bf_conn_drop(struct bf_conn *, const char *why);
void	 bf_conn_flow(struct bf_conn *);
void	 bf_conn_count_err(struct bf_nbd *, uint32_t nbd_err);
struct evbuffer *bf_conn_out(struct bf_conn *);
/* bf_nbd_hs.c: the handshake's input; -1 when conn was freed. */
int	 bf_hs_input(struct bf_conn *);
void	 bf_hs_greet(struct bf_conn *);
/* bf_nbd_tx.c: transmission's input; -1 when conn was freed. */
int	 bf_tx_input(struct bf_conn *);
void	 bf_tx_reply(struct bf_conn *, uint32_t err, uint64_t cookie);
bool	 bf_tx_may_read(const struct bf_conn *);

#endif /* SHOAL_BF_NBD_INT_H */
