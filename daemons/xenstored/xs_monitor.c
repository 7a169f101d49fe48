#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"
#include "xs_monitor.h"

#define FDS_PER_MSG	200	/* below the kernel's SCM_MAX_FD (253) */
#define MAX_KEPT	65536	/* descriptors a live update may hand over */
#define MAX_ARGS	64

enum msg_type { MSG_FDS = 1, MSG_EXEC };

/* Worker to monitor: descriptors (as SCM_RIGHTS) and their numbers. */
struct msg_fds {
	uint32_t	type;		/* MSG_FDS */
	uint32_t	n;
	int32_t		num[FDS_PER_MSG];
};

/* Worker to monitor: the update itself. */
struct msg_exec {
	uint32_t	type;		/* MSG_EXEC */
	int32_t		state_fd;
	char		file[PATH_MAX];
};

/* Monitor to worker, only when the update did not happen. */
struct msg_refused {
	char		why[256];
};

struct kept {
	int		num;		/* where the new image expects it */
	int		fd;		/* where the monitor holds it */
};

struct monitor {
	int		 chan;
	int		 sigfd;
	pid_t		 worker;
	sigset_t	 set;		/* blocked, read from sigfd */
	sigset_t	 oldmask;
	char		 self[PATH_MAX];	/* the binary we started from */
	int		 argc;
	char		**argv;
	struct kept	*kept;
	size_t		 nkept;
	const char	*socket;	/* removed once the worker ends */
};

/* ---- the monitor ---- */

static void
drop_kept(struct monitor *m)
{
	size_t	 i;

	for (i = 0; i < m->nkept; i++)
		close(m->kept[i].fd);
	m->nkept = 0;
}

static void
refuse(struct monitor *m, const char *why)
{
	struct msg_refused	 r;

	log_warnx("live update refused: %s", why);
	snprintf(r.why, sizeof(r.why), "%s", why);
	(void)send(m->chan, &r, sizeof(r), MSG_NOSIGNAL);
	drop_kept(m);
}

static int
held(const struct monitor *m, int num)
{
	size_t	 i;

	for (i = 0; i < m->nkept; i++)
		if (m->kept[i].num == num)
			return 1;
	return 0;
}

/*
 * Descriptors come with the numbers the state refers to them by (f);
 * any that come otherwise, or past a limit, are closed at once.
 */
static void
take_fds(struct monitor *m, const struct msg_fds *f, struct msghdr *mh)
{
	struct cmsghdr	*c;
	int		 fd;
	size_t		 nfds, i;

	for (c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		nfds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < nfds; i++) {
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			if (f == NULL || i >= f->n || f->num[i] < 3 ||
			    held(m, f->num[i]) || m->nkept >= MAX_KEPT)
				close(fd);
			else
				m->kept[m->nkept++] = (struct kept){
				    f->num[i], fd };
		}
	}
}

/* Every descriptor to its number; ours (and the channel) out of the way. */
static int
place_kept(struct monitor *m)
{
	int	 top = 0, fd;
	size_t	 i;

	for (i = 0; i < m->nkept; i++)
		if (m->kept[i].num > top)
			top = m->kept[i].num;
	if ((fd = fcntl(m->chan, F_DUPFD_CLOEXEC, top + 1)) == -1)
		return -1;
	close(m->chan);
	m->chan = fd;
	if ((fd = fcntl(m->sigfd, F_DUPFD_CLOEXEC, top + 1)) == -1)
		return -1;
	close(m->sigfd);
	m->sigfd = fd;
	for (i = 0; i < m->nkept; i++) {
		if ((fd = fcntl(m->kept[i].fd, F_DUPFD_CLOEXEC, top + 1)) == -1)
			return -1;
		close(m->kept[i].fd);
		m->kept[i].fd = fd;
	}
	for (i = 0; i < m->nkept; i++) {
		if (dup2(m->kept[i].fd, m->kept[i].num) == -1)
			return -1;
		close(m->kept[i].fd);
		m->kept[i].fd = m->kept[i].num;
	}
	return 0;
}

/* Our own arguments, without a previous update's state, then the new. */
static void
new_argv(const struct monitor *m, char *fdarg, char **av)
{
	int	 n = 0, i;

	av[n++] = (char *)m->self;
	for (i = 1; i < m->argc && n < MAX_ARGS - 3; i++) {
		if (strcmp(m->argv[i], "--live-update-state") == 0) {
			i++;
			continue;
		}
		av[n++] = m->argv[i];
	}
	av[n++] = "--live-update-state";
	av[n++] = fdarg;
	av[n] = NULL;
}

