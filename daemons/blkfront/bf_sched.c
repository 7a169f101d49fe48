/*
 * bf_sched: the ios the NBD side submits, put on the rings piece by
 * piece as slots and pages free up, round robin over the queues, and
 * answered once their last piece is (bf_dev.h).  A FUA write's flush
 * goes out only after every piece of the write is answered, so that it
 * covers them.
 */
/* xenctrl.h first: it tells the Xen headers after it this is a tool. */
#include <xenctrl.h>
#include <event2/event.h>

#include "bf_dev.h"
#include "log.h"

static bool
all_issued(const struct bf_io *io)
{
	if (io->flush_next)
		return false;
	if (io->op == BF_OP_FLUSH || io->op == BF_OP_DISCARD)
		return io->sent;
	return io->issued == io->len;
}

static void
unqueue(struct bf_dev *d, struct bf_io *io)
{
	if (!io->pending)
		return;
	TAILQ_REMOVE(&d->pending, io, link);
	io->pending = false;
	d->npending--;
}

static void
enqueue(struct bf_dev *d, struct bf_io *io, bool head)
{
	if (head)
		TAILQ_INSERT_HEAD(&d->pending, io, link);
	else
		TAILQ_INSERT_TAIL(&d->pending, io, link);
	io->pending = true;
	d->npending++;
}

/* One piece of io on some queue: 1, or 0 if none had room. */
static int
issue_one(struct bf_dev *d, struct bf_io *io)
{
	unsigned	 tried;
	int		 rc;

	for (tried = 0; tried < d->nqueues; tried++) {
		rc = bf_ring_issue(&d->q[d->rr], io);
		d->rr = (d->rr + 1) % d->nqueues;
		if (rc != 0)
			return 1;
	}
	return 0;
}

void
bf_sched_kick(struct bf_dev *d)
{
	struct bf_io	*io;
	unsigned	 i;

	if (!d->connected || d->broken)
		return;
	while ((io = TAILQ_FIRST(&d->pending)) != NULL) {
		/* A piece failed or the client left: no more of it. */
		if (io->error != 0 || io->cancelled || all_issued(io)) {
			unqueue(d, io);
			continue;
		}
		if (issue_one(d, io) == 0)
			break;
		if (all_issued(io))
			unqueue(d, io);
	}
	for (i = 0; i < d->nqueues; i++)
		bf_ring_push(&d->q[i]);
}

void
bf_sched_finish(struct bf_io *io, void *arg)
{
	struct bf_dev	*d = arg;

	if (io->outstanding > 0)
		return;
	if (io->error == 0 && !io->cancelled) {
		if (!all_issued(io))
			return;		/* the rest is pending */
		if (io->fua && !io->fua_done) {
			io->fua_done = io->flush_next = true;
			unqueue(d, io);
			enqueue(d, io, true);
			return;
		}
	}
	unqueue(d, io);
	io->done(io);
}

uint32_t
bf_dev_submit(struct bf_dev *d, struct bf_io *io)
{
	if (d->broken || d->fe == NULL)
		return NBD_ESHUTDOWN;
	io->issued = 0;
	io->outstanding = 0;
	io->sent = io->flush_next = io->fua_done = io->cancelled = false;
	io->error = 0;
	enqueue(d, io, false);
	/*
	 * Put on the rings once the loop is done with what it read: the
	 * client's requests of one read go in one push and at most one
	 * notification, and the backend wakes to a batch, not to each.
	 */
	if (d->kick_ev == NULL)
		bf_sched_kick(d);
	else if (!event_pending(d->kick_ev, EV_TIMEOUT, NULL))
		event_active(d->kick_ev, EV_TIMEOUT, 0);
	return 0;
}

bool
bf_dev_cancel(struct bf_dev *d, struct bf_io *io)
{
	io->cancelled = true;
	unqueue(d, io);
	return io->outstanding == 0;
}

void
bf_sched_fail_pending(struct bf_dev *d, uint32_t err)
{
	struct bf_io	*io;

	while ((io = TAILQ_FIRST(&d->pending)) != NULL) {
		unqueue(d, io);
		if (io->error == 0)
			io->error = err;
		if (io->outstanding == 0)
			io->done(io);
	}
}

void
bf_dev_port(struct bf_dev *d, evtchn_port_t port)
{
	struct bf_queue	*q;
	unsigned	 i;

	for (i = 0; i < d->nqueues && !d->broken; i++) {
		q = &d->q[i];
		if (!q->running || !q->bound || q->port != port)
			continue;
		if (bf_ring_responses(q, bf_sched_finish, d) != 0) {
			d->ring_errors++;
			d->broken = true;
			/* Not from here: the close tears down the queue
			 * we are reading. */
			event_active(d->shut_ev, EV_TIMEOUT, 0);
		}
	}
	bf_sched_kick(d);
}
