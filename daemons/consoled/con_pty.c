#include <fcntl.h>
#include <pty.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "con_pty.h"

int
con_pty_open(struct con_pty *p)
{
	struct termios t;

	memset(p, 0, sizeof(*p));
	p->master = p->slave = -1;
	if (openpty(&p->master, &p->slave, p->path, NULL, NULL) == -1)
		return -1;
	if (tcgetattr(p->slave, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(p->slave, TCSANOW, &t);
	}
	if (fcntl(p->master, F_SETFL, O_NONBLOCK) == -1 ||
	    fcntl(p->master, F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(p->slave, F_SETFD, FD_CLOEXEC) == -1) {
		con_pty_close(p);
		return -1;
	}
	return 0;
}

void
con_pty_close(struct con_pty *p)
{
	if (p->master != -1)
		close(p->master);
	if (p->slave != -1)
		close(p->slave);
	memset(p, 0, sizeof(*p));
	p->master = p->slave = -1;
}
