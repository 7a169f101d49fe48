/*
 * xs-storm: a boot storm against the xenstore daemon XENSTORED_PATH names.
 * W toolstacks (processes, each with its own libxenstore connection) bring
 * up N domains between them, all released at once by a barrier.  Per
 * domain, what libxl does for a PV guest: the domain-create transaction,
 * INTRODUCE (with -i), one device-add transaction each for a vif, a vbd and
 * a console, then the backend/frontend state walk outside transactions.
 * Every transaction retries on EAGAIN, as libxl does, up to MAX_RETRIES.
 *
 *   xs-storm -p PID [-n DOMS] [-w WORKERS] [-b FIRSTDOMID] [-i] [-t SECS]
 *
 * -i: domains FIRSTDOMID.. exist in xensim and are introduced (their store
 * ports come from xensimd).  Without it Shoal's xenstored takes any ids,
 * but C xenstored refuses permissions naming a domain that does not exist
 * (ENOENT), so bench/run always makes the domains in xensim first.
 *
 * One op is one request to the daemon: every libxenstore call here sends
 * one (a directory listing too big for one reply sends more; it counts 1).
 *
 * Output, one line:  ROW storm ops seconds daemon_cpu_seconds txns
 *     retries create_retries max_retries livelocks
 * (retries: EAGAIN retries in all; create_retries: those of domain-create
 * transactions; max_retries: the most any one transaction needed;
 * livelocks: transactions that ran out of retries).  Afterwards, not
 * timed, every domain is checked: its devices connected (state 4), and
 * with -i the daemon says it is introduced.
 */
#include <sys/mman.h>
#include <sys/wait.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xenstore.h>

#include "bench_proc.h"
#include "../xensim/lib/client.h"

#define MAX_WORKERS	64
#define MAX_RETRIES	1000	/* a transaction still failing: livelock */

/* What each worker reports back, in memory shared with the parent. */
struct wstat {
	long	ops;
	long	txns;
	long	retries;
	long	create_retries;	/* of those, in domain-create transactions */
	long	max_retries;
	long	livelocks;
	long	domains;	/* brought up completely */
	char	err[600];
};

struct worker {
	struct xs_handle	*xs;
	struct wstat		*st;
	double			 deadline;
};

static int		 pid;
static long		 ndoms = 200;
static int		 nworkers = 8;
static unsigned int	 first = 1000;
static bool		 introduce;
static double		 timeout_s = 600;
static unsigned int	*ports;		/* store port per domain, with -i */

/* Note the first failure; the worker stops at it. */
static bool
fail(struct worker *w, const char *what, const char *path)
{
	int e = errno;

	if (w->st->err[0] == '\0')
		snprintf(w->st->err, sizeof(w->st->err), "%s %s: %s", what,
		    path, strerror(e));
	errno = e;
	return false;
}

static bool
put(struct worker *w, xs_transaction_t t, const char *path, const char *val)
{
	w->st->ops++;
	return xs_write(w->xs, t, path, val, strlen(val)) ||
	    fail(w, "write", path);
}

static bool
putu(struct worker *w, xs_transaction_t t, const char *path, unsigned int v)
{
	char val[16];

	snprintf(val, sizeof(val), "%u", v);
	return put(w, t, path, val);
}

/* Write dir/key for each key, value pair of kv (NULL-terminated). */
static bool
putv(struct worker *w, xs_transaction_t t, const char *dir,
    const char *const *kv)
{
	char path[256];

	for (; kv[0] != NULL; kv += 2) {
		snprintf(path, sizeof(path), "%s/%s", dir, kv[0]);
		if (!put(w, t, path, kv[1]))
			return false;
	}
	return true;
}

/* libxl__xs_mknod: an empty node with its permissions (two requests). */
static bool
mknod(struct worker *w, xs_transaction_t t, const char *path,
    struct xs_permissions *perms, unsigned int nperms)
{
	w->st->ops += 2;
	if (!xs_mkdir(w->xs, t, path))
		return fail(w, "mkdir", path);
	return xs_set_permissions(w->xs, t, path, perms, nperms) ||
	    fail(w, "set_perms", path);
}

