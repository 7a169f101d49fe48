/*
 * nf_csum: the Internet checksum (RFC 1071) made in software over a
 * frame spread across pages (nf_wire.h).  The pages are whole, so a
 * 16-bit word may straddle two of them when the sum starts at an odd
 * offset: bytes are summed by their parity from the start, not from
 * each page.
 */
#include "nf_wire.h"

/* The byte at frame offset at, or NULL past the end. */
static uint8_t *
byte_at(const struct iovec *iov, unsigned n, size_t at)
{
	unsigned	 i;

	for (i = 0; i < n; i++) {
		if (at < iov[i].iov_len)
			return (uint8_t *)iov[i].iov_base + at;
		at -= iov[i].iov_len;
	}
	return NULL;
}

static uint32_t
sum_from(const struct iovec *iov, unsigned n, size_t start)
{
	uint32_t	 sum = 0;
	size_t		 pos = 0, j, k = 0;	/* k: bytes summed */
	unsigned	 i;

	for (i = 0; i < n; i++) {
		const uint8_t	*p = iov[i].iov_base;

		for (j = 0; j < iov[i].iov_len; j++, pos++) {
			if (pos < start)
				continue;
			sum += (k++ & 1) ? p[j] : (uint32_t)p[j] << 8;
			if (sum & 0x80000000u)	/* fold before it overflows */
				sum = (sum & 0xffff) + (sum >> 16);
		}
	}
	return sum;
}

void
nf_csum_fill(const struct iovec *iov, unsigned n, size_t start,
    size_t offset)
{
	uint8_t		*hi = byte_at(iov, n, start + offset);
	uint8_t		*lo = byte_at(iov, n, start + offset + 1);
	uint32_t	 sum;
	uint16_t	 c;

	if (hi == NULL || lo == NULL)
		return;
	sum = sum_from(iov, n, start);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	c = (uint16_t)~sum;
	/* A UDP sum of 0 means "none": 0xffff is the same in one's
	 * complement, and what the kernel writes for any protocol. */
	if (c == 0)
		c = 0xffff;
	*hi = (uint8_t)(c >> 8);
	*lo = (uint8_t)c;
}
