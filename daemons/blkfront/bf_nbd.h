/*
 * bf_nbd: blkfront's NBD server: the listeners (a Unix socket, and TCP
 * on 127.0.0.1 if asked), and its clients, each through the fixed
 * newstyle handshake and then transmission, every request turned into
 * a bf_io for the device and answered with a simple reply.  Clients
 * are hostile: at most max-connections of them, a request's bytes at
 * most max-request, and per client at most BF_CONN_REQS requests and
 * 2 x max-request bytes in flight, past which its socket is not read;
 * its replies not read by it stop the reading too.  So its memory is
 * bounded whatever it sends.
 */
#ifndef SHOAL_BF_NBD_H
#define SHOAL_BF_NBD_H

#include <stdbool.h>
#include <stdint.h>

#include "bf_io.h"

struct bf_dev;
struct bf_nbd;
struct bf_config;
struct event_base;

#define BF_CONN_REQS	128	/* a client's requests in flight */

enum bf_nbd_err {
	BF_NE_EPERM, BF_NE_EIO, BF_NE_ENOMEM, BF_NE_EINVAL, BF_NE_ENOSPC,
	BF_NE_ENOTSUP, BF_NE_ESHUTDOWN, BF_NE_MAX
};

struct bf_nbd_stats {
	uint64_t	 accepted;
	uint64_t	 refused;	/* past max-connections */
	uint64_t	 dropped;	/* broke the protocol */
	uint64_t	 bad_magic;
	uint64_t	 open;
	uint64_t	 cmds[5];	/* by NBD_CMD_* */
	uint64_t	 bytes_read, bytes_written;
	uint64_t	 errors[BF_NE_MAX];
};

/* NULL after logging why.  cfg is read at each use (a reload swaps). */
struct bf_nbd	*bf_nbd_new(struct event_base *, struct bf_dev *,
		    const struct bf_config *const *cfg);
/* Listening, once: 0, or -1 (logged). */
int		 bf_nbd_listen(struct bf_nbd *);
bool		 bf_nbd_listening(const struct bf_nbd *);
/* No new clients (SIGTERM); those in are kept until bf_nbd_free. */
void		 bf_nbd_stop_listening(struct bf_nbd *);
void		 bf_nbd_free(struct bf_nbd *);
const struct bf_nbd_stats *bf_nbd_stats(const struct bf_nbd *);
const char	*bf_nbd_err_name(enum bf_nbd_err);

#endif /* SHOAL_BF_NBD_H */
