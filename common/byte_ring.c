#include <string.h>

#include "byte_ring.h"

/* One load per index: the peer may change it between two reads. */
static uint32_t
load_index(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/* Data between off and the end of the buffer first, then from its start. */
static size_t
first_part(const struct byte_ring *r, uint32_t index, size_t len,
    size_t *off)
{
	*off = index & (r->size - 1);
	return r->size - *off < len ? r->size - *off : len;
}

ssize_t
byte_ring_avail(const struct byte_ring *r)
{
	uint32_t	 cons = load_index(r->cons), prod = load_index(r->prod);

	return prod - cons > r->size ? -1 : (ssize_t)(prod - cons);
}

/*
 * One pass: what the producer index shows now.  The consumer index is
 * fenced after its store so that the next look at the producer (the next
 * pass, or the caller's next call) comes after the peer can see it.
 */
static ssize_t
read_pass(const struct byte_ring *r, uint8_t *out, size_t len)
{
	uint32_t	 cons = load_index(r->cons), prod = load_index(r->prod);
	size_t		 avail = prod - cons, off, first;

	if (avail > r->size)
		return -1;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);	/* prod, then data */
	if (len > avail)
		len = avail;
	if (len == 0)
		return 0;
	first = first_part(r, cons, len, &off);
	if (out != NULL) {
		memcpy(out, r->buf + off, first);
		memcpy(out + first, r->buf, len - first);
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);	/* data, then cons */
	__atomic_store_n(r->cons, cons + (uint32_t)len, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);	/* cons, then prod */
	return (ssize_t)len;
}

/*
 * Passes until len is met or one finds nothing.  A short count therefore
 * means the ring was empty after our consumption was visible: a peer that
 * notifies only when it finds its consumer caught up (Linux's xenbus)
 * will notify for anything it writes later, and nothing written earlier
 * is left behind waiting for an event that will not come.
 */
ssize_t
byte_ring_read(const struct byte_ring *r, void *out, size_t len)
{
	size_t	 got = 0;
	ssize_t	 n;

	while (got < len) {
		n = read_pass(r, out != NULL ? (uint8_t *)out + got : NULL,
		    len - got);
		if (n < 0)
			return got > 0 ? (ssize_t)got : -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* One pass, fenced after the producer store as read_pass is. */
static ssize_t
write_pass(const struct byte_ring *r, const uint8_t *in, size_t len)
{
	uint32_t	 cons = load_index(r->cons), prod = load_index(r->prod);
	size_t		 used = prod - cons, off, first;

	if (used > r->size)
		return -1;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);	/* cons, then data */
	if (len > r->size - used)
		len = r->size - used;
	if (len == 0)
		return 0;
	first = first_part(r, prod, len, &off);
	memcpy(r->buf + off, in, first);
	memcpy(r->buf, in + first, len - first);
	__atomic_thread_fence(__ATOMIC_RELEASE);	/* data, then prod */
	__atomic_store_n(r->prod, prod + (uint32_t)len, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);	/* prod, then cons */
	return (ssize_t)len;
}

/* Passes until len is written or the ring is full after a fenced look. */
ssize_t
byte_ring_write(const struct byte_ring *r, const void *in, size_t len)
{
	size_t	 put = 0;
	ssize_t	 n;

	while (put < len) {
		n = write_pass(r, (const uint8_t *)in + put, len - put);
		if (n < 0)
			return put > 0 ? (ssize_t)put : -1;
		if (n == 0)
			break;
		put += (size_t)n;
	}
	return (ssize_t)put;
}
