/*
 * con_pty: the pty a domain's console is reachable through, as
 * xenconsoled makes one: the slave is in raw mode (bytes pass as they
 * are, both ways) and its path goes to console/tty, where xenconsole
 * (`xl console`) finds it.
 *
 * We keep the slave open ourselves: with no slave open, reading the
 * master fails with EIO each time a client detaches, and a client that
 * comes later would find a hung-up pty.  The master is non-blocking: a
 * pty nobody reads fills up and then refuses, and con_dom decides what
 * to drop.
 */
#ifndef CON_PTY_H
#define CON_PTY_H

#include <stddef.h>

struct con_pty {
	int	master, slave;
	char	path[64];
};

int	con_pty_open(struct con_pty *);
void	con_pty_close(struct con_pty *);

#endif /* CON_PTY_H */
