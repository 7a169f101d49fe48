/*
 * blk_io: a disk through io_uring (blk_io.h).
 */
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/falloc.h>
#include <linux/fs.h>

#include <event2/event.h>
#include <liburing.h>

#include "log.h"
#include "blk_io.h"

#define ALIGN_BYTES	4096u

struct blk_io {
	int			 fd, efd;
	struct io_uring		 ring;
	bool			 ring_up;
	struct event		*ev;
	const struct blk_io_ops	*ops;
	void			*arg;
	char			 path[256];
	uint64_t		 size;
	unsigned		 sector_size;
	bool			 device;
	bool			 discard;
	unsigned		 depth, inflight;
	unsigned		 queued;	/* prepared, not yet submitted */
	bool			 plugged;	/* submissions held for one push */
};

void *
blk_io_buf(size_t len)
{
	void	*p;

	if (len == 0)
		len = ALIGN_BYTES;
	return posix_memalign(&p, ALIGN_BYTES, len) == 0 ? p : NULL;
}

uint64_t blk_io_size(const struct blk_io *io) { return io->size; }
unsigned blk_io_sector_size(const struct blk_io *io) { return io->sector_size; }
bool blk_io_is_device(const struct blk_io *io) { return io->device; }
unsigned blk_io_inflight(const struct blk_io *io) { return io->inflight; }
unsigned blk_io_depth(const struct blk_io *io) { return io->depth; }
bool blk_io_can_discard(const struct blk_io *io) { return io->discard; }
bool blk_io_full(const struct blk_io *io) { return io->inflight >= io->depth; }

/* ---- what the disk is --------------------------------------------- */