static void
do_exec(struct monitor *m, const struct msg_exec *x)
{
	char	 file[PATH_MAX], real[PATH_MAX], fdarg[16], *av[MAX_ARGS];

	memcpy(file, x->file, sizeof(file));
	file[sizeof(file) - 1] = '\0';
	/* The worker may be an intruder's: it names nothing but our binary. */
	if (realpath(file, real) == NULL || strcmp(real, m->self) != 0) {
		refuse(m, "under --user only the binary xenstored was started "
		    "from can be the new one");
		return;
	}
	if (!held(m, x->state_fd)) {
		refuse(m, "the state was not handed over");
		return;
	}
	snprintf(fdarg, sizeof(fdarg), "%d", (int)x->state_fd);
	new_argv(m, fdarg, av);
	if (place_kept(m) == -1) {
		refuse(m, "cannot place the descriptors");
		return;
	}
	log_info("live update: exec %s as root", m->self);
	closelog();
	sigprocmask(SIG_SETMASK, &m->oldmask, NULL);
	execv(m->self, av);
	sigprocmask(SIG_BLOCK, &m->set, NULL);
	log_warn("live update: exec %s", m->self);
	refuse(m, "exec of the new binary failed");
}

static void
on_message(struct monitor *m)
{
	union {
		uint32_t		type;
		struct msg_fds		fds;
		struct msg_exec		exec;
	} u;
	union {
		char		buf[CMSG_SPACE(FDS_PER_MSG * sizeof(int))];
		struct cmsghdr	align;
	} cm;
	struct iovec	 iov = { &u, sizeof(u) };
	struct msghdr	 mh = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = cm.buf,
			    .msg_controllen = sizeof(cm.buf) };
	ssize_t		 n;

	if ((n = recvmsg(m->chan, &mh, MSG_CMSG_CLOEXEC)) <= 0) {
		/* The worker is going: its exit status comes by SIGCHLD. */
		if (n == 0 || errno != EINTR) {
			close(m->chan);
			m->chan = -1;
		}
		return;
	}
	if ((size_t)n == sizeof(struct msg_fds) && u.type == MSG_FDS &&
	    u.fds.n <= FDS_PER_MSG && !(mh.msg_flags & MSG_CTRUNC)) {
		take_fds(m, &u.fds, &mh);
		return;
	}
	take_fds(m, NULL, &mh);
	if ((size_t)n == sizeof(struct msg_exec) && u.type == MSG_EXEC)
		do_exec(m, &u.exec);
	else
		refuse(m, "a message the monitor does not know");
}

/*
 * The worker, another user, cannot remove its socket from root's
 * directory; the monitor does, knowing the path from its own start (the
 * worker is never asked), and only while it is still a socket.
 */
static void
remove_socket(const char *path)
{
	struct stat	 st;

	if (path != NULL && lstat(path, &st) == 0 && S_ISSOCK(st.st_mode) &&
	    unlink(path) == -1)
		log_warn("monitor: unlink %s", path);
}

