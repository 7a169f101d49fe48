/*
 * xensim: the command line of the simulator, and its toolstack.
 *
 *   xensim start [--xenstored PATH [ARG...]]   start xensimd (and a xenstore
 *                                              daemon, as a dom0 process)
 *   xensim start --xenstore-domain PATH [ARG...]   ... or in a xenstore
 *                                              domain of its own
 *   xensim stop                                stop them, and every domain
 *   xensim env                                 environment for dom0 programs
 *   xensim create --name N [--memory MB] [--paused] [--raw-xenbus]
 *                 [--vif SPEC]... [--disk SPEC]... -- CMD [ARG...]
 *   xensim list | destroy DOM | pause DOM | unpause DOM | console DOM
 *   xensim shutdown DOM [poweroff|reboot|suspend|crash] | resume DOM
 *
 * `create` does what xl does for a PV guest, in xl's order: create the
 * domain paused, write its xenstore area (when a xenstore daemon is up),
 * introduce it to xenstored with its store ring and event channel, then
 * unpause it.  With --raw-xenbus the domain gets no xenbus relay: its
 * program owns its xenstore ring, as a guest kernel does (xensim/lib/guest.h).
 * --vif adds a network device (mac=,backend=,devid=,mtu=), its frontend
 * and backend directories written in the same transaction, as libxl does;
 * --disk a block device (target=,vdev=,type=vbd|qdisk,mode=,backend=,
 * devid=,discard=) the same way.
 * `destroy` removes the domain's xenstore area first, as libxl does, and
 * its vifs' and disks' backend directories (after asking a connected
 * backend to let go).
 * `shutdown` stops a domain without destroying it, as a guest's
 * SCHEDOP_shutdown does (suspend for `xl save -c`, crash with
 * on_crash="preserve"); `resume` runs it again.
 */
#include <sys/stat.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xenstore.h>

#include "../lib/client.h"

#define XENSTORED_SOCK	"xenstored.sock"
#define XENSTORED_PID	"xenstored.pid"

static char rundir[PATH_MAX];
static char libdir[PATH_MAX];

static void
usage(FILE *f)
{
	fprintf(f,
"usage: xensim start [--xenstored PATH [ARG...] |\n"
"                     --xenstore-domain PATH [ARG...]]\n"
"       xensim stop | env | list\n"
"       xensim create --name NAME [--memory MB] [--paused] [--raw-xenbus]\n"
"                     [--vif mac=M,backend=DOM,devid=N,mtu=N]...\n"
"                     [--disk target=PATH,vdev=xvdX,type=vbd|qdisk,mode=w|r,\n"
"                             backend=DOM,devid=N,discard=0|1]...\n"
"                     -- CMD [ARG...]\n"
"       xensim destroy DOM | pause DOM | unpause DOM | console DOM\n"
"       xensim shutdown DOM [poweroff|reboot|suspend|crash] | resume DOM\n"
"\n"
"xensim runs Xen's interfaces on a plain Linux host: domains are processes,\n"
"grant tables shared memory, event channels sockets.  DOM is a name or id.\n"
"The socket is $" XSIM_SOCKET_ENV " (default " XSIM_SOCKET_DEFAULT ").\n");
}

static const char *
socket_path(void)
{
	const char *p = getenv(XSIM_SOCKET_ENV);

	return p != NULL ? p : XSIM_SOCKET_DEFAULT;
}

