#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "evloop.h"
#include "log.h"
#include "xs_conn.h"
#include "xs_lu.h"
#include "xs_ops.h"
#include "xs_ring.h"
#include "xs_server.h"
#include "xs_sock.h"
#include "xs_state.h"

#define LU_TIMEOUT	60	/* seconds, as xenstore-control's default */
#define LU_MAXARGS	64

struct xs_lu {
	struct evloop		*loop;
	char			*self;		/* our binary */
	char			**argv;		/* ours, for a default update */
	int			 argc;
	char			*file;		/* -f */
	char			*cmdline;	/* -c */
	time_t			 busy_since;	/* first -s that found txns */
	bool			 pending;	/* -s went ahead */
	struct xs_conn		*conn;		/* who asked, for the reply */
	struct xsd_sockmsg	 req;
};

struct xs_lu *
xs_lu_new(struct evloop *loop, int argc, char **argv)
{
	struct xs_lu	*lu;
	char		 exe[PATH_MAX];
	ssize_t		 n;
	int		 i;

	if ((lu = calloc(1, sizeof(*lu))) == NULL ||
	    (lu->argv = calloc((size_t)argc + 1, sizeof(char *))) == NULL) {
		free(lu);
		return NULL;
	}
	lu->loop = loop;
	/* Our own path now: once replaced on disk it reads "(deleted)". */
	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) > 0) {
		exe[n] = '\0';
		lu->self = strdup(exe);
	}
	/* Without a previous update's state argument. */
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--live-update-state") == 0) {
			i++;
			continue;
		}
		lu->argv[lu->argc++] = argv[i];
	}
	return lu;
}

void
xs_lu_free(struct xs_lu *lu)
{
	if (lu == NULL)
		return;
	free(lu->self);
	free(lu->argv);
	free(lu->file);
	free(lu->cmdline);
	free(lu);
}

static int
set_str(char **dst, const char *v)
{
	char	*s;

	if ((s = strdup(v)) == NULL)
		return ENOMEM;
	free(*dst);
	*dst = s;
	return 0;
}

static int
text_reply(struct xs_msg *m, const char *s)
{
	return xs_msg_appendstr(m, s);
}

static bool
txns_open(const struct xs_server *srv)
{
	const struct xs_conn	*c;

	TAILQ_FOREACH(c, &srv->conns, entry)
		if (c->ntxns > 0)
			return true;
	return false;
}

static int
lu_start(struct xs_lu *lu, struct xs_req *r, struct xs_msg *m)
{
	const char	*file = lu->file != NULL ? lu->file : lu->self;
	bool		 force = false;
	long		 timeout = LU_TIMEOUT;
	int		 i;

	for (i = 2; i < r->argc; i++) {
		if (strcmp(r->argv[i], "-F") == 0)
			force = true;
		else if (strcmp(r->argv[i], "-t") == 0 && i + 1 < r->argc)
			timeout = strtol(r->argv[++i], NULL, 10);
		else
			return EINVAL;
	}
	if (file == NULL || access(file, X_OK) != 0)
		return text_reply(m, "Binary not executable");
	if (!force && txns_open(r->conn->srv)) {
		if (lu->busy_since == 0)
			lu->busy_since = time(NULL);
		if (time(NULL) - lu->busy_since < timeout)
			return text_reply(m, "BUSY");
		lu->busy_since = 0;
		return text_reply(m, "Timeout reached");
	}
	lu->busy_since = 0;
	lu->pending = true;
	lu->conn = r->conn;
	lu->req = *r->hdr;
	r->defer = true;		/* the new process answers */
	evloop_exit(lu->loop);
	log_info("live update to %s requested by %s", file, r->conn->desc);
	return 0;
}

