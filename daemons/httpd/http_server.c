#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "http_config.h"
#include "http_conn.h"
#include "http_file.h"
#include "http_log.h"
#include "http_mime.h"
#include "http_admin.h"
#include "http_server.h"
#include "http_status.h"
#include "http_system.h"
#include "http_tls.h"
#include "log.h"

#define TICK_MS		100
#define ACCEPTS_PER_EVENT 64

static const char refused[] =
    "HTTP/1.1 503 Service Unavailable\r\nServer: shoal-httpd\r\n"
    "Content-Length: 0\r\nConnection: close\r\n\r\n";

uint64_t
http_server_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t
http_server_now_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

void
http_server_date(struct http_server *s)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME_COARSE, &ts);
	if (ts.tv_sec != s->date_sec) {
		s->date_sec = ts.tv_sec;
		http_date_format(ts.tv_sec, s->site.date);
	}
}

/* Past the cap a client is told so, best effort, and closed. */
static void
refuse(struct http_server *s, int fd)
{
	ssize_t	 n = write(fd, refused, sizeof(refused) - 1);

	(void)n;
	close(fd);
	s->stats.refused++;
	s->stats.by_code[503]++;
	s->stats.status[5]++;
}

static void
on_accept(evutil_socket_t lfd, short what, void *arg)
{
	struct http_listener	*l = arg;
	struct http_server	*s = l->srv;
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	int			 fd, i, one = 1;

	(void)what;
	for (i = 0; i < ACCEPTS_PER_EVENT; i++) {
		len = sizeof(ss);
		fd = accept4(lfd, (struct sockaddr *)&ss, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNABORTED)
				log_warn("accept");
			return;
		}
		if (s->stats.active >= (uint64_t)s->cfg->limits.connections) {
			refuse(s, fd);
			continue;
		}
		/* Responses go out whole in one writev: no Nagle wait. */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		/* A TLS listener without a context (cannot happen once
		 * configured) would serve plain text: refuse instead. */
		if (l->tls && s->tls == NULL) {
			refuse(s, fd);
			continue;
		}
		http_conn_accept(s, fd, (struct sockaddr *)&ss,
		    l->tls ? s->tls : NULL, l->admin);
	}
}

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct http_server	*s = arg;

	(void)fd;
	(void)what;
	http_conn_sweep(s, http_server_now_ms());
	http_log_flush(s->log);
}

#define LISTEN_BACKLOG	4096

