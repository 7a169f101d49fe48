/*
 * domain.c: domains.  Dom0 always exists and has no process of its own:
 * any client that names no domain acts as dom0.  Every other domain is a
 * process that xensimd starts (DOM_CREATE), in its own process group, with
 * an environment that routes its Xen libraries here.  Its death is the
 * domain's death: the rest of its process group is killed, its
 * connections torn down (grant unmap notifications first), VIRQ_DOM_EXC
 * raised, and the domain destroyed, as xl does with on_poweroff="destroy".
 *
 * At creation each domain gets what Xen gives a PV guest: a console page
 * and a xenstore page, granted to dom0 at the reserved refs 0 and 1, and
 * the xenbus relay in front of the latter.  A domain created with a raw
 * xenbus has no relay: its own program plays the guest kernel, and takes
 * the page and the store event channel as a kernel finds them in its
 * start_info (dom_guest_xenbus).  The console has no relay: its event
 * channel is allocated for the guest kernel of every domain, and a
 * program in the domain takes it with the page (dom_guest_console), as
 * a PV kernel's console driver does; until one does, what the domain
 * prints goes only to its log file (below).  Like xl, a toolstack can create
 * a domain paused, write its xenstore entries, introduce it, then unpause
 * it.  What the domain prints goes to RUNDIR/console.DOMID.log.
 *
 * A domain can also be shut down without being destroyed, as Xen's
 * SCHEDOP_shutdown does (a guest suspending for save or migration, or
 * crashing with on_crash="preserve"): its processes are stopped, nothing
 * else is torn down, VIRQ_DOM_EXC is raised, and getinfo reports it shut
 * down with its reason until it is resumed or destroyed.
 */
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <xen/xen.h>
#include <xen/sched.h>

#include "log.h"
#include "xensimd.h"

#define DOMID_MAX	32000	/* below DOMID_FIRST_RESERVED */

struct domlist xsim_doms = TAILQ_HEAD_INITIALIZER(xsim_doms);

struct dom *
dom_find(uint32_t domid)
{
	struct dom *d;

	TAILQ_FOREACH(d, &xsim_doms, entry)
		if (d->domid == domid)
			return d;
	return NULL;
}

struct dom *
dom_find_name(const char *name)
{
	struct dom *d;

	TAILQ_FOREACH(d, &xsim_doms, entry)
		if (strcmp(d->name, name) == 0)
			return d;
	return NULL;
}

static void
dom_free(struct dom *d)
{
	xb_relay_free(d->relay);
	if (d->ev_death != NULL)
		event_free(d->ev_death);
	if (d->pidfd != -1)
		close(d->pidfd);
	if (d->unpause_fd != -1)
		close(d->unpause_fd);
	evt_dom_fini(d);
	gnt_dom_fini(d);
	free(d);
}

static struct dom *
dom_alloc(uint32_t domid, const char *name)
{
	struct dom *d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	d->domid = domid;
	d->pidfd = d->unpause_fd = d->states_fd = d->arena.fd = -1;
	d->gt_fd = -1;
	snprintf(d->name, sizeof(d->name), "%s", name);
	if (evt_dom_init(d) == -1 || gnt_dom_init(d) == -1) {
		log_warn("domain %u: setting up", domid);
		dom_free(d);
		return NULL;
	}
	return d;
}

int
dom_init(void)
{
	struct dom *d = dom_alloc(0, "Domain-0");

	if (d == NULL)
		return -1;
	d->flags = XSIM_DOMF_RUNNING | XSIM_DOMF_PRIVILEGED;
	TAILQ_INSERT_TAIL(&xsim_doms, d, entry);
	return 0;
}

void
dom_fini(void)
{
	struct dom *d;

	while ((d = TAILQ_LAST(&xsim_doms, domlist)) != NULL) {
		if (d->domid != 0)
			dom_destroy(d);
		else {
			TAILQ_REMOVE(&xsim_doms, d, entry);
			dom_free(d);
		}
	}
}

static uint32_t
domid_alloc(void)
{
	static uint32_t next = 1;
	uint32_t i, id;

	/* Like Xen, do not hand a dead domain's id straight back out. */
	for (i = 0; i < DOMID_MAX; i++) {
		id = next;
		next = next % (DOMID_MAX - 1) + 1;
		if (dom_find(id) == NULL)
			return id;
	}
	return 0;
}

uint32_t xsim_store_domid;

/*
 * The two pages every PV guest is born with: the xenstore ring granted to
 * the xenstore domain (dom0 unless one was made), the console ring to its console backend (dom0, or the domain
 * /tool/xenconsoled/domid names, as libxl's console_domid).
 */
