/*
 * xsd_shim: what Debian's C xenstored needs from a dom0 kernel, on xensim.
 *
 * Everything else it calls (libxenevtchn, libxengnttab, the libxenctrl
 * subset) xensim's drop-in libraries answer.  What is left are two xenfs
 * files its dom0 set-up opens: /proc/xen/xsd_kva (dom0's xenstore ring
 * page) and /proc/xen/xsd_port (that ring's event channel).  Loaded with
 * LD_PRELOAD, this answers those two opens with a memfd page and a memfd
 * holding a port number: an unbound port offered to dom0 that the shim
 * allocates, as the dom0 kernel would.  Nobody uses dom0's ring afterwards:
 * dom0's programs here reach the daemon through its socket.
 *
 * For benchmarks only (bench/run xenstored), never in a daemon.
 */
#include <sys/mman.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <xenevtchn.h>

static int
fake_kva(void)
{
	int fd = memfd_create("xsd_kva", MFD_CLOEXEC);

	if (fd != -1 && ftruncate(fd, 4096) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The dom0 kernel's side of its xenstore channel: kept open for good. */
static int
fake_port(void)
{
	static xenevtchn_handle *xce;
	static int port = -1;
	char buf[16];
	int fd, n;

	if (port < 0 && (xce = xenevtchn_open(NULL, 0)) != NULL)
		port = xenevtchn_bind_unbound_port(xce, 0);
	if (port < 0 || (fd = memfd_create("xsd_port", MFD_CLOEXEC)) == -1)
		return -1;
	n = snprintf(buf, sizeof(buf), "%d", port);
	if (write(fd, buf, n) != n || lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
fake(const char *path)
{
	if (strcmp(path, "/proc/xen/xsd_kva") == 0)
		return fake_kva();
	if (strcmp(path, "/proc/xen/xsd_port") == 0)
		return fake_port();
	return -2;
}

/* The two xenfs files, or the real call under the name sym. */
static int
shim_open(const char *sym, const char *path, int flags, int mode)
{
	int (*real)(const char *, int, ...);
	int fd = fake(path);

	if (fd != -2)
		return fd;
	real = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, sym);
	return real(path, flags, mode);
}

/* The mode argument is there only when the flags say a file may be made. */
static int
mode_of(int flags, va_list ap)
{
	return (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, int) : 0;
}

int open(const char *, int, ...);
int open64(const char *, int, ...);

int
open(const char *path, int flags, ...)
{
	va_list ap;
	int mode;

	va_start(ap, flags);
	mode = mode_of(flags, ap);
	va_end(ap);
	return shim_open("open", path, flags, mode);
}

int
open64(const char *path, int flags, ...)
{
	va_list ap;
	int mode;

	va_start(ap, flags);
	mode = mode_of(flags, ap);
	va_end(ap);
	return shim_open("open64", path, flags, mode);
}
