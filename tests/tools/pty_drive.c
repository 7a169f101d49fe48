/*
 * pty-drive: drive an interactive console client through a pty, as a
 * person at a terminal would, where no scripting language is at hand
 * (dom0 of the real-Xen tier is busybox).
 *
 *   pty-drive LINE CMD [ARG...]
 *
 * Runs CMD on a new pty; once it prints "attached to", types LINE and a
 * carriage return until LINE comes back (the guest's echo; 10 s at most,
 * since the follow stream may start a moment after the banner), then ^]
 * and expects CMD to exit 0 within 5 s.  Exit 0 if all of that happened;
 * otherwise 1, with what it saw on stderr.
 */
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SEEN_MAX	(64 * 1024)

static char	 seen[SEEN_MAX + 1];
static size_t	 nseen;

static long long
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read from the pty until want was seen or ms passed; false at EOF. */
static bool
read_until(int fd, const char *want, int ms)
{
	long long	 end = now_ms() + ms;
	struct pollfd	 p = { .fd = fd, .events = POLLIN };
	ssize_t		 n;
	int		 left;

	while (want == NULL || strstr(seen, want) == NULL) {
		if ((left = (int)(end - now_ms())) <= 0)
			return false;
		if (poll(&p, 1, left) <= 0)
			continue;
		if (nseen == SEEN_MAX)	/* keep the newest half */
			memmove(seen, seen + SEEN_MAX / 2,
			    nseen = SEEN_MAX - SEEN_MAX / 2);
		if ((n = read(fd, seen + nseen, SEEN_MAX - nseen)) <= 0)
			return want != NULL && strstr(seen, want) != NULL;
		/* The client's bytes may hold NULs: strstr must see past. */
		for (ssize_t i = 0; i < n; i++)
			if (seen[nseen + (size_t)i] == '\0')
				seen[nseen + (size_t)i] = '.';
		nseen += (size_t)n;
		seen[nseen] = '\0';
	}
	return true;
}

static bool
type_until_echoed(int fd, const char *line)
{
	int	 i;

	for (i = 0; i < 20; i++) {
		if (write(fd, line, strlen(line)) < 0 || write(fd, "\r", 1) < 0)
			return false;
		if (read_until(fd, line, 500))
			return true;
	}
	return false;
}

/* CMD's exit status, reading its output meanwhile; -1 after 5 s. */
static int
reap(pid_t pid, int fd)
{
	long long	 end = now_ms() + 5000;
	int		 status;

	while (now_ms() < end) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
		read_until(fd, NULL, 100);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

int
main(int argc, char **argv)
{
	int	 fd, status;
	pid_t	 pid;
	bool	 ok;

	if (argc < 3) {
		fprintf(stderr, "usage: pty-drive LINE CMD [ARG...]\n");
		return 2;
	}
	if ((pid = forkpty(&fd, NULL, NULL, NULL)) == -1) {
		perror("pty-drive: forkpty");
		return 1;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		perror("pty-drive: exec");
		_exit(127);
	}
	ok = read_until(fd, "attached to", 10000) &&
	    type_until_echoed(fd, argv[1]);
	if (ok) {
		if (write(fd, "\035", 1) == 1)		/* ^] */
			read_until(fd, "detached", 5000);
		else
			ok = false;
	}
	status = reap(pid, fd);
	if (ok && status == 0)
		return 0;
	fprintf(stderr, "pty-drive: %s, exit %d; saw:\n%s\n", ok ?
	    "typed and echoed" : "no banner or no echo", status, seen);
	return 1;
}
