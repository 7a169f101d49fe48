/*
 * con_ring: dom0's end of a guest's console ring (xen/io/console.h):
 * the consumer of `out` and the producer of `in`.
 *
 * Owns only the console page's layout; the index discipline (each index
 * loaded once and checked, fences around the data) is common/byte_ring's.
 * Bad indices are an error the caller acts on (con_dom marks the domain
 * bad and stops reading it).
 */
#ifndef CON_RING_H
#define CON_RING_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/io/console.h>

/* Bytes the guest has written to `out`, or -1 if its indices are bad. */
ssize_t	con_ring_out_avail(struct xencons_interface *);

/*
 * Consume up to len bytes of `out` into buf (NULL: consume without
 * copying).  The bytes, or -1 if the indices are bad.
 */
ssize_t	con_ring_read(struct xencons_interface *, void *buf, size_t len);

/* Produce up to len bytes into `in`.  The bytes, or -1 (bad indices). */
ssize_t	con_ring_write(struct xencons_interface *, const void *buf,
	    size_t len);

#endif /* CON_RING_H */