/* xensimd and the drop-in libraries live beside this program. */
static void
find_dirs(void)
{
	char exe[PATH_MAX], tmp[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	exe[n > 0 ? n : 0] = '\0';
	snprintf(libdir, sizeof(libdir), "%s/../lib", dirname(exe));
	snprintf(tmp, sizeof(tmp), "%s", socket_path());
	snprintf(rundir, sizeof(rundir), "%s", dirname(tmp));
}

static int
call2(uint32_t op, uint32_t a, uint32_t b, struct xsim_rsp *r)
{
	struct xsim_req q = { .op = op, .a = a, .b = b };
	int fds[XSIM_CALL_MAX_FDS], nfds;

	if (xsim_call(&q, -1, r, fds, &nfds) == -1)
		return -1;
	xsim_close_fds(fds, nfds);
	return 0;
}

static int
call(uint32_t op, uint32_t a, struct xsim_rsp *r)
{
	return call2(op, a, 0, r);
}

/* A name or a number; -1 with a message if there is no such domain. */
static long
dom_lookup(const char *spec)
{
	struct xsim_rsp r;
	struct xsim_dominfo *di = (struct xsim_dominfo *)r.data;
	char *end;
	long id = strtol(spec, &end, 10);

	if (*end == '\0' && end != spec)
		return id;
	for (uint32_t first = 0;; first = di[r.count - 1].domid + 1) {
		if (call(XSIM_DOM_LIST, first, &r) == -1) {
			fprintf(stderr, "xensim: %s\n", strerror(errno));
			return -1;
		}
		if (r.count == 0)
			break;
		for (uint32_t i = 0; i < r.count; i++)
			if (strcmp(di[i].name, spec) == 0)
				return di[i].domid;
	}
	fprintf(stderr, "xensim: no domain %s\n", spec);
	return -1;
}

static int
wait_for_path(const char *path, bool present, int ms)
{
	for (; ms > 0; ms -= 10) {
		if ((access(path, F_OK) == 0) == present)
			return 0;
		usleep(10000);
	}
	return -1;
}

/* Detach and run argv with stdout and stderr in log. */
static pid_t
spawn(char *const argv[], const char *log)
{
	pid_t pid = fork();
	int fd;

	if (pid != 0)
		return pid;
	setsid();
	if ((fd = open("/dev/null", O_RDONLY)) != -1)
		dup2(fd, STDIN_FILENO);
	if ((fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644)) != -1) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
	}
	execvp(argv[0], argv);
	fprintf(stderr, "xensim: %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static void
dom0_env(void)
{
	char path[PATH_MAX + 32];
	const char *old = getenv("LD_LIBRARY_PATH");
	char *ld;

	if (asprintf(&ld, "%s%s%s", libdir, old ? ":" : "", old ? old : "") == -1)
		exit(1);
	setenv("LD_LIBRARY_PATH", ld, 1);
	setenv(XSIM_SOCKET_ENV, socket_path(), 1);
	/* With a xenstore domain, dom0 reaches it through its ring's relay. */
	snprintf(path, sizeof(path), "%s/xenbus.0", rundir);
	if (access(path, F_OK) != 0)
		snprintf(path, sizeof(path), "%s/" XENSTORED_SOCK, rundir);
	setenv("XENSTORED_PATH", path, 1);
	free(ld);
}

/* init-xenstore-domain's nodes: where the store runs, and its name. */
static bool
xs_init_store_domain(struct xs_handle *xs, const char *id)
{
	char path[64];

	snprintf(path, sizeof(path), "/local/domain/%s/domid", id);
	if (!xs_write(xs, XBT_NULL, path, id, strlen(id)))
		return false;
	snprintf(path, sizeof(path), "/local/domain/%s/name", id);
	return xs_write(xs, XBT_NULL, path, "xenstore", 8) &&
	    xs_write(xs, XBT_NULL, "/tool/xenstored/domid", id, strlen(id));
}

/* What xen-init-dom0 does on Xen: dom0's own name and domid; and what
 * init-xenstore-domain does: where the store runs. */
static int
xs_init_dom0(uint32_t store_domid)
{
	struct xs_handle *xs = xs_open(0);
	char id[16];
	bool ok;

	if (xs == NULL)
		return -1;
	snprintf(id, sizeof(id), "%u", store_domid);
	ok = xs_write(xs, XBT_NULL, "/local/domain/0/domid", "0", 1) &&
	    xs_write(xs, XBT_NULL, "/local/domain/0/name", "Domain-0", 8) &&
	    (store_domid == 0 || xs_init_store_domain(xs, id));
	xs_close(xs);
	return ok ? 0 : -1;
}

/*
 * The xenstore daemon in a domain of its own, as init-xenstore-domain
 * makes one: dom0's store ring is granted to it and its port given on
 * its command line (--event, read here from the environment xensimd
 * gives the domain); dom0 then reaches the store through that ring.
 */
#define STORE_ARGV_MAX	60	/* xensimd takes 63 words */

static int	send_create(const char *, uint32_t, uint32_t, uint32_t, char **,
		    uint32_t *);

static int
start_store_domain(char **cmd)
{
	char *argv[STORE_ARGV_MAX], pidf[PATH_MAX + 16], sock[PATH_MAX + 32];
	struct xsim_rsp r;
	struct xsim_dominfo di;
	uint32_t domid;
	FILE *f;
	int n = 0;

	argv[n++] = "sh";
	argv[n++] = "-c";
	argv[n++] = "exec \"$@\" --event \"$" XSIM_DOM0_STORE_PORT_ENV "\"";
	argv[n++] = "xenstore-domain";
	argv[n++] = *cmd++;
	/* Its socket is the domain's own business (its RPC helper's). */
	snprintf(sock, sizeof(sock), "%s/store-domain.sock", rundir);
	argv[n++] = "--socket";
	argv[n++] = sock;
	for (; *cmd != NULL && n < STORE_ARGV_MAX - 1; cmd++)
		argv[n++] = *cmd;
	argv[n] = NULL;
	if (send_create("xenstore", 64, XSIM_CREATE_XENSTORE, 0, argv,
	    &domid) == -1) {
		fprintf(stderr, "xensim: the xenstore domain: %s\n",
		    strerror(errno));
		return 1;
	}
	if (call(XSIM_DOM_UNPAUSE, domid, &r) == -1 ||
	    call(XSIM_DOM_INFO, domid, &r) == -1) {
		fprintf(stderr, "xensim: the xenstore domain: %s\n",
		    strerror(errno));
		return 1;
	}
	memcpy(&di, r.data, sizeof(di));
	snprintf(pidf, sizeof(pidf), "%s/" XENSTORED_PID, rundir);
	if ((f = fopen(pidf, "w")) != NULL) {
		fprintf(f, "%d\n", (int)di.pid);
		fclose(f);
	}
	dom0_env();
	/* The first request waits in the ring until the daemon is up. */
	alarm(10);
	if (xs_init_dom0(domid) == -1) {
		fprintf(stderr, "xensim: the xenstore domain does not answer "
		    "(see %s/console.%u.log)\n", rundir, domid);
		return 1;
	}
	alarm(0);
	return 0;
}

static int
cmd_start(int argc, char **argv)
{
	char xensimd[PATH_MAX + 16], log[PATH_MAX + 16], pidf[PATH_MAX + 16];
	char *dargv[] = { xensimd, "--socket", (char *)socket_path(), NULL };
	FILE *f;
	pid_t pid;

	mkdir(rundir, 0755);
	snprintf(xensimd, sizeof(xensimd), "%s/../bin/xensimd", libdir);
	snprintf(log, sizeof(log), "%s/xensimd.log", rundir);
	if (access(socket_path(), F_OK) == 0 && call(XSIM_DOM_LIST, 0,
	    &(struct xsim_rsp){ 0 }) == 0) {
		fprintf(stderr, "xensim: already running at %s\n", socket_path());
		return 1;
	}
	spawn(dargv, log);
	if (wait_for_path(socket_path(), true, 5000) == -1) {
		fprintf(stderr, "xensim: xensimd did not start (see %s)\n", log);
		return 1;
	}
	if (argc >= 3 && strcmp(argv[1], "--xenstore-domain") == 0)
		return start_store_domain(argv + 2);
	if (argc < 3 || strcmp(argv[1], "--xenstored") != 0)
		return 0;
	dom0_env();
	snprintf(log, sizeof(log), "%s/xenstored.log", rundir);
	pid = spawn(argv + 2, log);
	if (wait_for_path(getenv("XENSTORED_PATH"), true, 5000) == -1) {
		fprintf(stderr, "xensim: %s did not start (see %s)\n", argv[2],
		    log);
		return 1;
	}
	snprintf(pidf, sizeof(pidf), "%s/" XENSTORED_PID, rundir);
	if ((f = fopen(pidf, "w")) != NULL) {
		fprintf(f, "%d\n", (int)pid);
		fclose(f);
	}
	if (xs_init_dom0(0) == -1) {
		fprintf(stderr, "xensim: writing dom0's xenstore entries: %s\n",
		    strerror(errno));
		return 1;
	}
	return 0;
}

static int
cmd_stop(void)
{
	char pidf[PATH_MAX + 16];
	struct xsim_rsp r;
	FILE *f;
	int pid, rc = 0;

	snprintf(pidf, sizeof(pidf), "%s/" XENSTORED_PID, rundir);
	if ((f = fopen(pidf, "r")) != NULL) {
		if (fscanf(f, "%d", &pid) == 1 && pid > 1)
			kill(pid, SIGTERM);
		fclose(f);
		unlink(pidf);
	}
	if (call(XSIM_SHUTDOWN, 0, &r) == -1) {
		fprintf(stderr, "xensim: not running: %s\n", strerror(errno));
		return 1;
	}
	/* xensimd removes its socket once every domain is gone. */
	if (wait_for_path(socket_path(), false, 30000) == -1) {
		fprintf(stderr, "xensim: xensimd did not stop\n");
		rc = 1;
	}
	return rc;
}

static int
cmd_env(void)
{
	dom0_env();
	printf("export LD_LIBRARY_PATH='%s'\n", getenv("LD_LIBRARY_PATH"));
	printf("export %s='%s'\n", XSIM_SOCKET_ENV, getenv(XSIM_SOCKET_ENV));
	printf("export XENSTORED_PATH='%s'\n", getenv("XENSTORED_PATH"));
	return 0;
}

static const char *
dom_state(const struct xsim_dominfo *d)
{
	static const char *const why[] = { "poweroff", "reboot", "suspend",
	    "crash", "watchdog", "soft_reset" };
	static char buf[32];

	if (d->flags & XSIM_DOMF_SHUTDOWN) {
		snprintf(buf, sizeof(buf), "shutdown (%s)",
		    d->shutdown_reason < 6 ? why[d->shutdown_reason] : "?");
		return buf;
	}
	return d->paused ? "paused" : d->domid == 0 ? "dom0" : "running";
}

static int
cmd_list(void)
{
	struct xsim_rsp r;
	struct xsim_dominfo *di = (struct xsim_dominfo *)r.data;
	uint32_t first = 0;

	printf("%-24s %5s %8s %8s %s\n", "Name", "ID", "PID", "Mem(MB)",
	    "State");
	do {
		if (call(XSIM_DOM_LIST, first, &r) == -1) {
			fprintf(stderr, "xensim: %s\n", strerror(errno));
			return 1;
		}
		for (uint32_t i = 0; i < r.count; i++)
			printf("%-24s %5u %8d %8llu %s\n", di[i].name,
			    di[i].domid, di[i].pid,
			    (unsigned long long)di[i].memory_kb / 1024,
			    dom_state(&di[i]));
		if (r.count > 0)
			first = di[r.count - 1].domid + 1;
	} while (r.count > 0);
	return 0;
}

static bool
xs_writef(struct xs_handle *xs, xs_transaction_t t, unsigned int domid,
    const char *key, const char *fmt, ...)
{
	char path[256], val[256];
	va_list ap;

	snprintf(path, sizeof(path), "/local/domain/%u/%s", domid, key);
	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	return xs_write(xs, t, path, val, strlen(val));
}

/*
 * The primary console, as libxl writes a PV guest's for xenconsoled.
 * ring-ref is the grant ref (xenconsoled maps GNTTAB_RESERVED_CONSOLE
 * first; on Xen the value is the page's frame number); the console
 * daemon writes tty once it has made a pty.
 */
static bool
xs_console_area(struct xs_handle *xs, xs_transaction_t t, unsigned int domid,
    const struct xsim_dominfo *di, unsigned int condom)
{
	/* A console domain reads the frontend and writes its tty, as a
	 * backend does (libxl's frontend permissions). */
	struct xs_permissions fe[3] = { { 0, XS_PERM_NONE },
	    { domid, XS_PERM_READ }, { condom, XS_PERM_READ } };
	struct xs_permissions tty[3] = { { 0, XS_PERM_NONE },
	    { domid, XS_PERM_READ }, { condom, XS_PERM_READ | XS_PERM_WRITE } };
	char path[96];

	if (condom != 0) {
		snprintf(path, sizeof(path), "/local/domain/%u/console", domid);
		if (!xs_mkdir(xs, t, path) ||
		    !xs_set_permissions(xs, t, path, fe, 3) ||
		    !xs_writef(xs, t, domid, "console/tty", "%s", "") ||
		    !xs_set_permissions(xs, t, strcat(path, "/tty"), tty, 3))
			return false;
	}
	return xs_writef(xs, t, domid, "console/port", "%u", di->console_port) &&
	    xs_writef(xs, t, domid, "console/ring-ref", "%u",
	    XSIM_GREF_CONSOLE) &&
	    xs_writef(xs, t, domid, "console/limit", "%u", 1048576) &&
	    xs_writef(xs, t, domid, "console/type", "xenconsoled") &&
	    xs_writef(xs, t, domid, "console/output", "pty");
}

/* The domain's own area, as libxl lays out a PV guest's. */
static bool
xs_domain_area(struct xs_handle *xs, xs_transaction_t t, unsigned int domid,
    const char *name, const struct xsim_dominfo *di, unsigned int condom)
{
	struct xs_permissions ro[2] = { { 0, XS_PERM_NONE },
	    { domid, XS_PERM_READ } };
	struct xs_permissions own[1] = { { domid, XS_PERM_NONE } };
	char home[64], path[96];
	const char *rw[] = { "data", "device", "control", "drivers", "attr",
	    "error", NULL };

	snprintf(home, sizeof(home), "/local/domain/%u", domid);
	if (!xs_mkdir(xs, t, home) || !xs_set_permissions(xs, t, home, ro, 2))
		return false;
	for (int i = 0; rw[i] != NULL; i++) {
		snprintf(path, sizeof(path), "%s/%s", home, rw[i]);
		if (!xs_mkdir(xs, t, path) ||
		    !xs_set_permissions(xs, t, path, own, 1))
			return false;
	}
	if (!xs_writef(xs, t, domid, "name", "%s", name))
		return false;
	if (condom != 0) {	/* the console domain logs by name */
		struct xs_permissions named[3] = { { 0, XS_PERM_NONE },
		    { domid, XS_PERM_READ }, { condom, XS_PERM_READ } };

		snprintf(path, sizeof(path), "%s/name", home);
		if (!xs_set_permissions(xs, t, path, named, 3))
			return false;
	}
	return xs_writef(xs, t, domid, "domid", "%u", domid) &&
	    xs_writef(xs, t, domid, "memory/target", "%llu",
	    (unsigned long long)di->memory_kb) &&
	    xs_writef(xs, t, domid, "store/port", "%u", di->store_port) &&
	    xs_writef(xs, t, domid, "store/ring-ref", "%u", XSIM_GREF_XENSTORE) &&
	    xs_console_area(xs, t, domid, di, condom);
}

/* A vif as `--vif mac=...,backend=...,devid=...,mtu=...` asks for it. */
struct vif {
	unsigned int backend, devid, mtu;
	char mac[18];
};

#define VIFS_MAX	8

/* A device spec's number: decimal, whole, at most max.  -1 if not. */
static int
spec_number(const char *val, unsigned long max, unsigned int *out)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(val, &end, 10);
	if (*val == '\0' || *end != '\0' || errno != 0 || n > max)
		return -1;
	*out = (unsigned int)n;
	return 0;
}

