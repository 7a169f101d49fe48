#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xs_conn.h"
#include "xs_ops.h"
#include "xs_path.h"
#include "xs_server.h"
#include "xs_txn.h"
#include "xs_watch.h"

typedef int	(*xs_op_fn)(struct xs_req *, struct xs_msg *);

int
xs_req_nargs(const struct xs_req *r, int n)
{
	return r->argc == n ? 0 : EINVAL;
}

int
xs_reply_ok(struct xs_msg *m)
{
	return xs_msg_appendstr(m, "OK");
}

/* The single argument, a node path, made absolute. */
static int
arg_path(const struct xs_req *r, char *path)
{
	bool	 rel;

	if (xs_req_nargs(r, 1) != 0)
		return EINVAL;
	return xs_path_canon(r->who.domid, r->argv[0], path, &rel);
}

static bool
quota_applies(const struct xs_req *r)
{
	return !r->who.priv;
}

/*
 * A missing node is ENOENT only to those who could see it is missing:
 * the deepest existing ancestor must grant the access the request needs
 * (reading for reads, writing for RM and SET_PERMS), else the answer is
 * EACCES, as on C xenstored.  *plen, if asked, gets that ancestor's
 * length.
 */
static int
missing(const struct xs_req *r, const char *path, unsigned want,
    size_t *plenp)
{
	struct xs_view	 v;
	size_t		 plen;
	int		 e;

	if ((e = xs_db_nearest(&r->db, path, &v, &plen)) != 0)
		return e;
	if (plenp != NULL)
		*plenp = plen;
	want &= XS_PERM_BOTH;
	return xs_perm_can(&r->who, v.perms, v.nperms, want) ?
	    ENOENT : EACCES;
}

static int
node_get(const struct xs_req *r, const char *path, struct xs_view *v,
    unsigned want)
{
	int	 e = xs_db_get(&r->db, path, v);

	if (e == ENOENT)
		return missing(r, path, want, NULL);
	if (e != 0)
		return e;
	return xs_perm_can(&r->who, v->perms, v->nperms, want) ? 0 : EACCES;
}

static int
op_read(struct xs_req *r, struct xs_msg *m)
{
	char		 path[XS_PATH_BUF];
	struct xs_view	 v;
	int		 e;

	if ((e = arg_path(r, path)) != 0 ||
	    (e = node_get(r, path, &v, XS_PERM_READ)) != 0)
		return e;
	return xs_msg_append(m, v.value, v.vlen);
}

static int
op_directory(struct xs_req *r, struct xs_msg *m)
{
	char		 path[XS_PATH_BUF];
	struct xs_view	 v;
	uint32_t	 i;
	int		 e;

	if ((e = arg_path(r, path)) != 0 ||
	    (e = node_get(r, path, &v, XS_PERM_READ)) != 0)
		return e;
	/* E2BIG is what tells libxenstore to use DIRECTORY_PART. */
	for (i = 0; i < v.nkids; i++)
		if ((e = xs_msg_appendstr(m, xs_view_kid(&v, i))) != 0)
			return e;
	return 0;
}

/* Index of the child starting at byte offset off of the list, or -1. */
static long
part_start(const struct xs_view *v, unsigned long off)
{
	unsigned long	 at = 0;
	uint32_t	 i;

	for (i = 0; i < v->nkids && at < off; i++)
		at += strlen(xs_view_kid(v, i)) + 1;
	return at == off ? (long)i : -1;
}

/*
 * Reply: generation, then as many whole names from offset as fit, then
 * an empty string if that reached the end of the list.
 */
static int
op_directory_part(struct xs_req *r, struct xs_msg *m)
{
	char		 path[XS_PATH_BUF], gen[24], *end;
	struct xs_view	 v;
	unsigned long	 off;
	long		 i;
	bool		 rel;
	int		 e;

	if (xs_req_nargs(r, 2) != 0 ||
	    (e = xs_path_canon(r->who.domid, r->argv[0], path, &rel)) != 0)
		return EINVAL;
	/* The node first, as C xenstored: a missing one is ENOENT. */
	if ((e = node_get(r, path, &v, XS_PERM_READ)) != 0)
		return e;
	errno = 0;
	off = strtoul(r->argv[1], &end, 10);
	if (errno != 0 || *end != '\0' || end == r->argv[1])
		return EINVAL;
	if ((i = part_start(&v, off)) < 0)
		return EINVAL;
	snprintf(gen, sizeof(gen), "%" PRIu64, v.gen);
	(void)xs_msg_appendstr(m, gen);
	for (; i < (long)v.nkids; i++) {
		/* Keep a byte for the terminator should this be the last. */
		if (strlen(xs_view_kid(&v, (uint32_t)i)) + 2 > xs_msg_room(m))
			return 0;
		(void)xs_msg_appendstr(m, xs_view_kid(&v, (uint32_t)i));
	}
	return xs_msg_append(m, "", 1);
}

