/*
 * ag_libxl: the agent's driver for Xen's libxl, built as agent-libxl.so
 * (ag_driver.h says why a module).  Every call is libxl's asynchronous
 * form on the agent's own libevent loop: libxl is given the loop through
 * its osevent hooks (its file descriptors and timeouts become events),
 * and each operation reports through its ao_how callback, which libxl
 * makes from inside libxl_osevent_occurred_*, that is from the loop.
 *
 * A domain is built from one libxl domain configuration in libxl's JSON
 * (what `xl create -n` prints for an xl config), read once at start;
 * each build makes "{n}" in it the domain's number, parses it again and
 * sets the name (PREFIX-N) and, if configured, the memory.  libxl builds
 * a domain paused; one asked for running is unpaused once built.
 * Listing is one hypercall (libxl_list_domain) told from the loop.
 *
 * libxl owns SIGCHLD while it has children (its hotplug scripts), the
 * "naive" mode of libxl_event.h: the agent runs no other child under
 * this driver.
 */
#include <sys/queue.h>
#include <sys/time.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <libxl.h>
#include <libxl_utils.h>
#include <xentoollog.h>

#include "ag_config.h"
#include "ag_driver.h"
#include "log.h"

#define CONFIG_MAX	(1 << 20)	/* the domain configuration's JSON */

enum op_kind { OP_CREATE, OP_UNPAUSE_NEW, OP_PLAIN };

struct libxl_op {
	LIST_ENTRY(libxl_op)	 entry;
	struct libxl_driver	*d;
	enum op_kind		 kind;
	const char		*what;		/* for the message */
	uint32_t		 domid;		/* create: libxl writes it */
	bool			 paused;	/* create: leave it so */
	libxl_domain_config	 config;	/* create: owned while built */
	struct event		*ev;		/* list: told from the loop */
	/* A call libxl refused at once, told from the loop too. */
	void			(*later_fn)(libxl_ctx *, int, void *);
	int			 later_rc;
	ag_done_fn		 done;
	void			*arg;
};

struct libxl_driver {
	struct ag_driver	 base_driver;	/* first: the table */
	struct event_base	*base;
	libxl_ctx		*ctx;
	xentoollog_logger_stdiostream *logger;
	char			*tmpl;		/* the configuration's JSON */
	LIST_HEAD(, libxl_op)	 ops;
	unsigned		 busy;
};

static struct libxl_driver *
driver(struct ag_driver *d)
{
	return (struct libxl_driver *)d;
}

/* ---- libxl's events on the loop ---- */

/* One fd or timeout libxl registered: an event, and libxl's token. */
struct reg {
	struct libxl_driver	*d;
	struct event		*ev;
	void			*for_libxl;
	short			 events;	/* poll()'s */
};

static short
to_libevent(short pollev)
{
	return (short)(((pollev & POLLIN) ? EV_READ : 0) |
	    ((pollev & POLLOUT) ? EV_WRITE : 0));
}

static void
on_fd(evutil_socket_t fd, short what, void *arg)
{
	struct reg	*r = arg;
	short		 revents = 0;

	if (what & EV_READ)
		revents |= POLLIN;
	if (what & EV_WRITE)
		revents |= POLLOUT;
	/* POLLHUP and POLLERR show as readable; libxl reads and sees. */
	libxl_osevent_occurred_fd(r->d->ctx, r->for_libxl, fd, r->events,
	    (short)(revents & r->events));
}

/* A hook that fails leaves the registration as it was (libxl_event.h). */
static int
arm_fd(struct reg *r, int fd, short events)
{
	short		 ev = to_libevent(events);
	struct event	*e = NULL;

	/* Asking for nothing (yet) is a registration without an event. */
	if (ev != 0 && ((e = event_new(r->d->base, fd, ev | EV_PERSIST, on_fd,
	    r)) == NULL || event_add(e, NULL) == -1)) {
		if (e != NULL)
			event_free(e);
		return ERROR_OSEVENT_REG_FAIL;
	}
	if (r->ev != NULL)
		event_free(r->ev);
	r->ev = e;
	r->events = events;
	return 0;
}