/*
 * A device spec, KEY=VALUE[,KEY=VALUE...], each pair given to key() with
 * arg; -1 on a pair without "=", one key() refuses, or a spec too long.
 */
static int
spec_walk(const char *spec, int (*key)(void *, const char *, const char *),
    void *arg)
{
	char buf[PATH_MAX + 256], *p, *kv, *eq;

	if (snprintf(buf, sizeof(buf), "%s", spec) >= (int)sizeof(buf))
		return -1;
	for (p = buf; (kv = strsep(&p, ",")) != NULL;) {
		if (*kv == '\0')
			continue;
		if ((eq = strchr(kv, '=')) == NULL)
			return -1;
		*eq = '\0';
		if (key(arg, kv, eq + 1) == -1)
			return -1;
	}
	return 0;
}

static int
vif_key(void *arg, const char *key, const char *val)
{
	struct vif *v = arg;
	unsigned int b[6];
	int len = 0;

	if (strcmp(key, "mac") == 0) {
		if (sscanf(val, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1],
		    &b[2], &b[3], &b[4], &b[5], &len) != 6 ||
		    val[len] != '\0' || strlen(val) != 17 || (b[0] & 1))
			return -1;
		snprintf(v->mac, sizeof(v->mac), "%s", val);
		return 0;
	}
	if (strcmp(key, "backend") == 0)
		return spec_number(val, 0x7fef, &v->backend);
	if (strcmp(key, "devid") == 0)
		return spec_number(val, 0xffff, &v->devid);
	if (strcmp(key, "mtu") == 0)
		return spec_number(val, 65535, &v->mtu) == 0 && v->mtu >= 68 ?
		    0 : -1;
	return -1;
}

