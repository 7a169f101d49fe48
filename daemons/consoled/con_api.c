#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "con_api.h"

static struct con_dom *
lookup(struct con_doms *t, const char *dom)
{
	struct con_dom *d;

	if ((d = con_dom_lookup(t, dom)) == NULL)
		errno = ENOENT;
	return d;
}

int
con_api_list(struct con_doms *t, struct con_dominfo **v, size_t *n)
{
	struct con_dom *d;
	struct con_dominfo *out;
	size_t i = 0;

	*v = NULL;
	*n = 0;
	LIST_FOREACH(d, &t->doms, entry)
		i++;
	if ((out = calloc(i ? i : 1, sizeof(*out))) == NULL)
		return -1;
	i = 0;
	LIST_FOREACH(d, &t->doms, entry) {
		out[i].domid = d->domid;
		snprintf(out[i].name, sizeof(out[i].name), "%s", d->name);
		out[i].seen = d->seen;
		out[i].dropped = d->dropped;
		out[i].bad = d->bad;
		out[i].attached = con_dom_attached(d);
		snprintf(out[i].tty, sizeof(out[i].tty), "%s", d->pty.path);
		snprintf(out[i].log, sizeof(out[i].log), "%s",
		    d->log.path != NULL ? d->log.path : "");
		i++;
	}
	*v = out;
	*n = i;
	return 0;
}

int
con_api_tail(struct con_doms *t, const char *dom, enum con_unit unit,
    size_t n, char **buf, size_t *len)
{
	struct con_dom *d;
	size_t k;

	*buf = NULL;
	*len = 0;
	if ((d = lookup(t, dom)) == NULL)
		return -1;
	if (unit != CON_LINES && unit != CON_BYTES) {
		errno = EINVAL;
		return -1;
	}
	if (unit == CON_LINES)
		k = con_buf_tail_lines(&d->hist, n);
	else
		k = n < d->hist.len ? n : d->hist.len;
	if ((*buf = malloc(k + 1)) == NULL)
		return -1;
	con_buf_copy(&d->hist, d->hist.len - k, *buf, k);
	(*buf)[k] = '\0';
	*len = k;
	return 0;
}

struct con_follow *
con_api_follow(struct con_doms *t, const char *dom, con_follow_fn fn,
    void *arg)
{
	struct con_dom *d;
	struct con_follow *f;

	if (fn == NULL) {
		errno = EINVAL;
		return NULL;
	}
	if ((d = lookup(t, dom)) == NULL ||
	    (f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	f->d = d;
	f->fn = fn;
	f->arg = arg;
	LIST_INSERT_HEAD(&d->follows, f, entry);
	return f;
}

void
con_api_unfollow(struct con_follow *f)
{
	if (f == NULL)
		return;
	LIST_REMOVE(f, entry);
	free(f);
}

ssize_t
con_api_write(struct con_doms *t, const char *dom, const void *p,
    size_t len)
{
	struct con_dom *d;
	ssize_t n;

	if ((d = lookup(t, dom)) == NULL)
		return -1;
	if (len == 0)
		return 0;
	if ((n = con_dom_input(d, p, len)) == 0) {
		errno = EAGAIN;
		return -1;
	}
	return n;
}
