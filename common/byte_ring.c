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

ssize_t
byte_ring_read(const struct byte_ring *r, void *out, size_t len)
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
		memcpy((uint8_t *)out + first, r->buf, len - first);
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);	/* data, then cons */
	__atomic_store_n(r->cons, cons + (uint32_t)len, __ATOMIC_RELAXED);
	return (ssize_t)len;
}

ssize_t
byte_ring_write(const struct byte_ring *r, const void *in, size_t len)
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
	memcpy(r->buf, (const uint8_t *)in + first, len - first);
	__atomic_thread_fence(__ATOMIC_RELEASE);	/* data, then prod */
	__atomic_store_n(r->prod, prod + (uint32_t)len, __ATOMIC_RELAXED);
	return (ssize_t)len;
}
