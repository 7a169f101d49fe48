#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "xs_conn.h"
#include "xs_domain.h"
#include "xs_path.h"
#include "xs_ring.h"
#include "xs_server.h"
#include "xs_sock.h"
#include "xs_state.h"
#include "xs_tree.h"
#include "xs_txn.h"
#include "xs_watch.h"

#define STATE_MAGIC	0x53585332u	/* "SXS2": with the specials' perms */
#define STATE_END	0x454e4421u	/* "END!" */

/* ---- writing ---- */

struct wr {
	FILE	*f;
	bool	 bad;
};

static void
w_bytes(struct wr *w, const void *p, size_t len)
{
	if (len > 0 && fwrite(p, 1, len, w->f) != len)
		w->bad = true;
}

static void
w_u32(struct wr *w, uint32_t v)
{
	w_bytes(w, &v, sizeof(v));
}

static void
w_u64(struct wr *w, uint64_t v)
{
	w_bytes(w, &v, sizeof(v));
}

static void
w_blob(struct wr *w, const void *p, size_t len)
{
	w_u32(w, (uint32_t)len);
	w_bytes(w, p, len);
}

static void
w_str(struct wr *w, const char *s)
{
	w_blob(w, s, strlen(s));
}

static int
count_node(struct xs_node *n, void *arg)
{
	(void)n;
	(*(uint64_t *)arg)++;
	return 0;
}

static int
save_node(struct xs_node *n, void *arg)
{
	struct wr	*w = arg;
	char		 path[XS_PATH_BUF];
	uint32_t	 i;

	xs_tree_path(n, path, sizeof(path));
	w_str(w, path);
	w_u32(w, xs_node_nperms(n));
	for (i = 0; i < xs_node_nperms(n); i++) {
		w_u32(w, xs_node_perms(n)[i].domid);
		w_u32(w, xs_node_perms(n)[i].mode);
	}
	w_blob(w, xs_node_value(n), xs_node_vlen(n));
	return 0;
}

static void
save_tree(struct wr *w, struct xs_server *srv)
{
	uint64_t	 n = 0;

	xs_tree_walk(srv->tree->root, count_node, &n);
	w_u64(w, n);
	xs_tree_walk(srv->tree->root, save_node, w);	/* parents first */
}

static void
count_target(const struct xs_dom *d, void *arg)
{
	if (d->target != XS_NO_TARGET)
		(*(uint32_t *)arg)++;
}

static void
save_target(const struct xs_dom *d, void *arg)
{
	if (d->target == XS_NO_TARGET)
		return;
	w_u32(arg, d->domid);
	w_u32(arg, (uint32_t)d->target);
}

static void
save_specials(struct wr *w, const struct xs_server *srv)
{
	const struct xs_special	*s;
	uint32_t		 i, k;

	for (k = 0; k < XS_NSPECIAL; k++) {
		s = &srv->specials.v[k];
		w_u32(w, s->nperms);
		for (i = 0; i < s->nperms; i++) {
			w_u32(w, s->perms[i].domid);
			w_u32(w, s->perms[i].mode);
		}
	}
}

static bool
carried(const struct xs_conn *c)
{
	struct xs_tp_info	 i = { .kind = XS_TP_OTHER };

	if (c->tp->info != NULL)
		c->tp->info(c->tparg, &i);
	return i.kind != XS_TP_OTHER && !c->dead;
}

static void
save_out(struct wr *w, const struct xs_conn *c, const struct xs_msg *last)
{
	const struct xs_msg	*m;
	uint32_t		 n = last != NULL;
	size_t			 off = c->out_off;

	for (m = c->out_head; m != NULL; m = m->next)
		n++;
	w_u32(w, n);
	for (m = c->out_head; m != NULL; m = m->next, off = 0) {
		w_u32(w, m->event);
		w_blob(w, m->u.bytes + off, m->len - off);	/* head: the rest */
	}
	if (last != NULL) {
		w_u32(w, 0);
		w_blob(w, last->u.bytes, last->len);
	}
}

