/*
 * byte_ring: one end of a byte ring in a page shared with another domain:
 * the xenstore rings (xen/io/xs_wire.h) and the console rings
 * (xen/io/console.h), both a power-of-two buffer with free-running 32-bit
 * consumer and producer indices.
 *
 * Owns the index discipline for every such ring Shoal serves.  The peer
 * may write any index at any time, so each pass over the ring (a call
 * makes passes until it is done, below) loads each index once,
 * checks it (a producer more than a ring ahead of its consumer, or
 * behind it, is an error the caller acts on: nothing here reads or writes
 * outside the buffer whatever the peer writes), and fences: the data is
 * read only after the producer index that covers it, and the consumer
 * index moves only after the data is out (on the reading end); the data
 * is written only after the consumer index that frees its room, and the
 * producer index moves only after the data is in (on the writing end).
 */
#ifndef BYTE_RING_H
#define BYTE_RING_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

struct byte_ring {
	uint8_t		*buf;	/* in the shared page */
	uint32_t	 size;	/* a power of two */
	uint32_t	*cons;	/* in the shared page */
	uint32_t	*prod;	/* in the shared page */
};

/* Bytes ready to read, or -1 if the indices are bad. */
ssize_t	 byte_ring_avail(const struct byte_ring *);

/*
 * Consume up to len bytes into out (NULL: consume without copying): the
 * bytes, 0 if none are ready, or -1 if the indices are bad.  Fewer than
 * len means the ring was seen empty after the consumer index moved, so
 * the caller may wait for the peer's next event: a peer that notifies
 * only a consumer it finds caught up (Linux's xenbus does) sends one for
 * anything it writes after that.
 */
ssize_t	 byte_ring_read(const struct byte_ring *, void *out, size_t len);

/*
 * Produce up to len bytes: the bytes (0: full), or -1 (bad indices).
 * Fewer than len means the ring was seen full after the producer index
 * moved, as for reading.
 */
ssize_t	 byte_ring_write(const struct byte_ring *, const void *in,
	    size_t len);

#endif /* BYTE_RING_H */