/* Size and logical sector of what fd is; 0, or -1 with err. */
static int
measure(struct blk_io *io, unsigned want_sector, char *err, size_t errlen)
{
	struct stat	 st;
	uint64_t	 bytes;
	int		 ssz = 512;

	if (fstat(io->fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", io->path, strerror(errno));
		return -1;
	}
	if (S_ISBLK(st.st_mode)) {
		io->device = true;
		if (ioctl(io->fd, BLKGETSIZE64, &bytes) == -1 ||
		    ioctl(io->fd, BLKSSZGET, &ssz) == -1) {
			snprintf(err, errlen, "%s: %s", io->path,
			    strerror(errno));
			return -1;
		}
	} else if (S_ISREG(st.st_mode))
		bytes = (uint64_t)st.st_size;
	else {
		snprintf(err, errlen, "%s: neither a file nor a block device",
		    io->path);
		return -1;
	}
	/* A file's sector is what we say; a device's can only grow. */
	if (want_sector != 0 && want_sector >= (unsigned)ssz)
		ssz = (int)want_sector;
	if (ssz != 512 && ssz != 4096) {
		snprintf(err, errlen, "%s: %d-byte sectors (512 or 4096 are "
		    "served)", io->path, ssz);
		return -1;
	}
	io->sector_size = (unsigned)ssz;
	io->size = bytes - bytes % (unsigned)ssz;
	return 0;
}

/*
 * Whether a discard can punch holes here.  A file's file system is asked
 * with a hole past its end (KEEP_SIZE: nothing changes); a device's
 * kernel discards or zeroes, and says so at the time if it cannot.
 */
static bool
can_punch(struct blk_io *io, bool readonly)
{
	if (readonly)
		return false;
	if (io->device)
		return true;
	return fallocate(io->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
	    (off_t)io->size, ALIGN_BYTES) == 0;
}

/* ---- completions --------------------------------------------------- */

static void
prep(struct blk_io *io, struct io_uring_sqe *sqe, struct blk_io_op *op)
{
	if (op->syncing)
		io_uring_prep_fsync(sqe, io->fd, IORING_FSYNC_DATASYNC);
	else switch (op->kind) {
	case BLK_IO_READ:
		io_uring_prep_readv(sqe, io->fd, &op->iov, 1, op->off);
		break;
	case BLK_IO_WRITE:
		io_uring_prep_writev(sqe, io->fd, &op->iov, 1, op->off);
		break;
	case BLK_IO_FLUSH:
		io_uring_prep_fsync(sqe, io->fd, IORING_FSYNC_DATASYNC);
		break;
	case BLK_IO_DISCARD:
		io_uring_prep_fallocate(sqe, io->fd,
		    FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		    (off_t)op->off, (off_t)op->len);
		break;
	}
	io_uring_sqe_set_data(sqe, op);
	io->queued++;
}

/* The ring holds depth entries: there is always an SQE for an op in
 * flight (a sync write's fdatasync takes its write's place). */
static void
push(struct blk_io *io)
{
	int	 rc;

	if (io->queued == 0)
		return;
	if ((rc = io_uring_submit(&io->ring)) < 0) {
		/* Left in the ring: the next push tries again. */
		if (rc != -EAGAIN && rc != -EBUSY && rc != -EINTR)
			log_warnx("%s: io_uring_submit: %s", io->path,
			    strerror(-rc));
		return;
	}
	io->queued -= (unsigned)rc < io->queued ? (unsigned)rc : io->queued;
}

/* One completion: the op done, or its write done and its sync next. */
static void
complete(struct blk_io *io, struct blk_io_op *op, int res)
{
	struct io_uring_sqe	*sqe;

	if (res >= 0 && !op->syncing &&
	    (op->kind == BLK_IO_READ || op->kind == BLK_IO_WRITE) &&
	    (uint64_t)res != op->len)
		res = -EIO;		/* short: past an end that moved */
	if (res >= 0 && op->kind == BLK_IO_WRITE && op->sync &&
	    !op->syncing) {
		/* Never without one (see push()); if so, not durable: an
		 * error rather than a lie. */
		if ((sqe = io_uring_get_sqe(&io->ring)) == NULL)
			res = -EIO;
		else {
			op->syncing = true;
			prep(io, sqe, op);
			return;
		}
	}
	op->result = res < 0 ? res : 0;
	io->inflight--;
	io->ops->done(op, io->arg);
}

void
blk_io_reap(struct blk_io *io)
{
	struct io_uring_cqe	*cqe;
	struct blk_io_op	*op;
	uint64_t		 n;
	int			 res;

	(void)read(io->efd, &n, sizeof(n));
	while (io_uring_peek_cqe(&io->ring, &cqe) == 0) {
		op = io_uring_cqe_get_data(cqe);
		res = cqe->res;
		io_uring_cqe_seen(&io->ring, cqe);
		if (op != NULL)
			complete(io, op, res);
	}
	push(io);
	if (io->ops->batch_end != NULL)
		io->ops->batch_end(io->arg);
}

static void
on_eventfd(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	blk_io_reap(arg);
}

void
blk_io_drain(struct blk_io *io)
{
	struct io_uring_cqe	*cqe;

	while (io->inflight > 0) {
		push(io);
		if (io_uring_wait_cqe(&io->ring, &cqe) != 0)
			break;
		blk_io_reap(io);
	}
}

/* ---- operations ---------------------------------------------------- */

int
blk_io_submit(struct blk_io *io, struct blk_io_op *op)
{
	struct io_uring_sqe	*sqe;

	if (io->inflight >= io->depth) {
		errno = EAGAIN;
		return -1;
	}
	if ((sqe = io_uring_get_sqe(&io->ring)) == NULL) {
		push(io);
		if ((sqe = io_uring_get_sqe(&io->ring)) == NULL) {
			errno = EBUSY;
			return -1;
		}
	}
	op->syncing = false;
	op->result = 0;
	op->iov.iov_base = op->buf;
	op->iov.iov_len = (size_t)op->len;
	prep(io, sqe, op);
	io->inflight++;
	/* Submitted at once unless plugged: no op may wait on a push that
	 * never comes, and blk_io_unplug() is that push. */
	if (!io->plugged)
		push(io);
	return 0;
}

/*
 * A round's operations submitted in one io_uring_enter: a system call
 * per round instead of one per request, and the block layer sees them
 * together (one doorbell for the device, not one each).
 */
void
blk_io_plug(struct blk_io *io)
{
	io->plugged = true;
}

void
blk_io_unplug(struct blk_io *io)
{
	io->plugged = false;
	push(io);
}

/* ---- open and close ------------------------------------------------ */

static int
ring_up(struct blk_io *io, struct event_base *base, char *err,
    size_t errlen)
{
	int	 rc;

	/*
	 * Plain: IORING_SETUP_COOP_TASKRUN (completions left for our next
	 * system call rather than interrupting us) was measured slower here,
	 * 4 KiB writes by a quarter: a completion waits while the loop runs.
	 */
	rc = io_uring_queue_init(io->depth, &io->ring, 0);
	if (rc < 0) {
		snprintf(err, errlen, "io_uring: %s", strerror(-rc));
		return -1;
	}
	io->ring_up = true;
	if ((io->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1 ||
	    (rc = io_uring_register_eventfd(&io->ring, io->efd)) < 0) {
		snprintf(err, errlen, "io_uring eventfd: %s",
		    strerror(io->efd == -1 ? errno : -rc));
		return -1;
	}
	if ((io->ev = event_new(base, io->efd, EV_READ | EV_PERSIST,
	    on_eventfd, io)) == NULL || event_add(io->ev, NULL) == -1) {
		snprintf(err, errlen, "io_uring eventfd: cannot watch it");
		return -1;
	}
	return 0;
}

struct blk_io *
blk_io_open(struct event_base *base, const struct blk_io_params *p,
    const struct blk_io_ops *ops, void *arg, char *err, size_t errlen)
{
	struct blk_io	*io;
	int		 flags = O_CLOEXEC;

	if ((io = calloc(1, sizeof(*io))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	io->fd = io->efd = -1;
	io->ops = ops;
	io->arg = arg;
	io->depth = p->depth > 0 ? p->depth : 1;
	snprintf(io->path, sizeof(io->path), "%s", p->path);
	flags |= p->readonly ? O_RDONLY : O_RDWR;
	if (p->direct)
		flags |= O_DIRECT;
	if ((io->fd = open(p->path, flags)) == -1) {
		snprintf(err, errlen, "%s: %s", io->path, strerror(errno));
		blk_io_close(io);
		return NULL;
	}
	if (measure(io, p->sector_size, err, errlen) == -1 ||
	    ring_up(io, base, err, errlen) == -1) {
		blk_io_close(io);
		return NULL;
	}
	io->discard = can_punch(io, p->readonly);
	return io;
}

void
blk_io_close(struct blk_io *io)
{
	if (io == NULL)
		return;
	if (io->ring_up)
		blk_io_drain(io);
	if (io->ev != NULL)
		event_free(io->ev);
	if (io->ring_up)
		io_uring_queue_exit(&io->ring);
	if (io->efd != -1)
		close(io->efd);
	if (io->fd != -1)
		close(io->fd);
	free(io);
}