/* A read of a node that must not exist yet (libxl's "already there?"). */
static bool
absent(struct worker *w, xs_transaction_t t, const char *path)
{
	unsigned int len;
	void *v;

	w->st->ops++;
	if ((v = xs_read(w->xs, t, path, &len)) != NULL) {
		free(v);
		errno = EEXIST;
		return fail(w, "read", path);
	}
	return errno == ENOENT || fail(w, "read", path);
}

/*
 * One transaction around body, retried while it ends in EAGAIN (a request
 * inside answering EAGAIN is retried the same way).  Bounded by
 * MAX_RETRIES and the deadline; running out of retries is a livelock.
 */
typedef bool txn_body(struct worker *, xs_transaction_t, unsigned int,
    const void *);

static bool
txn(struct worker *w, txn_body *body, unsigned int d, const void *arg)
{
	xs_transaction_t t;
	long tries;
	bool ok;

	for (tries = 0; tries <= MAX_RETRIES; tries++) {
		if (bench_now() > w->deadline) {
			errno = ETIMEDOUT;
			return fail(w, "transaction", "deadline");
		}
		w->st->ops++;
		if ((t = xs_transaction_start(w->xs)) == XBT_NULL)
			return fail(w, "transaction_start", "");
		ok = body(w, t, d, arg);
		w->st->ops++;
		if (!ok && errno != EAGAIN) {
			xs_transaction_end(w->xs, t, true);
			return false;
		}
		if (ok && xs_transaction_end(w->xs, t, false)) {
			w->st->txns++;
			if (tries > w->st->max_retries)
				w->st->max_retries = tries;
			return true;
		}
		if (!ok)
			xs_transaction_end(w->xs, t, true);
		else if (errno != EAGAIN)
			return fail(w, "transaction_end", "");
		w->st->err[0] = '\0';	/* an EAGAIN noted inside: retried */
		w->st->retries++;
	}
	w->st->livelocks++;
	errno = EAGAIN;
	return fail(w, "transaction", "retried MAX_RETRIES times");
}

/* The domain's own keys and its /vm entries (no reads: no conflicts). */
static bool
domain_keys(struct worker *w, xs_transaction_t t, unsigned int d,
    const char *home, const char *vm)
{
	char name[32], port[16], path[96];
	const char *const dom[] = { "vm", vm, "name", name,
	    "memory/static-max", "262144", "memory/target", "262144",
	    "store/port", port, "store/ring-ref", "1",
	    "control/platform-feature-multiprocessor-suspend", "1", NULL };
	const char *const vmkv[] = { "name", name, "uuid",
	    vm + strlen("/vm/"), "start_time", "1700000000.00", NULL };

	snprintf(name, sizeof(name), "storm-%u", d);
	snprintf(port, sizeof(port), "%u", introduce ? ports[d - first] : 1);
	snprintf(path, sizeof(path), "%s/domid", home);
	return putu(w, t, path, d) && putv(w, t, home, dom) &&
	    putv(w, t, vm, vmkv);
}

/*
 * libxl__domain_make's transaction, with what xensim create writes.  The
 * listing of /local/domain is the shared part: every other domain's
 * creation changes it, so concurrent creations conflict (libxl's name
 * check reads the domain list; here it is read inside the transaction).
 */