static int
dom_special_pages(struct dom *d, uint32_t console_domid)
{
	uint32_t page;
	int err;

	if ((err = gnt_alloc_page(d, &page)) != 0 ||
	    (err = gnt_grant(d, console_domid, true, page, NULL, 0,
	    XSIM_GREF_CONSOLE)) != 0)
		return err;
	if ((err = gnt_alloc_page(d, &page)) != 0 ||
	    (err = gnt_grant(d, xsim_store_domid, true, page, NULL, 0,
	    XSIM_GREF_XENSTORE)) != 0)
		return err;
	return 0;
}

/*
 * The xenstore domain s, as init-xenstore-domain sets one up: from now on
 * store rings are granted to it, dom0's own among them, and xensimd plays
 * dom0's xenbus driver (a relay at RUNDIR/xenbus.0) so that dom0's
 * programs reach the store through that ring, as Linux's xenbus_backend
 * does for dom0 on Xen.  *port: dom0's store port, which the xenstore
 * domain binds (init-xenstore-domain puts it on the stub domain's
 * command line; here it is in the domain's environment).
 */
static int
dom0_store(struct dom *s, uint32_t *port)
{
	struct dom *d0 = dom_find(0);
	uint32_t page;
	int err;

	if (xsim_store_domid != 0 || d0->relay != NULL)
		return EEXIST;
	if ((err = gnt_alloc_page(d0, &page)) != 0 ||
	    (err = gnt_grant(d0, s->domid, true, page, NULL, 0,
	    XSIM_GREF_XENSTORE)) != 0)
		return err;
	xsim_store_domid = s->domid;
	if ((d0->relay = xb_relay_new(d0, xsim_rundir)) == NULL) {
		xsim_store_domid = 0;
		return EIO;
	}
	*port = xb_relay_port(d0->relay);
	d0->store_port = *port;
	log_info("domain %u is the xenstore domain: dom0's store ring is its, "
	    "port %u", s->domid, *port);
	return 0;
}

/*
 * The environment a domain's programs see: the drop-in libraries first in
 * the loader's path, our socket, its domid, and its xenstore through the
 * relay, so libxenstore inside needs no configuration.  Without a relay
 * (xenbus NULL) there is no xenstore socket to name.
 */
static void
child_exec(uint32_t domid, const char *xenbus, int gate, uint32_t dom0_port,
    char *const argv[])
{
	char id[16], *ld, log[PATH_MAX], c;
	const char *old = getenv("LD_LIBRARY_PATH");
	int fd;

	setpgid(0, 0);
	/* Paused: wait until the toolstack unpauses (closes the gate). */
	while (gate != -1 && read(gate, &c, 1) == -1 && errno == EINTR)
		;
	snprintf(log, sizeof(log), "%s/console.%u.log", xsim_rundir, domid);
	if ((fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) != -1) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
	}
	/* A domain does not outlive its hypervisor. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	snprintf(id, sizeof(id), "%u", domid);
	if (asprintf(&ld, "%s%s%s", xsim_libdir, old ? ":" : "",
	    old ? old : "") == -1)
		_exit(127);
	setenv(XSIM_DOMID_ENV, id, 1);
	setenv(XSIM_SOCKET_ENV, xsim_socket_path, 1);
	setenv("LD_LIBRARY_PATH", ld, 1);
	if (xenbus != NULL)
		setenv("XENSTORED_PATH", xenbus, 1);
	else
		unsetenv("XENSTORED_PATH");
	if (dom0_port != 0) {
		snprintf(id, sizeof(id), "%u", dom0_port);
		setenv(XSIM_DOM0_STORE_PORT_ENV, id, 1);
	}
	execvp(argv[0], argv);
	fprintf(stderr, "xensimd: domain %u: %s: %s\n", domid, argv[0],
	    strerror(errno));
	_exit(127);
}

static void
on_death(int fd, short what, void *arg)
{
	struct dom *d = arg;
	int status = 0;

	(void)fd;
	(void)what;
	if (waitpid(d->pid, &status, WNOHANG) <= 0)
		status = 0;
	log_info("domain %u (%s) died: %s %d", d->domid, d->name,
	    WIFSIGNALED(status) ? "signal" : "exit status",
	    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	dom_destroy(d);
}

/* The guest's end of its store event channel, and who serves it. */
static int
dom_xenbus(struct dom *d, bool raw)
{
	if (raw)
		return evt_bind_kernel(d->domid, 0, &d->store_port);
	if ((d->relay = xb_relay_new(d, xsim_rundir)) == NULL)
		return EIO;
	d->store_port = xb_relay_port(d->relay);
	return 0;
}

