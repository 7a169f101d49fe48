/*
 * The file: a 16-octet header, then entries.  An entry is its payload's
 * length (32 bits), the first 8 octets of the payload's SHA-256, and the
 * payload: kind (1 difference, 2 snapshot), the two serials, how many
 * records are deleted and added (a snapshot only adds), and the records
 * (owner in wire form, type, TTL, rdata length, rdata).  Numbers are big
 * endian.  Reading checks every length against what is left, so a file
 * cut short or written over by something else is refused, not trusted.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "dns_journal.h"
#include "log.h"

static const char	 magic[] = "SHOAL-JOURNAL-1\n";
#define HDRLEN		 16
#define FRAMELEN	 12		/* length + checksum */
#define SUMLEN		 8
#define FIXEDLEN	 17		/* kind, from, to, ndel, nadd */
#define READ_MAX	 ((size_t)1 << 30)

enum { KIND_DIFF = 1, KIND_SNAPSHOT = 2 };

struct buf {
	uint8_t	*p;
	size_t	 len, cap;
};

static int
buf_put(struct buf *b, const void *data, size_t n)
{
	if (n == 0)
		return 0;
	if (b->len + n > b->cap) {
		size_t	 cap = b->cap == 0 ? 4096 : b->cap;
		uint8_t	*p;

		while (cap < b->len + n)
			cap *= 2;
		if ((p = realloc(b->p, cap)) == NULL)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
	return 0;
}

static int
buf_u32(struct buf *b, uint32_t v)
{
	uint8_t	 o[4] = { v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff,
	    v & 0xff };

	return buf_put(b, o, 4);
}

static int
buf_u16(struct buf *b, uint16_t v)
{
	uint8_t	 o[2] = { v >> 8, v & 0xff };

	return buf_put(b, o, 2);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static int
checksum(const uint8_t *p, size_t n, uint8_t out[SUMLEN])
{
	uint8_t		 md[EVP_MAX_MD_SIZE];
	unsigned	 mdlen;

	if (EVP_Digest(p, n, md, &mdlen, EVP_sha256(), NULL) != 1)
		return -1;
	memcpy(out, md, SUMLEN);
	return 0;
}

static int
put_list(struct buf *b, const struct dns_rrlist *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++) {
		const struct dns_rr *r = &l->v[i];

		if (buf_put(b, r->owner, dns_name_len(r->owner)) == -1 ||
		    buf_u16(b, r->type) == -1 || buf_u32(b, r->ttl) == -1 ||
		    buf_u16(b, r->rdlen) == -1 ||
		    buf_put(b, r->rdata, r->rdlen) == -1)
			return -1;
	}
	return 0;
}

/* One framed entry appended to b. */
static int
put_entry(struct buf *b, int kind, uint32_t from, uint32_t to,
    const struct dns_rrlist *del, const struct dns_rrlist *add)
{
	size_t	 at = b->len;
	uint8_t	 k = (uint8_t)kind, zero[FRAMELEN] = { 0 };

	if (buf_put(b, zero, FRAMELEN) == -1 || buf_put(b, &k, 1) == -1 ||
	    buf_u32(b, from) == -1 || buf_u32(b, to) == -1 ||
	    buf_u32(b, del != NULL ? (uint32_t)del->n : 0) == -1 ||
	    buf_u32(b, (uint32_t)add->n) == -1 ||
	    (del != NULL && put_list(b, del) == -1) || put_list(b, add) == -1)
		return -1;
	if (b->len - at - FRAMELEN > UINT32_MAX)
		return -1;
	b->p[at] = (b->len - at - FRAMELEN) >> 24;
	b->p[at + 1] = ((b->len - at - FRAMELEN) >> 16) & 0xff;
	b->p[at + 2] = ((b->len - at - FRAMELEN) >> 8) & 0xff;
	b->p[at + 3] = (b->len - at - FRAMELEN) & 0xff;
	return checksum(b->p + at + FRAMELEN, b->len - at - FRAMELEN,
	    b->p + at + 4);
}

/* What one entry says. */
struct entry {
	int		 kind;
	struct dns_diff	*diff;		/* a snapshot's records are its add */
};

struct jfile {
	struct entry	*v;
	size_t		 n;
	uint64_t	 valid;		/* octets up to the last good entry */
};

static void
jfile_free(struct jfile *jf)
{
	size_t	 i;

	for (i = 0; i < jf->n; i++)
		dns_diff_unref(jf->v[i].diff);
	free(jf->v);
	memset(jf, 0, sizeof(*jf));
}

static int
get_list(const uint8_t *p, size_t len, size_t *off, uint32_t n,
    struct dns_rrlist *l)
{
	int	 olen;

	while (n-- > 0) {
		if ((olen = dns_name_check(p + *off, len - *off)) == -1 ||
		    len - *off - olen < 8)
			return -1;
		const uint8_t *f = p + *off + olen;
		uint16_t rdlen = get16(f + 6);

		if (len - *off - olen - 8 < rdlen ||
		    dns_rrlist_push(l, p + *off, get16(f), get32(f + 2), f + 8,
		    rdlen) == -1)
			return -1;
		*off += olen + 8 + rdlen;
	}
	return 0;
}

/* A payload into an entry; -1 if it does not hold together. */
static int
decode(const uint8_t *p, size_t len, struct entry *e)
{
	size_t	 off = FIXEDLEN;

	if (len < FIXEDLEN || (p[0] != KIND_DIFF && p[0] != KIND_SNAPSHOT))
		return -1;
	e->kind = p[0];
	if ((e->diff = dns_diff_new(get32(p + 1), get32(p + 5))) == NULL)
		return -1;
	if (get_list(p, len, &off, get32(p + 9), &e->diff->del) == -1 ||
	    get_list(p, len, &off, get32(p + 13), &e->diff->add) == -1 ||
	    off != len) {
		dns_diff_unref(e->diff);
		return -1;
	}
	/* Written sorted, but a list that is not would break the walk. */
	dns_rrlist_sort(&e->diff->del);
	dns_rrlist_sort(&e->diff->add);
	return 0;
}

static int
slurp(const char *path, uint8_t **data, size_t *len)
{
	struct stat	 st;
	ssize_t		 r;
	size_t		 got = 0;
	int		 fd;

	*data = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return errno == ENOENT ? 0 : -1;
	if (fstat(fd, &st) == -1 || (size_t)st.st_size > READ_MAX ||
	    (*data = malloc(st.st_size > 0 ? st.st_size : 1)) == NULL) {
		close(fd);
		return -1;
	}
	while (got < (size_t)st.st_size &&
	    (r = read(fd, *data + got, st.st_size - got)) > 0)
		got += r;
	close(fd);
	*len = got;
	return 0;
}

/*
 * Every whole entry of the file; a bad or torn one ends the list, and
 * valid says where (the next write goes there).
 */
static int
jfile_read(const char *path, struct jfile *jf, char *err, size_t errlen)
{
	uint8_t		*data, sum[SUMLEN];
	size_t		 len, off = HDRLEN;
	struct entry	 e, *v;

	memset(jf, 0, sizeof(*jf));
	if (slurp(path, &data, &len) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (len == 0) {
		free(data);
		return 0;
	}
	if (len < HDRLEN || memcmp(data, magic, HDRLEN) != 0) {
		snprintf(err, errlen, "%s: not a Shoal journal", path);
		free(data);
		return -1;
	}
	jf->valid = HDRLEN;
	while (len - off >= FRAMELEN) {
		uint32_t plen = get32(data + off);

		if (len - off - FRAMELEN < plen ||
		    checksum(data + off + FRAMELEN, plen, sum) == -1 ||
		    memcmp(sum, data + off + 4, SUMLEN) != 0 ||
		    decode(data + off + FRAMELEN, plen, &e) == -1)
			break;
		if ((v = reallocarray(jf->v, jf->n + 1, sizeof(*v))) == NULL) {
			dns_diff_unref(e.diff);
			break;
		}
		jf->v = v;
		jf->v[jf->n++] = e;
		off += FRAMELEN + plen;
		jf->valid = off;
	}
	if (off != len)
		log_warnx("%s: %zu octets after the last whole entry are cut "
		    "off (a write a crash interrupted)", path, len - off);
	free(data);
	return 0;
}

static bool
serial_gt(uint32_t a, uint32_t b)
{
	return a != b && (int32_t)(a - b) > 0;
}

/* Diffs applied since the base, the last DNS_ZONE_HISTORY of them. */
struct applied {
	struct dns_diff	*v[DNS_ZONE_HISTORY];
	size_t		 n;
};

static void
applied_push(struct applied *a, struct dns_diff *d)
{
	if (a->n == DNS_ZONE_HISTORY) {
		dns_diff_unref(a->v[0]);
		memmove(a->v, a->v + 1, (a->n - 1) * sizeof(*a->v));
		a->n--;
	}
	a->v[a->n++] = dns_diff_ref(d);
}

static void
applied_clear(struct applied *a)
{
	while (a->n > 0)
		dns_diff_unref(a->v[--a->n]);
}

/* The walk dns_journal.h describes, over the entries read. */
static struct dns_zone *
replay(struct dns_zone *z, const char *path, const struct jfile *jf,
    char *err, size_t errlen)
{
	struct dns_rrlist	 list = { 0 };
	struct applied		 done = { 0 };
	const struct dns_zone	*like = z;
	struct dns_zone		*nz;
	uint32_t		 cur = z->serial;
	bool			 moved = false;
	size_t			 i;

	for (i = 0; i < jf->n; i++) {
		const struct entry *e = &jf->v[i];

		if (e->kind == KIND_SNAPSHOT && serial_gt(e->diff->to, cur)) {
			dns_rrlist_free(&list);
			if (dns_diff_apply(e->diff, &list, err, errlen) == -1)
				goto fail;
			applied_clear(&done);
			like = NULL;
		} else if (e->kind == KIND_DIFF && e->diff->from == cur) {
			if (!moved && dns_rrlist_from_zone(z, &list) == -1) {
				snprintf(err, errlen, "out of memory");
				goto fail;
			}
			if (dns_diff_apply(e->diff, &list, err, errlen) == -1)
				goto fail;
			applied_push(&done, e->diff);
		} else
			continue;
		moved = true;
		cur = e->diff->to;
	}
	if (!moved) {
		nz = z;
		z = NULL;
	} else {
		char	 why[512];

		nz = dns_zone_from_rrs(z->origin, z->file, &list, 0, like,
		    done.v, done.n, why, sizeof(why));
		if (nz == NULL) {
			snprintf(err, errlen, "%s: %s", path, why);
			goto fail;
		}
		if ((nz->journal = strdup(path)) == NULL) {
			snprintf(err, errlen, "%s: out of memory", path);
			dns_zone_unref(nz);
			goto fail;
		}
		if (nz->serial != cur) {
			snprintf(err, errlen, "%s: the SOA says %u after "
			    "serial %u", path, nz->serial, cur);
			dns_zone_unref(nz);
			goto fail;
		}
	}
	nz->jpos = jf->valid;
	nz->jreset = jf->n > 0 && jf->v[jf->n - 1].diff->to != cur;
	applied_clear(&done);
	dns_zone_unref(z);
	return nz;
fail:
	dns_rrlist_free(&list);
	applied_clear(&done);
	dns_zone_unref(z);
	return NULL;
}

struct dns_zone *
dns_journal_load(struct dns_zone *z, const char *path, char *err,
    size_t errlen)
{
	struct jfile	 jf;
	uint32_t	 file_serial = z->serial;

	if (jfile_read(path, &jf, err, errlen) == -1) {
		dns_zone_unref(z);
		return NULL;
	}
	z = replay(z, path, &jf, err, errlen);
	if (z != NULL && z->jreset)
		log_warnx("%s: the zone file's serial %u is newer than the "
		    "journal's %u: the file is served and the journal starts "
		    "again", path, file_serial, jf.v[jf.n - 1].diff->to);
	jfile_free(&jf);
	return z;
}

struct dns_zone *
dns_journal_catchup(struct dns_zone *z, const char *path, char *err,
    size_t errlen)
{
	struct stat	 st;
	struct jfile	 jf;

	if (stat(path, &st) == -1 ? errno == ENOENT && z->jpos == 0 :
	    (uint64_t)st.st_size == z->jpos)
		return z;
	if (jfile_read(path, &jf, err, errlen) == -1) {
		dns_zone_unref(z);
		return NULL;
	}
	z = replay(z, path, &jf, err, errlen);
	jfile_free(&jf);
	return z;
}

/* The folder's entry for a file just made or renamed, on disk too. */
static int
sync_dir(const char *path)
{
	char	 copy[PATH_MAX];
	int	 fd, rc;

	snprintf(copy, sizeof(copy), "%s", path);
	if ((fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

static int
write_all(int fd, const uint8_t *p, size_t n, off_t at)
{
	ssize_t	 w;

	while (n > 0) {
		if ((w = pwrite(fd, p, n, at)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
		at += w;
	}
	return 0;
}

/* The journal rewritten as one snapshot of z, renamed into place. */
static int
compact(const char *path, struct dns_zone *z, char *err, size_t errlen)
{
	struct dns_rrlist	 all;
	struct buf		 b = { 0 };
	char			 tmp[PATH_MAX];
	int			 fd = -1, rc = -1;

	if (dns_rrlist_from_zone(z, &all) == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	if (buf_put(&b, magic, HDRLEN) == -1 ||
	    put_entry(&b, KIND_SNAPSHOT, z->serial, z->serial, NULL, &all) ==
	    -1)
		snprintf(err, errlen, "out of memory");
	else if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0640)) == -1 || write_all(fd, b.p, b.len, 0) == -1 ||
	    fsync(fd) == -1 || rename(tmp, path) == -1 || sync_dir(path) == -1)
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
	else {
		z->jpos = b.len;
		z->jreset = false;
		rc = 0;
	}
	if (fd != -1)
		close(fd);
	if (rc == -1)
		unlink(tmp);
	dns_rrlist_free(&all);
	free(b.p);
	return rc;
}

int
dns_journal_append(const char *path, const struct dns_zone *cur,
    struct dns_zone *next, const struct dns_diff *d, char *err,
    size_t errlen)
{
	struct buf	 b = { 0 };
	uint64_t	 at = cur->jreset || cur->jpos < HDRLEN ? 0 : cur->jpos;
	int		 fd, rc = -1;

	if ((at == 0 && buf_put(&b, magic, HDRLEN) == -1) ||
	    put_entry(&b, KIND_DIFF, d->from, d->to, &d->del, &d->add) == -1) {
		free(b.p);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (at + b.len > DNS_JOURNAL_MAX) {
		free(b.p);
		return compact(path, next, err, errlen);
	}
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(b.p);
		return -1;
	}
	/* A torn entry, or a journal restarted: cut to where we write. */
	if (ftruncate(fd, (off_t)at) == -1 ||
	    write_all(fd, b.p, b.len, (off_t)at) == -1 || fdatasync(fd) == -1 ||
	    (at == 0 && sync_dir(path) == -1))
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	else {
		next->jpos = at + b.len;
		next->jreset = false;
		rc = 0;
	}
	close(fd);
	free(b.p);
	return rc;
}
