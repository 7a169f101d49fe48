#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"
#include "privdrop.h"
#include "rpc_server.h"
#include "rpc_sock.h"
#include "rpc_vchan.h"
#include "xs_broker.h"

/* Long-only options of the shared set: values past any getopt letter. */
enum {
	OPT_SYSLOG = 0x100, OPT_NO_RPC, OPT_POLICY, OPT_RPC_SOCKET, OPT_USER
};

static const struct option common_longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "check", no_argument, NULL, 'n' },
	{ "syslog", no_argument, NULL, OPT_SYSLOG },
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "no-rpc", no_argument, NULL, OPT_NO_RPC },
	{ "policy", required_argument, NULL, OPT_POLICY },
	{ "rpc-socket", required_argument, NULL, OPT_RPC_SOCKET },
	{ "user", required_argument, NULL, OPT_USER },
	{ "help", no_argument, NULL, 'h' },
};
#define NCOMMON	(sizeof(common_longopts) / sizeof(common_longopts[0]))

static void
usage(const struct daemon_spec *s, FILE *f)
{
	fprintf(f, "usage: %s %s[options]\n", s->name,
	    s->config_required ? "-c config.json " : "");
	fprintf(f,
	    "  -c, --config FILE   JSON configuration (docs/%s.md)\n"
	    "  -n, --check         load the configuration, report, exit\n"
	    "  -v, -q              more or less logging\n"
	    "  --syslog            log to syslog (daemon facility), not stderr\n"
	    "  --no-rpc            no RPC service\n"
	    "  --policy FILE       who may call it (docs/rpc.md); default: "
	    "dom0 only\n"
	    "  --rpc-socket PATH   also take RPC calls on this Unix socket\n"
	    "  --user NAME         run as NAME once set up, root to stay "
	    "root\n"
	    "                      (default as root in dom0: %s; "
	    "docs/privilege.md)\n"
	    "  -h, --help\n", s->name,
	    s->user != NULL ? s->user : "root");
	if (s->usage != NULL)
		fputs(s->usage, f);
	if (s->notes != NULL)
		fputs(s->notes, f);
}

/* The shared long options and the daemon's, in one table. */
static struct option *
all_longopts(const struct daemon_spec *s)
{
	struct option	*v;
	size_t		 n = 0, i;

	while (s->longopts != NULL && s->longopts[n].name != NULL)
		n++;
	if ((v = calloc(NCOMMON + n + 1, sizeof(*v))) == NULL)
		return NULL;
	memcpy(v, common_longopts, sizeof(common_longopts));
	for (i = 0; i < n; i++)
		v[NCOMMON + i] = s->longopts[i];
	return v;
}

static int
common_option(int ch, struct daemon_args *a)
{
	switch (ch) {
	case 'c': a->config_path = optarg; break;
	case 'n': a->check = true; break;
	case 'v': a->verbose++; break;
	case 'q': a->verbose--; break;
	case OPT_SYSLOG: a->syslog = true; break;
	case OPT_NO_RPC: a->no_rpc = true; break;
	case OPT_POLICY: a->policy = optarg; break;
	case OPT_RPC_SOCKET: a->rpc_socket = optarg; break;
	case OPT_USER: a->user = optarg; break;
	default: return 1;	/* not ours */
	}
	return 0;
}

/* The first line of a small file, "" if there is none. */
static void
first_line(const char *path, char *buf, size_t len)
{
	FILE	*f;

	buf[0] = '\0';
	if ((f = fopen(path, "re")) == NULL)
		return;
	if (fgets(buf, (int)len, f) == NULL)
		buf[0] = '\0';
	fclose(f);
}

/*
 * Whether this runs in a domain other than dom0: a domain of xensim's
 * (it names the domain in the environment), or a Xen guest whose xenfs
 * does not say control_d, or has no xenfs (dom0 always mounts it: its
 * toolstack and xenstored need it; Shoal's stub domains do not).  A
 * plain host is neither.
 */
static bool
in_other_domain(void)
{
	const char	*simdom = getenv("XENSIM_DOMID");	/* xensim/proto.h */
	char		 line[128];

	if (simdom != NULL)
		return strcmp(simdom, "0") != 0;
	first_line("/sys/hypervisor/type", line, sizeof(line));
	if (strncmp(line, "xen", 3) != 0)
		return false;
	first_line("/proc/xen/capabilities", line, sizeof(line));
	return strstr(line, "control_d") == NULL;
}

/*
 * Whom it will run as: --user, "root" for none, or as root in dom0 the
 * spec's user, checked now so that a host without it fails (exit 1) at
 * once rather than once its sockets are bound.
 */