/*
 * A spec's keys over the defaults: dom0's backend, the next devid, a
 * MTU of 1500, and a MAC in Xen's OUI (00:16:3e) picked at random, as
 * libxl picks one when none is given.
 */
static int
vif_parse(const char *spec, unsigned int index, struct vif *v)
{
	*v = (struct vif){ .devid = index, .mtu = 1500 };
	srandom((unsigned int)getpid() ^ index);
	snprintf(v->mac, sizeof(v->mac), "00:16:3e:%02lx:%02lx:%02lx",
	    random() & 0x7f, random() & 0xff, random() & 0xff);
	return spec_walk(spec, vif_key, v);
}

static bool
xs_put(struct xs_handle *xs, xs_transaction_t t, const char *dir,
    const char *key, const char *fmt, ...)
{
	char path[256], val[PATH_MAX + 16];
	va_list ap;

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	return xs_write(xs, t, path, val, strlen(val));
}

/*
 * A vif's two directories, with libxl's permissions: the frontend's is
 * the guest's and its backend may read it (but "mtu", which the guest
 * only reads); the backend's is the backend domain's and the guest may
 * read it.  No "hotplug-status": xensim runs no hotplug script for a
 * backend to wait on.
 */
static bool
xs_vif(struct xs_handle *xs, xs_transaction_t t, unsigned int domid,
    const struct vif *v)
{
	struct xs_permissions fe_perms[2] = { { domid, XS_PERM_NONE },
	    { v->backend, XS_PERM_READ } };
	struct xs_permissions be_perms[2] = { { v->backend, XS_PERM_NONE },
	    { domid, XS_PERM_READ } };
	char fe[96], be[96], mtu[128];

	snprintf(fe, sizeof(fe), "/local/domain/%u/device/vif/%u", domid,
	    v->devid);
	snprintf(be, sizeof(be), "/local/domain/%u/backend/vif/%u/%u",
	    v->backend, domid, v->devid);
	snprintf(mtu, sizeof(mtu), "%s/mtu", fe);
	return xs_mkdir(xs, t, fe) &&
	    xs_set_permissions(xs, t, fe, fe_perms, 2) &&
	    xs_put(xs, t, fe, "backend", "%s", be) &&
	    xs_put(xs, t, fe, "backend-id", "%u", v->backend) &&
	    xs_put(xs, t, fe, "state", "%d", 1) &&
	    xs_put(xs, t, fe, "handle", "%u", v->devid) &&
	    xs_put(xs, t, fe, "mac", "%s", v->mac) &&
	    xs_put(xs, t, fe, "trusted", "1") &&
	    xs_put(xs, t, fe, "mtu", "%u", v->mtu) &&
	    xs_set_permissions(xs, t, mtu, be_perms, 2) &&
	    xs_mkdir(xs, t, be) &&
	    xs_set_permissions(xs, t, be, be_perms, 2) &&
	    xs_put(xs, t, be, "frontend", "%s", fe) &&
	    xs_put(xs, t, be, "frontend-id", "%u", domid) &&
	    xs_put(xs, t, be, "online", "1") &&
	    xs_put(xs, t, be, "state", "%d", 1) &&
	    xs_put(xs, t, be, "handle", "%u", v->devid) &&
	    xs_put(xs, t, be, "mac", "%s", v->mac) &&
	    xs_put(xs, t, be, "type", "vif") &&
	    (v->mtu == 1500 || xs_put(xs, t, be, "mtu", "%u", v->mtu));
}

