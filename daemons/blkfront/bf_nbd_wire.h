/*
 * bf_nbd_wire: the NBD protocol's bytes (the "fixed newstyle"
 * handshake and simple replies of NetworkBlockDevice's proto.md), with
 * no I/O: what the server says first, an option's header and the
 * payloads of NBD_OPT_GO and NBD_OPT_INFO parsed, option replies and
 * export information built, a request header parsed and checked against
 * the export (length, range, flags, read-only), and a simple reply
 * built.  The client is hostile: every parse is bounded by the bytes
 * given and says how the caller must go on (answer, error, drop).
 * Kept apart from bf_nbd.c so the unit tests reach every branch
 * without a socket.
 */
#ifndef SHOAL_BF_NBD_WIRE_H
#define SHOAL_BF_NBD_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NBD_MAGIC		0x4e42444d41474943ull	/* "NBDMAGIC" */
#define NBD_IHAVEOPT		0x49484156454f5054ull	/* "IHAVEOPT" */
#define NBD_REPLY_MAGIC		0x0003e889045565a9ull
#define NBD_REQUEST_MAGIC	0x25609513u
#define NBD_SIMPLE_MAGIC	0x67446698u

/* Handshake flags (ours) and client flags. */
#define NBD_FLAG_FIXED_NEWSTYLE	(1u << 0)
#define NBD_FLAG_NO_ZEROES	(1u << 1)
#define NBD_FLAG_C_FIXED	(1u << 0)
#define NBD_FLAG_C_NO_ZEROES	(1u << 1)

/* Options. */
#define NBD_OPT_EXPORT_NAME	1
#define NBD_OPT_ABORT		2
#define NBD_OPT_LIST		3
#define NBD_OPT_INFO		6
#define NBD_OPT_GO		7

/* Option replies. */
#define NBD_REP_ACK		1u
#define NBD_REP_SERVER		2u
#define NBD_REP_INFO		3u
#define NBD_REP_ERR_UNSUP	0x80000001u
#define NBD_REP_ERR_POLICY	0x80000002u
#define NBD_REP_ERR_INVALID	0x80000003u
#define NBD_REP_ERR_UNKNOWN	0x80000006u
#define NBD_REP_ERR_TOO_BIG	0x80000009u

#define NBD_INFO_EXPORT		0
#define NBD_INFO_NAME		1
#define NBD_INFO_DESCRIPTION	2
#define NBD_INFO_BLOCK_SIZE	3

/* Transmission flags. */
#define NBD_TF_HAS_FLAGS	(1u << 0)
#define NBD_TF_READ_ONLY	(1u << 1)
#define NBD_TF_SEND_FLUSH	(1u << 2)
#define NBD_TF_SEND_FUA		(1u << 3)
#define NBD_TF_SEND_TRIM	(1u << 5)
#define NBD_TF_CAN_MULTI_CONN	(1u << 8)

/* Commands and their flags. */
#define NBD_CMD_READ		0
#define NBD_CMD_WRITE		1
#define NBD_CMD_DISC		2
#define NBD_CMD_FLUSH		3
#define NBD_CMD_TRIM		4
#define NBD_CMD_FLAG_FUA	(1u << 0)

/* Errors in replies (proto.md's numbers, not the host's). */
#define NBD_EPERM		1
#define NBD_EIO			5
#define NBD_ENOMEM		12
#define NBD_EINVAL		22
#define NBD_ENOSPC		28
#define NBD_ENOTSUP		95
#define NBD_ESHUTDOWN		108

#define NBD_GREETING_LEN	18	/* magic, IHAVEOPT, flags */
#define NBD_OPT_HDR_LEN		16
#define NBD_REP_HDR_LEN		20
#define NBD_REQ_HDR_LEN		28
#define NBD_SIMPLE_LEN		16
#define NBD_OPT_DATA_MAX	4096	/* an option's payload, at most */
#define NBD_NAME_MAX		4096	/* proto.md's bound on names */
#define NBD_EXPORT_INFO_LEN	12	/* NBD_INFO_EXPORT's payload */
#define NBD_BLOCK_INFO_LEN	14	/* NBD_INFO_BLOCK_SIZE's payload */
#define NBD_EXPORT_NAME_TAIL	134	/* EXPORT_NAME's answer, with zeroes */

