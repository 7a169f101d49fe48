#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xs_conn.h"
#include "xs_control.h"
#include "xs_lu.h"
#include "xs_ops.h"
#include "xs_server.h"
#include "xs_txn.h"

#define Q(n, m)	{ n, offsetof(struct xs_quota, m) }
const struct xs_quota_name xs_quota_hard[] = {
	Q("nodes", nodes), Q("watches", watches),
	Q("transactions", transactions), Q("outstanding", outstanding),
	Q("transaction-nodes", txn_nodes), Q("memory", mem_hard),
	Q("node-size", node_size), Q("permissions", perms),
	Q("write-rate", write_rate), Q("write-burst", write_burst),
	{ NULL, 0 }
};
const struct xs_quota_name xs_quota_soft[] = {
	Q("memory", mem_soft),
	{ NULL, 0 }
};
#undef Q

static void	text(struct xs_msg *, const char *, ...)
		    __attribute__((__format__(__printf__, 2, 3)));

/* Text replies: append what fits and keep the last byte for the NUL. */
static void
text(struct xs_msg *m, const char *fmt, ...)
{
	char	 buf[256];
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n + 1 < xs_msg_room(m))
		(void)xs_msg_append(m, buf, (size_t)n);
}

static int
text_end(struct xs_msg *m)
{
	return xs_msg_append(m, "", 1);
}

static int *
quota_field(struct xs_quota *q, const struct xs_quota_name *t,
    const char *name)
{
	for (; t->name != NULL; t++)
		if (strcmp(t->name, name) == 0)
			return (int *)(void *)((char *)q + t->off);
	return NULL;
}

static int
quota_list(struct xs_server *srv, const struct xs_quota_name *t,
    struct xs_msg *m)
{
	for (; t->name != NULL; t++)
		text(m, "%-18s %d\n", t->name,
		    *quota_field(&srv->quota, t, t->name));
	return text_end(m);
}

static int
quota_domain(struct xs_server *srv, const char *arg, struct xs_msg *m)
{
	const struct xs_dom	*d;
	unsigned		 domid;

	if (xs_domid_parse(arg, &domid) != 0)
		return EINVAL;
	if ((d = xs_dom_find(srv->doms, domid)) == NULL)
		return ENOENT;
	text(m, "nodes %ld\nmemory %ld\nwatches %d\ntransactions %d\n"
	    "transaction-memory %ld\n", d->nodes, d->bytes, d->watches,
	    d->txns, d->txn_bytes);
	return text_end(m);
}

static int
quota_set(struct xs_server *srv, const struct xs_quota_name *t,
    const char *name, const char *val, struct xs_msg *m)
{
	struct xs_quota	 q = srv->quota;
	char		*end;
	long		 v;
	int		*f;

	if ((f = quota_field(&q, t, name)) == NULL)
		return EINVAL;
	v = strtol(val, &end, 10);
	if (*val == '\0' || *end != '\0' || v < 0 || v > 0x7fffffff)
		return EINVAL;
	*f = (int)v;
	xs_server_set_limits(srv, &q, srv->max_events);
	log_info("quota %s set to %ld", name, v);
	return xs_reply_ok(m);
}

static int
cmd_quota_table(struct xs_req *r, struct xs_msg *m,
    const struct xs_quota_name *t)
{
	struct xs_server	*srv = r->conn->srv;

	switch (r->argc) {
	case 1:
		return quota_list(srv, t, m);
	case 2:
		if (t == xs_quota_hard)
			return quota_domain(srv, r->argv[1], m);
		return EINVAL;
	case 3:
		return quota_set(srv, t, r->argv[1], r->argv[2], m);
	}
	return EINVAL;
}

static int
cmd_quota(struct xs_req *r, struct xs_msg *m)
{
	return cmd_quota_table(r, m, xs_quota_hard);
}

static int
cmd_quota_soft(struct xs_req *r, struct xs_msg *m)
{
	return cmd_quota_table(r, m, xs_quota_soft);
}

static int
cmd_log(struct xs_req *r, struct xs_msg *m)
{
	if (xs_req_nargs(r, 2) != 0)
		return EINVAL;
	if (strcmp(r->argv[1], "on") == 0)
		log_setverbose(1);
	else if (strcmp(r->argv[1], "off") == 0)
		log_setverbose(0);
	else
		return EINVAL;
	return xs_reply_ok(m);
}

static int
cmd_print(struct xs_req *r, struct xs_msg *m)
{
	if (xs_req_nargs(r, 2) != 0)
		return EINVAL;
	log_info("%s", r->argv[1]);
	return xs_reply_ok(m);
}

static void
report_dom(const struct xs_dom *d, void *arg)
{
	text(arg, "domain %u: nodes %ld memory %ld watches %d "
	    "transactions %d transaction-memory %ld\n", d->domid, d->nodes,
	    d->bytes, d->watches, d->txns, d->txn_bytes);
}

static int
cmd_memreport(struct xs_req *r, struct xs_msg *m)
{
	struct xs_server	*srv = r->conn->srv;
	const struct xs_conn	*c;
	size_t			 nconn = 0;

	TAILQ_FOREACH(c, &srv->conns, entry)
		nconn++;
	text(m, "nodes %zu\nconnections %zu\nevents-dropped %lu\n",
	    srv->tree->nnodes, nconn, srv->events_dropped);
	xs_doms_foreach(srv->doms, report_dom, m);
	log_info("memreport: %zu nodes, %zu connections", srv->tree->nnodes,
	    nconn);
	return text_end(m);
}

static int
cmd_check(struct xs_req *r, struct xs_msg *m)
{
	if (xs_control_check(r->conn->srv) != 0)
		return EIO;
	return xs_reply_ok(m);
}