static int
fd_register(void *user, int fd, void **reg_out, short events,
    void *for_libxl)
{
	struct reg	*r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return ERROR_OSEVENT_REG_FAIL;
	r->d = user;
	r->for_libxl = for_libxl;
	if (arm_fd(r, fd, events) != 0) {
		free(r);
		return ERROR_OSEVENT_REG_FAIL;
	}
	*reg_out = r;
	return 0;
}

static int
fd_modify(void *user, int fd, void **reg_update, short events)
{
	(void)user;
	return arm_fd(*reg_update, fd, events);
}

static void
fd_deregister(void *user, int fd, void *reg)
{
	struct reg	*r = reg;

	(void)user;
	(void)fd;
	if (r->ev != NULL)
		event_free(r->ev);
	free(r);
}

/* Once fired, libxl counts the timeout gone (libxl_event.h). */
static void
on_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct reg	*r = arg;
	void		*for_libxl = r->for_libxl;
	libxl_ctx	*ctx = r->d->ctx;

	(void)fd;
	(void)what;
	event_free(r->ev);
	free(r);
	libxl_osevent_occurred_timeout(ctx, for_libxl);
}

static int
timeout_register(void *user, void **reg_out, struct timeval abs,
    void *for_libxl)
{
	struct libxl_driver	*d = user;
	struct reg		*r;
	struct timeval		 now, rel = { 0, 0 };

	gettimeofday(&now, NULL);
	if (timercmp(&abs, &now, >))
		timersub(&abs, &now, &rel);
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return ERROR_OSEVENT_REG_FAIL;
	r->d = d;
	r->for_libxl = for_libxl;
	if ((r->ev = evtimer_new(d->base, on_timeout, r)) == NULL ||
	    evtimer_add(r->ev, &rel) == -1) {
		if (r->ev != NULL)
			event_free(r->ev);
		free(r);
		return ERROR_OSEVENT_REG_FAIL;
	}
	*reg_out = r;
	return 0;
}

/* Only ever "now" ({0,0}); a timeout already firing is left to fire. */
static int
timeout_modify(void *user, void **reg_update, struct timeval abs)
{
	struct reg		*r = *reg_update;
	const struct timeval	 zero = { 0, 0 };

	(void)user;
	(void)abs;
	evtimer_add(r->ev, &zero);
	return 0;
}

static const libxl_osevent_hooks hooks = {
	.fd_register = fd_register,
	.fd_modify = fd_modify,
	.fd_deregister = fd_deregister,
	.timeout_register = timeout_register,
	.timeout_modify = timeout_modify,
};

/* ---- operations ---- */

static struct libxl_op *
op_new(struct libxl_driver *d, enum op_kind kind, const char *what,
    ag_done_fn done, void *arg)
{
	struct libxl_op	*o;

	if ((o = calloc(1, sizeof(*o))) == NULL)
		return NULL;
	o->d = d;
	o->kind = kind;
	o->what = what;
	o->done = done;
	o->arg = arg;
	LIST_INSERT_HEAD(&d->ops, o, entry);
	d->busy++;
	return o;
}

static void
op_finish(struct libxl_op *o, int err, const char *msg,
    const struct ag_result *res)
{
	LIST_REMOVE(o, entry);
	o->d->busy--;
	if (o->kind == OP_CREATE || o->kind == OP_UNPAUSE_NEW)
		libxl_domain_config_dispose(&o->config);
	if (o->ev != NULL)
		event_free(o->ev);
	o->done(o->arg, err, msg, res != NULL ? res : &(struct ag_result){
	    0 });
	free(o);
}

static void
later(evutil_socket_t fd, short what, void *arg)
{
	struct libxl_op	*o = arg;

	(void)fd;
	(void)what;
	o->later_fn(o->d->ctx, o->later_rc, o);
}

/*
 * A call that failed before libxl took it (libxl calls back only for
 * the ones it took): its callback run from the loop, as every answer
 * is told (ag_driver.h), not from inside the caller's call.
 */
