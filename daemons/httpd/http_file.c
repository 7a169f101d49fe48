#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/openat2.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http_file.h"
#include "http_mime.h"
#include "http_path.h"

/* A request path and an index name after it. */
#define HTTP_NAME_MAX	(HTTP_PATH_MAX + 256)

struct http_files {
	struct http_file_opts	 o;
	char			**index;	/* copies of o.index */
	const struct http_mime	*mime;
	int			 root;
	struct http_file	**table;
	size_t			 nbuckets;	/* a power of two */
	struct http_file	*lru_head, *lru_tail;
	struct http_file_stats	 st;
	unsigned		 alive;		/* entries not yet freed */
	bool			 closing;
};

/* What one open found: enough to tell whether a cached entry is stale. */
struct found {
	int		 fd;
	struct stat	 sb;
};

struct candidate {
	struct found	 main, gz, br;
	char		 name[HTTP_NAME_MAX];	/* the file opened */
};

static uint64_t
hash(const char *s)
{
	uint64_t	 h = 1469598103934665603ULL;

	while (*s != '\0')
		h = (h ^ (uint8_t)*s++) * 1099511628211ULL;
	return h;
}

/* Below the root, whatever the path and its links say. */
static int
open_beneath(int root, const char *path)
{
	struct open_how	 how = {
		.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};

	while (*path == '/')
		path++;
	if (*path == '\0')
		path = ".";
	return (int)syscall(SYS_openat2, root, path, &how, sizeof(how));
}

static enum http_file_result
errno_result(int e)
{
	switch (e) {
	case ENOENT:
	case ENOTDIR:
	case ENAMETOOLONG:
		return HTTP_FILE_NOT_FOUND;
	case EMFILE:
	case ENFILE:
	case ENOMEM:
		return HTTP_FILE_ERROR;
	default:	/* EXDEV, ELOOP: a way out of the root; EACCES, ... */
		return HTTP_FILE_FORBIDDEN;
	}
}

