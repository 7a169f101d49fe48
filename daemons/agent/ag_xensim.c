/*
 * ag_xensim: the agent's driver for xensim.  xensim's toolstack is its
 * command (as xl is Xen's): `xensim create` builds a domain, writes its
 * xenstore area and introduces it; `destroy` removes the area, then the
 * domain.  So each call runs that command as a child, reads what it
 * prints from a pipe on the loop, and reports when the pipe closes.
 * Pause and unpause are the hypervisor's, not the toolstack's: they go
 * through libxenctrl (xc_domain_pause, xc_domain_unpause; xensim's
 * drop-in on xensim), one call each, so that taking a domain from the
 * warm pool costs no process; they are told from the loop all the same.
 * A paused domain's processes are stopped, as Xen stops its vCPUs.
 */
#include <sys/queue.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <xenctrl.h>

#include "ag_driver.h"
#include "log.h"

#define OUT_MAX		16384	/* what one command may print */
#define ARGV_MAX	72
#define XENSIM_MEMORY_MB 64	/* when the configuration names none */

enum run_kind { RUN_CREATE, RUN_PLAIN, RUN_LIST };

struct run {
	LIST_ENTRY(run)		 entry;
	struct xensim_driver	*d;
	enum run_kind		 kind;
	pid_t			 pid;
	int			 fd;
	struct event		*ev;
	char			 out[OUT_MAX + 1];
	size_t			 len;
	ag_done_fn		 done;
	void			*arg;
};

struct xensim_driver {
	struct ag_driver	 base_driver;	/* first: the table */
	struct event_base	*base;
	char			*xensim;
	xc_interface		*xch;
	LIST_HEAD(, told)	 told;		/* made, not yet told */
	LIST_HEAD(, run)	 runs;
	unsigned		 busy;
};

static const struct ag_driver_ops xensim_ops;

struct ag_driver *
ag_xensim_new(struct event_base *base, const char *xensim)
{
	struct xensim_driver	*d;

	if ((d = calloc(1, sizeof(*d))) == NULL ||
	    (d->xensim = strdup(xensim)) == NULL ||
	    (d->xch = xc_interface_open(NULL, NULL, 0)) == NULL) {
		if (d != NULL)
			free(d->xensim);
		free(d);
		return NULL;
	}
	d->base_driver.ops = &xensim_ops;
	d->base = base;
	LIST_INIT(&d->runs);
	LIST_INIT(&d->told);
	return &d->base_driver;
}

/* The driver behind the table's pointer. */
static struct xensim_driver *
xensim(struct ag_driver *d)
{
	return (struct xensim_driver *)d;
}

/* ---- what the command printed ---- */

/* The last line that has something on it. */
static const char *
last_line(char *out)
{
	char	*end = out + strlen(out), *p;

	while (end > out && (end[-1] == '\n' || end[-1] == ' '))
		*--end = '\0';
	p = strrchr(out, '\n');
	return p != NULL ? p + 1 : out;
}

static int
parse_domid(char *out, uint32_t *domid)
{
	const char	*l = last_line(out);
	char		*end;
	unsigned long	 v = strtoul(l, &end, 10);

	if (*l == '\0' || *end != '\0' || v >= 0x7ff0)
		return -1;
	*domid = (uint32_t)v;
	return 0;
}

