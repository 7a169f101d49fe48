/*
 * bf_io: one block operation as the NBD side hands it to the device
 * (bf_dev_submit) and gets it back (done).  A read or write may be cut
 * into several blkif requests, on several queues; the io owns its data
 * buffer and counts what is still in the rings, so that it is answered
 * once, after its last piece, and so that a client that goes away
 * while pieces are in flight leaves an orphan the device finishes.
 */
#ifndef SHOAL_BF_IO_H
#define SHOAL_BF_IO_H

#include <sys/queue.h>
#include <sys/uio.h>

#include <stdbool.h>
#include <stdint.h>

enum bf_op {
	BF_OP_READ,
	BF_OP_WRITE,
	BF_OP_FLUSH,
	BF_OP_DISCARD,
	BF_OP_MAX
};

struct bf_io;
typedef void	(*bf_io_done_fn)(struct bf_io *);

struct bf_io {
	TAILQ_ENTRY(bf_io)	 link;		/* the device's pending list */
	enum bf_op		 op;
	bool			 fua;		/* a flush after the write */
	uint64_t		 offset;	/* bytes, sector-aligned */
	uint32_t		 len;
	uint8_t			*buf;		/* len bytes: READ, WRITE */
	/*
	 * A read the submitter would rather send from the pool's pages
	 * than have copied into buf (a large one: a copy saved).  When it
	 * is answered whole in one piece, done() is called with its bytes
	 * still there, in pages (npages of them), which must be taken
	 * before done() returns; pages is NULL otherwise.
	 */
	bool			 want_pages;
	const struct iovec	*pages;
	unsigned		 npages;
	/* The device's: */
	uint32_t		 issued;	/* bytes put on rings */
	unsigned		 outstanding;	/* pieces on rings */
	bool			 sent;		/* a flush or discard, put */
	bool			 pending;	/* on the pending list */
	bool			 flush_next;	/* FUA: the flush to issue */
	bool			 fua_done;
	bool			 cancelled;	/* issue no more pieces */
	uint32_t		 error;		/* the first (NBD number) */
	/* The submitter's: */
	bf_io_done_fn		 done;
	void			*arg;
	uint64_t		 cookie;
};

TAILQ_HEAD(bf_io_list, bf_io);

#endif /* SHOAL_BF_IO_H */