static bool
xs_vifs(struct xs_handle *xs, xs_transaction_t t, unsigned int domid,
    const struct vif *vifs, int nvifs)
{
	for (int i = 0; i < nvifs; i++)
		if (!xs_vif(xs, t, domid, &vifs[i]))
			return false;
	return true;
}

/* A disk as `--disk target=...,vdev=...,type=...` asks for it. */
struct disk {
	unsigned int backend, devid, discard;
	char target[PATH_MAX], vdev[16], type[8], mode[2];
};

#define DISKS_MAX	8

/* xvdX's number as Linux's blkfront reads it: major 202, 16 minors a
 * disk; -1 for a name this does not know (give devid= then). */
static long
vdev_number(const char *vdev)
{
	if (strlen(vdev) == 4 && strncmp(vdev, "xvd", 3) == 0 &&
	    vdev[3] >= 'a' && vdev[3] <= 'p')
		return (202L << 8) | ((long)(vdev[3] - 'a') << 4);
	return -1;
}

static int
disk_key(void *arg, const char *key, const char *val)
{
	struct disk *d = arg;

	if (strcmp(key, "target") == 0)
		return val[0] == '/' && snprintf(d->target, sizeof(d->target),
		    "%s", val) < (int)sizeof(d->target) ? 0 : -1;
	if (strcmp(key, "vdev") == 0)
		return vdev_number(val) != -1 && snprintf(d->vdev,
		    sizeof(d->vdev), "%s", val) < (int)sizeof(d->vdev) ? 0 : -1;
	if (strcmp(key, "type") == 0) {
		if (strcmp(val, "vbd") != 0 && strcmp(val, "qdisk") != 0)
			return -1;
		snprintf(d->type, sizeof(d->type), "%s", val);
		return 0;
	}
	if (strcmp(key, "mode") == 0) {
		if (strcmp(val, "w") != 0 && strcmp(val, "r") != 0)
			return -1;
		snprintf(d->mode, sizeof(d->mode), "%s", val);
		return 0;
	}
	if (strcmp(key, "backend") == 0)
		return spec_number(val, 0x7fef, &d->backend);
	if (strcmp(key, "devid") == 0)
		return spec_number(val, 0xffffff, &d->devid) == 0 &&
		    d->devid > 0 ? 0 : -1;
	if (strcmp(key, "discard") == 0)
		return spec_number(val, 1, &d->discard);
	return -1;
}

/*
 * A spec's keys over the defaults: dom0's backend, a vbd (libxl's
 * backendtype=phy), writable, discard on, vdev xvda, xvdb... by the
 * disk's place, and devid the vdev's number unless given.  target is
 * required.
 */
static int
disk_parse(const char *spec, unsigned int index, struct disk *d)
{
	*d = (struct disk){ .discard = 1 };
	snprintf(d->type, sizeof(d->type), "vbd");
	snprintf(d->mode, sizeof(d->mode), "w");
	snprintf(d->vdev, sizeof(d->vdev), "xvd%c", 'a' + index);
	if (spec_walk(spec, disk_key, d) == -1)
		return -1;
	if (d->devid == 0)
		d->devid = (unsigned int)vdev_number(d->vdev);
	return d->target[0] == '/' ? 0 : -1;
}

/*
 * A disk's two directories with libxl's permissions, as for a vif: the
 * frontend's (always device/vbd) the guest's, its backend reading; the
 * backend's (backend/vbd or backend/qdisk) the backend domain's, the
 * guest reading.  params as libxl writes it: the path for a vbd,
 * FORMAT:PATH for a qdisk ("aio" its raw).  No hotplug script, so no
 * physical-device: the backend opens params itself.
 */
