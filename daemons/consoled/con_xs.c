#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
/* xenctrl.h first: it tells the Xen headers after it this is a tool. */
#include <xenctrl.h>
#include <xenstore.h>

#include "con_dom.h"
#include "con_xs.h"
#include "xs_filter.h"
#include "log.h"

#define BATCH		64
#define TOKEN_DOM	"dom:"

struct con_xs {
	struct con_doms		*t;
	struct xs_handle	*xs;
	xc_interface		*xch;
	struct event		*ev;
	unsigned		 self;	/* our own domain: not served */
	bool			 told_grant;	/* the grant warning, once */
};

/* A small value under the domain's directory; malloc'd, or NULL. */
static char *
dom_read(struct con_xs *x, unsigned domid, const char *key)
{
	char path[96], *v;
	unsigned len;

	snprintf(path, sizeof(path), "/local/domain/%u/%s", domid, key);
	if ((v = xs_read(x->xs, XBT_NULL, path, &len)) != NULL &&
	    (len > 4096 || strlen(v) != len)) {
		free(v);
		return NULL;
	}
	return v;
}

static bool
dom_read_uint(struct con_xs *x, unsigned domid, const char *key,
    unsigned *out)
{
	char *v = dom_read(x, domid, key), *end;
	unsigned long n;
	bool ok;

	if (v == NULL)
		return false;
	errno = 0;
	n = strtoul(v, &end, 10);
	ok = *v != '\0' && *end == '\0' && errno == 0 && n <= 0xffffffffu;
	free(v);
	*out = (unsigned)n;
	return ok;
}

/*
 * libxl waits for console/tty to be non-empty (10 s, then it fails the
 * domain's creation), so it is written for every console we attach.
 * Only a pty in dom0 is worth naming there: a console domain's pty is in
 * another domain, and dom0's xenconsole would open the dom0 pty of the
 * same number.  Otherwise the value is a path under /dev/null, which no
 * one can open (ENOTDIR), saying where the console is served.
 */
static void
write_tty(struct con_xs *x, struct con_dom *d)
{
	char path[96], tty[64];

	if (x->self != 0)
		snprintf(tty, sizeof(tty), "/dev/null/console-domain-%u",
		    x->self);
	else if (d->pty.master == -1)
		snprintf(tty, sizeof(tty), "/dev/null/consoled-without-pty");
	else
		snprintf(tty, sizeof(tty), "%s", d->pty.path);
	snprintf(path, sizeof(path), "/local/domain/%u/console/tty",
	    d->domid);
	if (!xs_write(x->xs, XBT_NULL, path, tty, strlen(tty)))
		log_warn("domain %u: writing %s", d->domid, path);
}

/* The domain's console keys changed (or may have): attach as they say. */
static void
refresh(struct con_xs *x, struct con_dom *d)
{
	unsigned ref, port;
	char *type;
	bool ours;

	type = dom_read(x, d->domid, "console/type");
	ours = type == NULL || strcmp(type, "xenconsoled") == 0;
	free(type);
	if (!ours || !dom_read_uint(x, d->domid, "console/ring-ref", &ref) ||
	    !dom_read_uint(x, d->domid, "console/port", &port)) {
		if (con_dom_attached(d))
			con_dom_detach(d);
		return;
	}
	if (con_dom_attached(d) && ref == d->ringref && port == d->rport)
		return;
	if (d->bad && ref == d->ringref && port == d->rport)
		return;		/* the same broken ring: leave it */
	if (con_dom_attached(d))
		con_dom_detach(d);
	if (con_dom_attach(d, ref, port) == 0)
		write_tty(x, d);
}

static void
dom_watch(struct con_xs *x, unsigned domid, bool on)
{
	char path[64], token[32];

	snprintf(path, sizeof(path), "/local/domain/%u/console", domid);
	snprintf(token, sizeof(token), TOKEN_DOM "%u", domid);
	if (on && !xs_watch(x->xs, path, token))
		log_warn("domain %u: watching %s", domid, path);
	/* The domain's nodes may be gone already; that is not news. */
	if (!on && !xs_unwatch(x->xs, path, token))
		log_debug("domain %u: unwatching %s: %s", domid, path,
		    strerror(errno));
}