static void
fail_later(struct libxl_op *o, void (*fn)(libxl_ctx *, int, void *), int rc)
{
	const struct timeval	 now = { 0, 0 };

	o->later_fn = fn;
	o->later_rc = rc;
	if (event_base_once(o->d->base, -1, EV_TIMEOUT, later, o, &now) != 0)
		fn(o->d->ctx, rc, o);	/* no memory for the event: now */
}

/* libxl's ERROR_* as the agent's callers see them. */
static void
op_failed(struct libxl_op *o, int rc)
{
	char	 msg[128];

	snprintf(msg, sizeof(msg), "libxl: %s failed: %s (%d)", o->what,
	    libxl_error_to_string(rc), rc);
	op_finish(o, rc == ERROR_NOMEM ? ENOMEM : EIO, msg, NULL);
}

static void
unpaused_new(libxl_ctx *ctx, int rc, void *arg)
{
	struct libxl_op	*o = arg;

	(void)ctx;
	if (rc != 0) {
		/* Built but not running: not left behind half-made. */
		libxl_domain_destroy(o->d->ctx, o->domid, NULL);
		op_failed(o, rc);
		return;
	}
	op_finish(o, 0, "", &(struct ag_result){ .domid = o->domid });
}

static void
built(libxl_ctx *ctx, int rc, void *arg)
{
	struct libxl_op		*o = arg;
	libxl_asyncop_how	 how = { .callback = unpaused_new,
	    .u.for_callback = o };

	(void)ctx;
	if (rc != 0) {
		op_failed(o, rc);	/* libxl took down what it made */
		return;
	}
	if (o->paused) {
		op_finish(o, 0, "", &(struct ag_result){ .domid = o->domid });
		return;
	}
	o->kind = OP_UNPAUSE_NEW;
	o->what = "unpausing the new domain";
	if ((rc = libxl_domain_unpause(o->d->ctx, o->domid, &how)) != 0)
		unpaused_new(o->d->ctx, rc, o);	/* from the loop already */
}

/* The configuration for domain N: "{n}" made N, then name and memory. */
static int
config_for(struct libxl_driver *d, const struct ag_build *b,
    libxl_domain_config *c)
{
	char	*json;
	int	 rc;

	if ((json = ag_config_number(d->tmpl, b->number)) == NULL)
		return ERROR_NOMEM;
	libxl_domain_config_init(c);
	rc = libxl_domain_config_from_json(d->ctx, c, json);
	free(json);
	if (rc != 0)
		return rc;
	free(c->c_info.name);
	if ((c->c_info.name = strdup(b->name)) == NULL)
		return ERROR_NOMEM;
	/* A UUID of its own: libxl keeps a domain's /vm/UUID in the store,
	 * and the JSON's (if xl wrote one) would be every domain's. */
	libxl_uuid_generate(&c->c_info.uuid);
	if (b->memory_mb > 0)
		c->b_info.max_memkb = c->b_info.target_memkb =
		    (uint64_t)b->memory_mb * 1024;
	return 0;
}

static int
libxl_create(struct ag_driver *drv, const struct ag_build *b,
    ag_done_fn done, void *arg)
{
	struct libxl_driver	*d = driver(drv);
	struct libxl_op		*o;
	libxl_asyncop_how	 how = { .callback = built };
	int			 rc;

	if ((o = op_new(d, OP_CREATE, "building the domain", done,
	    arg)) == NULL)
		return -1;
	o->paused = b->paused;
	o->domid = INVALID_DOMID;
	how.u.for_callback = o;
	if ((rc = config_for(d, b, &o->config)) != 0) {
		log_warnx("libxl: the domain configuration for %s: %s",
		    b->name, libxl_error_to_string(rc));
		fail_later(o, built, rc);
		return 0;
	}
	if ((rc = libxl_domain_create_new(d->ctx, &o->config, &o->domid,
	    &how, NULL)) != 0)
		fail_later(o, built, rc);
	return 0;
}