static int
cmd_live_update(struct xs_req *r, struct xs_msg *m)
{
	if (r->conn->srv->lu == NULL)
		return ENOSYS;		/* a server without a process to replace */
	return xs_lu_control(r->conn->srv->lu, r, m);
}

static int	cmd_help(struct xs_req *, struct xs_msg *);

static const struct {
	const char	*name;
	const char	*usage;
	int		(*fn)(struct xs_req *, struct xs_msg *);
} cmds[] = {
	{ "check", "", cmd_check },
	{ "help", "", cmd_help },
	{ "live-update", "-f <file>|-b <size>|-d <len> <bytes>|-c <cmdline>|"
	    "-s [-F] [-t <secs>]|-a", cmd_live_update },
	{ "log", "on|off", cmd_log },
	{ "memreport", "", cmd_memreport },
	{ "print", "<string>", cmd_print },
	{ "quota", "[<domid>|<name> <value>]", cmd_quota },
	{ "quota-soft", "[<name> <value>]", cmd_quota_soft },
};
#define NCMDS	(sizeof(cmds) / sizeof(cmds[0]))

static int
cmd_help(struct xs_req *r, struct xs_msg *m)
{
	size_t	 i;

	(void)r;
	for (i = 0; i < NCMDS; i++)
		text(m, "%s%s%s\n", cmds[i].name, *cmds[i].usage ? " " : "",
		    cmds[i].usage);
	return text_end(m);
}

int
xs_op_control(struct xs_req *r, struct xs_msg *m)
{
	size_t	 i;

	if (r->argc < 1)
		return EINVAL;
	for (i = 0; i < NCMDS; i++)
		if (strcmp(cmds[i].name, r->argv[0]) == 0)
			return cmds[i].fn(r, m);
	return EINVAL;
}

/* Totals recomputed from the tree, to compare with the accounting. */
struct tally {
	struct xs_server	*srv;
	struct { unsigned domid; long nodes, bytes, txn_bytes; } *v;
	size_t			 n, cap;
	int			 bad;
};

/* domid's entry, made if new; NULL if out of memory. */
static size_t
tally_at(struct tally *t, unsigned domid)
{
	size_t	 i;
	void	*nv;

	for (i = 0; i < t->n && t->v[i].domid != domid; i++)
		continue;
	if (i == t->n) {
		if (t->n == t->cap) {
			t->cap = t->cap ? t->cap * 2 : 16;
			if ((nv = reallocarray(t->v, t->cap,
			    sizeof(*t->v))) == NULL)
				return (size_t)-1;
			t->v = nv;
		}
		t->v[t->n].domid = domid;
		t->v[t->n].nodes = t->v[t->n].bytes = 0;
		t->v[t->n].txn_bytes = 0;
		t->n++;
	}
	return i;
}

static int
tally_add(struct tally *t, unsigned domid, long bytes)
{
	size_t	 i = tally_at(t, domid);

	if (i == (size_t)-1)
		return -1;
	t->v[i].nodes++;
	t->v[i].bytes += bytes;
	return 0;
}

/* What each connection's open transactions hold, by its domain. */
static int
tally_txns(struct tally *t)
{
	struct xs_conn	*c;
	size_t		 i, k;

	TAILQ_FOREACH(c, &t->srv->conns, entry) {
		if (c->ntxns == 0)
			continue;
		if ((i = tally_at(t, c->domid)) == (size_t)-1)
			return -1;
		for (k = 0; k < c->ntxns; k++)
			t->v[i].txn_bytes += xs_txn_bytes(c->txns[k]);
	}
	return 0;
}

static int
check_node(struct xs_node *n, void *arg)
{
	struct tally	*t = arg;
	uint32_t	 i;

	for (i = 0; i < xs_node_nkids(n); i++) {
		if (xs_node_kid(n, i)->parent != n ||
		    (i > 0 && strcmp(xs_node_kid(n, i - 1)->name,
		    xs_node_kid(n, i)->name) >= 0)) {
			log_warnx("check: children of \"%s\" out of order",
			    n->name);
			t->bad++;
		}
	}
	if (xs_node_nperms(n) == 0) {
		log_warnx("check: node \"%s\" has no owner", n->name);
		t->bad++;
		return 0;
	}
	return tally_add(t, xs_node_perms(n)[0].domid, xs_node_bytes(n));
}

static void
check_dom(const struct xs_dom *d, void *arg)
{
	struct tally	*t = arg;
	long		 nodes = 0, bytes = 0, txn_bytes = 0;
	size_t		 i;

	for (i = 0; i < t->n; i++)
		if (t->v[i].domid == d->domid) {
			nodes = t->v[i].nodes;
			bytes = t->v[i].bytes;
			txn_bytes = t->v[i].txn_bytes;
		}
	if (txn_bytes != d->txn_bytes) {
		log_warnx("check: domain %u accounted %ld transaction bytes, "
		    "its transactions hold %ld", d->domid, d->txn_bytes,
		    txn_bytes);
		t->bad++;
	}
	if (nodes != d->nodes || bytes != d->bytes) {
		log_warnx("check: domain %u accounted %ld nodes %ld bytes, "
		    "owns %ld nodes %ld bytes", d->domid, d->nodes, d->bytes,
		    nodes, bytes);
		t->bad++;
	}
}

int
xs_control_check(struct xs_server *srv)
{
	struct tally	 t = { .srv = srv };

	if (xs_tree_walk(srv->tree->root, check_node, &t) != 0 ||
	    tally_txns(&t) != 0)
		t.bad++;
	xs_doms_foreach(srv->doms, check_dom, &t);
	free(t.v);
	return t.bad == 0 ? 0 : -1;
}
