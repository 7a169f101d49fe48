#include <string.h>

#include "con_ring.h"

#define OUT_SIZE	sizeof(((struct xencons_interface *)0)->out)
#define IN_SIZE		sizeof(((struct xencons_interface *)0)->in)

/* One load per index: the guest may change it between two reads. */
static XENCONS_RING_IDX
idx(const XENCONS_RING_IDX *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

ssize_t
con_ring_out_avail(struct xencons_interface *c)
{
	XENCONS_RING_IDX cons = idx(&c->out_cons), prod = idx(&c->out_prod);

	if (prod - cons > OUT_SIZE)
		return -1;
	return (ssize_t)(prod - cons);
}

ssize_t
con_ring_read(struct xencons_interface *c, void *buf, size_t len)
{
	XENCONS_RING_IDX cons = idx(&c->out_cons), prod = idx(&c->out_prod);
	size_t avail = prod - cons, off, first;

	if (avail > OUT_SIZE)
		return -1;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);	/* prod, then data */
	if (len > avail)
		len = avail;
	off = MASK_XENCONS_IDX(cons, c->out);
	first = OUT_SIZE - off < len ? OUT_SIZE - off : len;
	if (buf != NULL) {
		memcpy(buf, c->out + off, first);
		memcpy((char *)buf + first, c->out, len - first);
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);	/* data, then cons */
	__atomic_store_n(&c->out_cons, cons + (XENCONS_RING_IDX)len,
	    __ATOMIC_RELAXED);
	return (ssize_t)len;
}

ssize_t
con_ring_write(struct xencons_interface *c, const void *buf, size_t len)
{
	XENCONS_RING_IDX cons = idx(&c->in_cons), prod = idx(&c->in_prod);
	size_t used = prod - cons, off, first;

	if (used > IN_SIZE)
		return -1;
	if (len > IN_SIZE - used)
		len = IN_SIZE - used;
	off = MASK_XENCONS_IDX(prod, c->in);
	first = IN_SIZE - off < len ? IN_SIZE - off : len;
	memcpy(c->in + off, buf, first);
	memcpy(c->in, (const char *)buf + first, len - first);
	__atomic_thread_fence(__ATOMIC_RELEASE);	/* data, then prod */
	__atomic_store_n(&c->in_prod, prod + (XENCONS_RING_IDX)len,
	    __ATOMIC_RELAXED);
	return (ssize_t)len;
}