static void
dom_add(struct con_xs *x, unsigned domid)
{
	struct con_dom *d;
	char *name = dom_read(x, domid, "name"), byid[16];

	/* A name we may not read (a console domain not granted it) or an
	 * empty one: the log is then named by the id. */
	if (name == NULL || name[0] == '\0')
		snprintf(byid, sizeof(byid), "dom%u", domid);
	d = con_dom_new(x->t, domid, name == NULL || name[0] == '\0' ?
	    byid : name);
	free(name);
	if (d == NULL) {
		log_warnx("domain %u: out of memory", domid);
		return;
	}
	log_info("domain %u (%s) found", domid, d->name);
	dom_watch(x, domid, true);	/* fires at once: refresh() */
}

static void
dom_gone(struct con_xs *x, struct con_dom *d)
{
	log_info("domain %u (%s) gone: %llu bytes seen, %llu dropped",
	    d->domid, d->name, (unsigned long long)d->seen,
	    (unsigned long long)d->dropped);
	dom_watch(x, d->domid, false);
	con_dom_free(d);
}

/* Appends id to a growing array; false when out of memory. */
static bool
ids_add(unsigned **ids, size_t *n, unsigned id)
{
	unsigned *ni;

	if ((ni = reallocarray(*ids, *n + 1, sizeof(**ids))) == NULL)
		return false;
	ni[(*n)++] = id;
	*ids = ni;
	return true;
}

/*
 * The live domains as Xen lists them, in batches.  0 on success, else
 * the errno: EPERM or EACCES when Xen will not tell this domain.
 */
static int
list_by_xen(struct con_xs *x, unsigned **ids, size_t *n)
{
	xc_dominfo_t info[BATCH];
	uint32_t first = 1;
	int got, i;

	do {
		/* Xen answers ESRCH when no domain is at or past first. */
		if ((got = xc_domain_getinfo(x->xch, first, BATCH, info)) < 0)
			return errno == ESRCH ? 0 : errno;
		for (i = 0; i < got; i++)
			if (!info[i].dying && !ids_add(ids, n, info[i].domid))
				return ENOMEM;
		if (got > 0)
			first = info[got - 1].domid + 1;
	} while (got == BATCH);
	return 0;
}

/*
 * The domains as the toolstack lists them in xenstore: what a console
 * domain, which Xen does not answer (getdomaininfo is for dom0 and the
 * xenstore domain), may read once dom0 granted it /local/domain.  A
 * domain is there from its creation until the toolstack destroys it.
 */
static int
list_by_store(struct con_xs *x, unsigned **ids, size_t *n)
{
	char **names, *end;
	unsigned num, i;
	unsigned long id;

	if ((names = xs_directory(x->xs, XBT_NULL, "/local/domain",
	    &num)) == NULL)
		return errno;
	for (i = 0; i < num; i++) {
		errno = 0;
		id = strtoul(names[i], &end, 10);
		if (names[i][0] == '\0' || *end != '\0' || errno != 0 ||
		    id >= DOMID_FIRST_RESERVED)
			continue;	/* not a domain's directory */
		if (!ids_add(ids, n, (unsigned)id)) {
			free(names);
			return ENOMEM;
		}
	}
	free(names);
	return 0;
}

/* The live domains, from Xen if it answers us, else from xenstore. */
static int
list_domains(struct con_xs *x, unsigned **ids, size_t *n)
{
	int err;

	if (x->xch != NULL) {
		if ((err = list_by_xen(x, ids, n)) != EPERM && err != EACCES)
			return err;
		log_info("Xen does not list domains to this one (%s): "
		    "listing /local/domain in xenstore from now on",
		    strerror(err));
		xc_interface_close(x->xch);
		x->xch = NULL;
		free(*ids);
		*ids = NULL;
		*n = 0;
	}
	if ((err = list_by_store(x, ids, n)) == EACCES && !x->told_grant) {
		log_warnx("may not list /local/domain: dom0 must grant this "
		    "domain read on it (docs/consoled.md)");
		x->told_grant = true;
	}
	return err;
}

static bool
listed(const unsigned *ids, size_t n, unsigned domid)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ids[i] == domid)
			return true;
	return false;
}

