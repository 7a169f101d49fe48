/*
 * rpc_inbox: the service's side of the vchan rendezvous (rpc_vchan.h has
 * the layout): what a watch event on inbox/ means, taking a call, and
 * refusing one over a limit.
 *
 * Each event costs O(1) in the number of entries waiting: it names one
 * entry, and only that entry is read.  The whole inbox is listed only
 * when the event names the inbox itself (the first event after the
 * watch is set, so calls posted before we started are taken).  An entry
 * is a call when its value is "1"; an empty one is a caller part way
 * through posting, and is remembered (with its owner, the caller's
 * domid, which xenstored sets) so that one domain cannot leave more than
 * pending_per_domain of them: past that, the newest is removed.
 *
 * A call over a limit (vchans at once for all callers, or for this
 * caller) is refused by writing "busy: REASON" into the caller's entry
 * (the caller made it writable by us), which the caller watches and
 * removes; the entry is the caller's node, charged to its quota, so a
 * caller that never removes it costs us nothing.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxenvchan.h>
#include <xenstore.h>

#include "log.h"
#include "rpc_server_int.h"
#include "rpc_vchan.h"

/* An entry seen empty: a caller part way through posting a call. */
struct rpc_pending {
	LIST_ENTRY(rpc_pending)	 entry;
	char			 nonce[RPC_VCHAN_NONCE + 1];
	struct rpc_pending_dom	*dom;
};

/* How many a domain has; kept while it has any. */
struct rpc_pending_dom {
	LIST_ENTRY(rpc_pending_dom)	 entry;
	unsigned			 domid;
	unsigned			 n;
};

static struct rpc_pending *
pending_find(struct rpc_server *s, const char *nonce)
{
	struct rpc_pending	*p;

	LIST_FOREACH(p, &s->pending[rpc_inbox_bucket(nonce)], entry)
		if (strcmp(p->nonce, nonce) == 0)
			return p;
	return NULL;
}