static int
append_perms(struct xs_msg *m, const struct xs_perm *p, uint32_t n)
{
	char		 buf[16];
	uint32_t	 i;
	int		 e;

	for (i = 0; i < n; i++) {
		xs_perm_format(&p[i], buf, sizeof(buf));
		if ((e = xs_msg_appendstr(m, buf)) != 0)
			return e;
	}
	return 0;
}

/*
 * @introduceDomain and @releaseDomain have permissions like a node's
 * (xs_special.h), outside the tree and so outside transactions: reading
 * them takes read access, changing them ownership, and only the
 * privileged may give one away.
 */
static int
special_get_perms(struct xs_req *r, struct xs_msg *m)
{
	struct xs_special	*s;

	if (xs_req_nargs(r, 1) != 0 ||
	    (s = xs_special_find(&r->conn->srv->specials, r->argv[0])) == NULL)
		return EINVAL;
	if (!xs_perm_can(&r->who, s->perms, s->nperms, XS_PERM_READ))
		return EACCES;
	return append_perms(m, s->perms, s->nperms);
}

static int
special_set_perms(struct xs_req *r, const struct xs_perm *p, int n)
{
	struct xs_special	*s;

	if ((s = xs_special_find(&r->conn->srv->specials, r->argv[0])) == NULL)
		return EINVAL;
	if (!xs_perm_can(&r->who, s->perms, s->nperms,
	    XS_PERM_WRITE | XS_PERM_OWNER))
		return EACCES;
	if (!r->who.priv && p[0].domid != s->perms[0].domid)
		return EPERM;
	return xs_special_set(s, p, (uint32_t)n);
}

static int
op_get_perms(struct xs_req *r, struct xs_msg *m)
{
	char		 path[XS_PATH_BUF];
	struct xs_view	 v;
	int		 e;

	if (r->argc >= 1 && r->argv[0][0] == '@')
		return special_get_perms(r, m);
	if ((e = arg_path(r, path)) != 0 ||
	    (e = node_get(r, path, &v, XS_PERM_READ)) != 0)
		return e;
	return append_perms(m, v.perms, v.nperms);
}

/* Permissions for nodes created under a parent with these. */
static int
inherit_perms(const struct xs_req *r, const struct xs_view *parent,
    struct xs_perm **out)
{
	struct xs_perm	*p;

	if ((p = reallocarray(NULL, parent->nperms, sizeof(*p))) == NULL)
		return ENOMEM;
	memcpy(p, parent->perms, parent->nperms * sizeof(*p));
	/* Unprivileged domains own what they create. */
	if (!r->who.priv)
		p[0].domid = r->who.domid;
	*out = p;
	return 0;
}

static long
count_missing(const char *path, size_t have)
{
	long	 n = 0;

	for (; path[have] != '\0'; have++)
		n += path[have] == '/';
	return n;
}

/*
 * The node quota counts against the creator; a transaction's own
 * creations count too, since they will land on commit.
 */
static int
check_new_nodes(const struct xs_req *r, long n)
{
	long	 pending = r->db.txn ? xs_txn_created(r->db.txn) : 0;

	if (!quota_applies(r))
		return 0;
	return xs_dom_check_nodes(r->conn->srv->doms, r->who.domid,
	    n + pending);
}

static int
check_size(const struct xs_req *r, size_t vlen)
{
	const struct xs_quota	*q = &r->conn->srv->quota;

	if (quota_applies(r) && q->node_size > 0 &&
	    vlen > (size_t)q->node_size)
		return ENOSPC;
	return 0;
}