int
dom_create(const char *name, char *const argv[], uint32_t flags,
    uint32_t memory_mb, uint32_t console_domid, uint32_t *domid)
{
	bool paused = flags & XSIM_CREATE_PAUSED;
	bool store = flags & XSIM_CREATE_XENSTORE;
	bool raw = store || (flags & XSIM_CREATE_RAW_XENBUS);
	struct dom *d;
	uint32_t id, dom0_port = 0;
	int err, gate[2] = { -1, -1 };

	if (name[0] == '\0' || dom_find_name(name) != NULL)
		return EEXIST;
	if (console_domid != 0 && dom_find(console_domid) == NULL)
		return ESRCH;
	if ((id = domid_alloc()) == 0)
		return ENOSPC;
	if ((d = dom_alloc(id, name)) == NULL)
		return ENOMEM;
	TAILQ_INSERT_TAIL(&xsim_doms, d, entry);	/* binding needs it */
	if ((err = dom_special_pages(d, console_domid)) != 0 ||
	    (err = dom_xenbus(d, raw)) != 0 ||
	    (err = evt_bind_kernel(d->domid, console_domid,
	    &d->console_port)) != 0 ||
	    (store && (err = dom0_store(d, &dom0_port)) != 0))
		goto fail;
	d->memory_kb = (uint64_t)memory_mb * 1024;
	if (paused && pipe2(gate, O_CLOEXEC) == -1) {
		err = errno;
		goto fail;
	}
	if ((d->pid = fork()) == -1) {
		err = errno;
		goto fail;
	}
	if (d->pid == 0) {
		/*
		 * A paused child waits before its exec holding copies of all
		 * xensimd's descriptors, other paused domains' gates among
		 * them: their unpause (a close) would not be seen while a copy
		 * lived here.  Keep stdio and our gate (as fd 3) only.
		 */
		if (gate[0] != -1) {
			if (dup2(gate[0], 3) != 3)
				_exit(127);
			gate[0] = 3;
		}
		close_range(gate[0] != -1 ? 4 : 3, ~0U, 0);
		child_exec(id, raw ? NULL : xb_relay_path(d->relay), gate[0],
		    dom0_port, argv);
	}
	if (gate[0] != -1)
		close(gate[0]);
	d->unpause_fd = gate[1];
	gate[0] = gate[1] = -1;
	setpgid(d->pid, d->pid);	/* both sides: no race with kill */
	if ((d->pidfd = pidfd_open(d->pid, 0)) == -1 ||
	    (d->ev_death = event_new(xsim_base, d->pidfd, EV_READ, on_death,
	    d)) == NULL || event_add(d->ev_death, NULL) == -1) {
		err = errno ? errno : ENOMEM;
		kill(-d->pid, SIGKILL);
		waitpid(d->pid, NULL, 0);
		goto fail;
	}
	d->flags = XSIM_DOMF_RUNNING | (raw ? XSIM_DOMF_RAW_XENBUS : 0);
	*domid = id;
	log_info("domain %u (%s) created: pid %d%s", id, name, (int)d->pid,
	    raw ? ", raw xenbus" : "");
	return 0;
fail:
	if (gate[0] != -1) {
		close(gate[0]);
		close(gate[1]);
	}
	TAILQ_REMOVE(&xsim_doms, d, entry);
	dom_free(d);
	return err;
}

/*
 * A domain paused at creation waits before its exec; one paused after it
 * ran has its processes stopped, as Xen stops its vCPUs: unpaused, it
 * goes on from where it was, booted.
 */
int
dom_unpause(struct dom *d)
{
	if (d->unpause_fd != -1) {
		close(d->unpause_fd);
		d->unpause_fd = -1;
		return 0;
	}
	if (!(d->flags & XSIM_DOMF_PAUSED))
		return EINVAL;
	d->flags &= ~XSIM_DOMF_PAUSED;
	if (!(d->flags & XSIM_DOMF_SHUTDOWN) && d->pid > 0)
		kill(-d->pid, SIGCONT);
	return 0;
}

int
dom_pause(struct dom *d)
{
	if (d->domid == 0)
		return EPERM;
	if (d->unpause_fd != -1 || (d->flags & XSIM_DOMF_PAUSED))
		return 0;		/* paused already */
	if (!(d->flags & XSIM_DOMF_RUNNING))
		return EINVAL;		/* dying or shut down */
	d->flags |= XSIM_DOMF_PAUSED;
	if (d->pid > 0)
		kill(-d->pid, SIGSTOP);
	log_info("domain %u (%s) paused", d->domid, d->name);
	return 0;
}