static struct rpc_pending_dom *
pending_dom(struct rpc_server *s, unsigned domid, bool make)
{
	struct rpc_pending_dom	*d;

	LIST_FOREACH(d, &s->pending_doms[domid % RPC_INBOX_BUCKETS], entry)
		if (d->domid == domid)
			return d;
	if (!make || (d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	d->domid = domid;
	LIST_INSERT_HEAD(&s->pending_doms[domid % RPC_INBOX_BUCKETS], d,
	    entry);
	return d;
}

static void
pending_free(struct rpc_server *s, struct rpc_pending *p)
{
	LIST_REMOVE(p, entry);
	s->npending--;
	if (--p->dom->n == 0) {
		LIST_REMOVE(p->dom, entry);
		free(p->dom);
	}
	free(p);
}

static void
pending_forget(struct rpc_server *s, const char *nonce)
{
	struct rpc_pending	*p = pending_find(s, nonce);

	if (p != NULL)
		pending_free(s, p);
}

void
rpc_inbox_clear(struct rpc_server *s)
{
	struct rpc_pending	*p;
	unsigned		 i;

	for (i = 0; i < RPC_INBOX_BUCKETS; i++)
		while ((p = LIST_FIRST(&s->pending[i])) != NULL)
			pending_free(s, p);
}

unsigned
rpc_inbox_bucket(const char *nonce)
{
	unsigned	 h = 2166136261u;

	while (*nonce != '\0')
		h = (h ^ (unsigned char)*nonce++) * 16777619u;
	return h % RPC_INBOX_BUCKETS;
}

static unsigned
entry_owner(struct rpc_server *s, const char *path, bool *ok)
{
	struct xs_permissions	*perms;
	unsigned int		 n;
	unsigned		 owner = 0;

	perms = xs_get_permissions(s->xs, XBT_NULL, path, &n);
	*ok = perms != NULL && n > 0;
	if (*ok)
		owner = perms[0].id;	/* set by xenstored: not forgeable */
	free(perms);
	return owner;
}

/* An empty entry: remember it, or remove it if its caller has too many. */
static void
note_pending(struct rpc_server *s, const char *nonce, const char *path)
{
	struct rpc_pending	*p;
	struct rpc_pending_dom	*d;
	unsigned		 caller;
	bool			 ok;

	if (pending_find(s, nonce) != NULL)
		return;
	caller = entry_owner(s, path, &ok);
	if (!ok)
		return;
	d = pending_dom(s, caller, false);
	if (d != NULL && d->n >= (unsigned)s->limits.pending_per_domain) {
		if (s->stats.pending_dropped++ == 0 ||
		    s->stats.pending_dropped % 1000 == 0)
			log_warnx("rpc: domain %u leaves %u unfinished calls in "
			    "the inbox: removing more (%llu so far)", caller,
			    (unsigned)s->limits.pending_per_domain,
			    s->stats.pending_dropped);
		xs_rm(s->xs, XBT_NULL, path);
		return;
	}
	if ((d = pending_dom(s, caller, true)) == NULL)
		return;
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		if (d->n == 0) {
			LIST_REMOVE(d, entry);
			free(d);
		}
		return;
	}
	snprintf(p->nonce, sizeof(p->nonce), "%s", nonce);
	p->dom = d;
	d->n++;
	LIST_INSERT_HEAD(&s->pending[rpc_inbox_bucket(nonce)], p, entry);
	s->npending++;
}

/* Tell the caller why, in its own entry; it watches it. */
static void
refuse(struct rpc_server *s, const char *path, unsigned caller,
    const char *reason, unsigned limit)
{
	char	 why[128];

	s->stats.refused++;
	snprintf(why, sizeof(why), "busy: %s (%u)", reason, limit);
	log_warnx("rpc: domain %u: refused a call, %s", caller, why + 6);
	if (!xs_write(s->xs, XBT_NULL, path, why, strlen(why)))
		xs_rm(s->xs, XBT_NULL, path);
}

/* A complete entry: take it (remove it) and make the caller's vchan. */
static void
take_call(struct rpc_server *s, const char *nonce, const char *path)
{
	char			 conn[RPC_VCHAN_PATHMAX + 48];
	struct libxenvchan	*vc;
	unsigned		 caller;
	bool			 ok;

	caller = entry_owner(s, path, &ok);
	if (!ok || rpc_vchan_conn_path(conn, sizeof(conn), (unsigned)s->self,
	    nonce) != 0)
		return;
	if (s->nvchans >= (unsigned)s->limits.connections) {
		refuse(s, path, caller, "the service has its most vchans open",
		    (unsigned)s->limits.connections);
		return;
	}
	if (rpc_server_peers_of(s, caller) >= (unsigned)s->limits.per_domain) {
		refuse(s, path, caller, "your domain has its most connections",
		    (unsigned)s->limits.per_domain);
		return;
	}
	/* Removing it is taking it: never twice, and the inbox stays small. */
	if (!xs_rm(s->xs, XBT_NULL, path)) {
		log_warnx("rpc: inbox entry %s: cannot remove it, ignored",
		    nonce);
		return;
	}
	if ((vc = libxenvchan_server_init(rpc_vchan_logger, (int)caller, conn,
	    RPC_VCHAN_RING, RPC_VCHAN_RING)) == NULL) {
		log_warn("rpc: a vchan for domain %u", caller);
		return;
	}
	log_debug("rpc: domain %u: vchan at %s", caller, conn);
	rpc_server_adopt_vchan(s, vc, caller);
}

/* One entry, named by an event or a listing. */
static void
inbox_entry(struct rpc_server *s, const char *nonce)
{
	char		 path[RPC_VCHAN_PATHMAX + 48], *v;
	unsigned int	 len;

	if (strlen(nonce) != RPC_VCHAN_NONCE)
		return;			/* not a caller's: left alone */
	snprintf(path, sizeof(path), "%s/inbox/%s", s->base_path, nonce);
	if ((v = xs_read(s->xs, XBT_NULL, path, &len)) == NULL) {
		/* Gone (taken, withdrawn), or not yet readable by us. */
		if (errno == ENOENT)
			pending_forget(s, nonce);
		return;
	}
	if (len == 0)
		note_pending(s, nonce, path);
	else {
		pending_forget(s, nonce);
		if (len == 1 && v[0] == '1')
			take_call(s, nonce, path);
		/* Anything else: a refusal we wrote, or not a call. */
	}
	free(v);
}

static void
inbox_scan(struct rpc_server *s)
{
	char		 inbox[RPC_VCHAN_PATHMAX + 8], **names;
	unsigned int	 n, i;

	snprintf(inbox, sizeof(inbox), "%s/inbox", s->base_path);
	if ((names = xs_directory(s->xs, XBT_NULL, inbox, &n)) == NULL)
		return;
	for (i = 0; i < n; i++)
		inbox_entry(s, names[i]);
	free(names);
}

void
rpc_inbox_event(struct rpc_server *s, const char *path)
{
	size_t		 blen = strlen(s->base_path);
	const char	*rest;
	char		 nonce[RPC_VCHAN_NONCE + 2];
	size_t		 n;

	if (strncmp(path, s->base_path, blen) != 0 ||
	    strncmp(path + blen, "/inbox", 6) != 0)
		return;
	rest = path + blen + 6;
	if (*rest == '\0') {
		inbox_scan(s);		/* the inbox itself: list it */
		return;
	}
	if (*rest++ != '/')
		return;
	/* inbox/NONCE or something below it: NONCE is what changed. */
	n = strcspn(rest, "/");
	if (n == 0 || n >= sizeof(nonce))
		return;
	memcpy(nonce, rest, n);
	nonce[n] = '\0';
	inbox_entry(s, nonce);
}