/* Growth is charged to the owner of the bytes. */
static int
check_bytes(const struct xs_req *r, unsigned owner, long grow)
{
	if (!quota_applies(r))
		return 0;
	return xs_dom_check_bytes(r->conn->srv->doms, owner, grow);
}

/*
 * Create path and its missing parents, the last one to hold vlen bytes
 * once the caller writes them; the caller fires the watch.
 */
static int
create_path(struct xs_req *r, const char *path, size_t vlen)
{
	char		 prefix[XS_PATH_BUF];
	struct xs_view	 near;
	struct xs_perm	*p;
	size_t		 plen, i;
	long		 n;
	int		 e;

	if ((e = xs_db_nearest(&r->db, path, &near, &plen)) != 0)
		return e;
	if (!xs_perm_can(&r->who, near.perms, near.nperms, XS_PERM_WRITE))
		return EACCES;
	n = count_missing(path, plen);
	if ((e = check_size(r, vlen)) != 0 ||
	    (e = check_new_nodes(r, n)) != 0 ||
	    (e = check_bytes(r, r->who.domid, (long)(vlen + strlen(path) -
	    plen) + n * (long)(near.nperms * sizeof(struct xs_perm)))) != 0)
		return e;
	if ((e = inherit_perms(r, &near, &p)) != 0)
		return e;
	for (i = plen + 1; e == 0; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		memcpy(prefix, path, i);
		prefix[i] = '\0';
		e = xs_db_create(&r->db, prefix, p, near.nperms);
		if (path[i] == '\0')
			break;
	}
	free(p);
	return e;
}

static int
op_write(struct xs_req *r, struct xs_msg *m)
{
	char		 path[XS_PATH_BUF];
	const uint8_t	*nul = memchr(r->body, '\0', r->len), *val;
	struct xs_view	 v;
	uint32_t	 vlen;
	bool		 rel;
	int		 e;

	if (nul == NULL ||
	    xs_path_canon(r->who.domid, (const char *)r->body, path, &rel))
		return EINVAL;
	val = nul + 1;
	vlen = (uint32_t)(r->len - (size_t)(val - r->body));
	/* Permission first, then quotas (create_path does the same). */
	if ((e = xs_db_get(&r->db, path, &v)) == 0) {
		if (!xs_perm_can(&r->who, v.perms, v.nperms, XS_PERM_WRITE))
			return EACCES;
		if ((e = check_size(r, vlen)) == 0)
			e = check_bytes(r, v.perms[0].domid,
			    (long)vlen - v.vlen);
	} else if (e == ENOENT)
		e = create_path(r, path, vlen);
	if (e != 0 || (e = xs_db_set_value(&r->db, path, val, vlen)) != 0 ||
	    (e = xs_db_get(&r->db, path, &v)) != 0)
		return e;
	xs_db_changed(&r->db, path, false, v.perms, v.nperms, NULL);
	return xs_reply_ok(m);
}

static int
op_mkdir(struct xs_req *r, struct xs_msg *m)
{
	char		 path[XS_PATH_BUF];
	struct xs_view	 v;
	int		 e;

	if ((e = arg_path(r, path)) != 0)
		return e;
	if ((e = xs_db_get(&r->db, path, &v)) == 0)
		return xs_perm_can(&r->who, v.perms, v.nperms,
		    XS_PERM_WRITE) ? xs_reply_ok(m) : EACCES;
	if (e != ENOENT || (e = create_path(r, path, 0)) != 0 ||
	    (e = xs_db_get(&r->db, path, &v)) != 0)
		return e;
	xs_db_changed(&r->db, path, false, v.perms, v.nperms, NULL);
	return xs_reply_ok(m);
}

/*
 * RM of a missing node is fine as long as its parent exists and the
 * caller may write there (C xenstored's rule).
 */
static int
rm_missing(struct xs_req *r, const char *path, struct xs_msg *m)
{
	size_t	 have = 0;
	int	 e;

	if ((e = missing(r, path, XS_PERM_WRITE, &have)) != ENOENT)
		return e;
	if (have != xs_path_parent_len(path))
		return ENOENT;
	return xs_reply_ok(m);
}

