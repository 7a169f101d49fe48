/*
 * blk_io: one disk's backing file or block device, read and written
 * through io_uring (liburing) on the daemon's libevent loop.  Owns the
 * descriptor, the ring and its eventfd (io_uring_register_eventfd: the
 * loop learns of completions like any other event), what the disk is
 * (its size, its logical sector), and the rules of each operation:
 *
 *  - a read or a write is one readv or writev of the caller's bounce
 *    buffer (one request's bytes are one contiguous range of the disk);
 *  - a write marked sync (a flush carrying data: Linux's FUA) completes
 *    only once an fdatasync after it has;
 *  - a flush is an fdatasync.  Every write acknowledged before it was
 *    issued had completed, so it covers them all; writes still in flight
 *    when it is issued are not acknowledged yet, and blkif asks nothing
 *    of them;
 *  - a discard punches a hole (fallocate PUNCH_HOLE | KEEP_SIZE: the
 *    range then reads as zeros; on a block device the kernel discards or
 *    zeroes it);
 *  - at most depth operations are in flight: blk_io_submit() refuses the
 *    one past it, and the caller leaves the guest's next requests on the
 *    guest's own ring until one completes (its memory, not ours).
 */
#ifndef BLK_IO_H
#define BLK_IO_H

#include <sys/uio.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event_base;
struct blk_io;

enum blk_io_kind {
	BLK_IO_READ,
	BLK_IO_WRITE,
	BLK_IO_FLUSH,
	BLK_IO_DISCARD
};

/* One operation; the caller's memory until it is told it is done. */
struct blk_io_op {
	enum blk_io_kind	 kind;
	bool			 sync;		/* a write, then fdatasync */
	uint64_t		 off, len;	/* bytes */
	void			*buf;		/* len bytes, read and write */
	int			 result;	/* 0, or -errno */
	void			*arg;		/* the caller's */
	/* blk_io's. */
	struct iovec		 iov;
	bool			 syncing;	/* the write done, its fdatasync
						 * in flight */
};

struct blk_io_ops {
	/* Each operation done, then batch_end once a batch is told. */
	void	(*done)(struct blk_io_op *, void *arg);
	void	(*batch_end)(void *arg);
};

struct blk_io_params {
	const char	*path;
	bool		 readonly;	/* O_RDONLY */
	bool		 direct;	/* O_DIRECT: bypass the page cache */
	unsigned	 sector_size;	/* 0: the device's (512 for a file) */
	unsigned	 depth;		/* operations in flight, at most */
};

/* NULL with the reason in err. */
struct blk_io	*blk_io_open(struct event_base *, const struct blk_io_params *,
		    const struct blk_io_ops *, void *arg, char *err,
		    size_t errlen);
/* Waits for what is in flight (told to done), then closes. */
void		 blk_io_close(struct blk_io *);

uint64_t	 blk_io_size(const struct blk_io *);	/* bytes, whole
							 * sectors */
unsigned	 blk_io_sector_size(const struct blk_io *);
bool		 blk_io_is_device(const struct blk_io *);
bool		 blk_io_can_discard(const struct blk_io *);	/* holes */
unsigned	 blk_io_inflight(const struct blk_io *);
unsigned	 blk_io_depth(const struct blk_io *);
bool		 blk_io_full(const struct blk_io *);

/* 0, or -1: errno EAGAIN at depth, else the ring's error. */
int		 blk_io_submit(struct blk_io *, struct blk_io_op *);
/* Between plug and unplug, submissions wait for unplug's one push. */
void		 blk_io_plug(struct blk_io *);
void		 blk_io_unplug(struct blk_io *);
/* Blocks until nothing is in flight, each op told to done: a vbd that
 * disconnects must stop touching its guest's pages. */
void		 blk_io_drain(struct blk_io *);
/* The completions that are ready, told (the eventfd's handler). */
void		 blk_io_reap(struct blk_io *);

/* A bounce buffer fit for O_DIRECT (4096-aligned); NULL without
 * memory.  free() it. */
void		*blk_io_buf(size_t);

#endif /* BLK_IO_H */