static void
found_close(struct found *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

/* A regular file at path, or fd -1 (a sibling that is not there). */
static void
sibling(int root, const char *path, const char *ext, struct found *f)
{
	char	 name[HTTP_NAME_MAX];

	f->fd = -1;
	if (snprintf(name, sizeof(name), "%s%s", path, ext) >=
	    (int)sizeof(name))
		return;
	if ((f->fd = open_beneath(root, name)) < 0)
		return;
	if (fstat(f->fd, &f->sb) != 0 || !S_ISREG(f->sb.st_mode))
		found_close(f);
}

/* A directory's index: the first of the configured names present. */
static enum http_file_result
index_of(struct http_files *fs, const char *dir, struct candidate *c)
{
	size_t	 i;

	for (i = 0; fs->index[i] != NULL; i++) {
		if (snprintf(c->name, sizeof(c->name), "%s%s", dir,
		    fs->index[i]) >= (int)sizeof(c->name))
			continue;
		if ((c->main.fd = open_beneath(fs->root, c->name)) < 0)
			continue;
		if (fstat(c->main.fd, &c->main.sb) == 0 &&
		    S_ISREG(c->main.sb.st_mode))
			return HTTP_FILE_OK;
		found_close(&c->main);
	}
	return HTTP_FILE_FORBIDDEN;
}

static enum http_file_result
resolve(struct http_files *fs, const char *path, struct candidate *c)
{
	size_t	 len = strlen(path);
	int	 e;

	c->gz.fd = c->br.fd = -1;
	if ((c->main.fd = open_beneath(fs->root, path)) < 0)
		return errno_result(errno);
	if (fstat(c->main.fd, &c->main.sb) != 0) {
		e = errno;
		found_close(&c->main);
		return errno_result(e);
	}
	if (S_ISDIR(c->main.sb.st_mode)) {
		found_close(&c->main);
		if (path[len - 1] != '/')
			return HTTP_FILE_REDIRECT;
		if (index_of(fs, path, c) != HTTP_FILE_OK)
			return HTTP_FILE_FORBIDDEN;
	} else if (!S_ISREG(c->main.sb.st_mode)) {
		found_close(&c->main);
		return HTTP_FILE_FORBIDDEN;
	} else
		snprintf(c->name, sizeof(c->name), "%s", path);
	sibling(fs->root, c->name, ".gz", &c->gz);
	sibling(fs->root, c->name, ".br", &c->br);
	return HTTP_FILE_OK;
}

static bool
same_found(const struct found *f, const struct http_file *e)
{
	if (e == NULL)
		return f->fd < 0;
	return f->fd >= 0 && (uint64_t)f->sb.st_dev == e->dev &&
	    (uint64_t)f->sb.st_ino == e->ino &&
	    (uint64_t)f->sb.st_size == e->size &&
	    (int64_t)f->sb.st_mtim.tv_sec * 1000000000 +
	    f->sb.st_mtim.tv_nsec == e->mtime_ns;
}

static bool
unchanged(const struct candidate *c, const struct http_file *e)
{
	return same_found(&c->main, e) && same_found(&c->gz, e->gz) &&
	    same_found(&c->br, e->br);
}

static void
entry_free(struct http_file *f)
{
	if (f == NULL)
		return;
	entry_free(f->gz);
	entry_free(f->br);
	if (f->fd >= 0)
		close(f->fd);
	free((void *)(uintptr_t)f->data);
	free((void *)(uintptr_t)f->type);
	free(f->key);
	free(f);
}

/* The bytes of a small file, read once; NULL if it changed meanwhile. */
static const char *
slurp(int fd, uint64_t size)
{
	char	*buf;
	ssize_t	 n;
	size_t	 got = 0;

	if ((buf = malloc(size > 0 ? size : 1)) == NULL)
		return NULL;
	while (got < size) {
		n = pread(fd, buf + got, size - got, (off_t)got);
		if (n <= 0) {
			free(buf);
			return NULL;
		}
		got += (size_t)n;
	}
	return buf;
}

/* An entry for one opened file (the descriptor passes to it). */
static struct http_file *
entry_new(struct http_files *fs, struct found *f, const char *name)
{
	struct http_file	*e;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	e->fd = f->fd;
	f->fd = -1;
	e->size = (uint64_t)f->sb.st_size;
	e->mtime = f->sb.st_mtim.tv_sec;
	e->mtime_ns = (int64_t)f->sb.st_mtim.tv_sec * 1000000000 +
	    f->sb.st_mtim.tv_nsec;
	e->dev = (uint64_t)f->sb.st_dev;
	e->ino = (uint64_t)f->sb.st_ino;
	/* Strong: a file's bytes change only with its mtime or size. */
	e->etag_len = (size_t)snprintf(e->etag, sizeof(e->etag),
	    "\"%llx.%lx-%llx\"", (unsigned long long)f->sb.st_mtim.tv_sec,
	    (unsigned long)f->sb.st_mtim.tv_nsec,
	    (unsigned long long)f->sb.st_size);
	http_date_format(e->mtime, e->last_modified);
	if ((e->type = strdup(http_mime_type(fs->mime, name))) == NULL) {
		entry_free(e);
		return NULL;
	}
	if (e->size <= fs->o.small_file)
		e->data = slurp(e->fd, e->size);
	return e;
}

static struct http_file *
build(struct http_files *fs, struct candidate *c, const char *key)
{
	struct http_file	*e;

	if ((e = entry_new(fs, &c->main, c->name)) == NULL)
		return NULL;
	if ((e->key = strdup(key)) == NULL) {
		entry_free(e);
		return NULL;
	}
	/* The siblings are served as the original's type, encoded. */
	if (c->gz.fd >= 0)
		e->gz = entry_new(fs, &c->gz, c->name);
	if (c->br.fd >= 0)
		e->br = entry_new(fs, &c->br, c->name);
	fs->alive++;
	return e;
}

static uint64_t
held(const struct http_file *e)
{
	uint64_t	 n = e->data != NULL ? e->size : 0;

	if (e->gz != NULL && e->gz->data != NULL)
		n += e->gz->size;
	if (e->br != NULL && e->br->data != NULL)
		n += e->br->size;
	return n;
}

static void
lru_unlink(struct http_files *fs, struct http_file *e)
{
	if (e->lprev != NULL)
		e->lprev->lnext = e->lnext;
	else
		fs->lru_head = e->lnext;
	if (e->lnext != NULL)
		e->lnext->lprev = e->lprev;
	else
		fs->lru_tail = e->lprev;
	e->lprev = e->lnext = NULL;
}

static void
lru_front(struct http_files *fs, struct http_file *e)
{
	e->lnext = fs->lru_head;
	e->lprev = NULL;
	if (fs->lru_head != NULL)
		fs->lru_head->lprev = e;
	fs->lru_head = e;
	if (fs->lru_tail == NULL)
		fs->lru_tail = e;
}

static void
release(struct http_files *fs, struct http_file *e)
{
	entry_free(e);
	if (--fs->alive == 0 && fs->closing) {
		free(fs->table);
		free(fs);
	}
}

/* Out of the table; freed now or by the last reference. */
static void
uncache(struct http_files *fs, struct http_file *e)
{
	struct http_file	**pp;

	pp = &fs->table[hash(e->key) & (fs->nbuckets - 1)];
	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	lru_unlink(fs, e);
	e->cached = false;
	fs->st.entries--;
	fs->st.bytes -= held(e);
	if (e->refs == 0)
		release(fs, e);
}

static void
cache(struct http_files *fs, struct http_file *e)
{
	struct http_file	**b = &fs->table[hash(e->key) &
				    (fs->nbuckets - 1)];

	while (fs->lru_tail != NULL && (fs->st.entries >= fs->o.max_entries ||
	    fs->st.bytes + held(e) > fs->o.max_bytes)) {
		fs->st.evicted++;
		uncache(fs, fs->lru_tail);
	}
	e->hnext = *b;
	*b = e;
	lru_front(fs, e);
	e->cached = true;
	fs->st.entries++;
	fs->st.bytes += held(e);
}

static struct http_file *
lookup(struct http_files *fs, const char *path)
{
	struct http_file	*e;

	for (e = fs->table[hash(path) & (fs->nbuckets - 1)]; e != NULL;
	    e = e->hnext)
		if (strcmp(e->key, path) == 0)
			return e;
	return NULL;
}

static void
candidate_close(struct candidate *c)
{
	found_close(&c->main);
	found_close(&c->gz);
	found_close(&c->br);
}

static enum http_file_result
use(struct http_files *fs, struct http_file *e, uint64_t now_ms,
    struct http_file **out)
{
	e->checked_ms = now_ms;
	lru_unlink(fs, e);
	lru_front(fs, e);
	e->refs++;
	*out = e;
	return HTTP_FILE_OK;
}

enum http_file_result
http_file_get(struct http_files *fs, const char *path, uint64_t now_ms,
    struct http_file **out)
{
	struct http_file	*e = lookup(fs, path), *fresh;
	struct candidate	 c;
	enum http_file_result	 r;

	if (e != NULL && now_ms - e->checked_ms < fs->o.revalidate_ms) {
		fs->st.hits++;
		return use(fs, e, e->checked_ms, out);
	}
	if ((r = resolve(fs, path, &c)) != HTTP_FILE_OK) {
		if (e != NULL)
			uncache(fs, e);
		fs->st.misses++;
		return r;
	}
	if (e != NULL && unchanged(&c, e)) {
		candidate_close(&c);
		fs->st.revalidated++;
		return use(fs, e, now_ms, out);
	}
	fresh = build(fs, &c, path);
	candidate_close(&c);
	if (fresh == NULL)
		return HTTP_FILE_ERROR;
	if (e != NULL) {
		fs->st.replaced++;
		uncache(fs, e);
	} else
		fs->st.misses++;
	cache(fs, fresh);
	return use(fs, fresh, now_ms, out);
}

void
http_file_put(struct http_files *fs, struct http_file *e)
{
	if (e == NULL || --e->refs > 0 || e->cached)
		return;
	release(fs, e);
}

struct http_files *
http_files_new(const struct http_file_opts *o, const struct http_mime *mime,
    char *err, size_t errlen)
{
	struct http_files	*fs;
	struct open_how		 how = { .flags = O_PATH | O_DIRECTORY };
	size_t			 n = 0, i;
	int			 probe;

	if ((fs = calloc(1, sizeof(*fs))) == NULL)
		goto nomem;
	fs->o = *o;
	fs->mime = mime;
	/* Read, not O_PATH: Landlock does not check an O_PATH open, and a
	 * root the daemon may no longer read must fail here, at reload. */
	if ((fs->root = open(o->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "root %s: %s", o->root, strerror(errno));
		free(fs);
		return NULL;
	}
	/* Without openat2 (Linux 5.6) nothing can be opened safely. */
	if ((probe = (int)syscall(SYS_openat2, fs->root, ".", &how,
	    sizeof(how))) < 0) {
		snprintf(err, errlen, "openat2: %s (Linux 5.6 or later is "
		    "needed)", strerror(errno));
		goto fail;
	}
	close(probe);
	while (o->index != NULL && o->index[n] != NULL)
		n++;
	if ((fs->index = calloc(n + 1, sizeof(*fs->index))) == NULL)
		goto nomem_fail;
	for (i = 0; i < n; i++)
		if ((fs->index[i] = strdup(o->index[i])) == NULL)
			goto nomem_fail;
	for (fs->nbuckets = 64; fs->nbuckets < o->max_entries * 2;
	    fs->nbuckets *= 2)
		;
	if ((fs->table = calloc(fs->nbuckets, sizeof(*fs->table))) == NULL)
		goto nomem_fail;
	fs->alive = 1;		/* the cache's own reference */
	return fs;
nomem_fail:
	snprintf(err, errlen, "out of memory");
fail:
	http_files_free(fs);
	return NULL;
nomem:
	snprintf(err, errlen, "out of memory");
	return NULL;
}

void
http_files_free(struct http_files *fs)
{
	size_t	 i;

	if (fs == NULL)
		return;
	while (fs->lru_tail != NULL)
		uncache(fs, fs->lru_tail);
	if (fs->index != NULL)
		for (i = 0; fs->index[i] != NULL; i++)
			free(fs->index[i]);
	free(fs->index);
	fs->index = NULL;
	close(fs->root);
	fs->root = -1;
	fs->closing = true;
	/* The cache's own reference; the last held entry frees the rest. */
	if (fs->alive <= 1) {
		free(fs->table);
		free(fs);
	} else
		fs->alive--;
}

int
http_files_root_fd(const struct http_files *fs)
{
	return fs->root;
}

void
http_files_stats(const struct http_files *fs, struct http_file_stats *st)
{
	*st = fs->st;
}