static void
plain_done(libxl_ctx *ctx, int rc, void *arg)
{
	struct libxl_op	*o = arg;

	(void)ctx;
	if (rc != 0)
		op_failed(o, rc);
	else
		op_finish(o, 0, "", NULL);
}

static int
plain(struct ag_driver *drv, const char *what,
    int (*fn)(libxl_ctx *, uint32_t, const libxl_asyncop_how *),
    uint32_t domid, ag_done_fn done, void *arg)
{
	struct libxl_driver	*d = driver(drv);
	struct libxl_op		*o;
	libxl_asyncop_how	 how = { .callback = plain_done };
	int			 rc;

	if ((o = op_new(d, OP_PLAIN, what, done, arg)) == NULL)
		return -1;
	how.u.for_callback = o;
	if ((rc = fn(d->ctx, domid, &how)) != 0)
		fail_later(o, plain_done, rc);
	return 0;
}

static int
libxl_unpause(struct ag_driver *d, uint32_t domid, ag_done_fn done,
    void *arg)
{
	return plain(d, "unpause", libxl_domain_unpause, domid, done, arg);
}

static int
libxl_pause(struct ag_driver *d, uint32_t domid, ag_done_fn done,
    void *arg)
{
	return plain(d, "pause", libxl_domain_pause, domid, done, arg);
}

static int
libxl_destroy(struct ag_driver *d, uint32_t domid, ag_done_fn done,
    void *arg)
{
	return plain(d, "destroy", libxl_domain_destroy, domid, done, arg);
}

static const char *
state_of(const libxl_dominfo *i)
{
	if (i->dying)
		return "dying";
	if (i->shutdown)
		return "shutdown";
	if (i->paused)
		return "paused";
	return "running";
}

/* The list as it is now, told from the loop as every call is. */
static void
tell_list(evutil_socket_t fd, short what, void *arg)
{
	struct libxl_op		*o = arg;
	struct libxl_driver	*d = o->d;
	struct ag_result	 res = { 0 };
	libxl_dominfo		*info;
	char			*name;
	int			 n, i;

	(void)fd;
	(void)what;
	if ((info = libxl_list_domain(d->ctx, &n)) == NULL) {
		op_finish(o, EIO, "libxl: listing the domains failed", NULL);
		return;
	}
	if (n > 0 && (res.doms = calloc((size_t)n, sizeof(*res.doms))) ==
	    NULL) {
		libxl_dominfo_list_free(info, n);
		op_finish(o, ENOMEM, "out of memory", NULL);
		return;
	}
	for (i = 0; i < n; i++) {
		struct ag_dominfo	*di = &res.doms[res.n];

		/* A domain going away as we look has no name: skipped. */
		if ((name = libxl_domid_to_name(d->ctx, info[i].domid)) ==
		    NULL)
			continue;
		di->domid = info[i].domid;
		snprintf(di->name, sizeof(di->name), "%s", name);
		snprintf(di->state, sizeof(di->state), "%s",
		    state_of(&info[i]));
		free(name);
		res.n++;
	}
	libxl_dominfo_list_free(info, n);
	op_finish(o, 0, "", &res);
	free(res.doms);
}

static int
libxl_list(struct ag_driver *drv, ag_done_fn done, void *arg)
{
	struct libxl_driver	*d = driver(drv);
	struct libxl_op		*o;

	if ((o = op_new(d, OP_PLAIN, "list", done, arg)) == NULL)
		return -1;
	if ((o->ev = event_new(d->base, -1, 0, tell_list, o)) == NULL) {
		LIST_REMOVE(o, entry);
		d->busy--;
		free(o);
		return -1;
	}
	event_active(o->ev, 0, 0);
	return 0;
}

static unsigned
libxl_busy(const struct ag_driver *d)
{
	return ((const struct libxl_driver *)d)->busy;
}

