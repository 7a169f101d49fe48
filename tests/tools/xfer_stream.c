#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "xfer_stream.h"

/* splitmix64: every 8-byte word of a stream derives from its index alone. */
static uint64_t
stream_word(uint64_t seed, uint64_t index)
{
	uint64_t z = seed + (index + 1) * UINT64_C(0x9e3779b97f4a7c15);

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

uint8_t
xfer_stream_byte(uint64_t seed, uint64_t offset)
{
	return (uint8_t)(stream_word(seed, offset / 8) >> (8 * (offset % 8)));
}

/* Whole words where the offset allows: one hash per 8 bytes. */
void
xfer_stream_fill(uint64_t seed, uint64_t offset, uint8_t *buf, size_t len)
{
	size_t i = 0;
	uint64_t w;

	for (; i < len && (offset + i) % 8 != 0; i++)
		buf[i] = xfer_stream_byte(seed, offset + i);
	for (; i + 8 <= len; i += 8) {
		w = stream_word(seed, (offset + i) / 8);
		memcpy(buf + i, &w, 8);		/* little-endian, as _byte */
	}
	for (; i < len; i++)
		buf[i] = xfer_stream_byte(seed, offset + i);
}

int64_t
xfer_stream_check(uint64_t seed, uint64_t offset, const uint8_t *buf,
    size_t len)
{
	size_t i = 0;
	uint64_t w;

	for (; i < len && (offset + i) % 8 != 0; i++)
		if (buf[i] != xfer_stream_byte(seed, offset + i))
			return (int64_t)i;
	for (; i + 8 <= len; i += 8) {
		w = stream_word(seed, (offset + i) / 8);
		if (memcmp(buf + i, &w, 8) != 0)
			break;		/* the byte loop below finds which */
	}
	for (; i < len; i++)
		if (buf[i] != xfer_stream_byte(seed, offset + i))
			return (int64_t)i;
	return -1;
}

struct wrong {
	size_t	 n, zero, stale, last;
};

/* Count the wrong bytes from bad on, and those that are zero or stale. */
static struct wrong
classify(uint64_t seed, uint64_t offset, const uint8_t *buf, size_t len,
    size_t bad, uint64_t ring_size)
{
	struct wrong w = { 0, 0, 0, bad };
	size_t i;

	for (i = bad; i < len; i++) {
		uint64_t at = offset + i;

		if (buf[i] == xfer_stream_byte(seed, at))
			continue;
		w.n++;
		w.last = i;
		w.zero += buf[i] == 0;
		w.stale += ring_size > 0 && at >= ring_size &&
		    buf[i] == xfer_stream_byte(seed, at - ring_size);
	}
	return w;
}

static const char *
kind_of(const struct wrong *w, uint8_t want, uint8_t got)
{
	if (w->n == 1 && (uint8_t)(want ^ got) == XFER_FLIP)
		return "a single byte flipped by 0x5a, as --corrupt-at does";
	if (w->zero == w->n)
		return "zero bytes, never sent";
	if (w->stale == w->n)
		return "the previous lap's bytes: read before they were "
		    "written";
	return "bytes never sent";
}

/* A little later, does the ring hold this lap's (or the next lap's) bytes? */
static size_t
late_arrivals(uint64_t seed, uint64_t offset, const uint8_t *buf,
    size_t bad, size_t last, const volatile uint8_t *ring, uint64_t ring_size)
{
	struct timespec pause = { 0, 50 * 1000 * 1000 };
	size_t i, n = 0;

	nanosleep(&pause, NULL);
	for (i = bad; i <= last; i++) {
		uint64_t at = offset + i;
		uint8_t now = ring[at % ring_size];

		if (buf[i] == xfer_stream_byte(seed, at))
			continue;
		n += now == xfer_stream_byte(seed, at) ||
		    now == xfer_stream_byte(seed, at + ring_size);
	}
	return n;
}

void
xfer_stream_report(void (*logf)(const char *, ...), uint64_t seed,
    uint64_t offset, const uint8_t *buf, size_t len, size_t bad,
    uint64_t total, const volatile uint8_t *ring_base, uint64_t ring_size)
{
	uint64_t at = offset + bad;
	uint8_t want = xfer_stream_byte(seed, at), got = buf[bad];
	struct wrong w = classify(seed, offset, buf, len, bad, ring_size);
	size_t late;

	logf("MISMATCH at byte %" PRIu64 " of %" PRIu64 ": expected 0x%02x, "
	    "got 0x%02x; %zu of the %zu bytes from there to the end of this "
	    "read are wrong (the last at byte %" PRIu64 "), %zu zero, %zu of "
	    "the previous lap: %s", at, total, want, got, w.n, len - bad,
	    offset + w.last, w.zero, w.stale, kind_of(&w, want, got));
	if (ring_base == NULL || ring_size == 0)
		return;
	late = late_arrivals(seed, offset, buf, bad, w.last, ring_base,
	    ring_size);
	logf("ring position %" PRIu64 " of a %" PRIu64 "-byte ring (lap %"
	    PRIu64 "); 50 ms later %zu of the %zu wrong bytes hold sent "
	    "data%s", at % ring_size, ring_size, at / ring_size, late, w.n,
	    late == w.n && w.n > 1 ? ": the data arrived after its index" :
	    "");
}
