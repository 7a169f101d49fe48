/*
 * xfer_stream: the known byte streams that vchan-xfer and ring-probe move
 * between two domains, and what they say when a byte is wrong.
 *
 * A stream is a function of its seed and offset alone (splitmix64 per
 * 8-byte word), so a lost, duplicated, stale or reordered byte shows as a
 * mismatch at a precise offset, and the kind of fault can be told from
 * the wrong bytes themselves: zero (never written), the previous lap of
 * the ring (read before the writer's data was there), one byte flipped
 * by XFER_FLIP (what the tools' --corrupt-at injects), or other.
 */
#ifndef XFER_STREAM_H
#define XFER_STREAM_H

#include <stddef.h>
#include <stdint.h>

#define XFER_FLIP	0x5a	/* --corrupt-at xors the byte with this */

uint8_t	 xfer_stream_byte(uint64_t seed, uint64_t offset);
void	 xfer_stream_fill(uint64_t seed, uint64_t offset, uint8_t *buf,
	    size_t len);
/* Index of the first wrong byte in buf, or -1 when all are right. */
int64_t	 xfer_stream_check(uint64_t seed, uint64_t offset, const uint8_t *buf,
	    size_t len);

/*
 * A mismatch found by xfer_stream_check in buf (len bytes read from
 * stream offset `offset`, first wrong byte at index bad), received
 * through a ring of ring_size bytes at ring_base (NULL if the reader
 * cannot see the ring).  Writes two lines to the log function: what the
 * wrong bytes are, and whether the ring holds sent data 50 ms later
 * (then the data arrived after its index).  The first line starts
 * "MISMATCH at byte N of TOTAL: ".
 */
void	 xfer_stream_report(void (*logf)(const char *, ...), uint64_t seed,
	    uint64_t offset, const uint8_t *buf, size_t len, size_t bad,
	    uint64_t total, const volatile uint8_t *ring_base,
	    uint64_t ring_size);

#endif /* XFER_STREAM_H */
