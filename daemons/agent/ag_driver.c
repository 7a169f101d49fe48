/*
 * ag_driver: the one entry to whichever toolstack is configured.  The
 * calls go through the driver's table; opening loads the libxl module
 * only when the configuration names libxl (see ag_driver.h for why it
 * is a module).
 */
#include <dlfcn.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ag_config.h"
#include "ag_driver.h"

/* Beside the agent's own binary, unless the configuration says. */
static const char *
module_path(const struct ag_config *c, char *buf, size_t len)
{
	char	 self[PATH_MAX];
	ssize_t	 n;

	if (c->libxl.module != NULL)
		return c->libxl.module;
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) <= 0)
		return "agent-libxl.so";
	self[n] = '\0';
	snprintf(buf, len, "%s/agent-libxl.so", dirname(self));
	return buf;
}

static struct ag_driver *
open_libxl(struct event_base *base, const struct ag_config *c, char *err,
    size_t errlen)
{
	char		 buf[PATH_MAX];
	const char	*path = module_path(c, buf, sizeof(buf));
	void		*h;
	ag_libxl_new_fn	 fn;

	/* Kept loaded for the process's life: the driver's code is in it. */
	if ((h = dlopen(path, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		snprintf(err, errlen, "the libxl driver: %s", dlerror());
		return NULL;
	}
	if ((fn = (ag_libxl_new_fn)dlsym(h, AG_LIBXL_SYMBOL)) == NULL) {
		snprintf(err, errlen, "%s: no %s", path, AG_LIBXL_SYMBOL);
		dlclose(h);
		return NULL;
	}
	return fn(base, c->libxl.domain_config, err, errlen);
}

struct ag_driver *
ag_driver_open(struct event_base *base, const struct ag_config *c,
    char *err, size_t errlen)
{
	struct ag_driver	*d;

	if (c->libxl.domain_config != NULL)
		return open_libxl(base, c, err, errlen);
	if ((d = ag_xensim_new(base, c->xensim)) == NULL)
		snprintf(err, errlen, "the xensim driver: %s",
		    strerror(errno));
	return d;
}

int
ag_create(struct ag_driver *d, const struct ag_build *b, ag_done_fn done,
    void *arg)
{
	return d->ops->create(d, b, done, arg);
}

int
ag_unpause(struct ag_driver *d, uint32_t domid, ag_done_fn done, void *arg)
{
	return d->ops->unpause(d, domid, done, arg);
}

int
ag_pause(struct ag_driver *d, uint32_t domid, ag_done_fn done, void *arg)
{
	return d->ops->pause(d, domid, done, arg);
}

int
ag_destroy(struct ag_driver *d, uint32_t domid, ag_done_fn done, void *arg)
{
	return d->ops->destroy(d, domid, done, arg);
}

int
ag_list(struct ag_driver *d, ag_done_fn done, void *arg)
{
	return d->ops->list(d, done, arg);
}

unsigned
ag_busy(const struct ag_driver *d)
{
	return d->ops->busy(d);
}

const char *
ag_driver_name(const struct ag_driver *d)
{
	return d->ops->name;
}

void
ag_driver_free(struct ag_driver *d)
{
	if (d != NULL)
		d->ops->free(d);
}
