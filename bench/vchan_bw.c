/*
 * vchan-bw: one-way throughput of Debian's libxenvchan under xensim, beside
 * a pipe and a Unix socketpair, for 64 B, 4 KiB and 64 KiB writes, in one
 * run.  A writer process sends BYTES in writes of the given size; the
 * reader takes whatever arrives and says when it has everything.  Needs
 * xensimd and a xenstore daemon (bench/run starts both).
 */
#include <sys/socket.h>
#include <sys/wait.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libxenvchan.h>

#include "bench_proc.h"

#define RING_BYTES	(256 * 1024)
#define READ_CHUNK	(256 * 1024)

/* Read until total bytes arrived, then tell the writer on done. */
static int
fd_reader(int fd, uint64_t total, int done)
{
	static char buf[READ_CHUNK];
	uint64_t got = 0;
	ssize_t n;

	while (got < total) {
		if ((n = read(fd, buf, sizeof(buf))) <= 0)
			return 1;
		got += n;
	}
	return write(done, "k", 1) == 1 ? 0 : 1;
}

static int
fd_writer(int fd, uint64_t total, size_t size)
{
	static char buf[64 * 1024];
	uint64_t sent;
	ssize_t n;

	for (sent = 0; sent < total; sent += n)
		if ((n = write(fd, buf, size)) <= 0)
			return -1;
	return 0;
}

static int
vchan_reader(const char *path, uint64_t total, int done)
{
	static char buf[READ_CHUNK];
	struct libxenvchan *c = NULL;
	uint64_t got = 0;
	int n, tries;

	for (tries = 0; tries < 500 && c == NULL; tries++)
		if ((c = libxenvchan_client_init(NULL, 0, path)) == NULL)
			usleep(10000);
	if (c == NULL)
		return 1;
	c->blocking = 1;
	while (got < total) {
		if ((n = libxenvchan_read(c, buf, sizeof(buf))) <= 0)
			return 1;
		got += n;
	}
	n = write(done, "k", 1);
	libxenvchan_close(c);
	return n == 1 ? 0 : 1;
}

static int
vchan_writer(struct libxenvchan *s, uint64_t total, size_t size)
{
	static char buf[64 * 1024];
	uint64_t sent;

	s->blocking = 1;
	for (sent = 0; sent < total; sent += size)
		if (libxenvchan_write(s, buf, size) != (int)size)
			return -1;
	return 0;
}

/* MiB/s for one transport and write size; -1 on failure. */
static double
measure(const char *kind, size_t size, uint64_t total)
{
	int done[2], data[2] = { -1, -1 }, status;
	char path[96], c;
	struct libxenvchan *s = NULL;
	double t0, secs;
	pid_t pid;
	int rc;

	snprintf(path, sizeof(path), "/local/domain/0/data/vchan-bw-%d-%zu",
	    (int)getpid(), size);
	if (pipe(done) == -1)
		return -1;
	if (strcmp(kind, "pipe") == 0 && pipe(data) == -1)
		return -1;
	if (strcmp(kind, "socketpair") == 0 &&
	    socketpair(AF_UNIX, SOCK_STREAM, 0, data) == -1)
		return -1;
	if ((pid = fork()) == 0) {
		close(done[0]);
		if (data[1] != -1)
			close(data[1]);
		_exit(data[0] != -1 ? fd_reader(data[0], total, done[1]) :
		    vchan_reader(path, total, done[1]));
	}
	close(done[1]);
	if (data[0] != -1)
		close(data[0]);
	if (data[1] == -1 && (s = libxenvchan_server_init(NULL, 0, path,
	    RING_BYTES, RING_BYTES)) == NULL) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	t0 = bench_now();
	rc = data[1] != -1 ? fd_writer(data[1], total, size) :
	    vchan_writer(s, total, size);
	if (rc == 0 && read(done[0], &c, 1) != 1)
		rc = -1;
	secs = bench_now() - t0;
	waitpid(pid, &status, 0);
	if (s != NULL)
		libxenvchan_close(s);
	if (data[1] != -1)
		close(data[1]);
	close(done[0]);
	if (rc != 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -1;
	return total / secs / (1 << 20);
}

int
main(int argc, char **argv)
{
	static const size_t sizes[] = { 64, 4096, 65536 };
	static const char *kinds[] = { "pipe", "socketpair", "vchan" };
	uint64_t mib = argc > 1 ? strtoull(argv[1], NULL, 10) : 1024;
	double r[3];

	for (size_t i = 0; i < 3; i++) {
		/* 64-byte writes are syscall-bound: move less, same shape. */
		uint64_t total = (sizes[i] == 64 ? mib / 16 : mib) << 20;

		total -= total % sizes[i];
		for (size_t k = 0; k < 3; k++)
			if ((r[k] = measure(kinds[k], sizes[i], total)) < 0) {
				fprintf(stderr, "vchan-bw: %s, %zu-byte writes "
				    "failed: %s\n", kinds[k], sizes[i],
				    strerror(errno));
				return 1;
			}
		printf("vchan-bw: %6zu-byte writes, %4llu MiB: pipe %8.1f "
		    "MiB/s  socketpair %8.1f MiB/s  vchan %8.1f MiB/s  "
		    "vchan/pipe x%.2f  vchan/socketpair x%.2f\n", sizes[i],
		    (unsigned long long)(total >> 20), r[0], r[1], r[2],
		    r[2] / r[0], r[2] / r[1]);
	}
	return 0;
}
