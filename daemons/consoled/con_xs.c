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
#include "log.h"

#define BATCH		64
#define TOKEN_DOM	"dom:"

struct con_xs {
	struct con_doms		*t;
	struct xs_handle	*xs;
	xc_interface		*xch;
	struct event		*ev;
	unsigned		 self;	/* our own domain: not served */
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

static void
write_tty(struct con_xs *x, struct con_dom *d)
{
	char path[96];

	if (d->pty.master == -1)
		return;
	snprintf(path, sizeof(path), "/local/domain/%u/console/tty",
	    d->domid);
	if (!xs_write(x->xs, XBT_NULL, path, d->pty.path,
	    strlen(d->pty.path)))
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

static bool
alive(const xc_dominfo_t *info, size_t n, unsigned domid)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (info[i].domid == domid)
			return !info[i].dying;
	return false;
}

/* Which domains are there now?  All of them, in batches. */
static void
scan(struct con_xs *x)
{
	xc_dominfo_t *info = NULL, *ni;
	struct con_dom *d, *next;
	size_t n = 0, i;
	int got;
	uint32_t first = 1;

	do {
		if ((ni = reallocarray(info, n + BATCH, sizeof(*info))) == NULL)
			goto out;
		info = ni;
		/* Xen answers ESRCH when no domain is at or past first. */
		if ((got = xc_domain_getinfo(x->xch, first, BATCH,
		    info + n)) < 0 && errno == ESRCH)
			got = 0;
		else if (got < 0) {
			log_warn("xc_domain_getinfo");
			goto out;
		}
		n += (size_t)got;
		if (got > 0)
			first = info[n - 1].domid + 1;
	} while (got == BATCH);
	for (d = LIST_FIRST(&x->t->doms); d != NULL; d = next) {
		next = LIST_NEXT(d, entry);
		if (!alive(info, n, d->domid))
			dom_gone(x, d);
	}
	for (i = 0; i < n; i++)
		if (info[i].domid != 0 && info[i].domid != x->self &&
		    !info[i].dying &&
		    con_dom_find(x->t, info[i].domid) == NULL)
			dom_add(x, info[i].domid);
out:
	free(info);
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
	if ((x->xch = xc_interface_open(NULL, NULL, 0)) == NULL) {
		log_warn("xc_interface_open");
		goto fail;
	}
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