static int
op_rm(struct xs_req *r, struct xs_msg *m)
{
	char		 path[XS_PATH_BUF];
	struct xs_view	 v;
	struct xs_perm	*keep;
	struct xs_watch_below *below;
	uint32_t	 nkeep;
	int		 e;

	if ((e = arg_path(r, path)) != 0)
		return e;
	/* The root is nobody's to remove; as C, a guest hears EACCES. */
	if (strcmp(path, "/") == 0)
		return r->who.priv ? EINVAL : EACCES;
	if ((e = xs_db_get(&r->db, path, &v)) == ENOENT)
		return rm_missing(r, path, m);
	if (e != 0)
		return e;
	if (!xs_perm_can(&r->who, v.perms, v.nperms, XS_PERM_WRITE))
		return EACCES;
	/* Watchers are judged by the node's permissions before it went. */
	nkeep = v.nperms;
	if ((keep = reallocarray(NULL, nkeep, sizeof(*keep))) == NULL)
		return ENOMEM;
	memcpy(keep, v.perms, nkeep * sizeof(*keep));
	/* In a transaction, the commit looks (xs_txn_commit's prep). */
	below = r->db.txn == NULL ? xs_watch_below(r->conn->srv, path) : NULL;
	if ((e = xs_db_remove(&r->db, path)) == 0) {
		xs_db_changed(&r->db, path, true, keep, nkeep, below);
		e = xs_reply_ok(m);
	} else
		xs_watch_below_free(below);
	free(keep);
	return e;
}

/* The permission strings after the path; n of them. */
static int
parse_perms(const struct xs_req *r, struct xs_perm **out, int *np)
{
	const char	*s = (const char *)r->body;
	const char	*end = s + r->len;
	struct xs_perm	*p;
	int		 n = r->argc - 1, i;

	if ((p = reallocarray(NULL, (size_t)n, sizeof(*p))) == NULL)
		return ENOMEM;
	s += strlen(s) + 1;
	for (i = 0; i < n && s < end; i++, s += strlen(s) + 1)
		if (xs_perm_parse(s, &p[i]) != 0) {
			free(p);
			return EINVAL;
		}
	*out = p;
	*np = n;
	return 0;
}

static int
set_perms(struct xs_req *r, const char *path, const struct xs_perm *p,
    int n)
{
	struct xs_view		 v;
	int			 e;

	if ((e = node_get(r, path, &v, XS_PERM_WRITE | XS_PERM_OWNER)) != 0)
		return e;
	/* Only the privileged may give a node away. */
	if (!r->who.priv && p[0].domid != v.perms[0].domid)
		return EPERM;
	if ((e = xs_db_set_perms(&r->db, path, p, (uint32_t)n)) != 0)
		return e;
	xs_db_changed(&r->db, path, false, p, (uint32_t)n, NULL);
	return 0;
}

static int
op_set_perms(struct xs_req *r, struct xs_msg *m)
{
	char		 path[XS_PATH_BUF];
	const struct xs_quota	*q = &r->conn->srv->quota;
	struct xs_perm	*p;
	bool		 rel;
	int		 e, n;

	/* As C: too many entries is ENOSPC before anything is parsed. */
	if (r->argc >= 2 && quota_applies(r) && q->perms > 0 &&
	    r->argc - 1 > q->perms)
		return ENOSPC;
	if (r->argc < 2 || (r->argv[0][0] != '@' &&
	    xs_path_canon(r->who.domid, r->argv[0], path, &rel) != 0))
		return EINVAL;
	if ((e = parse_perms(r, &p, &n)) != 0)
		return e;
	e = r->argv[0][0] == '@' ? special_set_perms(r, p, n) :
	    set_perms(r, path, p, n);
	free(p);
	return e != 0 ? e : xs_reply_ok(m);
}

/*
 * A watch path: a node path (relative ones are remembered as such) or
 * one of the special names, which only those who may read it may watch.
 */
static int
watch_path(const struct xs_req *r, char *path, size_t *relcut)
{
	struct xs_special	*s;
	bool			 rel;
	int			 e;

	*relcut = 0;
	if (r->argc < 2)
		return EINVAL;
	if (r->argv[0][0] == '@') {
		if ((s = xs_special_find(&r->conn->srv->specials,
		    r->argv[0])) == NULL)
			return EINVAL;
		if (!xs_perm_can(&r->who, s->perms, s->nperms, XS_PERM_READ))
			return EACCES;
		strcpy(path, r->argv[0]);
		return 0;
	}
	if ((e = xs_path_canon(r->who.domid, r->argv[0], path, &rel)) != 0)
		return e;
	if (rel)
		*relcut = strlen(path) - strlen(r->argv[0]);
	return 0;
}