/* `xensim list`: a header, then NAME ID PID MEM STATE... a line. */
static int
parse_list(char *out, struct ag_result *r)
{
	char		*line, *save = NULL;
	struct ag_dominfo di;
	void		*grown;

	for (line = strtok_r(out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		memset(&di, 0, sizeof(di));
		if (sscanf(line, "%63s %u %*d %*u %31[^\n]", di.name,
		    &di.domid, di.state) != 3)
			continue;	/* the header */
		if ((grown = realloc(r->doms, (r->n + 1) *
		    sizeof(*r->doms))) == NULL)
			return -1;
		r->doms = grown;
		r->doms[r->n++] = di;
	}
	return 0;
}

/* ---- one command ---- */

static void
finish(struct run *r)
{
	struct ag_result	 res = { 0 };
	char			 msg[256];
	int			 st = 0, err = 0;

	while (waitpid(r->pid, &st, 0) == -1 && errno == EINTR)
		;
	r->out[r->len] = '\0';
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		err = EIO;
		snprintf(msg, sizeof(msg), "xensim: %s", last_line(r->out));
	} else if ((r->kind == RUN_CREATE && parse_domid(r->out,
	    &res.domid) != 0) || (r->kind == RUN_LIST &&
	    parse_list(r->out, &res) != 0)) {
		err = EPROTO;
		snprintf(msg, sizeof(msg), "xensim printed what was not "
		    "expected: %s", last_line(r->out));
	} else
		msg[0] = '\0';
	LIST_REMOVE(r, entry);
	r->d->busy--;
	r->done(r->arg, err, msg, &res);
	free(res.doms);
	free(r);
}

static void
on_output(evutil_socket_t fd, short what, void *arg)
{
	struct run	*r = arg;
	char		 sink[512];
	ssize_t		 n;

	(void)what;
	/* Past OUT_MAX the rest is read and dropped, to let it exit. */
	n = r->len < OUT_MAX ? read(fd, r->out + r->len, OUT_MAX - r->len) :
	    read(fd, sink, sizeof(sink));
	if (n > 0 && r->len < OUT_MAX)
		r->len += (size_t)n;
	if (n > 0 || (n == -1 && (errno == EINTR || errno == EAGAIN)))
		return;
	event_free(r->ev);
	close(r->fd);
	finish(r);
}

static int
start(struct xensim_driver *d, enum run_kind kind, char *const *argv,
    ag_done_fn done, void *arg)
{
	struct run	*r;
	int		 p[2];

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return -1;
	if (pipe2(p, O_CLOEXEC) == -1) {
		free(r);
		return -1;
	}
	if ((r->pid = fork()) == -1) {
		close(p[0]);
		close(p[1]);
		free(r);
		return -1;
	}
	if (r->pid == 0) {
		dup2(p[1], STDOUT_FILENO);
		dup2(p[1], STDERR_FILENO);
		execv(d->xensim, argv);
		dprintf(STDERR_FILENO, "exec %s: %s\n", d->xensim,
		    strerror(errno));
		_exit(127);
	}
	close(p[1]);
	r->d = d;
	r->kind = kind;
	r->fd = p[0];
	r->done = done;
	r->arg = arg;
	evutil_make_socket_nonblocking(r->fd);
	if ((r->ev = event_new(d->base, r->fd, EV_READ | EV_PERSIST,
	    on_output, r)) == NULL || event_add(r->ev, NULL) == -1) {
		/* Nothing will read it: let it finish and collect it. */
		if (r->ev != NULL)
			event_free(r->ev);
		close(r->fd);
		while (waitpid(r->pid, NULL, 0) == -1 && errno == EINTR)
			;
		free(r);
		errno = ENOMEM;
		return -1;
	}
	LIST_INSERT_HEAD(&d->runs, r, entry);
	d->busy++;
	return 0;
}

/* ---- the driver's calls ---- */

static int
xensim_create(struct ag_driver *drv, const struct ag_build *b,
    ag_done_fn done, void *arg)
{
	struct xensim_driver	*d = xensim(drv);
	char			*v[ARGV_MAX], mem[16];
	size_t			 n = 0, i;

	snprintf(mem, sizeof(mem), "%d", b->memory_mb > 0 ? b->memory_mb :
	    XENSIM_MEMORY_MB);
	v[n++] = d->xensim;
	v[n++] = "create";
	v[n++] = "--name";
	v[n++] = (char *)b->name;
	v[n++] = "--memory";
	v[n++] = mem;
	if (b->paused)
		v[n++] = "--paused";
	v[n++] = "--";
	for (i = 0; b->argv[i] != NULL; i++) {
		if (n == ARGV_MAX - 1) {
			errno = E2BIG;
			return -1;
		}
		v[n++] = b->argv[i];
	}
	v[n] = NULL;
	return start(d, RUN_CREATE, v, done, arg);
}