static bool
domain_create(struct worker *w, xs_transaction_t t, unsigned int d,
    const void *unused)
{
	static const char *const rw[] = { "data", "device", "control",
	    "drivers", "attr", "error" };
	struct xs_permissions ro[2] = { { 0, XS_PERM_NONE }, { d, XS_PERM_READ } };
	struct xs_permissions own[1] = { { d, XS_PERM_NONE } };
	struct xs_permissions none[1] = { { 0, XS_PERM_NONE } };
	char home[64], vm[64], lx[64], path[96];
	unsigned int num;
	char **ents;

	(void)unused;
	snprintf(home, sizeof(home), "/local/domain/%u", d);
	snprintf(vm, sizeof(vm), "/vm/00000000-0000-4000-8000-%012x", d);
	snprintf(lx, sizeof(lx), "/libxl/%u", d);
	snprintf(path, sizeof(path), "%s/name", home);
	if (!absent(w, t, path))
		return false;
	w->st->ops++;
	if ((ents = xs_directory(w->xs, t, "/local/domain", &num)) == NULL)
		return fail(w, "directory", "/local/domain");
	free(ents);
	if (!mknod(w, t, home, ro, 2) || !mknod(w, t, vm, ro, 2) ||
	    !mknod(w, t, lx, none, 1))
		return false;
	snprintf(path, sizeof(path), "%s/device", lx);
	if (!mknod(w, t, path, none, 1))
		return false;
	for (size_t i = 0; i < sizeof(rw) / sizeof(rw[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", home, rw[i]);
		if (!mknod(w, t, path, own, 1))
			return false;
	}
	return domain_keys(w, t, d, home, vm);
}

struct dev {
	const char	*type;
	unsigned int	 devid;
	const char	*back[14];	/* type-specific key, value pairs */
	const char	*front[8];
};

static const struct dev devs[] = {
	{ "vif", 0,
	    { "script", "/etc/xen/scripts/vif-bridge", "bridge", "xenbr0",
	      "mac", "00:16:3e:5a:00:01", "handle", "0", "type", "vif", NULL },
	    { "handle", "0", "mac", "00:16:3e:5a:00:01", NULL } },
	{ "vbd", 51712,
	    { "params", "/dev/vg0/storm", "mode", "w", "device-type", "disk",
	      "removable", "0", "type", "phy", "dev", "xvda", NULL },
	    { "virtual-device", "51712", "device-type", "disk", NULL } },
	{ "console", 0,
	    { "protocol", "vt100", "name", "storm", "type", "xenconsoled",
	      NULL },
	    { "limit", "1048576", "type", "xenconsoled", "output", "pty",
	      NULL } },
};

static void
dev_paths(const struct dev *dv, unsigned int d, char *fe, char *be,
    char *lx, size_t len)
{
	snprintf(fe, len, "/local/domain/%u/device/%s/%u", d, dv->type,
	    dv->devid);
	snprintf(be, len, "/local/domain/0/backend/%s/%u/%u", dv->type, d,
	    dv->devid);
	snprintf(lx, len, "/libxl/%u/device/%s/%u", d, dv->type, dv->devid);
}

/* libxl's device-add: check the frontend is new, then write all three. */
static bool
device_add(struct worker *w, xs_transaction_t t, unsigned int d,
    const void *arg)
{
	const struct dev *dv = arg;
	struct xs_permissions bperm[2] = { { 0, XS_PERM_NONE }, { d, XS_PERM_READ } };
	struct xs_permissions fperm[2] = { { d, XS_PERM_NONE }, { 0, XS_PERM_READ } };
	struct xs_permissions none[1] = { { 0, XS_PERM_NONE } };
	char fe[96], be[96], lx[96], path[128], did[16];
	const char *const bkv[] = { "frontend", fe, "frontend-id", did,
	    "online", "1", "state", "1", NULL };
	const char *const fkv[] = { "backend", be, "backend-id", "0",
	    "state", "1", NULL };
	const char *const lkv[] = { "frontend", fe, "backend", be, NULL };

	dev_paths(dv, d, fe, be, lx, sizeof(fe));
	snprintf(did, sizeof(did), "%u", d);
	snprintf(path, sizeof(path), "%s/state", fe);
	return absent(w, t, path) && mknod(w, t, fe, fperm, 2) &&
	    mknod(w, t, be, bperm, 2) && mknod(w, t, lx, none, 1) &&
	    putv(w, t, be, bkv) && putv(w, t, be, dv->back) &&
	    putv(w, t, fe, fkv) && putv(w, t, fe, dv->front) &&
	    putv(w, t, lx, lkv);
}

/* What backend and frontend then write, each on its own. */
static bool
state_walk(struct worker *w, unsigned int d, const struct dev *dv)
{
	char fe[96], be[96], lx[96], fs[128], bs[128];

	dev_paths(dv, d, fe, be, lx, sizeof(fe));
	snprintf(fs, sizeof(fs), "%s/state", fe);
	snprintf(bs, sizeof(bs), "%s/state", be);
	return put(w, XBT_NULL, bs, "2") && put(w, XBT_NULL, bs, "4") &&
	    put(w, XBT_NULL, fs, "4");
}

static bool
domain_up(struct worker *w, unsigned int d)
{
	long before = w->st->retries;

	if (!txn(w, domain_create, d, NULL))
		return false;
	w->st->create_retries += w->st->retries - before;
	if (introduce) {
		w->st->ops++;
		if (!xs_introduce_domain(w->xs, d, 0, ports[d - first]))
			return fail(w, "introduce", "");
	}
	for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++)
		if (!txn(w, device_add, d, &devs[i]))
			return false;
	for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++)
		if (!state_walk(w, d, &devs[i]))
			return false;
	w->st->domains++;
	return true;
}