static int
op_watch(struct xs_req *r, struct xs_msg *m)
{
	char		 path[XS_PATH_BUF];
	size_t		 relcut;
	int		 e;

	if ((e = watch_path(r, path, &relcut)) != 0 ||
	    (e = xs_watch_add(r->conn->srv, r->conn, path, relcut,
	    r->argv[1], &r->fire)) != 0)
		return e;
	return xs_reply_ok(m);
}

static int
op_unwatch(struct xs_req *r, struct xs_msg *m)
{
	char		 path[XS_PATH_BUF];
	size_t		 relcut;
	int		 e;

	if (r->argc < 2)
		return EINVAL;
	/* A path no watch could have (C xenstored says the same). */
	if (watch_path(r, path, &relcut) != 0)
		return ENOENT;
	if ((e = xs_watch_del(r->conn->srv, r->conn, path, r->argv[1])) != 0)
		return e;
	return xs_reply_ok(m);
}

static int
op_reset_watches(struct xs_req *r, struct xs_msg *m)
{
	xs_watch_drop_conn(r->conn->srv, r->conn);
	xs_conn_txn_drop_all(r->conn);
	return xs_reply_ok(m);
}

static int
op_transaction_start(struct xs_req *r, struct xs_msg *m)
{
	const struct xs_quota	*q = &r->conn->srv->quota;
	struct xs_dom		*d;
	struct xs_txn		*t;
	char			 id[16];

	if (r->hdr->tx_id != 0)
		return EBUSY;
	if ((d = xs_dom_get(r->conn->srv->doms, r->who.domid)) == NULL)
		return ENOMEM;
	if (quota_applies(r) && q->transactions > 0 &&
	    d->txns >= q->transactions)
		return ENOSPC;
	t = xs_txn_new(xs_server_txid(r->conn->srv), r->conn->srv->tree,
	    quota_applies(r) && q->txn_nodes > 0 ? (size_t)q->txn_nodes : 0);
	if (t == NULL || xs_conn_txn_add(r->conn, t) != 0) {
		xs_txn_free(t);
		return ENOMEM;
	}
	d->txns++;
	snprintf(id, sizeof(id), "%u", xs_txn_id(t));
	return xs_msg_appendstr(m, id);
}

static void *
commit_prep(void *arg, const char *path)
{
	return xs_watch_below(arg, path);
}

static void
commit_fire(void *arg, const char *path, bool rm, const struct xs_perm *p,
    uint32_t np, void *prep)
{
	(void)rm;		/* a removal's watchers below are in prep */
	xs_watch_fire(arg, path, p, np, prep);
}

static int
op_transaction_end(struct xs_req *r, struct xs_msg *m)
{
	struct xs_txn	*t;
	bool		 commit;
	int		 e = 0;

	if (xs_req_nargs(r, 1) != 0 ||
	    (strcmp(r->argv[0], "T") != 0 && strcmp(r->argv[0], "F") != 0))
		return EINVAL;
	commit = r->argv[0][0] == 'T';
	/* Whatever the outcome, the id is finished with. */
	if ((t = xs_conn_txn_take(r->conn, r->hdr->tx_id)) == NULL)
		return ENOENT;
	if (commit)
		e = xs_txn_commit(t, commit_prep, commit_fire, r->conn->srv);
	xs_txn_free(t);
	return e != 0 ? e : xs_reply_ok(m);
}

/*
 * Every operation, and the privilege it needs: declared here once, and
 * checked once in run(), never in the handlers.  "priv" operations are
 * the privileged domains' alone (dom0 and --priv-domid's; as C xenstored
 * 4.17: a guest may not introduce, release or resume domains, ask which
 * are introduced, name a device model's target, or send CONTROL).
 */
struct op {
	xs_op_fn	 fn;
	bool		 txn;		/* runs in the request's transaction */
	bool		 priv;		/* privileged only: EACCES before all */
};