static void
save_conn(struct wr *w, const struct xs_conn *c, const struct xs_msg *last)
{
	struct xs_tp_info	 i;
	size_t			 k;

	c->tp->info(c->tparg, &i);
	w_u32(w, i.kind);
	w_u32(w, (uint32_t)i.fd);
	w_u32(w, c->domid);
	w_u32(w, i.rport);
	w_bytes(w, &c->hdr, sizeof(c->hdr));
	w_u32(w, (uint32_t)c->hdr_got);
	w_blob(w, c->body, c->hdr_got == XS_HDR_LEN ? c->body_got : 0);
	w_blob(w, c->in + c->in_off, c->in_len - c->in_off);
	w_u64(w, c->dropped);
	w_u32(w, (uint32_t)c->ntxns);
	for (k = 0; k < c->ntxns; k++)
		w_u32(w, xs_txn_id(c->txns[k]));
	save_out(w, c, last);
}

static void
save_conns(struct wr *w, struct xs_server *srv, struct xs_conn *lastc,
    const struct xs_msg *last)
{
	struct xs_conn	*c;
	uint32_t	 n = 0;

	TAILQ_FOREACH(c, &srv->conns, entry)
		n += carried(c);
	w_u32(w, n);
	TAILQ_FOREACH(c, &srv->conns, entry)
		if (carried(c))
			save_conn(w, c, c == lastc ? last : NULL);
}

/* Watches name their connection by its place among the carried ones. */
static uint32_t
conn_index(struct xs_server *srv, const struct xs_conn *want)
{
	struct xs_conn	*c;
	uint32_t	 i = 0;

	TAILQ_FOREACH(c, &srv->conns, entry) {
		if (c == want)
			return i;
		i += carried(c);
	}
	return UINT32_MAX;
}

static void
save_watches(struct wr *w, struct xs_server *srv)
{
	struct xs_watch	*x;
	uint32_t	 n = 0;

	TAILQ_FOREACH(x, &srv->watches, entry)
		n += carried(x->conn);
	w_u32(w, n);
	TAILQ_FOREACH(x, &srv->watches, entry) {
		if (!carried(x->conn))
			continue;
		w_u32(w, conn_index(srv, x->conn));
		w_u32(w, (uint32_t)x->relcut);
		w_str(w, x->path);
		w_str(w, x->token);
	}
}

struct dead_rings {
	struct wr	*w;
	uint32_t	 n;
	bool		 write;
};

static void
dead_ring(unsigned domid, unsigned rport, struct xs_conn *c, void *arg)
{
	struct dead_rings	*d = arg;

	if (c != NULL && !c->dead)
		return;
	d->n++;
	if (d->write) {
		w_u32(d->w, domid);
		w_u32(d->w, rport);
	}
}

static void
save_dead_rings(struct wr *w, struct xs_server *srv)
{
	struct dead_rings	 d = { w, 0, false };

	if (srv->rings != NULL)
		xs_rings_foreach(srv->rings, dead_ring, &d);
	w_u32(w, d.n);
	d.write = true;
	if (srv->rings != NULL)
		xs_rings_foreach(srv->rings, dead_ring, &d);
}

int
xs_state_save(struct xs_server *srv, struct xs_listener *l,
    struct xs_conn *lastc, const struct xs_msg *last)
{
	struct wr	 w = { NULL, false };
	uint32_t	 ntargets = 0;
	int		 fd, dfd;

	if ((fd = memfd_create("xenstored-state", MFD_CLOEXEC)) == -1)
		return -1;
	if ((dfd = dup(fd)) == -1 || (w.f = fdopen(dfd, "w")) == NULL) {
		if (dfd != -1)
			close(dfd);
		close(fd);
		return -1;
	}
	w_u32(&w, STATE_MAGIC);
	w_u32(&w, srv->next_txid);
	w_u64(&w, srv->events_dropped);
	save_tree(&w, srv);
	xs_doms_foreach(srv->doms, count_target, &ntargets);
	w_u32(&w, ntargets);
	xs_doms_foreach(srv->doms, save_target, &w);
	save_specials(&w, srv);
	w_u32(&w, (uint32_t)xs_sock_fd(l));
	w_str(&w, xs_sock_path(l));
	save_dead_rings(&w, srv);
	save_conns(&w, srv, lastc, last);
	save_watches(&w, srv);
	w_u32(&w, STATE_END);
	if (fclose(w.f) != 0 || w.bad || lseek(fd, 0, SEEK_SET) == -1) {
		close(fd);
		errno = EIO;
		return -1;
	}
	return fd;
}

/* ---- reading: checked, though it comes from ourselves ---- */