static int
plain(struct xensim_driver *d, const char *verb, uint32_t domid,
    ag_done_fn done, void *arg)
{
	char	 id[16];
	char	*v[] = { d->xensim, (char *)verb, id, NULL };

	snprintf(id, sizeof(id), "%u", domid);
	return start(d, RUN_PLAIN, v, done, arg);
}

/* A hypervisor call made now, told from the loop. */
struct told {
	LIST_ENTRY(told)	 entry;
	struct event		*ev;
	ag_done_fn		 done;
	void			*arg;
	int			 err;
};

static void
tell(evutil_socket_t fd, short what, void *arg)
{
	struct told	*t = arg;
	char		 msg[128];

	(void)fd;
	(void)what;
	snprintf(msg, sizeof(msg), "%s", t->err != 0 ? strerror(t->err) :
	    "");
	LIST_REMOVE(t, entry);
	event_free(t->ev);
	t->done(t->arg, t->err, msg, &(struct ag_result){ 0 });
	free(t);
}

static int
hypercall(struct xensim_driver *d, int (*fn)(xc_interface *, uint32_t),
    uint32_t domid, ag_done_fn done, void *arg)
{
	struct told	*t = calloc(1, sizeof(*t));

	if (t == NULL || (t->ev = event_new(d->base, -1, 0, tell, t)) ==
	    NULL) {
		free(t);
		return -1;
	}
	t->done = done;
	t->arg = arg;
	t->err = fn(d->xch, domid) == 0 ? 0 : errno;
	LIST_INSERT_HEAD(&d->told, t, entry);
	event_active(t->ev, 0, 0);
	return 0;
}

static int
xensim_unpause(struct ag_driver *d, uint32_t domid, ag_done_fn done,
    void *arg)
{
	return hypercall(xensim(d), xc_domain_unpause, domid, done, arg);
}

static int
xensim_pause(struct ag_driver *d, uint32_t domid, ag_done_fn done,
    void *arg)
{
	return hypercall(xensim(d), xc_domain_pause, domid, done, arg);
}

static int
xensim_destroy(struct ag_driver *d, uint32_t domid, ag_done_fn done,
    void *arg)
{
	return plain(xensim(d), "destroy", domid, done, arg);
}

static int
xensim_list(struct ag_driver *drv, ag_done_fn done, void *arg)
{
	struct xensim_driver	*d = xensim(drv);
	char			*v[] = { d->xensim, "list", NULL };

	return start(d, RUN_LIST, v, done, arg);
}

static unsigned
xensim_busy(const struct ag_driver *d)
{
	return ((const struct xensim_driver *)d)->busy;
}

/* Commands still running are waited for (none is left behind) and
 * their callers told ECANCELED. */
static void
xensim_free(struct ag_driver *drv)
{
	struct xensim_driver	*d = xensim(drv);
	struct run		*r;

	while ((r = LIST_FIRST(&d->runs)) != NULL) {
		LIST_REMOVE(r, entry);
		event_free(r->ev);
		close(r->fd);
		while (waitpid(r->pid, NULL, 0) == -1 && errno == EINTR)
			;
		d->busy--;
		r->done(r->arg, ECANCELED, "the agent is stopping",
		    &(struct ag_result){ 0 });
		free(r);
	}
	/* Made already: told now, with what happened. */
	while (!LIST_EMPTY(&d->told))
		tell(-1, 0, LIST_FIRST(&d->told));
	xc_interface_close(d->xch);
	free(d->xensim);
	free(d);
}

static const struct ag_driver_ops xensim_ops = {
	.name = "xensim",
	.create = xensim_create,
	.unpause = xensim_unpause,
	.pause = xensim_pause,
	.destroy = xensim_destroy,
	.list = xensim_list,
	.busy = xensim_busy,
	.free = xensim_free,
};