/* A worker: connect, wait at the barrier, bring up every W-th domain. */
static int
worker(int k, struct wstat *st, int ready, int go)
{
	struct worker w = { .st = st };
	char c = 0;

	if ((w.xs = xs_open(0)) == NULL) {
		fail(&w, "xs_open", "");
		return 1;
	}
	if (write(ready, &c, 1) != 1 || read(go, &c, 1) != 0)
		return 1;
	w.deadline = bench_now() + timeout_s;
	for (long i = k; i < ndoms; i += nworkers)
		if (!domain_up(&w, first + i))
			break;
	xs_close(w.xs);
	return st->domains == (ndoms - k + nworkers - 1) / nworkers ? 0 : 1;
}

/* With -i: each domain's store port, as the toolstack that built it knows. */
static void
get_ports(void)
{
	struct xsim_req q = { .op = XSIM_DOM_INFO };
	struct xsim_rsp r;
	struct xsim_dominfo di;
	int fds[XSIM_CALL_MAX_FDS], nfds;

	if ((ports = calloc(ndoms, sizeof(*ports))) == NULL)
		exit(1);
	for (long i = 0; i < ndoms; i++) {
		q.a = first + i;
		if (xsim_call(&q, -1, &r, fds, &nfds) == -1) {
			fprintf(stderr, "xs-storm: domain %u: %s\n", q.a,
			    strerror(errno));
			exit(1);
		}
		xsim_close_fds(fds, nfds);
		memcpy(&di, r.data, sizeof(di));
		ports[i] = di.store_port;
	}
}

/* What xen-init-dom0 writes at boot, before any guest (not measured). */
static void
init_dom0(void)
{
	struct xs_handle *xs;

	if ((xs = xs_open(0)) == NULL ||
	    !xs_write(xs, XBT_NULL, "/local/domain/0/domid", "0", 1) ||
	    !xs_write(xs, XBT_NULL, "/local/domain/0/name", "Domain-0", 8)) {
		perror("xs-storm: dom0's entries");
		exit(1);
	}
	xs_close(xs);
}

/* After the storm, not timed: did every domain really come up? */
static int
verify(void)
{
	char path[96];
	unsigned int len;
	struct xs_handle *xs;
	int bad = 0;
	char *v;

	if ((xs = xs_open(0)) == NULL)
		return ndoms;
	for (long i = 0; i < ndoms; i++) {
		unsigned int d = first + i;

		for (size_t k = 0; k < sizeof(devs) / sizeof(devs[0]); k++) {
			snprintf(path, sizeof(path),
			    "/local/domain/%u/device/%s/%u/state", d,
			    devs[k].type, devs[k].devid);
			v = xs_read(xs, XBT_NULL, path, &len);
			bad += v == NULL || strcmp(v, "4") != 0;
			free(v);
		}
		if (introduce)
			bad += !xs_is_domain_introduced(xs, d);
	}
	xs_close(xs);
	return bad;
}

