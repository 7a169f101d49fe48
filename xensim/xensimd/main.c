/*
 * xensimd: the simulated hypervisor.  It owns domains, event channels and
 * grant tables for every process that uses xensim's drop-in Xen libraries,
 * and listens for them on one Unix socket.
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "evloop.h"
#include "log.h"
#include "xensimd.h"

struct event_base	*xsim_base;
const char		*xsim_socket_path;
const char		*xsim_libdir;
char			 xsim_rundir[PATH_MAX];
static struct evloop	*loop;

static void
usage(FILE *f)
{
	fprintf(f,
"usage: xensimd [-v|-q] [--socket PATH] [--libdir DIR]\n"
"\n"
"The simulated hypervisor of xensim: domains as processes, grant tables\n"
"as shared memory, event channels as sockets.  Programs reach it through\n"
"xensim's libxenevtchn and libxengnttab (found through LD_LIBRARY_PATH).\n"
"\n"
"  --socket PATH   where to listen (default $" XSIM_SOCKET_ENV ", else\n"
"                  " XSIM_SOCKET_DEFAULT ")\n"
"  --libdir DIR    the drop-in libraries given to new domains (default:\n"
"                  ../lib beside this program)\n"
"  -v, -q          more or less logging\n"
"  -h, --help      this text\n");
}

void
xsim_stop(void)
{
	evloop_exit(loop);
}

/*
 * The socket stands for Xen's devices: root's, and the group shoal-xen's
 * where deploy made it (as for evtchn and gntalloc on Xen), so that a
 * dom0 daemon run as its own user still reaches it (conn.c says for
 * what).
 */
static int
share_with_daemons(const char *path)
{
	struct group	*gr;

	if (geteuid() != 0 || (gr = getgrnam(XSIM_DEVICE_GROUP)) == NULL)
		return 0;
	return chown(path, 0, gr->gr_gid) == 0 && chmod(path, 0660) == 0 ?
	    0 : -1;
}

static int
listen_on(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char dir[PATH_MAX];
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		log_warnx("%s: socket path too long", path);
		return -1;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	mkdir(dirname(dir), 0755);	/* /run/xensim on a fresh host */
	strcpy(sun.sun_path, path);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	/* Shared once listening: the xensim command connects as soon as
	 * the path is there, and would be refused in between. */
	if (fd == -1 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    listen(fd, 128) == -1 || share_with_daemons(path) == -1) {
		log_warn("%s", path);
		if (fd != -1)
			close(fd);
		return -1;
	}
	return fd;
}

/*
 * Each domain costs a handful of descriptors (memfds, pidfd, its relay's
 * sockets), so a thousand domains need more than the usual soft limit.
 */
static void
raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			log_warn("raising the descriptor limit");
	}
}

/* Per-domain sockets and console logs go beside our socket. */
static void
set_rundir(const char *sockpath)
{
	char tmp[PATH_MAX];

	snprintf(tmp, sizeof(tmp), "%s", sockpath);
	snprintf(xsim_rundir, PATH_MAX, "%s", dirname(tmp));
}

static const char *
default_libdir(void)
{
	static char buf[PATH_MAX];
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return ".";
	exe[n] = '\0';
	snprintf(buf, sizeof(buf), "%s/../lib", dirname(exe));
	return buf;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "libdir", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct event *ev;
	int ch, verbose = 0, lfd;

	xsim_socket_path = getenv(XSIM_SOCKET_ENV);
	while ((ch = getopt_long(argc, argv, "hqv", longopts, NULL)) != -1) {
		switch (ch) {
		case 's': xsim_socket_path = optarg; break;
		case 'l': xsim_libdir = optarg; break;
		case 'v': verbose++; break;
		case 'q': verbose--; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	log_init("xensimd", 0, verbose);
	if (xsim_socket_path == NULL)
		xsim_socket_path = XSIM_SOCKET_DEFAULT;
	if (xsim_libdir == NULL)
		xsim_libdir = default_libdir();
	set_rundir(xsim_socket_path);
	raise_fd_limit();
	if ((loop = evloop_new()) == NULL)
		fatalx("cannot set up the event loop");
	xsim_base = evloop_base(loop);
	if (dom_init() == -1)
		fatal("dom0");
	if ((lfd = listen_on(xsim_socket_path)) == -1)
		return 1;
	ev = event_new(xsim_base, lfd, EV_READ | EV_PERSIST, conn_accept, NULL);
	if (ev == NULL || event_add(ev, NULL) == -1)
		fatalx("cannot watch %s", xsim_socket_path);
	log_info("listening on %s, domains get %s", xsim_socket_path,
	    xsim_libdir);
	evloop_run(loop);

	event_free(ev);
	close(lfd);
	conn_close_all();
	dom_fini();
	/* Last: `xensim stop` takes the socket's going to mean all is gone. */
	unlink(xsim_socket_path);
	evloop_free(loop);
	log_info("stopped");
	return 0;
}