static bool
xs_disk(struct xs_handle *xs, xs_transaction_t t, unsigned int domid,
    const struct disk *d)
{
	struct xs_permissions fe_perms[2] = { { domid, XS_PERM_NONE },
	    { d->backend, XS_PERM_READ } };
	struct xs_permissions be_perms[2] = { { d->backend, XS_PERM_NONE },
	    { domid, XS_PERM_READ } };
	char fe[96], be[96];
	bool qdisk = strcmp(d->type, "qdisk") == 0;

	snprintf(fe, sizeof(fe), "/local/domain/%u/device/vbd/%u", domid,
	    d->devid);
	snprintf(be, sizeof(be), "/local/domain/%u/backend/%s/%u/%u",
	    d->backend, d->type, domid, d->devid);
	return xs_mkdir(xs, t, fe) &&
	    xs_set_permissions(xs, t, fe, fe_perms, 2) &&
	    xs_put(xs, t, fe, "backend", "%s", be) &&
	    xs_put(xs, t, fe, "backend-id", "%u", d->backend) &&
	    xs_put(xs, t, fe, "state", "%d", 1) &&
	    xs_put(xs, t, fe, "virtual-device", "%u", d->devid) &&
	    xs_put(xs, t, fe, "device-type", "disk") &&
	    xs_put(xs, t, fe, "trusted", "1") &&
	    xs_mkdir(xs, t, be) &&
	    xs_set_permissions(xs, t, be, be_perms, 2) &&
	    xs_put(xs, t, be, "frontend", "%s", fe) &&
	    xs_put(xs, t, be, "frontend-id", "%u", domid) &&
	    xs_put(xs, t, be, "online", "1") &&
	    xs_put(xs, t, be, "removable", "0") &&
	    xs_put(xs, t, be, "bootable", "1") &&
	    xs_put(xs, t, be, "state", "%d", 1) &&
	    xs_put(xs, t, be, "dev", "%s", d->vdev) &&
	    xs_put(xs, t, be, "type", "%s", qdisk ? "qdisk" : "phy") &&
	    xs_put(xs, t, be, "mode", "%s", d->mode) &&
	    xs_put(xs, t, be, "device-type", "disk") &&
	    xs_put(xs, t, be, "discard-enable", "%u", d->discard) &&
	    xs_put(xs, t, be, "params", "%s%s", qdisk ? "aio:" : "",
	    d->target);
}

static bool
xs_disks(struct xs_handle *xs, xs_transaction_t t, unsigned int domid,
    const struct disk *disks, int ndisks)
{
	for (int i = 0; i < ndisks; i++)
		if (!xs_disk(xs, t, domid, &disks[i]))
			return false;
	return true;
}

/*
 * xenstored maps a PV guest's ring by its reserved grant ref (as C
 * xenstored and Shoal's do first); the mfn argument is not used here.
 */
static int
xs_introduce(unsigned int domid, const char *name, unsigned int condom,
    const struct vif *vifs, int nvifs, const struct disk *disks, int ndisks)
{
	struct xsim_rsp r;
	struct xsim_dominfo di;
	struct xs_handle *xs;
	xs_transaction_t t;
	bool ok = false;

	if (call(XSIM_DOM_INFO, domid, &r) == -1)
		return -1;
	memcpy(&di, r.data, sizeof(di));
	if ((xs = xs_open(0)) == NULL)
		return -1;
	/* One transaction, retried on EAGAIN as libxl does. */
	for (int tries = 0; tries < 16; tries++) {
		ok = false;
		if ((t = xs_transaction_start(xs)) == XBT_NULL)
			break;
		ok = xs_domain_area(xs, t, domid, name, &di, condom) &&
		    xs_vifs(xs, t, domid, vifs, nvifs) &&
		    xs_disks(xs, t, domid, disks, ndisks);
		if (xs_transaction_end(xs, t, !ok))
			break;
		ok = false;
		if (errno != EAGAIN)
			break;
	}
	ok = ok && xs_introduce_domain(xs, domid, 0, di.store_port);
	xs_close(xs);
	return ok ? 0 : -1;
}

/*
 * The console's backend domain, as libxl finds it: /tool/xenconsoled/domid
 * if a console domain wrote it (and it is a number), else dom0.
 */
static uint32_t
console_domid(void)
{
	struct xs_handle *xs;
	unsigned int len;
	char *v, *end;
	unsigned long id = 0;

	if ((xs = xs_open(0)) == NULL)
		return 0;
	if ((v = xs_read(xs, XBT_NULL, "/tool/xenconsoled/domid", &len)) != NULL) {
		id = strtoul(v, &end, 10);
		if (*v == '\0' || *end != '\0' || id >= 0x7ff0)
			id = 0;
		free(v);
	}
	xs_close(xs);
	return (uint32_t)id;
}

/* Always paused: the toolstack unpauses once xenstore knows the domain. */
static int
send_create(const char *name, uint32_t memory, uint32_t flags,
    uint32_t condom, char **argv, uint32_t *domid)
{
	struct xsim_req q = { .op = XSIM_DOM_CREATE, .a = condom,
	    .b = XSIM_CREATE_PAUSED | flags, .c = memory };
	struct xsim_rsp r;
	int fds[XSIM_CALL_MAX_FDS], nfds;
	size_t off = 0, len;

	snprintf(q.name, sizeof(q.name), "%s", name);
	for (; *argv != NULL; argv++) {
		len = strlen(*argv) + 1;
		if (off + len > sizeof(q.data)) {
			errno = E2BIG;
			return -1;
		}
		memcpy(q.data + off, *argv, len);
		off += len;
	}
	q.datalen = off;
	if (xsim_call(&q, -1, &r, fds, &nfds) == -1)
		return -1;
	xsim_close_fds(fds, nfds);
	*domid = r.a;
	return 0;
}