static const struct op ops[XS_TYPE_COUNT] = {
	[XS_CONTROL] = { .fn = xs_op_control, .priv = true },
	[XS_DIRECTORY] = { .fn = op_directory, .txn = true },
	[XS_READ] = { .fn = op_read, .txn = true },
	[XS_GET_PERMS] = { .fn = op_get_perms, .txn = true },
	[XS_WATCH] = { .fn = op_watch },
	[XS_UNWATCH] = { .fn = op_unwatch },
	[XS_TRANSACTION_START] = { .fn = op_transaction_start },
	[XS_TRANSACTION_END] = { .fn = op_transaction_end },
	[XS_INTRODUCE] = { .fn = xs_op_introduce, .priv = true },
	[XS_RELEASE] = { .fn = xs_op_release, .priv = true },
	[XS_GET_DOMAIN_PATH] = { .fn = xs_op_get_domain_path },
	[XS_WRITE] = { .fn = op_write, .txn = true },
	[XS_MKDIR] = { .fn = op_mkdir, .txn = true },
	[XS_RM] = { .fn = op_rm, .txn = true },
	[XS_SET_PERMS] = { .fn = op_set_perms, .txn = true },
	[XS_IS_DOMAIN_INTRODUCED] = { .fn = xs_op_is_introduced, .priv = true },
	[XS_RESUME] = { .fn = xs_op_resume, .priv = true },
	[XS_SET_TARGET] = { .fn = xs_op_set_target, .priv = true },
	[XS_RESET_WATCHES] = { .fn = op_reset_watches },
	[XS_DIRECTORY_PART] = { .fn = op_directory_part, .txn = true },
};

/*
 * What a transaction holds counts against the domain's memory quota, so
 * ten transactions cannot hold ten times what the domain may own; the
 * bytes are given back when the transaction ends (xs_conn_txn_take).
 */
static int
run_in_txn(const struct op *op, struct xs_req *r, struct xs_msg *m)
{
	struct xs_doms	*doms = r->conn->srv->doms;
	long		 before = xs_txn_bytes(r->db.txn);
	int		 e;

	if (quota_applies(r) &&
	    (e = xs_dom_check_txn(doms, r->conn->domid)) != 0)
		return e;
	e = op->fn(r, m);
	xs_dom_charge_txn(doms, r->conn->domid,
	    xs_txn_bytes(r->db.txn) - before);
	return e;
}

static int
run(struct xs_req *r, struct xs_msg *m)
{
	const struct op	*op;

	if (r->hdr->type >= XS_TYPE_COUNT || ops[r->hdr->type].fn == NULL)
		return ENOSYS;
	op = &ops[r->hdr->type];
	/* As C: privilege is checked before the transaction id. */
	if (op->priv && !r->who.priv)
		return EACCES;
	/* Watches have nothing to do with transactions: C ignores tx_id. */
	if (r->hdr->tx_id == 0 || r->hdr->type == XS_WATCH ||
	    r->hdr->type == XS_UNWATCH)
		return op->fn(r, m);
	/* Any other request: an unknown transaction is ENOENT (as C). */
	if ((r->db.txn = xs_conn_txn_find(r->conn, r->hdr->tx_id)) == NULL)
		return ENOENT;
	if (!op->txn) {
		r->db.txn = NULL;
		return op->fn(r, m);
	}
	return run_in_txn(op, r, m);
}

void
xs_ops_dispatch(struct xs_conn *c, const struct xsd_sockmsg *hdr,
    const uint8_t *body, size_t len)
{
	struct xs_req	 r = { .conn = c, .hdr = hdr, .body = body,
			    .len = len };
	struct xs_msg	*m;
	int		 e;

	r.argc = xs_wire_args(body, len, r.argv, XS_MAXARGS);
	r.who = xs_conn_who(c);
	r.db.srv = c->srv;
	if ((m = xs_msg_new(hdr->type, hdr->req_id, hdr->tx_id)) == NULL) {
		xs_conn_reply(c, NULL);
		return;
	}
	if ((e = run(&r, m)) != 0) {
		log_debug("%s: %s: %s", c->desc, xs_wire_typename(hdr->type),
		    xs_wire_errname(e));
		xs_msg_free(m);
		xs_conn_error(c, e, hdr);
		return;
	}
	if (r.defer) {
		xs_msg_free(m);
		return;
	}
	xs_conn_reply(c, m);
	/* A new watch fires once, after its OK, with the path as given. */
	if (r.fire != NULL)
		xs_conn_event(c, r.argv[0], r.fire->token);
}