static void
settle_user(const struct daemon_spec *s, struct daemon_args *a)
{
	if (a->user != NULL) {
		if (strcmp(a->user, "root") == 0)
			a->user = NULL;
		return;
	}
	if (s->user == NULL || geteuid() != 0 || a->check ||
	    in_other_domain())
		return;
	errno = 0;
	if (getpwnam(s->user) == NULL)
		fatalx("no user %s to run as%s%s (deploy/deps adds it; "
		    "--user root keeps root)", s->user, errno ? ": " : "",
		    errno ? strerror(errno) : "");
	a->user = s->user;
}

/*
 * --rpc-socket, bound by daemon_drop while it may still write root's
 * directories, served by daemon_rpc after it.  One per process.
 */
static int rpc_socket_fd = -1;

int
daemon_start(const struct daemon_spec *s, int argc, char **argv,
    struct daemon_args *a, void *arg)
{
	struct option	*lo;
	char		 shortopts[64];
	int		 ch, r = 0;

	memset(a, 0, sizeof(*a));
	log_init(s->name, 0, 0);
	snprintf(shortopts, sizeof(shortopts), "c:nvqh%s",
	    s->shortopts != NULL ? s->shortopts : "");
	if ((lo = all_longopts(s)) == NULL)
		fatal("options");
	while (r == 0 && (ch = getopt_long(argc, argv, shortopts, lo,
	    NULL)) != -1) {
		if (ch == 'h') {
			usage(s, stdout);
			free(lo);
			exit(0);
		}
		if (ch == '?' || (common_option(ch, a) != 0 &&
		    (s->option == NULL || s->option(ch, optarg, arg) != 0)))
			r = -1;
	}
	free(lo);
	if (r != 0 || optind != argc ||
	    (s->config_required && a->config_path == NULL)) {
		usage(s, stderr);
		return -1;
	}
	log_init(s->name, a->syslog, a->verbose);
	settle_user(s, a);
	return 0;
}

struct rpc_server *
daemon_rpc(const struct daemon_args *a, struct event_base *base,
    struct rpc_server_opts *o)
{
	struct rpc_server	*s;

	if (a->no_rpc)
		return NULL;
	o->policy_path = a->policy;
	if ((s = rpc_server_new(base, o)) == NULL) {
		log_warnx("no RPC: %s.* cannot be called", o->service);
		if (rpc_socket_fd != -1)
			close(rpc_socket_fd);
		rpc_socket_fd = -1;
		return NULL;
	}
	if (a->rpc_socket != NULL && (rpc_socket_fd != -1 ?
	    rpc_server_listen_fd(s, rpc_socket_fd, a->rpc_socket) :
	    rpc_server_listen(s, a->rpc_socket)) != 0)
		log_warnx("RPC socket %s not served", a->rpc_socket);
	rpc_socket_fd = -1;
	return s;
}

/* The directory of path, kept in buf (which must outlive the drop). */
static const char *
dir_of(const char *path, char *buf, size_t len)
{
	if (path == NULL || snprintf(buf, len, "%s", path) >= (int)len)
		return NULL;
	return dirname(buf);
}

int
daemon_drop(const struct daemon_args *a, struct privdrop *p)
{
	static char	 sockdir[PATH_MAX], simdir[PATH_MAX];

	p->user = a->user;
	/* Xen's devices (a vchan per RPC caller opens them), and the RPC
	 * socket's directory (it is unlinked at exit). */
	if (privdrop_rw(p, "/dev/xen") != 0 ||
	    /* The RPC policy, read again on every reload. */
	    privdrop_ro(p, a->policy) != 0 ||
	    privdrop_rw(p, "/proc/xen") != 0 ||
	    privdrop_rw(p, dir_of(a->rpc_socket, sockdir,
	    sizeof(sockdir))) != 0 ||
	    /* On xensim: its run directory (sockets, console logs). */
	    privdrop_rw(p, dir_of(getenv("XENSIM_SOCKET"), simdir,
	    sizeof(simdir))) != 0) {
		log_warnx("privilege drop: too many paths");
		return -1;
	}
	if (!a->no_rpc && rpc_vchan_service_rules(&p->store) != 0) {
		log_warnx("privilege drop: too many store paths");
		return -1;
	}
	if (!a->no_rpc && a->rpc_socket != NULL && rpc_socket_fd == -1 &&
	    (rpc_socket_fd = rpc_sock_listen(a->rpc_socket)) == -1)
		log_warn("rpc: listening on %s", a->rpc_socket);
	/* Root's store connection is not the user's: a broker keeps it. */
	if (a->user != NULL && !p->is_store && p->store.n > 0 &&
	    geteuid() == 0 &&
	    xs_broker_start(&p->store, p->store_self, a->user) < 0)
		return -1;
	return privdrop_apply(p);
}
