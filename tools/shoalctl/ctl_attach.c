/*
 * ctl_attach: `shoalctl console attach GUEST`, an interactive console
 * over vchan, as `xl console` is for xenconsoled in dom0, but reaching
 * consoled wherever it runs (a console domain, usually).
 *
 * The terminal goes raw; what the guest prints arrives by console.follow
 * and goes to stdout as it is; what is typed goes by console.write; ^]
 * leaves and puts the terminal back.  rpc_client blocks, so the follow
 * stream is read by a child process over a connection of its own, and
 * this process reads the keyboard and makes the calls: each side stays a
 * plain loop.  The child tells us over a pipe once its connection is up,
 * and the pipe's end tells us it has gone.
 *
 * A window size is not passed on: Xen's PV console ring
 * (xen/io/console.h) carries bytes only, and xenconsole has no way to
 * pass one either.
 */
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "ctl.h"
#include "rpc_client.h"

#define ESCAPE		0x1d	/* ^] */
#define KEYS_MAX	512	/* bytes sent by one console.write */

struct attach {
	unsigned	 domid;		/* where consoled runs */
	char		 svc[64];
	const char	*guest;
	int		 timeout;
};

static int
on_output(json_t *ev, void *arg)
{
	const char	*s = json_string_value(json_object_get(ev, "data"));
	size_t		 len = json_string_length(json_object_get(ev, "data"));
	ssize_t		 n;

	(void)arg;
	while (s != NULL && len > 0) {
		if ((n = write(STDOUT_FILENO, s, len)) < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The child: follow the guest's output until killed or the stream ends. */
static void __attribute__((noreturn))
follower(const struct attach *a, int ready)
{
	struct rpc_client	*c;
	json_t			*e = NULL;
	char			 err[256];

	signal(SIGINT, SIG_IGN);	/* ^C is a key for the guest */
	if ((c = rpc_client_vchan(a->domid, a->svc, NULL, a->timeout, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "shoalctl: %s\r\n", err);
		_exit(CTL_UNREACHABLE);
	}
	if (write(ready, "", 1) != 1)
		_exit(CTL_FAILED);
	/* It ends by _exit (or our SIGTERM): nothing here is freed. */
	if (rpc_client_stream(c, "console.follow", json_pack("{s:s}",
	    "domain", a->guest), on_output, NULL, &e, 1 << 30, err,
	    sizeof(err)) == 1) {
		fprintf(stderr, "shoalctl: %s\r\n", json_string_value(
		    json_object_get(e, "message")));
		_exit(CTL_FAILED);
	}
	_exit(CTL_UNREACHABLE);
}

/* Keys as a JSON string: bytes that are not UTF-8 become '?'. */
static json_t *
keys_string(const char *buf, size_t len)
{
	char	 copy[KEYS_MAX];
	json_t	*s;
	size_t	 i;

	if ((s = json_stringn(buf, len)) != NULL)
		return s;
	for (i = 0; i < len; i++)
		copy[i] = (unsigned char)buf[i] < 0x80 ? buf[i] : '?';
	return json_stringn(copy, len);
}

/* One call whose result is not wanted: a CTL_ code, the reason printed
 * (ended by \r\n, which a raw terminal needs and a cooked one takes). */
static int
call_once(struct rpc_client *c, const struct attach *a, const char *method,
    json_t *params)
{
	json_t	*res = NULL, *e = NULL;
	char	 err[256];
	int	 rc;

	rc = rpc_client_call(c, method, params, &res, &e, a->timeout, err,
	    sizeof(err));
	json_decref(params);
	if (rc == 1)
		fprintf(stderr, "shoalctl: %s\r\n", json_string_value(
		    json_object_get(e, "message")));
	else if (rc < 0)
		fprintf(stderr, "shoalctl: %s\r\n", err);
	json_decref(res);
	json_decref(e);
	return rc == 0 ? CTL_OK : rc == 1 ? CTL_FAILED : CTL_UNREACHABLE;
}

static int
send_keys(struct rpc_client *c, const struct attach *a, const char *buf,
    size_t len)
{
	return call_once(c, a, "console.write", json_pack("{s:s, s:o}",
	    "domain", a->guest, "data", keys_string(buf, len)));
}

/* Keyboard to console.write until ^], an error or the follower's end. */
static int
type_keys(struct rpc_client *c, const struct attach *a, int child)
{
	struct pollfd	 p[2] = { { .fd = STDIN_FILENO, .events = POLLIN },
			    { .fd = child, .events = POLLIN } };
	char		 buf[KEYS_MAX], *esc;
	ssize_t		 n;

	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return CTL_FAILED;
		}
		if (p[1].revents != 0)
			return -1;	/* the follower ended: its status */
		if (p[0].revents == 0)
			continue;
		if ((n = read(STDIN_FILENO, buf, sizeof(buf))) <= 0)
			return n == 0 ? CTL_OK : CTL_FAILED;
		esc = memchr(buf, ESCAPE, (size_t)n);
		if ((esc == NULL || esc > buf) && send_keys(c, a, buf,
		    esc != NULL ? (size_t)(esc - buf) : (size_t)n) != CTL_OK)
			return CTL_UNREACHABLE;
		if (esc != NULL)
			return CTL_OK;
	}
}

/* Is there such a guest?  Asked before the terminal goes raw. */
static int
guest_known(struct rpc_client *c, const struct attach *a)
{
	return call_once(c, a, "console.tail", json_pack("{s:s, s:i}",
	    "domain", a->guest, "n", 1));
}

static int
session(const struct attach *a, pid_t pid, int child)
{
	struct rpc_client	*c;
	struct termios		 saved, raw;
	bool			 tty = isatty(STDIN_FILENO) &&
				    tcgetattr(STDIN_FILENO, &saved) == 0;
	char			 err[256], byte;
	int			 rc = CTL_OK, st = 0;

	if (read(child, &byte, 1) != 1) {	/* it could not connect */
		waitpid(pid, &st, 0);
		return WIFEXITED(st) ? WEXITSTATUS(st) : CTL_UNREACHABLE;
	}
	if ((c = rpc_client_vchan(a->domid, a->svc, NULL, a->timeout, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "shoalctl: %s\n", err);
		rc = CTL_UNREACHABLE;
	} else if ((rc = guest_known(c, a)) != CTL_OK)
		rpc_client_close(c);
	if (rc != CTL_OK) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
		return rc;
	}
	if (tty) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw);
	}
	fprintf(stderr, "[shoalctl: attached to %s's console; ^] leaves]\r\n",
	    a->guest);
	rc = type_keys(c, a, child);
	rpc_client_close(c);
	if (tty)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
	if (rc >= 0)
		kill(pid, SIGTERM);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (rc < 0)	/* the follower ended first: it said why */
		rc = WIFEXITED(st) ? WEXITSTATUS(st) : CTL_UNREACHABLE;
	fprintf(stderr, "\n[shoalctl: detached]\n");
	return rc;
}

int
ctl_attach(const char *domain, const char *guest, int timeout)
{
	struct attach	 a = { .guest = guest, .timeout = timeout };
	int		 pipefd[2], rc;
	pid_t		 pid;

	if ((rc = ctl_find("console", domain, &a.domid, a.svc,
	    sizeof(a.svc))) != 0)
		return rc;
	if (pipe(pipefd) != 0 || (pid = fork()) < 0) {
		perror("shoalctl");
		return CTL_FAILED;
	}
	if (pid == 0) {
		close(pipefd[0]);
		follower(&a, pipefd[1]);
	}
	close(pipefd[1]);
	rc = session(&a, pid, pipefd[0]);
	close(pipefd[0]);
	return rc;
}