static int
cmd_create(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "memory", required_argument, NULL, 'm' },
		{ "paused", no_argument, NULL, 'p' },
		{ "raw-xenbus", no_argument, NULL, 'r' },
		{ "vif", required_argument, NULL, 'v' },
		{ "disk", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 }
	};
	struct vif vifs[VIFS_MAX];
	static struct disk disks[DISKS_MAX];
	int nvifs = 0, ndisks = 0;
	const char *name = NULL;
	uint32_t memory = 64, domid, condom;
	bool paused = false, raw = false, store;
	struct xsim_rsp r;
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (ch) {
		case 'n': name = optarg; break;
		case 'm': memory = strtoul(optarg, NULL, 10); break;
		case 'p': paused = true; break;
		case 'r': raw = true; break;
		case 'v':
			if (nvifs == VIFS_MAX ||
			    vif_parse(optarg, (unsigned int)nvifs,
			    &vifs[nvifs]) == -1) {
				fprintf(stderr, "xensim: --vif %s: "
				    "mac=M,backend=DOM,devid=N,mtu=N (at most "
				    "%d)\n", optarg, VIFS_MAX);
				return 2;
			}
			nvifs++;
			break;
		case 'd':
			if (ndisks == DISKS_MAX ||
			    disk_parse(optarg, (unsigned int)ndisks,
			    &disks[ndisks]) == -1) {
				fprintf(stderr, "xensim: --disk %s: target=PATH,"
				    "vdev=xvdX,type=vbd|qdisk,mode=w|r,"
				    "backend=DOM,devid=N,discard=0|1 (at most "
				    "%d)\n", optarg, DISKS_MAX);
				return 2;
			}
			ndisks++;
			break;
		default: usage(stderr); return 2;
		}
	}
	if (name == NULL || optind >= argc) {
		usage(stderr);
		return 2;
	}
	dom0_env();
	store = access(getenv("XENSTORED_PATH"), F_OK) == 0;
	if ((nvifs > 0 || ndisks > 0) && !store) {
		fprintf(stderr, "xensim: --vif and --disk need a xenstore "
		    "daemon\n");
		return 1;
	}
	condom = store ? console_domid() : 0;
	if (send_create(name, memory, raw ? XSIM_CREATE_RAW_XENBUS : 0, condom,
	    argv + optind, &domid) == -1) {
		fprintf(stderr, "xensim: create %s: %s\n", name, strerror(errno));
		return 1;
	}
	if (store && xs_introduce(domid, name, condom, vifs, nvifs,
	    disks, ndisks) == -1) {
		fprintf(stderr, "xensim: %s: xenstore set-up failed: %s\n", name,
		    strerror(errno));
		call(XSIM_DOM_DESTROY, domid, &r);
		return 1;
	}
	if (!paused && call(XSIM_DOM_UNPAUSE, domid, &r) == -1) {
		fprintf(stderr, "xensim: unpause: %s\n", strerror(errno));
		return 1;
	}
	printf("%u\n", domid);
	return 0;
}

/*
 * A device's backend path as xs_vif or xs_disk writes it for domid (a
 * vif's under backend/vif, a vbd's under backend/vbd or backend/qdisk);
 * NULL if not.
 */
static char *
dev_backend(struct xs_handle *xs, unsigned int domid, const char *class,
    const char *devid)
{
	static const char *const vbd_types[] = { "vbd", "qdisk", NULL };
	static const char *const vif_types[] = { "vif", NULL };
	const char *const *types = strcmp(class, "vbd") == 0 ? vbd_types :
	    vif_types;
	char path[128], want[96], *be;
	unsigned int len, bdom;

	snprintf(path, sizeof(path), "/local/domain/%u/device/%s/%s/backend",
	    domid, class, devid);
	if ((be = xs_read(xs, XBT_NULL, path, &len)) == NULL)
		return NULL;
	/* The guest may have rewritten it: only a device's own is taken. */
	if (sscanf(be, "/local/domain/%u/", &bdom) == 1)
		for (int i = 0; types[i] != NULL; i++)
			if (snprintf(want, sizeof(want),
			    "/local/domain/%u/backend/%s/%u/%s", bdom, types[i],
			    domid, devid) < (int)sizeof(want) &&
			    strcmp(be, want) == 0)
				return be;
	free(be);
	return NULL;
}

static long
state_of(struct xs_handle *xs, const char *dir)
{
	char path[160], *v;
	unsigned int len;
	long st = -1;

	snprintf(path, sizeof(path), "%s/state", dir);
	if ((v = xs_read(xs, XBT_NULL, path, &len)) != NULL) {
		st = strtol(v, NULL, 10);
		free(v);
	}
	return st;
}

/*
 * libxl's removal of a connected device: "online" 0 and the backend's
 * state Closing, then a wait (bounded) for the backend to be Closed, so
 * that it lets go of the guest's pages before the domain goes.
 */
static void
dev_close(struct xs_handle *xs, const char *be)
{
	char path[160];

	if (state_of(xs, be) != 4)
		return;
	snprintf(path, sizeof(path), "%s/online", be);
	xs_write(xs, XBT_NULL, path, "0", 1);
	snprintf(path, sizeof(path), "%s/state", be);
	xs_write(xs, XBT_NULL, path, "5", 1);
	for (int ms = 0; ms < 5000 && state_of(xs, be) != 6; ms += 10)
		usleep(10000);
}

/* Removed with the directories it leaves empty, as libxl does. */
static void
rm_cleanup(struct xs_handle *xs, xs_transaction_t t, char *path)
{
	char *slash, *v, **ents;
	unsigned int len, n;

	if (!xs_rm(xs, t, path))
		return;
	while ((slash = strrchr(path, '/')) != NULL && slash != path) {
		*slash = '\0';
		v = xs_read(xs, t, path, &len);
		ents = xs_directory(xs, t, path, &n);
		free(ents);
		if (v == NULL || len != 0 || ents == NULL || n != 0) {
			free(v);
			break;
		}
		free(v);
		if (!xs_rm(xs, t, path))
			break;
	}
}

