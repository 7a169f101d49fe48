#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "log.h"
#include "worker.h"

#define SNAPSHOT_MAX	(8u << 20)	/* a frame past it ends the child */
#define CHILD_FD	3		/* the child's end of the pair */

struct worker {
	struct event_base	*base;
	const struct worker_ops	*ops;
	void			*settings;
	void			*state;
	pid_t			 pid;		/* the child, -1 none */
	int			 fd;		/* our end of its socket pair */
	struct event		*ev;		/* fd readable */
	struct evbuffer		*in;		/* frames not yet whole */
	struct event		*respawn;	/* after the child died */
	unsigned		 spawned;	/* children forked so far */
	json_t			*snap;		/* the latest whole one */
	struct worker_fork_hooks hooks;
};

static int	child_fd = -1;		/* in the child: its socket */
static bool	child_first;		/* in the child: forked at start */
/* The event loop's: its handlers would write to its (closed) pipe. */
static const int loop_signals[] = { SIGTERM, SIGINT, SIGHUP };

static void	child_end(struct worker *, bool);
static void	child_lost(struct worker *, const char *);

static int
interval_of(const void *settings)
{
	return ((const struct worker_timing *)settings)->interval_ms;
}

static uint64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static bool
write_all(int fd, const void *p, size_t len)
{
	const char	*c = p;
	ssize_t		 n;

	while (len > 0) {
		if ((n = write(fd, c, len)) < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		c += n;
		len -= (size_t)n;
	}
	return true;
}

/* ---- the child ---- */

/*
 * A normal end.  A replacement child was forked while the daemon had
 * threads (libxenstore's), whose memory it holds but cannot free: its
 * leak report would name theirs, so only the first child (forked before
 * any thread) runs the exit handlers and the sanitizers' report.
 */
static void __attribute__((noreturn))
child_exit(int status)
{
	if (child_first)
		exit(status);
	_exit(status);
}

bool
worker_parent_gone(void)
{
	struct pollfd	 pfd = { .fd = child_fd, .events = POLLIN };
	char		 c;

	if (child_fd < 0 || poll(&pfd, 1, 0) <= 0)
		return false;
	return (pfd.revents & POLLHUP) != 0 ||
	    recv(child_fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

/*
 * Waits until the next round (forever while paused), taking new settings
 * meanwhile; settings that end a pause start a round at once.
 */
static void
child_wait(const struct worker_ops *ops, void *settings, void *next)
{
	uint64_t	 until = now_ms() +
			    (uint64_t)interval_of(settings), now = 0;
	struct pollfd	 pfd = { .fd = CHILD_FD, .events = POLLIN };
	bool		 paused;
	ssize_t		 n;

	while ((paused = interval_of(settings) == 0) ||
	    (now = now_ms()) < until) {
		if (poll(&pfd, 1, paused ? -1 : (int)(until - now)) <= 0)
			continue;
		n = read(CHILD_FD, next, ops->settings_len);
		if (n == 0)
			child_exit(0);		/* the daemon is gone */
		if (n == (ssize_t)ops->settings_len) {
			memcpy(settings, next, ops->settings_len);
			if (paused)
				return;
			until = now_ms() + (uint64_t)interval_of(settings);
		} else if (n < 0 && errno != EINTR && errno != EAGAIN)
			child_exit(1);
	}
}

static void __attribute__((noreturn))
child_main(int fd, const struct worker_ops *ops, void *settings,
    void *state, bool first)
{
	json_t		*snap;
	char		*text;
	void		*next;
	uint32_t	 len;
	size_t		 sig;
	sigset_t	 none;

	/* The sanitizers' own handlers stay. */
	for (sig = 0; sig < sizeof(loop_signals) / sizeof(loop_signals[0]);
	    sig++)
		signal(loop_signals[sig], SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* A copy of a client's socket kept here would keep that connection
	 * open after the daemon closed it: only the pair and stdio stay. */
	if (dup2(fd, CHILD_FD) != CHILD_FD ||
	    (next = malloc(ops->settings_len)) == NULL)
		_exit(1);
	close_range(CHILD_FD + 1, ~0U, 0);
	child_fd = CHILD_FD;
	child_first = first;
	for (;; child_wait(ops, settings, next)) {
		if (interval_of(settings) == 0)
			continue;
		snap = ops->round(settings, state);
		if (worker_parent_gone()) {
			json_decref(snap);
			free(next);
			child_exit(0);
		}
		if (snap == NULL)
			continue;
		text = json_dumps(snap, JSON_COMPACT);
		json_decref(snap);
		if (text == NULL)
			child_exit(1);
		len = (uint32_t)strlen(text);
		if (!write_all(CHILD_FD, &len, sizeof(len)) ||
		    !write_all(CHILD_FD, text, len)) {
			free(text);
			free(next);
			child_exit(0);		/* the daemon is gone */
		}
		free(text);
	}
}

/* ---- the daemon ---- */

/* The child's frames, each a length and a snapshot. */
static void
on_frames(evutil_socket_t fd, short what, void *arg)
{
	struct worker	*w = arg;
	uint32_t	 len;
	json_t		*snap;
	json_error_t	 jerr;
	int		 n;

	(void)what;
	if ((n = evbuffer_read(w->in, fd, 65536)) <= 0) {
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			return;
		child_lost(w, "ended");
		return;
	}
	while (evbuffer_copyout(w->in, &len, sizeof(len)) ==
	    (ssize_t)sizeof(len)) {
		if (len > SNAPSHOT_MAX) {
			child_lost(w, "sent an oversized snapshot");
			return;
		}
		if (evbuffer_get_length(w->in) < sizeof(len) + len)
			return;
		evbuffer_drain(w->in, sizeof(len));
		snap = json_loadb((const char *)evbuffer_pullup(w->in, len),
		    len, 0, &jerr);
		evbuffer_drain(w->in, len);
		if (snap == NULL) {
			child_lost(w, "sent a broken snapshot");
			return;
		}
		if (interval_of(w->settings) == 0) {
			json_decref(snap);	/* a round begun before a pause */
			continue;
		}
		json_decref(w->snap);
		w->snap = snap;
	}
}

static int
child_spawn(struct worker *w)
{
	int	 sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		log_warn("%s: socketpair", w->ops->name);
		return -1;
	}
	if (w->hooks.before != NULL)
		w->hooks.before(w->hooks.arg);
	w->pid = fork();
	if (w->pid != 0 && w->hooks.after != NULL)
		w->hooks.after(w->hooks.arg);
	if (w->pid < 0) {
		log_warn("%s: fork", w->ops->name);
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (w->pid == 0) {
		close(sv[0]);
		child_main(sv[1], w->ops, w->settings, w->state,
		    w->spawned == 0);
	}
	close(sv[1]);
	w->spawned++;
	w->fd = sv[0];
	evutil_make_socket_nonblocking(w->fd);
	if ((w->ev = event_new(w->base, w->fd, EV_READ | EV_PERSIST,
	    on_frames, w)) == NULL || event_add(w->ev, NULL) != 0) {
		log_warnx("%s: cannot watch its socket", w->ops->name);
		child_end(w, true);
		return -1;
	}
	log_debug("%s: process %d", w->ops->name, (int)w->pid);
	return 0;
}

static void
reap(pid_t pid, int *st)
{
	while (waitpid(pid, st, 0) < 0 && errno == EINTR)
		;
}

/*
 * Closes our end and reaps the child.  Stopping, it is given the time of
 * the call in progress to notice and exit (so that its own leak report
 * runs), then killed.  Otherwise it died or misbehaved: it is killed if
 * still there, and how it ended is logged.
 */
static void
child_end(struct worker *w, bool stopping)
{
	/* A child that closed its end may still be exiting. */
	int	 st = 0, waited_ms = 0, grace_ms = stopping ?
		    ((const struct worker_timing *)w->settings)->timeout_ms + 1000 : 200;
	pid_t	 r;

	if (w->ev != NULL)
		event_free(w->ev);
	w->ev = NULL;
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	evbuffer_drain(w->in, evbuffer_get_length(w->in));
	if (w->pid <= 0)
		return;
	while ((r = waitpid(w->pid, &st, WNOHANG)) == 0 &&
	    waited_ms < grace_ms) {
		poll(NULL, 0, 10);
		waited_ms += 10;
	}
	if (r == 0) {
		if (stopping)
			log_warnx("%s: process %d did not stop", w->ops->name,
			    (int)w->pid);
		kill(w->pid, SIGKILL);
		reap(w->pid, &st);
	} else if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0))
		log_warnx("%s: process %d %s %d", w->ops->name, (int)w->pid,
		    WIFSIGNALED(st) ? "killed by signal" : "exited with",
		    WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	w->pid = -1;
}

/* A round, and at least a second: a child that dies at once, or a fork
 * that fails, must not make the daemon spin. */
static struct timeval
respawn_delay(const struct worker *w)
{
	int	 ms = interval_of(w->settings);

	if (ms < 1000)
		ms = 1000;
	return (struct timeval){ ms / 1000, (ms % 1000) * 1000 };
}

/* It died or misbehaved: say so, and start another later. */
static void
child_lost(struct worker *w, const char *why)
{
	struct timeval	 later = respawn_delay(w);

	log_warnx("%s %s; another in %lld ms", w->ops->name, why,
	    (long long)later.tv_sec * 1000 + later.tv_usec / 1000);
	child_end(w, false);
	json_decref(w->snap);
	w->snap = w->ops->lost != NULL ? w->ops->lost(why) : NULL;
	evtimer_add(w->respawn, &later);
}

static void
on_respawn(evutil_socket_t fd, short what, void *arg)
{
	struct worker	*w = arg;
	struct timeval	 later = respawn_delay(w);

	(void)fd;
	(void)what;
	if (child_spawn(w) != 0)	/* no fork today: try again later */
		evtimer_add(w->respawn, &later);
}

struct worker *
worker_start(struct event_base *base, const struct worker_ops *ops,
    void *settings, void *state, const struct worker_fork_hooks *hooks)
{
	struct worker	*w;

	if ((w = calloc(1, sizeof(*w))) == NULL) {
		log_warn("%s", ops->name);
		return NULL;
	}
	w->base = base;
	w->ops = ops;
	w->settings = settings;
	w->state = state;
	if (hooks != NULL)
		w->hooks = *hooks;
	w->fd = -1;
	w->pid = -1;
	if ((w->in = evbuffer_new()) == NULL ||
	    (w->respawn = evtimer_new(base, on_respawn, w)) == NULL ||
	    child_spawn(w) != 0) {
		worker_stop(w);
		return NULL;
	}
	return w;
}

void
worker_configure(struct worker *w)
{
	if (interval_of(w->settings) == 0) {
		json_decref(w->snap);
		w->snap = NULL;
	}
	if (w->fd >= 0 && !write_all(w->fd, w->settings, w->ops->settings_len))
		log_warn("%s: new settings not sent", w->ops->name);
}

void
worker_stop(struct worker *w)
{
	if (w == NULL)
		return;
	child_end(w, true);
	if (w->respawn != NULL)
		event_free(w->respawn);
	if (w->in != NULL)
		evbuffer_free(w->in);
	json_decref(w->snap);
	free(w);
}

json_t *
worker_snapshot(struct worker *w)
{
	return json_incref(w->snap);
}