/* Wait for every worker until the deadline; kill those still running. */
static int
reap(pid_t *pids, double deadline)
{
	int status, left = nworkers, bad = 0;

	while (left > 0 && bench_now() < deadline + 5) {
		pid_t p = waitpid(-1, &status, WNOHANG);

		if (p <= 0) {
			usleep(10000);
			continue;
		}
		left--;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			bad++;
	}
	for (int k = 0; left > 0 && k < nworkers; k++)
		kill(pids[k], SIGKILL);
	while (left > 0 && wait(&status) > 0)
		left--, bad++;
	return bad;
}

static void
usage(void)
{
	fprintf(stderr, "usage: xs-storm -p PID [-n DOMS] [-w WORKERS] "
	    "[-b FIRSTDOMID] [-i] [-t SECONDS]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct wstat *st, sum = { 0 };
	pid_t pids[MAX_WORKERS];
	int ch, ready[2], go[2], bad;
	double t0, c0, secs, cpu;
	char c;

	while ((ch = getopt(argc, argv, "b:in:p:t:w:")) != -1) {
		switch (ch) {
		case 'b': first = strtoul(optarg, NULL, 10); break;
		case 'i': introduce = true; break;
		case 'n': ndoms = atol(optarg); break;
		case 'p': pid = atoi(optarg); break;
		case 't': timeout_s = atof(optarg); break;
		case 'w': nworkers = atoi(optarg); break;
		default: usage();
		}
	}
	if (pid <= 0 || ndoms < 1 || nworkers < 1 || nworkers > MAX_WORKERS ||
	    first == 0 || timeout_s <= 0)
		usage();
	if (introduce)
		get_ports();
	init_dom0();
	st = mmap(NULL, sizeof(*st) * nworkers, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (st == MAP_FAILED || pipe(ready) == -1 || pipe(go) == -1)
		exit((perror("xs-storm"), 1));
	memset(st, 0, sizeof(*st) * nworkers);
	for (int k = 0; k < nworkers; k++) {
		if ((pids[k] = fork()) == -1)
			exit((perror("xs-storm: fork"), 1));
		if (pids[k] == 0) {
			close(ready[0]);
			close(go[1]);
			_exit(worker(k, &st[k], ready[1], go[0]));
		}
	}
	close(ready[1]);
	close(go[0]);
	/* The barrier: all connected, then the go pipe closes for all. */
	for (int k = 0; k < nworkers; k++) {
		struct pollfd pfd = { .fd = ready[0], .events = POLLIN };

		if (poll(&pfd, 1, 10000) != 1 || read(ready[0], &c, 1) != 1)
			break;
	}
	c0 = bench_proc_cpu(pid);
	t0 = bench_now();
	close(go[1]);
	bad = reap(pids, t0 + timeout_s);
	secs = bench_now() - t0;
	cpu = bench_proc_cpu(pid) - c0;
	for (int k = 0; k < nworkers; k++) {
		sum.ops += st[k].ops;
		sum.txns += st[k].txns;
		sum.retries += st[k].retries;
		sum.create_retries += st[k].create_retries;
		sum.livelocks += st[k].livelocks;
		sum.domains += st[k].domains;
		if (st[k].max_retries > sum.max_retries)
			sum.max_retries = st[k].max_retries;
		if (st[k].err[0] != '\0')
			fprintf(stderr, "xs-storm: worker %d: %s\n", k,
			    st[k].err);
	}
	printf("ROW storm %ld %.3f %.3f %ld %ld %ld %ld %ld\n", sum.ops, secs,
	    cpu, sum.txns, sum.retries, sum.create_retries, sum.max_retries,
	    sum.livelocks);
	if (bad > 0 || sum.domains != ndoms)
		fprintf(stderr, "xs-storm: %ld of %ld domains up, %d workers "
		    "failed\n", sum.domains, ndoms, bad);
	else if ((bad = verify()) > 0)
		fprintf(stderr, "xs-storm: %d devices or introductions "
		    "missing after the storm\n", bad);
	return bad > 0 || sum.domains != ndoms;
}
