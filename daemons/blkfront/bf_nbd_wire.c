/*
 * bf_nbd_wire: NBD's bytes, parsed and built (bf_nbd_wire.h).  Every
 * number on the wire is big-endian.
 */
#include <string.h>

#include "bf_nbd_wire.h"

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static void
put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static uint64_t
get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

void
bf_nbd_greeting(uint8_t out[NBD_GREETING_LEN])
{
	put64(out, NBD_MAGIC);
	put64(out + 8, NBD_IHAVEOPT);
	put16(out + 16, NBD_FLAG_FIXED_NEWSTYLE | NBD_FLAG_NO_ZEROES);
}

int
bf_nbd_client_flags(const uint8_t in[4], uint32_t *flags)
{
	*flags = get32(in);
	/* proto.md: a bit the server does not know ends the session. */
	return (*flags & ~(NBD_FLAG_C_FIXED | NBD_FLAG_C_NO_ZEROES)) ? -1 : 0;
}

int
bf_nbd_opt_parse(const uint8_t in[NBD_OPT_HDR_LEN], struct bf_nbd_opt *o)
{
	if (get64(in) != NBD_IHAVEOPT)
		return -1;
	o->option = get32(in + 8);
	o->len = get32(in + 12);
	return o->len > NBD_OPT_DATA_MAX ? -1 : 0;
}

int
bf_nbd_go_parse(const uint8_t *p, size_t len, struct bf_nbd_go *g)
{
	uint32_t	 nlen;
	uint16_t	 ninfo, i;

	memset(g, 0, sizeof(*g));
	if (len < 4)
		return -1;
	nlen = get32(p);
	if (nlen > NBD_NAME_MAX || len - 4 < nlen || len - 4 - nlen < 2)
		return -1;
	g->name = p + 4;
	g->namelen = nlen;
	p += 4 + nlen;
	ninfo = get16(p);
	p += 2;
	/* The requests must fill the rest exactly. */
	if (len - 6 - nlen != (size_t)ninfo * 2)
		return -1;
	for (i = 0; i < ninfo; i++)
		if (get16(p + 2 * i) == NBD_INFO_BLOCK_SIZE)
			g->want_block = true;
	return 0;
}

void
bf_nbd_rep_hdr(uint8_t out[NBD_REP_HDR_LEN], uint32_t option, uint32_t type,
    uint32_t len)
{
	put64(out, NBD_REPLY_MAGIC);
	put32(out + 8, option);
	put32(out + 12, type);
	put32(out + 16, len);
}

void
bf_nbd_info_export(uint8_t out[NBD_EXPORT_INFO_LEN],
    const struct bf_nbd_export *e)
{
	put16(out, NBD_INFO_EXPORT);
	put64(out + 2, e->size);
	put16(out + 10, e->tflags);
}

void
bf_nbd_info_block(uint8_t out[NBD_BLOCK_INFO_LEN],
    const struct bf_nbd_export *e)
{
	/* Preferred: a page, the most a segment carries. */
	put16(out, NBD_INFO_BLOCK_SIZE);
	put32(out + 2, e->min_block);
	put32(out + 6, e->min_block > 4096 ? e->min_block : 4096);
	put32(out + 10, e->max_request);
}

size_t
bf_nbd_export_name_reply(uint8_t out[NBD_EXPORT_NAME_TAIL],
    const struct bf_nbd_export *e, bool no_zeroes)
{
	put64(out, e->size);
	put16(out + 8, e->tflags);
	if (no_zeroes)
		return 10;
	memset(out + 10, 0, NBD_EXPORT_NAME_TAIL - 10);
	return NBD_EXPORT_NAME_TAIL;
}

/* The range [offset, offset + len) within the export and aligned to its
 * block; 0, or the NBD error. */
static uint32_t
check_range(const struct bf_nbd_req *r, const struct bf_nbd_export *e)
{
	if (e->min_block != 0 && (r->offset % e->min_block != 0 ||
	    r->len % e->min_block != 0))
		return NBD_EINVAL;
	if (r->offset > e->size || r->len > e->size - r->offset)
		return r->type == NBD_CMD_WRITE ? NBD_ENOSPC : NBD_EINVAL;
	return 0;
}

static uint32_t
check_req(const struct bf_nbd_req *r, const struct bf_nbd_export *e)
{
	bool	 writes = r->type == NBD_CMD_WRITE || r->type == NBD_CMD_TRIM;

	if (r->flags & ~NBD_CMD_FLAG_FUA)
		return NBD_EINVAL;
	if ((r->flags & NBD_CMD_FLAG_FUA) && (!writes ||
	    !(e->tflags & NBD_TF_SEND_FUA)))
		return NBD_EINVAL;
	switch (r->type) {
	case NBD_CMD_DISC:
		return 0;
	case NBD_CMD_FLUSH:
		return (e->tflags & NBD_TF_SEND_FLUSH) ? 0 : NBD_EINVAL;
	case NBD_CMD_READ:
	case NBD_CMD_WRITE:
		if (r->len > e->max_request)
			return NBD_EINVAL;
		break;
	case NBD_CMD_TRIM:
		if (!(e->tflags & NBD_TF_SEND_TRIM))
			return NBD_EINVAL;
		break;
	default:
		return NBD_EINVAL;
	}
	if (writes && (e->tflags & NBD_TF_READ_ONLY))
		return NBD_EPERM;
	return check_range(r, e);
}

enum bf_nbd_verdict
bf_nbd_req_parse(const uint8_t in[NBD_REQ_HDR_LEN],
    const struct bf_nbd_export *e, struct bf_nbd_req *r, uint32_t *err)
{
	memset(r, 0, sizeof(*r));
	*err = 0;
	if (get32(in) != NBD_REQUEST_MAGIC)
		return BF_NBD_DROP;
	r->flags = get16(in + 4);
	r->type = get16(in + 6);
	r->cookie = get64(in + 8);
	r->offset = get64(in + 16);
	r->len = get32(in + 24);
	*err = check_req(r, e);
	return *err == 0 ? BF_NBD_OK : BF_NBD_ERROR;
}

void
bf_nbd_simple_reply(uint8_t out[NBD_SIMPLE_LEN], uint32_t err,
    uint64_t cookie)
{
	put32(out, NBD_SIMPLE_MAGIC);
	put32(out + 4, err);
	put64(out + 8, cookie);
}

const char *
bf_nbd_cmd_name(uint16_t type)
{
	switch (type) {
	case NBD_CMD_READ: return "read";
	case NBD_CMD_WRITE: return "write";
	case NBD_CMD_DISC: return "disc";
	case NBD_CMD_FLUSH: return "flush";
	case NBD_CMD_TRIM: return "trim";
	}
	return "unknown";
}