/* The vifs' and disks' backend paths (count in *n), each asked to let
 * go. */
static char **
devs_close(struct xs_handle *xs, unsigned int domid, unsigned int *n)
{
	static const char *const classes[] = { "vif", "vbd" };
	char dir[64], **devs, **bes = NULL, **grown;
	unsigned int ndev, i, c;

	*n = 0;
	for (c = 0; c < 2; c++) {
		snprintf(dir, sizeof(dir), "/local/domain/%u/device/%s", domid,
		    classes[c]);
		if ((devs = xs_directory(xs, XBT_NULL, dir, &ndev)) == NULL)
			continue;
		if ((grown = reallocarray(bes, *n + ndev + 1,
		    sizeof(*bes))) == NULL) {
			free(devs);
			break;
		}
		bes = grown;
		for (i = 0; i < ndev; i++)
			if ((bes[*n] = dev_backend(xs, domid, classes[c],
			    devs[i])) != NULL)
				dev_close(xs, bes[(*n)++]);
		free(devs);
	}
	return bes;
}

/*
 * libxl's order on destroy: the domain's devices (each backend asked to
 * let go, its directory removed) and its xenstore area go first (so its
 * backends and a console domain, which learn of domains from xenstore,
 * see it go), then the domain.  No xenstore, nothing to do.
 */
static void
xs_forget(unsigned int domid)
{
	struct xs_handle *xs;
	xs_transaction_t t;
	char home[64], **bes;
	unsigned int n;

	dom0_env();
	if (access(getenv("XENSTORED_PATH"), F_OK) != 0 ||
	    (xs = xs_open(0)) == NULL)
		return;
	bes = devs_close(xs, domid, &n);
	snprintf(home, sizeof(home), "/local/domain/%u", domid);
	for (int tries = 0; tries < 16; tries++) {
		if ((t = xs_transaction_start(xs)) == XBT_NULL)
			break;
		for (unsigned int i = 0; i < n; i++) {
			char path[128];

			snprintf(path, sizeof(path), "%s", bes[i]);
			rm_cleanup(xs, t, path);
		}
		if (!xs_rm(xs, t, home) && errno != ENOENT)
			fprintf(stderr, "xensim: removing %s: %s\n", home,
			    strerror(errno));
		if (xs_transaction_end(xs, t, false) || errno != EAGAIN)
			break;
	}
	for (unsigned int i = 0; i < n; i++)
		free(bes[i]);
	free(bes);
	xs_close(xs);
}

/* SHUTDOWN_* by name, as xl prints them; -1 if unknown. */
static int
shutdown_reason(const char *name)
{
	static const char *const names[] = { "poweroff", "reboot", "suspend",
	    "crash" };

	for (int i = 0; i < 4; i++)
		if (strcmp(name, names[i]) == 0)
			return i;
	return -1;
}

static int
cmd_dom(const char *cmd, const char *spec, const char *why)
{
	int reason = shutdown_reason(why != NULL ? why : "poweroff");

	struct xsim_rsp r;
	char log[PATH_MAX + 32], buf[4096];
	long domid = dom_lookup(spec);
	FILE *f;
	size_t n;

	if (domid < 0)
		return 1;
	if (reason < 0) {
		fprintf(stderr, "xensim: unknown shutdown reason %s\n", why);
		return 2;
	}
	if (strcmp(cmd, "console") == 0) {
		snprintf(log, sizeof(log), "%s/console.%ld.log", rundir, domid);
		if ((f = fopen(log, "r")) == NULL) {
			fprintf(stderr, "xensim: %s: %s\n", log, strerror(errno));
			return 1;
		}
		while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
			fwrite(buf, 1, n, stdout);
		fclose(f);
		return 0;
	}
	if (strcmp(cmd, "destroy") == 0 && domid != 0)
		xs_forget((unsigned int)domid);
	if (call2(strcmp(cmd, "destroy") == 0 ? XSIM_DOM_DESTROY :
	    strcmp(cmd, "unpause") == 0 ? XSIM_DOM_UNPAUSE :
	    strcmp(cmd, "pause") == 0 ? XSIM_DOM_PAUSE :
	    strcmp(cmd, "resume") == 0 ? XSIM_DOM_RESUME : XSIM_DOM_SHUTDOWN,
	    (uint32_t)domid, reason, &r) == -1) {
		fprintf(stderr, "xensim: %s %s: %s\n", cmd, spec, strerror(errno));
		return 1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	find_dirs();
	if (strcmp(argv[1], "start") == 0)
		return cmd_start(argc - 1, argv + 1);
	if (strcmp(argv[1], "stop") == 0)
		return cmd_stop();
	if (strcmp(argv[1], "env") == 0)
		return cmd_env();
	if (strcmp(argv[1], "list") == 0)
		return cmd_list();
	if (strcmp(argv[1], "create") == 0)
		return cmd_create(argc - 1, argv + 1);
	if (argc == 3 && (strcmp(argv[1], "destroy") == 0 ||
	    strcmp(argv[1], "unpause") == 0 || strcmp(argv[1], "console") == 0 ||
	    strcmp(argv[1], "pause") == 0 ||
	    strcmp(argv[1], "resume") == 0 || strcmp(argv[1], "shutdown") == 0))
		return cmd_dom(argv[1], argv[2], NULL);
	if (argc == 4 && strcmp(argv[1], "shutdown") == 0)
		return cmd_dom(argv[1], argv[2], argv[3]);
	usage(stderr);
	return 2;
}