/* A socket bound to l, listening unless standby. */
static int
listen_one(const struct net_listen *l, bool reuse_port, bool standby,
    char *err, size_t errlen)
{
	int	 fd, one = 1;

	if ((fd = socket(l->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    (reuse_port && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one,
	    sizeof(one)) != 0) ||
	    (l->ss.ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &one, sizeof(one)) != 0) ||
	    bind(fd, (const struct sockaddr *)&l->ss, l->len) != 0 ||
	    (!standby && listen(fd, LISTEN_BACKLOG) != 0)) {
		snprintf(err, errlen, "listen %s: %s", l->text,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

enum listen_kind { LISTEN_HTTP, LISTEN_HTTPS, LISTEN_ADMIN };

static int
listen_all(struct http_server *s, const struct net_listens *ls,
    enum listen_kind kind, const struct http_config *cfg, char *err,
    size_t errlen)
{
	struct http_listener	*l;
	size_t			 i;
	int			 fd;
	bool			 standby = cfg->standby && kind != LISTEN_ADMIN;

	for (i = 0; i < ls->n; i++) {
		if ((fd = listen_one(&ls->v[i], cfg->reuse_port, standby, err,
		    errlen)) < 0)
			return -1;
		l = &s->lis[s->nlis];
		l->fd = fd;
		l->tls = kind == LISTEN_HTTPS;
		l->admin = kind == LISTEN_ADMIN;
		l->standby = standby;
		l->srv = s;
		l->ev = event_new(s->base, fd, EV_READ | EV_PERSIST, on_accept,
		    l);
		if (l->ev == NULL || (!standby && event_add(l->ev, NULL) != 0)) {
			if (l->ev != NULL)
				event_free(l->ev);
			close(fd);
			snprintf(err, errlen, "cannot watch %s", ls->v[i].text);
			return -1;
		}
		s->nlis++;
		log_info("%s %s%s", standby ? "standing by on" :
		    "listening on", ls->v[i].text, kind ==
		    LISTEN_HTTPS ? " (HTTPS)" : kind == LISTEN_ADMIN ?
		    " (admin: /metrics)" : "");
	}
	return 0;
}

int
http_server_configure(struct http_server *s, struct http_config *cfg,
    char *err, size_t errlen)
{
	struct http_file_opts	 o = {
		.root = cfg->root,
		.index = (const char *const *)cfg->index.v,
		.max_entries = (size_t)cfg->file_cache.entries,
		.max_bytes = (uint64_t)cfg->file_cache.memory_mb << 20,
		.small_file = (uint64_t)cfg->file_cache.small_file_kb << 10,
		.revalidate_ms = (unsigned)cfg->file_cache.revalidate_ms,
	};
	struct http_mime	*mime;
	struct http_files	*files;
	struct http_log		*lg = NULL;
	struct http_tls		*tls = NULL;
	bool			 same_log;

	if (cfg->tls.certificate != NULL && (tls = http_tls_new(
	    cfg->tls.certificate, cfg->tls.key, err, errlen)) == NULL)
		return -1;
	if ((mime = http_mime_load(cfg->mime_types, err, errlen)) == NULL) {
		http_tls_free(tls);
		return -1;
	}
	if ((files = http_files_new(&o, mime, err, errlen)) == NULL) {
		http_mime_free(mime);
		http_tls_free(tls);
		return -1;
	}
	same_log = s->log != NULL && cfg->access_log != NULL &&
	    strcmp(http_log_path(s->log), cfg->access_log) == 0;
	if (cfg->access_log != NULL && !same_log &&
	    (lg = http_log_open(cfg->access_log, cfg->log_json, err,
	    errlen)) == NULL) {
		http_files_free(files);
		http_mime_free(mime);
		http_tls_free(tls);
		return -1;
	}
	/* Connections made before keep the old context (OpenSSL counts
	 * its references): a new certificate is for new connections. */
	http_tls_free(s->tls);
	s->tls = tls;
	if (same_log) {
		http_log_reopen(s->log);	/* after logrotate */
		http_log_set_json(s->log, cfg->log_json);
	} else {
		http_log_close(s->log);
		s->log = lg;
	}
	if (s->site.files != NULL) {
		http_server_file_stats(s, &s->files_before);
		s->files_before.entries = 0;
		s->files_before.bytes = 0;
	}
	http_files_free(s->site.files);
	http_mime_free(s->mime);
	s->site.files = files;
	s->mime = mime;
	s->cfg = cfg;
	s->site.cfg = cfg;
	return 0;
}

void
http_server_file_stats(const struct http_server *s, struct http_file_stats *t)
{
	struct http_file_stats	 now = { 0 };

	if (s->site.files != NULL)
		http_files_stats(s->site.files, &now);
	t->hits = s->files_before.hits + now.hits;
	t->misses = s->files_before.misses + now.misses;
	t->revalidated = s->files_before.revalidated + now.revalidated;
	t->replaced = s->files_before.replaced + now.replaced;
	t->evicted = s->files_before.evicted + now.evicted;
	t->entries = now.entries;
	t->bytes = now.bytes;
}

int
http_server_open(struct http_server *s, struct event_base *base,
    struct http_config *cfg, char *err, size_t errlen)
{
	struct timeval	 tick = { 0, TICK_MS * 1000 };

	memset(s, 0, sizeof(*s));
	s->base = base;
	if (http_server_configure(s, cfg, err, errlen) != 0)
		return -1;
	http_server_date(s);
	if ((s->lis = calloc(cfg->listen.n + cfg->tls.listen.n +
	    cfg->admin.n, sizeof(*s->lis))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (listen_all(s, &cfg->listen, LISTEN_HTTP, cfg, err, errlen) != 0 ||
	    listen_all(s, &cfg->tls.listen, LISTEN_HTTPS, cfg, err,
	    errlen) != 0 ||
	    listen_all(s, &cfg->admin, LISTEN_ADMIN, cfg, err, errlen) != 0)
		goto fail;
	if ((s->tick = event_new(base, -1, EV_PERSIST, on_tick, s)) == NULL ||
	    event_add(s->tick, &tick) != 0) {
		snprintf(err, errlen, "cannot set up the tick");
		goto fail;
	}
	return 0;
fail:
	http_server_close(s);
	return -1;
}

int
http_server_serve(struct http_server *s, char *err, size_t errlen)
{
	size_t	 i, n = 0;

	for (i = 0; i < s->nlis; i++) {
		if (!s->lis[i].standby)
			continue;
		if (listen(s->lis[i].fd, LISTEN_BACKLOG) != 0 ||
		    event_add(s->lis[i].ev, NULL) != 0) {
			snprintf(err, errlen, "listen: %s", strerror(errno));
			return -1;
		}
		s->lis[i].standby = false;
		n++;
	}
	if (n > 0)
		log_info("serving: listening on %zu socket%s kept standing by",
		    n, n == 1 ? "" : "s");
	return 0;
}

const char *
http_server_rotation(const struct http_server *s)
{
	size_t	 i;

	if (s->drained)
		return "draining";
	for (i = 0; i < s->nlis; i++)
		if (s->lis[i].standby)
			return "standby";
	return "serving";
}

uint64_t
http_server_drain(struct http_server *s)
{
	size_t	 i, kept = 0;

	for (i = 0; i < s->nlis; i++) {
		if (s->lis[i].admin) {
			s->lis[kept++] = s->lis[i];
			continue;
		}
		event_free(s->lis[i].ev);
		close(s->lis[i].fd);
	}
	if (!s->drained)
		log_info("draining: no new connections, %llu open",
		    (unsigned long long)s->stats.active);
	s->drained = true;
	s->nlis = kept;
	return s->stats.active;
}

void
http_server_close(struct http_server *s)
{
	size_t	 i;

	http_conn_close_all(s);
	http_system_stop(s->system);
	s->system = NULL;
	for (i = 0; i < s->nlis; i++) {
		event_free(s->lis[i].ev);
		close(s->lis[i].fd);
	}
	free(s->lis);
	s->lis = NULL;
	s->nlis = 0;
	if (s->tick != NULL)
		event_free(s->tick);
	s->tick = NULL;
	http_log_close(s->log);
	s->log = NULL;
	http_tls_free(s->tls);
	s->tls = NULL;
	http_files_free(s->site.files);
	s->site.files = NULL;
	http_mime_free(s->mime);
	s->mime = NULL;
}

void
http_server_answer(struct http_server *s, bool admin, const char *buf,
    const struct http_req *req, struct http_resp *resp, bool keep)
{
	if (admin)
		http_admin_serve(s, buf, req, resp, keep);
	else if (!http_status_serve(s, buf, req, resp, keep))
		http_static_serve(&s->site, buf, req, resp, keep);
}

void
http_server_status(struct http_server *s)
{
	const struct http_status_conf	*st = &s->cfg->status;
	struct http_system_conf		 conf = {
		.timing.interval_ms = st->page != NULL ? st->interval_ms : 0,
		.timing.timeout_ms = st->timeout_ms,
		.store_domid = st->xenstore_domain };

	if (s->system != NULL)
		http_system_configure(s->system, &conf);
	else
		s->system = http_system_start(s->base, &conf);
}
