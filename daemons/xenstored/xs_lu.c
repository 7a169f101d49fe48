#include <sys/mman.h>

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
#include "xs_monitor.h"
#include "xs_ops.h"
#include "xs_ring.h"
#include "xs_server.h"
#include "xs_sock.h"
#include "xs_state.h"

#define LU_TIMEOUT	60	/* seconds, as xenstore-control's default */
#define LU_MAXARGS	64
#define LU_BLOB_MAX	(128u << 20)	/* bytes of a binary sent with -b */

struct xs_lu {
	struct evloop		*loop;
	char			*self;		/* our binary */
	char			**argv;		/* ours, for a default update */
	int			 argc;
	char			*file;		/* -f */
	char			*cmdline;	/* -c */
	time_t			 busy_since;	/* first -s that found txns */
	bool			 pending;	/* -s went ahead */
	/*
	 * A xenstore domain's update: the new binary comes over the wire
	 * (-b SIZE, then -d chunks), as xenstore-control sends it when
	 * /tool/xenstored/domid exists, and is executed from a memfd.
	 */
	uint8_t			*blob;
	size_t			 blob_size, blob_got;
	int			 blob_fd;
	char			 blob_path[32];	/* /proc/self/fd/N */
	struct xs_conn		*conn;		/* who asked, for the reply */
	struct xsd_sockmsg	 req;
	int			 monitor;	/* its channel, or -1 */
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
	lu->blob_fd = -1;
	lu->monitor = -1;
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

static void
blob_drop(struct xs_lu *lu)
{
	free(lu->blob);
	lu->blob = NULL;
	lu->blob_size = lu->blob_got = 0;
	if (lu->blob_fd != -1)
		close(lu->blob_fd);
	lu->blob_fd = -1;
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
	blob_drop(lu);
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

/* -b SIZE: a new binary of SIZE bytes follows in -d chunks. */
static int
blob_begin(struct xs_lu *lu, const char *size)
{
	char		*end;
	unsigned long	 n;

	errno = 0;
	n = strtoul(size, &end, 10);
	if (errno != 0 || end == size || *end != '\0' || n == 0 ||
	    n > LU_BLOB_MAX)
		return EINVAL;
	blob_drop(lu);
	if ((lu->blob = malloc(n)) == NULL)
		return ENOMEM;
	lu->blob_size = n;
	return 0;
}

/*
 * -d LEN, then LEN bytes of the binary and a NUL: the bytes hold NULs of
 * their own, so they are taken by length from the body, not as words.
 */
static int
blob_chunk(struct xs_lu *lu, const struct xs_req *r)
{
	const char	*lenword, *end;
	unsigned long	 n;
	size_t		 off;

	if (lu->blob == NULL || r->argc < 3)
		return EINVAL;
	lenword = r->argv[2];
	errno = 0;
	n = strtoul(lenword, (char **)&end, 10);
	off = (size_t)(end - (const char *)r->body) + 1;
	if (errno != 0 || end == lenword || *end != '\0' ||
	    off + n + 1 != r->len || n > lu->blob_size - lu->blob_got)
		return EINVAL;
	memcpy(lu->blob + lu->blob_got, r->body + off, n);
	lu->blob_got += n;
	return 0;
}

/* The whole binary into a memfd, which is what will be executed. */
static const char *
blob_file(struct xs_lu *lu)
{
	size_t	 done = 0;
	ssize_t	 n;

	if (lu->blob_fd != -1)
		return lu->blob_path;
	if (lu->blob_got != lu->blob_size)
		return NULL;
	if ((lu->blob_fd = memfd_create("xenstored-live-update",
	    MFD_CLOEXEC)) == -1) {
		log_warn("live update: memfd");
		return NULL;
	}
	for (; done < lu->blob_size; done += (size_t)n)
		if ((n = write(lu->blob_fd, lu->blob + done,
		    lu->blob_size - done)) <= 0) {
			log_warn("live update: writing the new binary");
			blob_drop(lu);
			return NULL;
		}
	free(lu->blob);
	lu->blob = NULL;
	snprintf(lu->blob_path, sizeof(lu->blob_path), "/proc/self/fd/%d",
	    lu->blob_fd);
	log_info("live update: a binary of %zu bytes received", done);
	return lu->blob_path;
}

/* What -s executes: a binary sent with -b, else -f's, else our own. */
static const char *
lu_target(struct xs_lu *lu)
{
	if (lu->blob_size > 0)
		return blob_file(lu);
	return lu->file != NULL ? lu->file : lu->self;
}

static int
lu_start(struct xs_lu *lu, struct xs_req *r, struct xs_msg *m)
{
	const char	*file = lu_target(lu);
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

	if (strcmp(op, "-d") == 0)
		return (e = blob_chunk(lu, r)) != 0 ? e : xs_reply_ok(m);
	if (r->argc > XS_MAXARGS)
		return EINVAL;
	for (i = 1; i < r->argc; i++)
		log_debug("live-update argument %d: \"%s\"", i, r->argv[i]);

	if (strcmp(op, "-b") == 0 && r->argc == 3)
		e = blob_begin(lu, r->argv[2]);
	else if (strcmp(op, "-f") == 0 && r->argc == 3) {
		if (r->argv[2][0] != '/')
			return EINVAL;
		blob_drop(lu);
		e = set_str(&lu->file, r->argv[2]);
	} else if (strcmp(op, "-c") == 0 && r->argc == 3)
		e = set_str(&lu->cmdline, r->argv[2]);
	else if (strcmp(op, "-a") == 0 && r->argc == 2) {
		free(lu->file);
		free(lu->cmdline);
		lu->file = lu->cmdline = NULL;
		lu->busy_since = 0;
		blob_drop(lu);
		e = 0;
	} else if (strcmp(op, "-s") == 0)
		return lu_start(lu, r, m);
	else
		return EINVAL;
	return e != 0 ? e : xs_reply_ok(m);
}

void
xs_lu_set_monitor(struct xs_lu *lu, int chan)
{
	if (lu != NULL)
		lu->monitor = chan;
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
	const char	*file = lu_target(lu);
	struct xs_conn	*c = requester(lu, srv);
	struct xs_msg	*ok;
	char		*av[LU_MAXARGS], fdarg[16], *words = NULL, why[256];
	int		 fd;

	lu->pending = false;
	/* The monitor runs the daemon's own arguments, nothing else. */
	if (lu->monitor >= 0 && lu->cmdline != NULL) {
		answer(c, &lu->req, "A new command line (-c) is refused under "
		    "--user");
		return;
	}
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
	if (lu->monitor >= 0) {
		log_info("live update: the monitor is to exec %s", file);
		(void)xs_monitor_exec(lu->monitor, file, fd, why, sizeof(why));
	} else {
		log_info("live update: exec %s", file);
		execv(file, av);
		log_warn("live update: exec %s", file);
		snprintf(why, sizeof(why), "Exec of the new binary failed");
	}
	close(fd);
	free(words);
	sockets_cloexec(srv, l, true);
	if (srv->rings != NULL)
		xs_rings_rebind(srv->rings);
	answer(c, &lu->req, why);
}
