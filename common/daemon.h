/*
 * daemon: the start every Shoal daemon shares, in the role OpenBSD's
 * proc.c plays for its daemons: one command line with the same flags and
 * meanings everywhere, logging set up from it, and the RPC service
 * started (on by default) with the daemon's methods and hooks, and the
 * privilege drop once it is set up (privdrop.h, xs_broker.h;
 * docs/privilege.md).
 *
 * Every daemon takes:
 *	-c, --config FILE	its JSON configuration
 *	-n, --check		load the configuration (and what it names),
 *				report, exit 0 or 1
 *	--syslog		log to syslog (daemon facility), not stderr
 *	-v, -q			more or less logging (repeatable)
 *	--no-rpc		no RPC service
 *	--policy FILE		who may call the RPC service (docs/rpc.md);
 *				default: dom0 only
 *	--rpc-socket PATH	also take RPC calls on this Unix socket
 *	--user NAME		run as NAME once set up; root: stay root.
 *				As root in dom0 the default is the spec's
 *				user (shoal-NAME), which must exist
 *	-h, --help
 * and its own options, which its spec describes.
 */
#ifndef SHOAL_DAEMON_H
#define SHOAL_DAEMON_H

#include <getopt.h>
#include <stdbool.h>

struct event_base;
struct privdrop;
struct rpc_server;
struct rpc_server_opts;

struct daemon_args {
	const char	*config_path;
	bool		 check;
	bool		 syslog;
	int		 verbose;
	bool		 no_rpc;
	const char	*policy;
	const char	*rpc_socket;
	const char	*user;
};

struct daemon_spec {
	const char		*name;		/* "dnsd": logs, usage */
	bool			 config_required;
	/* Its own options: getopt letters, long options (NULL-ended),
	 * usage lines, and the handler (0, or -1 for a usage error). */
	const char		*shortopts;
	const struct option	*longopts;
	const char		*usage;
	int			(*option)(int ch, const char *optarg,
				    void *arg);
	const char		*notes;		/* after the options */
	/*
	 * Whom it runs as when started as root in dom0 (or on a plain
	 * host) without --user: "shoal-dnsd".  NULL: it stays root, and
	 * docs/privilege.md says why.  In any other domain the domain is
	 * the boundary, and it stays root unless --user is given.
	 */
	const char		*user;
};

/*
 * Parses argv; exits 0 after --help.  -1 (usage printed to stderr) on a
 * mistake.  Then logging is set up as asked, and the user it will run as
 * is settled (args->user; NULL: stays root); if that is the default
 * one and it does not exist, it exits 1 (logged) before anything is set
 * up.
 */
int	 daemon_start(const struct daemon_spec *, int argc, char **argv,
	    struct daemon_args *, void *arg);

/*
 * The RPC service, unless --no-rpc: opts gets the policy and the socket
 * from args.  NULL when off or when it could not start (logged: a daemon
 * serves its guests without it).
 */
struct rpc_server *daemon_rpc(const struct daemon_args *,
	    struct event_base *, struct rpc_server_opts *);

/*
 * Once set up: the drop with what every daemon still needs added to p
 * (Xen's devices, the RPC socket's directory, xensim's run directory,
 * and unless --no-rpc the RPC service's store rules) and --user, under
 * which the store is then reached through a broker forked here
 * (xs_broker.h).  --rpc-socket is bound here first, for daemon_rpc to
 * serve (its directory may be root's).  0, or -1 (logged): the daemon
 * should exit.
 */
int	 daemon_drop(const struct daemon_args *, struct privdrop *);

#endif /* SHOAL_DAEMON_H */
