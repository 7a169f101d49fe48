#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <linux/landlock.h>

#include "log.h"
#include "privdrop.h"
#include "syscall_filter.h"

/* Newer than Debian 12's headers: handled only where the ABI has it. */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE	(1ULL << 14)
#endif

#define FS_READ		(LANDLOCK_ACCESS_FS_EXECUTE | \
			 LANDLOCK_ACCESS_FS_READ_FILE | \
			 LANDLOCK_ACCESS_FS_READ_DIR)
#define FS_FILE		(LANDLOCK_ACCESS_FS_EXECUTE | \
			 LANDLOCK_ACCESS_FS_WRITE_FILE | \
			 LANDLOCK_ACCESS_FS_READ_FILE | \
			 LANDLOCK_ACCESS_FS_TRUNCATE)

static int
table_add(const char **v, const char *path)
{
	size_t	 i;

	if (path == NULL)
		return 0;
	for (i = 0; i < PRIVDROP_MAX_PATHS - 1; i++)
		if (v[i] == NULL) {
			v[i] = path;
			v[i + 1] = NULL;
			return 0;
		}
	return -1;
}

int
privdrop_ro(struct privdrop *p, const char *path)
{
	return table_add(p->ro, path);
}

int
privdrop_rw(struct privdrop *p, const char *path)
{
	return table_add(p->rw, path);
}

void
privdrop_base(struct privdrop *p)
{
	static const char *const base[] = { "/usr", "/lib", "/lib64", "/etc",
	    "/proc", "/sys", "/dev/null", "/dev/urandom", NULL };
	size_t	 i;

	p->user = NULL;
	p->keep_exec = false;
	p->ro[0] = p->rw[0] = NULL;
	xs_filter_init(&p->store);
	p->is_store = false;
	p->store_self = NULL;
	for (i = 0; base[i] != NULL; i++)
		(void)privdrop_ro(p, base[i]);
}

static int
become(const char *user)
{
	struct passwd	*pw;
	gid_t		 gid;
	uid_t		 uid;

	errno = 0;
	if ((pw = getpwnam(user)) == NULL) {
		log_warnx("privilege drop: no user %s%s%s", user,
		    errno ? ": " : "", errno ? strerror(errno) : "");
		return -1;
	}
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	/* NAME's groups, supplementary ones included (/etc/group). */
	if (initgroups(user, gid) == -1 || setresgid(gid, gid, gid) == -1 ||
	    setresuid(uid, uid, uid) == -1) {
		log_warn("privilege drop: becoming %s", user);
		return -1;
	}
	/* Belt and braces: root must be gone for good. */
	if (uid != 0 && (setuid(0) != -1 || seteuid(0) != -1)) {
		log_warnx("privilege drop: %s could become root again", user);
		return -1;
	}
	return 0;
}

int
privdrop_landlock_abi(void)
{
	long	 v;

	v = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	return v > 0 ? (int)v : 0;
}

static uint64_t
handled_access(int abi)
{
	uint64_t	 all = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;

	if (abi >= 2)
		all |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		all |= LANDLOCK_ACCESS_FS_TRUNCATE;
	return all;
}

/* One rule; a path that does not exist is skipped (nothing to reach). */
static int
add_rule(int ruleset, const char *path, uint64_t access, uint64_t handled)
{
	struct landlock_path_beneath_attr	 a;
	struct stat				 st;
	int					 fd, r;

	if ((fd = open(path, O_PATH | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return 0;
		log_warn("privilege drop: %s", path);
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		close(fd);
		return -1;
	}
	access &= handled;
	if (!S_ISDIR(st.st_mode))
		access &= FS_FILE;
	a.allowed_access = access;
	a.parent_fd = fd;
	r = (int)syscall(SYS_landlock_add_rule, ruleset,
	    LANDLOCK_RULE_PATH_BENEATH, &a, 0);
	if (r == -1)
		log_warn("privilege drop: a rule for %s", path);
	close(fd);
	return r;
}

static int
confine(const struct privdrop *p)
{
	struct landlock_ruleset_attr	 ra;
	uint64_t			 handled;
	size_t				 i;
	int				 abi, rs, r = 0;

	if ((abi = privdrop_landlock_abi()) == 0) {
		log_warnx("privilege drop: the kernel has no Landlock; the "
		    "file system is not confined");
		return 0;
	}
	handled = handled_access(abi);
	memset(&ra, 0, sizeof(ra));
	ra.handled_access_fs = handled;
	if ((rs = (int)syscall(SYS_landlock_create_ruleset, &ra, sizeof(ra),
	    0)) == -1) {
		log_warn("privilege drop: landlock_create_ruleset");
		return -1;
	}
	for (i = 0; r == 0 && p->ro[i] != NULL; i++)
		r = add_rule(rs, p->ro[i], FS_READ, handled);
	for (i = 0; r == 0 && p->rw[i] != NULL; i++)
		r = add_rule(rs, p->rw[i], handled, handled);
	if (r == 0 && syscall(SYS_landlock_restrict_self, rs, 0) == -1) {
		/* Too many layers (a long line of live updates): the ones
		 * inherited across exec still hold. */
		if (errno == E2BIG)
			log_warnx("privilege drop: Landlock layers all used; "
			    "keeping the inherited ones");
		else {
			log_warn("privilege drop: landlock_restrict_self");
			r = -1;
		}
	}
	close(rs);
	return r;
}

int
privdrop_apply(const struct privdrop *p)
{
	if (p->user != NULL && become(p->user) != 0)
		return -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		log_warn("privilege drop: no_new_privs");
		return -1;
	}
	if (confine(p) != 0 || syscall_filter_apply(p->keep_exec) != 0)
		return -1;
	log_info("privileges dropped: uid %u, no_new_privs, %s, seccomp%s",
	    (unsigned)getuid(), privdrop_landlock_abi() ? "Landlock" :
	    "no Landlock", p->keep_exec ? " (exec kept)" : "");
	return 0;
}