struct rd {
	const uint8_t	*p, *end;
	bool		 bad;
};

static const void *
r_bytes(struct rd *r, size_t len)
{
	const void	*p = r->p;

	if (r->bad || (size_t)(r->end - r->p) < len) {
		r->bad = true;
		return NULL;
	}
	r->p += len;
	return p;
}

static uint32_t
r_u32(struct rd *r)
{
	uint32_t	 v = 0;
	const void	*p = r_bytes(r, sizeof(v));

	if (p != NULL)
		memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t
r_u64(struct rd *r)
{
	uint64_t	 v = 0;
	const void	*p = r_bytes(r, sizeof(v));

	if (p != NULL)
		memcpy(&v, p, sizeof(v));
	return v;
}

/* A blob of at most max bytes; *len set. */
static const void *
r_blob(struct rd *r, size_t max, size_t *len)
{
	*len = r_u32(r);
	if (*len > max) {
		r->bad = true;
		return NULL;
	}
	return r_bytes(r, *len);
}

/* Into buf, NUL-terminated. */
static const char *
r_str(struct rd *r, char *buf, size_t size)
{
	size_t		 len;
	const void	*p = r_blob(r, size - 1, &len);

	if (p == NULL)
		return NULL;
	memcpy(buf, p, len);
	buf[len] = '\0';
	return buf;
}

/* Parents come first, so a new node's parent is there already. */
static struct xs_node *
load_parent(struct xs_tree *t, const char *path)
{
	char	 parent[XS_PATH_BUF];
	size_t	 pl = xs_path_parent_len(path);

	memcpy(parent, path, pl);
	parent[pl] = '\0';
	return xs_tree_lookup(t, parent);
}

static int
load_node(struct rd *r, struct xs_tree *t)
{
	/* As many as a SET_PERMS payload can name ("r0" and a NUL each). */
	static struct xs_perm	 perms[XENSTORE_PAYLOAD_MAX / 3];
	char			 path[XS_PATH_BUF];
	struct xs_node		*n, *parent;
	const void		*v;
	size_t			 vlen;
	uint32_t		 np, i;

	if (r_str(r, path, sizeof(path)) == NULL || path[0] != '/' ||
	    (np = r_u32(r)) == 0 || np > sizeof(perms) / sizeof(perms[0]))
		return -1;
	for (i = 0; i < np; i++) {
		perms[i].domid = r_u32(r);
		perms[i].mode = (uint8_t)r_u32(r);
	}
	if ((v = r_blob(r, XENSTORE_PAYLOAD_MAX, &vlen)) == NULL && vlen > 0)
		return -1;
	if (r->bad)
		return -1;
	if ((n = xs_tree_lookup(t, path)) == NULL) {
		if ((parent = load_parent(t, path)) == NULL ||
		    xs_tree_add(t, parent, xs_path_base(path), perms, np,
		    &n) != 0)
			return -1;
	} else if (xs_tree_set_perms(t, n, perms, np) != 0)
		return -1;
	return xs_tree_set_value(t, n, v, (uint32_t)vlen);
}

static int
load_tree(struct rd *r, struct xs_server *srv)
{
	uint64_t	 n = r_u64(r), i;

	for (i = 0; i < n && !r->bad; i++)
		if (load_node(r, srv->tree) != 0) {
			log_warnx("live update: node %" PRIu64 " of %" PRIu64
			    " did not load", i, n);
			return -1;
		}
	return r->bad ? -1 : 0;
}

static int
load_targets(struct rd *r, struct xs_server *srv)
{
	uint32_t	 n = r_u32(r), i, domid;
	struct xs_dom	*d;

	for (i = 0; i < n && !r->bad; i++) {
		domid = r_u32(r);
		if ((d = xs_dom_get(srv->doms, domid)) == NULL)
			return -1;
		d->target = (int)r_u32(r);
	}
	return r->bad ? -1 : 0;
}

static int
load_specials(struct rd *r, struct xs_server *srv)
{
	struct xs_perm	 perms[XENSTORE_PAYLOAD_MAX / 3];
	uint32_t	 n, i, k;

	for (k = 0; k < XS_NSPECIAL; k++) {
		if ((n = r_u32(r)) == 0 || n > sizeof(perms) / sizeof(perms[0]))
			return -1;
		for (i = 0; i < n; i++) {
			perms[i].domid = r_u32(r);
			perms[i].mode = (uint8_t)r_u32(r);
		}
		if (r->bad ||
		    xs_special_set(&srv->specials.v[k], perms, n) != 0)
			return -1;
	}
	return 0;
}

static int
load_dead_rings(struct rd *r, struct xs_server *srv)
{
	uint32_t	 n = r_u32(r), i, domid, rport;

	for (i = 0; i < n && !r->bad; i++) {
		domid = r_u32(r);
		rport = r_u32(r);
		if (srv->rings != NULL)
			(void)xs_ring_adopt(srv->rings, domid, rport, false);
	}
	return r->bad ? -1 : 0;
}

static struct xs_conn *
conn_open(struct xs_server *srv, struct xs_listener *l, uint32_t kind,
    int fd, unsigned domid, unsigned rport)
{
	switch (kind) {
	case XS_TP_SOCKET:
		return xs_sock_adopt(l, fd);
	case XS_TP_RING:
		return srv->rings != NULL ?
		    xs_ring_adopt(srv->rings, domid, rport, true) : NULL;
	case XS_TP_KERNEL:
		return srv->rings != NULL ?
		    xs_rings_kernel_conn(srv->rings) : NULL;
	}
	return NULL;
}

static int
load_out(struct rd *r, struct xs_conn *c)
{
	uint32_t	 n = r_u32(r), i, event;
	const void	*p;
	size_t		 len;
	struct xs_msg	*m;

	for (i = 0; i < n && !r->bad; i++) {
		event = r_u32(r);
		if ((p = r_blob(r, XS_HDR_LEN + XENSTORE_PAYLOAD_MAX,
		    &len)) == NULL)
			return -1;
		if (c == NULL)
			continue;
		if ((m = malloc(offsetof(struct xs_msg, u) + len)) == NULL)
			return -1;
		m->len = len;
		m->event = event != 0;
		memcpy(m->u.bytes, p, len);
		xs_conn_requeue(c, m);
	}
	return r->bad ? -1 : 0;
}

/*
 * A transaction open across the update comes back empty and doomed: what
 * the client does in it works as usual, and its END answers EAGAIN, so
 * the client retries it as after any conflict.
 */
static int
doomed_txn(struct xs_conn *c, uint32_t id)
{
	const struct xs_quota	*q = &c->srv->quota;
	struct xs_dom		*d;
	struct xs_txn		*t;

	if ((d = xs_dom_get(c->srv->doms, c->domid)) == NULL ||
	    (t = xs_txn_new(id, c->srv->tree, c->domid != 0 &&
	    q->txn_nodes > 0 ? (size_t)q->txn_nodes : 0)) == NULL)
		return -1;
	if (xs_conn_txn_add(c, t) != 0) {
		xs_txn_free(t);
		return -1;
	}
	xs_txn_doom(t);
	d->txns++;
	return 0;
}

/* The connection's half-read input and the rest; c NULL: skip it. */
static int
load_conn_state(struct rd *r, struct xs_conn *c)
{
	const void	*hdr, *body, *in;
	size_t		 blen, ilen;
	uint32_t	 hgot, ntxns, i;
	uint64_t	 dropped;

	hdr = r_bytes(r, sizeof(c->hdr));
	hgot = r_u32(r);
	body = r_blob(r, XENSTORE_PAYLOAD_MAX, &blen);
	in = r_blob(r, XS_CONN_INBUF, &ilen);
	dropped = r_u64(r);
	if (r->bad || hgot > XS_HDR_LEN)
		return -1;
	if (c != NULL) {
		memcpy(&c->hdr, hdr, sizeof(c->hdr));
		c->hdr_got = hgot;
		c->body_got = blen;
		memcpy(c->body, body, blen);
		memcpy(c->in, in, ilen);
		c->in_off = 0;
		c->in_len = ilen;
		c->dropped = dropped;
	}
	ntxns = r_u32(r);
	for (i = 0; i < ntxns && !r->bad; i++)
		if (c != NULL && doomed_txn(c, r_u32(r)) != 0)
			return -1;
	return load_out(r, c);
}

static int
load_conns(struct rd *r, struct xs_server *srv, struct xs_listener *l,
    struct xs_conn ***out, uint32_t *nout)
{
	uint32_t	 n = r_u32(r), i, kind, fd, domid, rport;
	struct xs_conn	**v;

	if (r->bad || n > 1u << 20 || (v = calloc(n + 1, sizeof(*v))) == NULL)
		return -1;
	*out = v;
	*nout = n;
	for (i = 0; i < n && !r->bad; i++) {
		kind = r_u32(r);
		fd = r_u32(r);
		domid = r_u32(r);
		rport = r_u32(r);
		if (r->bad)
			break;
		/* A connection that cannot come back is lost alone. */
		if ((v[i] = conn_open(srv, l, kind, (int)fd, domid,
		    rport)) == NULL)
			log_warnx("live update: connection %u (kind %u) is "
			    "lost", i, kind);
		if (load_conn_state(r, v[i]) != 0)
			return -1;
	}
	return r->bad ? -1 : 0;
}

static int
load_watches(struct rd *r, struct xs_server *srv, struct xs_conn **conns,
    uint32_t nconns)
{
	char		 path[XS_PATH_BUF], token[XENSTORE_PAYLOAD_MAX + 1];
	uint32_t	 n = r_u32(r), i, ci, relcut;
	struct xs_watch	*w;

	for (i = 0; i < n && !r->bad; i++) {
		ci = r_u32(r);
		relcut = r_u32(r);
		if (r_str(r, path, sizeof(path)) == NULL ||
		    r_str(r, token, sizeof(token)) == NULL)
			return -1;
		if (ci < nconns && conns[ci] != NULL &&
		    xs_watch_add(srv, conns[ci], path, relcut, token, &w) != 0)
			log_warnx("live update: watch on %s is lost", path);
	}
	return r->bad ? -1 : 0;
}

static int
load(struct rd *r, struct xs_server *srv, struct event_base *base,
    struct xs_listener **l, struct xs_conn ***conns, uint32_t *nconns)
{
	char		 path[XS_PATH_BUF];
	uint32_t	 lfd;

	if (r_u32(r) != STATE_MAGIC) {
		log_warnx("live update: not a state this version knows");
		return -1;
	}
	srv->next_txid = r_u32(r);
	srv->events_dropped = r_u64(r);
	if (load_tree(r, srv) != 0 || load_targets(r, srv) != 0 ||
	    load_specials(r, srv) != 0)
		return -1;
	lfd = r_u32(r);
	if (r_str(r, path, sizeof(path)) == NULL ||
	    (*l = xs_sock_adopt_listener(base, srv, path, (int)lfd)) == NULL)
		return -1;
	if (load_dead_rings(r, srv) != 0 ||
	    load_conns(r, srv, *l, conns, nconns) != 0 ||
	    load_watches(r, srv, *conns, *nconns) != 0 ||
	    r_u32(r) != STATE_END || r->bad)
		return -1;
	return 0;
}

/* Serve what restored connections hold; either call may free one. */
static void
resume_all(struct xs_server *srv, struct xs_conn **conns, uint32_t n)
{
	struct xs_tp_info	 i;
	uint32_t		 k;

	for (k = 0; k < n; k++) {
		if (conns[k] == NULL)
			continue;
		conns[k]->tp->info(conns[k]->tparg, &i);
		if (i.kind == XS_TP_SOCKET)
			xs_conn_resume(conns[k]);
	}
	if (srv->rings != NULL)
		xs_rings_kick_all(srv->rings);
}

int
xs_state_restore(int fd, struct xs_server *srv, struct event_base *base,
    struct xs_listener **l)
{
	struct xs_conn	**conns = NULL;
	uint32_t	  nconns = 0;
	struct stat	  st;
	void		 *map;
	struct rd	  r;
	int		  rc;

	*l = NULL;
	if (fstat(fd, &st) == -1 || st.st_size <= 0 ||
	    (map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd,
	    0)) == MAP_FAILED) {
		log_warn("live update: reading the state");
		close(fd);
		return -1;
	}
	close(fd);
	r = (struct rd){ map, (const uint8_t *)map + st.st_size, false };
	rc = load(&r, srv, base, l, &conns, &nconns);
	munmap(map, (size_t)st.st_size);
	if (rc != 0)
		log_warnx("live update: the state is damaged");
	else {
		log_info("live update: %zu nodes, %u connections restored",
		    srv->tree->nnodes, nconns);
		resume_all(srv, conns, nconns);
	}
	free(conns);
	return rc;
}
