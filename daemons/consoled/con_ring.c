#include "byte_ring.h"
#include "con_ring.h"

/* The guest's output: it produces, we consume. */
static struct byte_ring
out_ring(struct xencons_interface *c)
{
	return (struct byte_ring){ (uint8_t *)c->out, sizeof(c->out),
	    &c->out_cons, &c->out_prod };
}

/* The guest's input: we produce, it consumes. */
static struct byte_ring
in_ring(struct xencons_interface *c)
{
	return (struct byte_ring){ (uint8_t *)c->in, sizeof(c->in),
	    &c->in_cons, &c->in_prod };
}

ssize_t
con_ring_out_avail(struct xencons_interface *c)
{
	struct byte_ring r = out_ring(c);

	return byte_ring_avail(&r);
}

ssize_t
con_ring_read(struct xencons_interface *c, void *buf, size_t len)
{
	struct byte_ring r = out_ring(c);

	return byte_ring_read(&r, buf, len);
}

ssize_t
con_ring_write(struct xencons_interface *c, const void *buf, size_t len)
{
	struct byte_ring r = in_ring(c);

	return byte_ring_write(&r, buf, len);
}