/* What the server offers, settled once the backend is connected. */
struct bf_nbd_export {
	uint64_t	 size;		/* bytes */
	uint16_t	 tflags;	/* NBD_TF_* */
	uint32_t	 min_block;	/* the backend's sector */
	uint32_t	 max_request;	/* bytes in one request, at most */
};

struct bf_nbd_opt {
	uint32_t	 option;
	uint32_t	 len;		/* its payload's */
};

/* A GO or INFO payload: the name, and whether the client asked for the
 * block sizes (which then bind it: proto.md). */
struct bf_nbd_go {
	const uint8_t	*name;		/* into the payload, not NUL-ended */
	uint32_t	 namelen;
	bool		 want_block;
};

struct bf_nbd_req {
	uint16_t	 flags;
	uint16_t	 type;
	uint64_t	 cookie;	/* the client's handle, echoed */
	uint64_t	 offset;
	uint32_t	 len;
};

/* How a request header must be answered. */
enum bf_nbd_verdict {
	BF_NBD_OK,		/* to be served */
	BF_NBD_ERROR,		/* answer err; for a WRITE skip len bytes */
	BF_NBD_DROP		/* bad magic: drop the connection */
};

/* The server's first 18 bytes. */
void	 bf_nbd_greeting(uint8_t out[NBD_GREETING_LEN]);
/* The client's 4 flag bytes: 0, or -1 for a bit we do not know. */
int	 bf_nbd_client_flags(const uint8_t in[4], uint32_t *flags);
/* An option's header: 0, or -1 (bad magic, or a payload past
 * NBD_OPT_DATA_MAX: the connection is dropped). */
int	 bf_nbd_opt_parse(const uint8_t in[NBD_OPT_HDR_LEN],
	    struct bf_nbd_opt *);
/* GO's or INFO's payload: 0, or -1 (malformed: NBD_REP_ERR_INVALID). */
int	 bf_nbd_go_parse(const uint8_t *, size_t, struct bf_nbd_go *);
/* An option reply's header. */
void	 bf_nbd_rep_hdr(uint8_t out[NBD_REP_HDR_LEN], uint32_t option,
	    uint32_t type, uint32_t len);
/* NBD_INFO_EXPORT's and NBD_INFO_BLOCK_SIZE's payloads. */
void	 bf_nbd_info_export(uint8_t out[NBD_EXPORT_INFO_LEN],
	    const struct bf_nbd_export *);
void	 bf_nbd_info_block(uint8_t out[NBD_BLOCK_INFO_LEN],
	    const struct bf_nbd_export *);
/* NBD_OPT_EXPORT_NAME's answer: size, flags, then 124 zeroes unless
 * the client said NO_ZEROES.  Its length. */
size_t	 bf_nbd_export_name_reply(uint8_t out[NBD_EXPORT_NAME_TAIL],
	    const struct bf_nbd_export *, bool no_zeroes);
/* A request's header, checked against the export; *err the NBD error
 * when BF_NBD_ERROR. */
enum bf_nbd_verdict bf_nbd_req_parse(const uint8_t in[NBD_REQ_HDR_LEN],
	    const struct bf_nbd_export *, struct bf_nbd_req *, uint32_t *err);
/* A simple reply's 16 bytes. */
void	 bf_nbd_simple_reply(uint8_t out[NBD_SIMPLE_LEN], uint32_t err,
	    uint64_t cookie);
const char *bf_nbd_cmd_name(uint16_t type);

#endif /* SHOAL_BF_NBD_WIRE_H */
