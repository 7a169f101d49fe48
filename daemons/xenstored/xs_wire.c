#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xs_wire.h"

static const char *const typenames[XS_TYPE_COUNT] = {
	[XS_CONTROL] = "CONTROL",
	[XS_DIRECTORY] = "DIRECTORY",
	[XS_READ] = "READ",
	[XS_GET_PERMS] = "GET_PERMS",
	[XS_WATCH] = "WATCH",
	[XS_UNWATCH] = "UNWATCH",
	[XS_TRANSACTION_START] = "TRANSACTION_START",
	[XS_TRANSACTION_END] = "TRANSACTION_END",
	[XS_INTRODUCE] = "INTRODUCE",
	[XS_RELEASE] = "RELEASE",
	[XS_GET_DOMAIN_PATH] = "GET_DOMAIN_PATH",
	[XS_WRITE] = "WRITE",
	[XS_MKDIR] = "MKDIR",
	[XS_RM] = "RM",
	[XS_SET_PERMS] = "SET_PERMS",
	[XS_WATCH_EVENT] = "WATCH_EVENT",
	[XS_ERROR] = "ERROR",
	[XS_IS_DOMAIN_INTRODUCED] = "IS_DOMAIN_INTRODUCED",
	[XS_RESUME] = "RESUME",
	[XS_SET_TARGET] = "SET_TARGET",
	[XS_RESET_WATCHES] = "RESET_WATCHES",
	[XS_DIRECTORY_PART] = "DIRECTORY_PART",
};

int
xs_wire_check_hdr(const struct xsd_sockmsg *h)
{
	/* The only fatal fault: we could not find the next header. */
	return h->len > XENSTORE_PAYLOAD_MAX ? -1 : 0;
}

const char *
xs_wire_typename(uint32_t type)
{
	if (type >= XS_TYPE_COUNT || typenames[type] == NULL)
		return "UNKNOWN";
	return typenames[type];
}

int
xs_wire_args(const uint8_t *p, size_t len, const char **argv, int max)
{
	size_t	 i, start = 0;
	int	 n = 0;

	for (i = 0; i < len; i++) {
		if (p[i] != '\0')
			continue;
		if (n < max)
			argv[n] = (const char *)p + start;
		n++;
		start = i + 1;
	}
	return start == len ? n : -1;
}

const char *
xs_wire_errname(int err)
{
	size_t	 i;

	for (i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
		if (xsd_errors[i].errnum == err)
			return xsd_errors[i].errstring;
	return "EIO";
}

struct xs_msg *
xs_msg_new(uint32_t type, uint32_t req_id, uint32_t tx_id)
{
	struct xs_msg	*m;

	/* Replies are at most a page: one malloc, no resizing. */
	if ((m = malloc(sizeof(*m))) == NULL)
		return NULL;
	m->next = NULL;
	m->event = false;
	m->len = XS_HDR_LEN;
	m->u.hdr.type = type;
	m->u.hdr.req_id = req_id;
	m->u.hdr.tx_id = tx_id;
	m->u.hdr.len = 0;
	return m;
}

size_t
xs_msg_room(const struct xs_msg *m)
{
	return XENSTORE_PAYLOAD_MAX - m->u.hdr.len;
}

int
xs_msg_append(struct xs_msg *m, const void *p, size_t n)
{
	if (n > xs_msg_room(m))
		return E2BIG;
	if (n == 0)
		return 0;
	memcpy(m->u.bytes + m->len, p, n);
	m->len += n;
	m->u.hdr.len += (uint32_t)n;
	return 0;
}

int
xs_msg_appendstr(struct xs_msg *m, const char *s)
{
	return xs_msg_append(m, s, strlen(s) + 1);
}

void
xs_msg_free(struct xs_msg *m)
{
	free(m);
}

struct xs_msg *
xs_msg_error(int err, uint32_t req_id, uint32_t tx_id)
{
	struct xs_msg	*m;

	if ((m = xs_msg_new(XS_ERROR, req_id, tx_id)) != NULL)
		(void)xs_msg_appendstr(m, xs_wire_errname(err));
	return m;
}

struct xs_msg *
xs_msg_event(const char *path, const char *token)
{
	struct xs_msg	*m;

	if ((m = xs_msg_new(XS_WATCH_EVENT, 0, 0)) == NULL)
		return NULL;
	m->event = true;
	if (xs_msg_appendstr(m, path) != 0 ||
	    xs_msg_appendstr(m, token) != 0) {
		xs_msg_free(m);
		return NULL;
	}
	return m;
}