int
xs_lu_control(struct xs_lu *lu, struct xs_req *r, struct xs_msg *m)
{
	const char	*op = r->argc >= 2 ? r->argv[1] : "";
	int		 e, i;

	for (i = 1; i < r->argc; i++)
		log_debug("live-update argument %d: \"%s\"", i, r->argv[i]);

	if (strcmp(op, "-f") == 0 && r->argc == 3) {
		if (r->argv[2][0] != '/')
			return EINVAL;
		e = set_str(&lu->file, r->argv[2]);
	} else if (strcmp(op, "-c") == 0 && r->argc == 3)
		e = set_str(&lu->cmdline, r->argv[2]);
	else if (strcmp(op, "-a") == 0 && r->argc == 2) {
		free(lu->file);
		free(lu->cmdline);
		lu->file = lu->cmdline = NULL;
		lu->busy_since = 0;
		e = 0;
	} else if (strcmp(op, "-s") == 0)
		return lu_start(lu, r, m);
	else
		return EINVAL;
	return e != 0 ? e : xs_reply_ok(m);
}

bool
xs_lu_pending(const struct xs_lu *lu)
{
	return lu != NULL && lu->pending;
}

/* The requester may have gone while the loop wound down. */
static struct xs_conn *
requester(struct xs_lu *lu, struct xs_server *srv)
{
	struct xs_conn	*c;

	TAILQ_FOREACH(c, &srv->conns, entry)
		if (c == lu->conn && !c->dead)
			return c;
	return NULL;
}

static void
sockets_cloexec(struct xs_server *srv, struct xs_listener *l, bool on)
{
	struct xs_conn		*c;
	struct xs_tp_info	 i;

	xs_sock_cloexec(xs_sock_fd(l), on);
	TAILQ_FOREACH(c, &srv->conns, entry) {
		if (c->tp->info == NULL)
			continue;
		c->tp->info(c->tparg, &i);
		if (i.kind == XS_TP_SOCKET)
			xs_sock_cloexec(i.fd, on);
	}
}

/* argv for the new binary: -c's words, or ours; then the state. */
static void
build_argv(struct xs_lu *lu, const char *file, char *words, int fd,
    char *fdarg, size_t fdlen, char **av)
{
	char	*w, *save = NULL;
	int	 n = 0, i;

	av[n++] = (char *)file;
	if (words != NULL) {
		for (w = strtok_r(words, " \t", &save); w != NULL &&
		    n < LU_MAXARGS - 3; w = strtok_r(NULL, " \t", &save))
			av[n++] = w;
	} else
		for (i = 1; i < lu->argc && n < LU_MAXARGS - 3; i++)
			av[n++] = lu->argv[i];
	snprintf(fdarg, fdlen, "%d", fd);
	av[n++] = "--live-update-state";
	av[n++] = fdarg;
	av[n] = NULL;
}

static void
answer(struct xs_conn *c, const struct xsd_sockmsg *req, const char *why)
{
	struct xs_msg	*m;

	if (c == NULL)
		return;
	if ((m = xs_msg_new(req->type, req->req_id, req->tx_id)) != NULL)
		(void)xs_msg_appendstr(m, why);
	xs_conn_reply(c, m);
}

void
xs_lu_exec(struct xs_lu *lu, struct xs_server *srv, struct xs_listener *l)
{
	const char	*file = lu->file != NULL ? lu->file : lu->self;
	struct xs_conn	*c = requester(lu, srv);
	struct xs_msg	*ok;
	char		*av[LU_MAXARGS], fdarg[16], *words = NULL;
	int		 fd;

	lu->pending = false;
	if ((ok = xs_msg_new(lu->req.type, lu->req.req_id,
	    lu->req.tx_id)) == NULL || xs_reply_ok(ok) != 0 ||
	    (fd = xs_state_save(srv, l, c, ok)) == -1) {
		log_warn("live update: saving the state");
		free(ok);
		answer(c, &lu->req, "Saving the state failed");
		return;
	}
	free(ok);
	if (lu->cmdline != NULL)
		words = strdup(lu->cmdline);
	build_argv(lu, file, words, fd, fdarg, sizeof(fdarg), av);
	sockets_cloexec(srv, l, false);
	xs_sock_cloexec(fd, false);
	if (srv->rings != NULL)
		xs_rings_prepare_exec(srv->rings);
	log_info("live update: exec %s", file);
	execv(file, av);

	log_warn("live update: exec %s", file);
	close(fd);
	free(words);
	sockets_cloexec(srv, l, true);
	if (srv->rings != NULL)
		xs_rings_rebind(srv->rings);
	answer(c, &lu->req, "Exec of the new binary failed");
}