/*
 * A stopping agent: lists are told now, libxl's own operations under
 * way are told ECANCELED (finishing them would take the loop, which is
 * being torn down).  The context is then kept, not freed, until the
 * process exits, which closes all it holds: libxl_ctx_free() must not
 * be called under operations, and even when idle it does not free the
 * records libxl keeps for the osevent hooks (Xen 4.17's libxl.c never
 * empties its hook_fd_nexi_idle and hook_timeout_nexi_idle lists), so
 * freeing it would only turn those into leaks reported as the agent's.
 * A half-built PREFIX-N is adopted or removed by the next agent.
 */
static struct libxl_driver *kept_until_exit;

static void
libxl_free(struct ag_driver *drv)
{
	struct libxl_driver	*d = driver(drv);
	struct libxl_op		*o, *next;
	ag_done_fn		 done;
	int			 running = 0;

	for (o = LIST_FIRST(&d->ops); o != NULL; o = next) {
		next = LIST_NEXT(o, entry);
		if (o->ev != NULL) {
			tell_list(-1, 0, o);
			continue;
		}
		if ((done = o->done) == NULL)
			continue;
		o->done = NULL;
		running++;
		done(o->arg, ECANCELED, "the agent is stopping",
		    &(struct ag_result){ 0 });
	}
	if (running > 0)
		log_warnx("libxl: %d operation(s) under way at exit", running);
	kept_until_exit = d;
}

static const struct ag_driver_ops libxl_ops = {
	.name = "libxl",
	.create = libxl_create,
	.unpause = libxl_unpause,
	.pause = libxl_pause,
	.destroy = libxl_destroy,
	.list = libxl_list,
	.busy = libxl_busy,
	.free = libxl_free,
};

/* ---- set-up ---- */

static char *
read_config(const char *path, char *err, size_t errlen)
{
	FILE	*fp;
	char	*buf;
	size_t	 n;

	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if ((buf = malloc(CONFIG_MAX + 1)) == NULL) {
		fclose(fp);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	n = fread(buf, 1, CONFIG_MAX + 1, fp);
	fclose(fp);
	if (n == 0 || n > CONFIG_MAX) {
		snprintf(err, errlen, "%s: %s", path, n == 0 ? "empty" :
		    "larger than 1 MiB");
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

/* Checked once now (as domain 0), so that a bad file stops the start. */
static int
check_config(struct libxl_driver *d, const char *path, char *err,
    size_t errlen)
{
	libxl_domain_config	 c;
	int			 rc;

	rc = config_for(d, &(struct ag_build){ .name = "check" }, &c);
	libxl_domain_config_dispose(&c);
	if (rc != 0)
		snprintf(err, errlen, "%s: not a libxl domain configuration "
		    "in JSON (xl create -n FILE.cfg prints one): %s", path,
		    libxl_error_to_string(rc));
	return rc == 0 ? 0 : -1;
}

struct ag_driver *ag_libxl_new(struct event_base *, const char *, char *,
    size_t);

struct ag_driver *
ag_libxl_new(struct event_base *base, const char *config, char *err,
    size_t errlen)
{
	struct libxl_driver	*d;

	if ((d = calloc(1, sizeof(*d))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	d->base_driver.ops = &libxl_ops;
	d->base = base;
	LIST_INIT(&d->ops);
	if ((d->tmpl = read_config(config, err, errlen)) == NULL)
		goto fail;
	/* libxl's own messages, warnings and worse, on the agent's stderr. */
	if ((d->logger = xtl_createlogger_stdiostream(stderr, XTL_WARN,
	    0)) == NULL ||
	    libxl_ctx_alloc(&d->ctx, LIBXL_VERSION, 0,
	    (xentoollog_logger *)d->logger) != 0) {
		snprintf(err, errlen, "libxl: no context (is this dom0 "
		    "under Xen, as root?)");
		goto fail;
	}
	libxl_osevent_register_hooks(d->ctx, &hooks, d);
	if (check_config(d, config, err, errlen) != 0)
		goto fail;
	return &d->base_driver;
fail:
	libxl_ctx_free(d->ctx);
	if (d->logger != NULL)
		xtl_logger_destroy((xentoollog_logger *)d->logger);
	free(d->tmpl);
	free(d);
	return NULL;
}
