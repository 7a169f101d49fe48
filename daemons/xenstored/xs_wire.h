/*
 * xs_wire: the bytes of the XenStore protocol (xen/io/xs_wire.h).
 *
 * Owns checking a message header before its payload is read (a length
 * over XENSTORE_PAYLOAD_MAX is a protocol violation: the connection goes),
 * splitting a payload into its NUL-terminated arguments, building reply
 * and watch-event messages, and naming an errno the way XS_ERROR replies
 * carry it ("ENOENT\0").  Nothing here knows about connections.
 */
#ifndef XS_WIRE_H
#define XS_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <errno.h>
#include <stdint.h>

#include <xen/io/xs_wire.h>

#define XS_HDR_LEN	sizeof(struct xsd_sockmsg)

/* A message being built: header then payload, one allocation. */
struct xs_msg {
	struct xs_msg		*next;
	size_t			 len;		/* header + payload */
	bool			 event;		/* a WATCH_EVENT, may be dropped */
	union {
		struct xsd_sockmsg	 hdr;
		uint8_t			 bytes[XS_HDR_LEN +
					    XENSTORE_PAYLOAD_MAX];
	} u;
};

/* 0 if the header may be followed by its payload, -1 if it must not. */
int	 xs_wire_check_hdr(const struct xsd_sockmsg *);

/* Name of a request type for logs ("READ"), or "UNKNOWN". */
const char *xs_wire_typename(uint32_t type);

/*
 * Split payload into NUL-terminated strings: fills up to max pointers
 * and returns how many strings there are in all (more than max is
 * possible), or -1 if bytes follow the last NUL.
 */
int	 xs_wire_args(const uint8_t *p, size_t len, const char **argv,
	    int max);

/* errno -> "ENOENT"; anything xs_wire.h does not list becomes "EIO". */
const char *xs_wire_errname(int err);

/*
 * Message building.  xs_msg_new() starts a reply of the given type
 * echoing req_id and tx_id; append calls fail with E2BIG once the payload
 * would pass XENSTORE_PAYLOAD_MAX, leaving the message as it was.
 */
struct xs_msg *xs_msg_new(uint32_t type, uint32_t req_id, uint32_t tx_id);
int	 xs_msg_append(struct xs_msg *, const void *, size_t);
int	 xs_msg_appendstr(struct xs_msg *, const char *);	/* with NUL */
size_t	 xs_msg_room(const struct xs_msg *);
void	 xs_msg_free(struct xs_msg *);
struct xs_msg *xs_msg_error(int err, uint32_t req_id, uint32_t tx_id);
struct xs_msg *xs_msg_event(const char *path, const char *token);

#endif /* XS_WIRE_H */
