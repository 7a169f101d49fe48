/*
 * bf_nbd_hs: a client's handshake, fixed newstyle: our greeting, its
 * flags, then options until GO or EXPORT_NAME starts transmission (or
 * ABORT ends it).  GO and INFO tell the export's size, flags and block
 * sizes; LIST names our one export; anything else is answered
 * NBD_REP_ERR_UNSUP, its payload read and thrown away.  A bad magic, an
 * unknown client flag or a payload past NBD_OPT_DATA_MAX drops the
 * client.
 */
/* xenctrl.h first: it tells the Xen headers after it this is a tool. */
#include <xenctrl.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "bf_dev.h"
#include "bf_nbd_int.h"
#include "log.h"

void
bf_hs_greet(struct bf_conn *c)
{
	uint8_t	 g[NBD_GREETING_LEN];

	bf_nbd_greeting(g);
	(void)evbuffer_add(bf_conn_out(c), g, sizeof(g));
	c->state = BC_FLAGS;
}

static void
reply(struct bf_conn *c, uint32_t type, const void *data, uint32_t len)
{
	uint8_t	 h[NBD_REP_HDR_LEN];

	bf_nbd_rep_hdr(h, c->opt.option, type, len);
	(void)evbuffer_add(bf_conn_out(c), h, sizeof(h));
	if (len > 0)
		(void)evbuffer_add(bf_conn_out(c), data, len);
}

static void
export_of(struct bf_conn *c, struct bf_nbd_export *e)
{
	bf_dev_export(c->srv->dev, (uint32_t)(*c->srv->cfg)->max_request, e);
}

static bool
our_name(struct bf_conn *c, const uint8_t *name, size_t len)
{
	const char	*ours = (*c->srv->cfg)->export_name;

	return len == strlen(ours) && memcmp(name, ours, len) == 0;
}

/* GO or INFO: what the export is, then ACK; GO then transmits. */
static void
opt_go(struct bf_conn *c, const uint8_t *p, uint32_t len)
{
	struct bf_nbd_go	 g;
	struct bf_nbd_export	 e;
	uint8_t			 ex[NBD_EXPORT_INFO_LEN];
	uint8_t			 bl[NBD_BLOCK_INFO_LEN];

	if (bf_nbd_go_parse(p, len, &g) != 0) {
		reply(c, NBD_REP_ERR_INVALID, NULL, 0);
		return;
	}
	if (!our_name(c, g.name, g.namelen)) {
		reply(c, NBD_REP_ERR_UNKNOWN, NULL, 0);
		return;
	}
	export_of(c, &e);
	bf_nbd_info_export(ex, &e);
	reply(c, NBD_REP_INFO, ex, sizeof(ex));
	/* Always: a client that did not ask may ignore it, and ours are
	 * real constraints (whole sectors). */
	bf_nbd_info_block(bl, &e);
	reply(c, NBD_REP_INFO, bl, sizeof(bl));
	reply(c, NBD_REP_ACK, NULL, 0);
	if (c->opt.option == NBD_OPT_GO)
		c->state = BC_TRANS;
}

static void
opt_list(struct bf_conn *c, uint32_t len)
{
	const char	*name = (*c->srv->cfg)->export_name;
	uint8_t		 buf[4 + 4096];
	size_t		 n = strlen(name);

	if (len != 0) {
		reply(c, NBD_REP_ERR_INVALID, NULL, 0);
		return;
	}
	buf[0] = (uint8_t)(n >> 24);
	buf[1] = (uint8_t)(n >> 16);
	buf[2] = (uint8_t)(n >> 8);
	buf[3] = (uint8_t)n;
	memcpy(buf + 4, name, n);
	reply(c, NBD_REP_SERVER, buf, (uint32_t)(4 + n));
	reply(c, NBD_REP_ACK, NULL, 0);
}

/* EXPORT_NAME: no error reply exists for it; a wrong name is a close. */
static int
opt_export_name(struct bf_conn *c, const uint8_t *p, uint32_t len)
{
	struct bf_nbd_export	 e;
	uint8_t			 out[NBD_EXPORT_NAME_TAIL];
	size_t			 n;

	if (!our_name(c, p, len)) {
		bf_conn_drop(c, "EXPORT_NAME: no such export");
		return -1;
	}
	export_of(c, &e);
	n = bf_nbd_export_name_reply(out, &e, c->no_zeroes);
	(void)evbuffer_add(bf_conn_out(c), out, n);
	c->state = BC_TRANS;
	return 0;
}

static int
option(struct bf_conn *c, const uint8_t *p, uint32_t len)
{
	switch (c->opt.option) {
	case NBD_OPT_EXPORT_NAME:
		return opt_export_name(c, p, len);
	case NBD_OPT_ABORT:
		reply(c, NBD_REP_ACK, NULL, 0);
		c->state = BC_CLOSING;
		return 0;
	case NBD_OPT_LIST:
		opt_list(c, len);
		return 0;
	case NBD_OPT_INFO:
	case NBD_OPT_GO:
		opt_go(c, p, len);
		return 0;
	}
	reply(c, NBD_REP_ERR_UNSUP, NULL, 0);
	return 0;
}

/* The client's flags: 0, or -1 (dropped). */
static int
client_flags(struct bf_conn *c, struct evbuffer *in)
{
	uint8_t		 f[4];
	uint32_t	 flags;

	(void)evbuffer_remove(in, f, sizeof(f));
	if (bf_nbd_client_flags(f, &flags) != 0) {
		bf_conn_drop(c, "unknown client flags");
		return -1;
	}
	c->no_zeroes = (flags & NBD_FLAG_C_NO_ZEROES) != 0;
	c->state = BC_OPTS;
	return 0;
}

/* One option, if all of it is here: 1 done, 0 wait, -1 dropped. */
static int
one_option(struct bf_conn *c, struct evbuffer *in)
{
	uint8_t		 h[NBD_OPT_HDR_LEN], p[NBD_OPT_DATA_MAX];

	if (!c->have_opt) {
		if (evbuffer_get_length(in) < sizeof(h))
			return 0;
		(void)evbuffer_remove(in, h, sizeof(h));
		if (bf_nbd_opt_parse(h, &c->opt) != 0) {
			c->srv->stats.bad_magic++;
			bf_conn_drop(c, "a bad option header");
			return -1;
		}
		c->have_opt = true;
	}
	if (evbuffer_get_length(in) < c->opt.len)
		return 0;
	(void)evbuffer_remove(in, p, c->opt.len);
	c->have_opt = false;
	return option(c, p, c->opt.len) == 0 ? 1 : -1;
}

int
bf_hs_input(struct bf_conn *c)
{
	struct evbuffer	*in = bufferevent_get_input(c->bev);
	int		 rc;

	if (c->state == BC_FLAGS) {
		if (evbuffer_get_length(in) < 4)
			return 0;
		if (client_flags(c, in) != 0)
			return -1;
	}
	while (c->state == BC_OPTS)
		if ((rc = one_option(c, in)) <= 0)
			return rc;
	return 0;
}