/* Which domains are there now?  New ones are added, gone ones freed. */
static void
scan(struct con_xs *x)
{
	struct con_dom *d, *next;
	unsigned *ids = NULL;
	size_t n = 0, i;
	int err;

	if ((err = list_domains(x, &ids, &n)) != 0) {
		if (err != EACCES)
			log_warnx("listing domains: %s", strerror(err));
		free(ids);
		return;
	}
	for (d = LIST_FIRST(&x->t->doms); d != NULL; d = next) {
		next = LIST_NEXT(d, entry);
		if (!listed(ids, n, d->domid))
			dom_gone(x, d);
	}
	for (i = 0; i < n; i++)
		if (ids[i] != 0 && ids[i] != x->self &&
		    con_dom_find(x->t, ids[i]) == NULL)
			dom_add(x, ids[i]);
	free(ids);
}

static void
on_watch(struct con_xs *x, const char *token)
{
	struct con_dom *d;
	unsigned long id;
	char *end;

	if (strncmp(token, TOKEN_DOM, strlen(TOKEN_DOM)) != 0) {
		scan(x);
		return;
	}
	id = strtoul(token + strlen(TOKEN_DOM), &end, 10);
	if (*end == '\0' && (d = con_dom_find(x->t, (unsigned)id)) != NULL)
		refresh(x, d);
}

static void
on_xs(evutil_socket_t fd, short what, void *arg)
{
	struct con_xs *x = arg;
	char **w;

	(void)fd;
	(void)what;
	while ((w = xs_check_watch(x->xs)) != NULL) {
		on_watch(x, w[XS_WATCH_TOKEN]);
		free(w);
	}
	if (errno != EAGAIN)
		log_warn("xenstore watch");
}

/*
 * In a console domain (a stub domain), our own console is dom0's to
 * serve.  The relative path "domid" is our /local/domain/N/domid; dom0
 * has none.
 */
static unsigned
own_domid(struct xs_handle *xs)
{
	unsigned int	 len;
	char		*v, *end;
	unsigned long	 id = 0;

	if ((v = xs_read(xs, XBT_NULL, "domid", &len)) != NULL) {
		id = strtoul(v, &end, 10);
		if (*v == '\0' || *end != '\0')
			id = 0;
		free(v);
	}
	return (unsigned)id;
}

int
con_xs_store_rules(struct xs_filter *f)
{
	static const char *const read[] = { "@introduceDomain",
	    "@releaseDomain", "/local/domain", "/local/domain/*/name",
	    "/local/domain/*/console/**", "domid", NULL };
	size_t	 i;

	for (i = 0; read[i] != NULL; i++)
		if (xs_filter_add(f, read[i], XS_FILTER_READ) != 0)
			return -1;
	return xs_filter_add(f, "/local/domain/*/console/tty",
	    XS_FILTER_WRITE);
}

struct con_xs *
con_xs_open(struct con_doms *t)
{
	struct con_xs *x;

	if ((x = calloc(1, sizeof(*x))) == NULL)
		return NULL;
	x->t = t;
	if ((x->xs = xs_open(0)) == NULL) {
		log_warn("xs_open");
		goto fail;
	}
	x->self = own_domid(x->xs);
	if (x->self != 0)
		log_info("in domain %u: serving the consoles of the domains "
		    "whose console backend it is", x->self);
	/* Without it (a domain without privcmd) xenstore lists domains. */
	if ((x->xch = xc_interface_open(NULL, NULL, 0)) == NULL)
		log_warn("xc_interface_open: listing domains in xenstore");
	if (!xs_watch(x->xs, "@introduceDomain", "intro") ||
	    !xs_watch(x->xs, "@releaseDomain", "release")) {
		log_warn("watching @introduceDomain and @releaseDomain");
		goto fail;
	}
	x->ev = event_new(t->base, xs_fileno(x->xs), EV_READ | EV_PERSIST,
	    on_xs, x);
	if (x->ev == NULL || event_add(x->ev, NULL) == -1)
		goto fail;
	return x;
fail:
	con_xs_close(x);
	return NULL;
}

void
con_xs_close(struct con_xs *x)
{
	if (x == NULL)
		return;
	if (x->ev != NULL)
		event_free(x->ev);
	if (x->xch != NULL)
		xc_interface_close(x->xch);
	if (x->xs != NULL)
		xs_close(x->xs);
	free(x);
}