/* 128 + the signal, as a shell reports a process it killed. */
static int
status_of(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void
on_signal(struct monitor *m)
{
	struct signalfd_siginfo	 si;
	pid_t			 pid;
	int			 st;

	if (read(m->sigfd, &si, sizeof(si)) != sizeof(si))
		return;
	if (si.ssi_signo != SIGCHLD) {
		kill(m->worker, (int)si.ssi_signo);
		return;
	}
	/* A worker from before an update ends too: only ours counts. */
	while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
		if (pid == m->worker) {
			remove_socket(m->socket);
			_exit(status_of(st));
		}
}

static void __attribute__((noreturn))
monitor_run(struct monitor *m)
{
	struct pollfd	 p[2];

	for (;;) {
		p[0] = (struct pollfd){ .fd = m->sigfd, .events = POLLIN };
		p[1] = (struct pollfd){ .fd = m->chan, .events = POLLIN };
		if (poll(p, m->chan >= 0 ? 2 : 1, -1) == -1) {
			if (errno == EINTR)
				continue;
			fatal("monitor: poll");
		}
		if (p[0].revents & POLLIN)
			on_signal(m);
		if (m->chan >= 0 && (p[1].revents & (POLLIN | POLLHUP)))
			on_message(m);
	}
}

/* The monitor holds stdio and the channel only (see the header). */
static void
close_others(int keep)
{
	DIR		*d;
	struct dirent	*e;
	long		 fd;

	closelog();
	if ((d = opendir("/proc/self/fd")) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		fd = strtol(e->d_name, NULL, 10);
		if (e->d_name[0] != '.' && fd > 2 && fd != keep &&
		    fd != dirfd(d))
			close((int)fd);
	}
	closedir(d);
}

int
xs_monitor_start(int argc, char **argv, const char *socket)
{
	static struct kept	 kept[MAX_KEPT];
	struct monitor		 m = { .argc = argc, .argv = argv,
				    .kept = kept, .socket = socket };
	ssize_t			 n;
	int			 sv[2];

	if ((n = readlink("/proc/self/exe", m.self, sizeof(m.self) - 1)) <= 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1) {
		log_warn("monitor");
		return -1;
	}
	m.self[n] = '\0';
	/* Before the fork: the monitor must not miss one. */
	sigemptyset(&m.set);
	sigaddset(&m.set, SIGCHLD);
	sigaddset(&m.set, SIGTERM);
	sigaddset(&m.set, SIGINT);
	sigaddset(&m.set, SIGHUP);
	sigprocmask(SIG_BLOCK, &m.set, &m.oldmask);
	switch (m.worker = fork()) {
	case -1:
		log_warn("monitor: fork");
		sigprocmask(SIG_SETMASK, &m.oldmask, NULL);
		close(sv[0]);
		close(sv[1]);
		return -1;
	case 0:
		close(sv[0]);
		sigprocmask(SIG_SETMASK, &m.oldmask, NULL);
		/* Its parent gone, the daemon goes: nothing could update it. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() == 1)
			_exit(1);
		return sv[1];
	}
	close_others(sv[0]);
	m.chan = sv[0];
	if ((m.sigfd = signalfd(-1, &m.set, SFD_CLOEXEC)) == -1)
		fatal("monitor: signalfd");
	/*
	 * The previous image's worker and RPC helper end after this image
	 * started (their SIGCHLD may have come before the signalfd): they
	 * are ours to reap, the helper too once it is orphaned.
	 */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	log_info("monitor: worker %d serves; this process keeps root for "
	    "live updates", (int)m.worker);
	monitor_run(&m);
}

/* ---- the worker ---- */

/* What the new image must find: every descriptor not closed on exec. */
static int
kept_fds(int *num, size_t max, size_t *n)
{
	DIR		*d;
	struct dirent	*e;
	long		 fd;
	int		 fl;

	*n = 0;
	if ((d = opendir("/proc/self/fd")) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		fd = strtol(e->d_name, NULL, 10);
		if (e->d_name[0] == '.' || fd <= 2 || fd == dirfd(d) ||
		    (fl = fcntl((int)fd, F_GETFD)) == -1 || (fl & FD_CLOEXEC))
			continue;
		if (*n == max) {
			closedir(d);
			errno = EMFILE;
			return -1;
		}
		num[(*n)++] = (int)fd;
	}
	closedir(d);
	return 0;
}

static int
send_fds(int chan, const int *num, size_t n)
{
	struct msg_fds	 f = { .type = MSG_FDS, .n = (uint32_t)n };
	union {
		char		buf[CMSG_SPACE(FDS_PER_MSG * sizeof(int))];
		struct cmsghdr	align;
	} cm;
	struct iovec	 iov = { &f, sizeof(f) };
	struct msghdr	 mh = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = cm.buf,
			    .msg_controllen = CMSG_SPACE(n * sizeof(int)) };
	struct cmsghdr	*c = CMSG_FIRSTHDR(&mh);

	memset(cm.buf, 0, sizeof(cm.buf));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(c), num, n * sizeof(int));
	memcpy(f.num, num, n * sizeof(int));
	return sendmsg(chan, &mh, MSG_NOSIGNAL) == -1 ? -1 : 0;
}

int
xs_monitor_exec(int chan, const char *file, int state_fd, char *why,
    size_t whylen)
{
	static int		 num[MAX_KEPT];
	struct msg_exec		 x = { .type = MSG_EXEC, .state_fd = state_fd };
	struct msg_refused	 r;
	size_t			 n, i, k;
	ssize_t			 got;

	if (kept_fds(num, MAX_KEPT, &n) == -1) {
		snprintf(why, whylen, "listing descriptors: %s",
		    strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i += k) {
		k = n - i < FDS_PER_MSG ? n - i : FDS_PER_MSG;
		if (send_fds(chan, num + i, k) == -1)
			goto lost;
	}
	snprintf(x.file, sizeof(x.file), "%s", file);
	if (send(chan, &x, sizeof(x), MSG_NOSIGNAL) == -1)
		goto lost;
	while ((got = recv(chan, &r, sizeof(r), 0)) == -1 && errno == EINTR)
		;
	if (got == 0) {
		/*
		 * The monitor's image changed: the new one has everything.
		 * _exit, not exit: nothing of ours may be torn down (the
		 * socket file, the clients), and the memory is not leaked.
		 */
		log_info("live update: handed over to the new image");
		_exit(0);
	}
	if (got != (ssize_t)sizeof(r))
		goto lost;
	r.why[sizeof(r.why) - 1] = '\0';
	snprintf(why, whylen, "%s", r.why);
	return -1;
lost:
	snprintf(why, whylen, "the monitor is gone: %s", strerror(errno));
	return -1;
}
