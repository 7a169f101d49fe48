#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_proc.h"

double
bench_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

double
bench_proc_cpu(int pid)
{
	char		 path[64], buf[1024], *p;
	unsigned long	 ut = 0, st = 0;
	FILE		*f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if ((f = fopen(path, "r")) == NULL || fgets(buf, sizeof(buf), f) == NULL)
		exit((fprintf(stderr, "bench: %s\n", path), 1));
	fclose(f);
	/* Fields 14 and 15, counted after the ")" that ends the name. */
	p = strrchr(buf, ')');
	sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
	    &ut, &st);
	return (double)(ut + st) / sysconf(_SC_CLK_TCK);
}

long
bench_proc_rss_kb(int pid)
{
	char	 path[64], line[256];
	long	 kb = -1;
	FILE	*f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}