int
dom_destroy(struct dom *d)
{
	if (d->domid == 0)
		return EPERM;
	d->flags = (d->flags & ~XSIM_DOMF_RUNNING) | XSIM_DOMF_DYING;
	if (d->pid > 0) {
		kill(-d->pid, SIGKILL);
		if (waitpid(d->pid, &d->exit_status, WNOHANG) == 0)
			waitpid(d->pid, &d->exit_status, 0);
	}
	conn_kill_domain(d->domid);
	if (d->domid == xsim_store_domid) {
		/* dom0's ring had no one at the other end any more. */
		struct dom *d0 = dom_find(0);

		xb_relay_free(d0->relay);
		d0->relay = NULL;
		xsim_store_domid = 0;
		log_warnx("the xenstore domain %u is gone", d->domid);
	}
	TAILQ_REMOVE(&xsim_doms, d, entry);
	dom_free(d);
	evt_raise_virq(VIRQ_DOM_EXC);
	return 0;
}

int
dom_shutdown(struct dom *d, uint32_t reason)
{
	if (d->domid == 0)
		return EPERM;
	if (reason > SHUTDOWN_MAX)
		return EINVAL;
	if (d->flags & XSIM_DOMF_SHUTDOWN)
		return 0;		/* as Xen: the first reason stays */
	d->flags = (d->flags & ~XSIM_DOMF_RUNNING) | XSIM_DOMF_SHUTDOWN;
	d->shutdown_reason = reason;
	if (d->pid > 0)
		kill(-d->pid, SIGSTOP);
	log_info("domain %u (%s) shut down, reason %u", d->domid, d->name,
	    reason);
	evt_raise_virq(VIRQ_DOM_EXC);
	return 0;
}

int
dom_resume(struct dom *d)
{
	if (!(d->flags & XSIM_DOMF_SHUTDOWN))
		return EINVAL;
	d->flags = (d->flags & ~XSIM_DOMF_SHUTDOWN) | XSIM_DOMF_RUNNING;
	d->shutdown_reason = 0;
	if (d->pid > 0 && !(d->flags & XSIM_DOMF_PAUSED))
		kill(-d->pid, SIGCONT);
	log_info("domain %u (%s) resumed", d->domid, d->name);
	return 0;
}

void
dom_info(const struct dom *d, struct xsim_dominfo *info)
{
	memset(info, 0, sizeof(*info));
	info->domid = d->domid;
	info->flags = d->flags;
	info->pid = d->pid;
	info->exit_status = d->exit_status;
	info->memory_kb = d->memory_kb;
	info->paused = d->unpause_fd != -1 || (d->flags & XSIM_DOMF_PAUSED);
	info->shutdown_reason = d->shutdown_reason;
	info->store_port = d->store_port;
	info->console_port = d->console_port;
	snprintf(info->name, sizeof(info->name), "%s", d->name);
}

/* Up to max domains from first on, in domid order (not creation order). */
size_t
dom_list(uint32_t first, struct xsim_dominfo *out, size_t max)
{
	struct dom *d, *next;
	size_t n = 0;

	for (; n < max; first = next->domid + 1) {
		next = NULL;
		TAILQ_FOREACH(d, &xsim_doms, entry)
			if (d->domid >= first &&
			    (next == NULL || d->domid < next->domid))
				next = d;
		if (next == NULL)
			break;
		dom_info(next, &out[n++]);
	}
	return n;
}

/*
 * What a PV kernel finds in its start_info for xenstore: its ring page
 * (the one granted to dom0 at ref 1) and the store event channel, bound
 * here to the caller's handle h.  Only a raw-xenbus domain has them free:
 * otherwise the relay plays the kernel.
 */
int
dom_guest_xenbus(struct dom *d, struct evt_handle *h, uint32_t *port,
    uint32_t *page)
{
	int err;

	if ((d->flags & XSIM_DOMF_RAW_XENBUS) == 0)
		return EPERM;
	if ((err = evt_adopt(h, d->domid, d->store_port)) != 0)
		return err;
	*port = d->store_port;
	*page = d->grants[XSIM_GREF_XENSTORE].page;
	return 0;
}

/*
 * The console's page (granted to dom0 at ref 0) and event channel, as a
 * PV kernel finds them in its start_info.  Every domain but dom0 has
 * them: nothing in xensimd plays the console driver.
 */
int
dom_guest_console(struct dom *d, struct evt_handle *h, uint32_t *port,
    uint32_t *page)
{
	int err;

	if (d->domid == 0 || d->console_port == 0)
		return EPERM;
	if ((err = evt_adopt(h, d->domid, d->console_port)) != 0)
		return err;
	*port = d->console_port;
	*page = d->grants[XSIM_GREF_CONSOLE].page;
	return 0;
}
