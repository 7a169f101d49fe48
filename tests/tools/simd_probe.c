/*
 * simd-probe: do a process's vector registers survive being preempted?
 *
 * Loads a known pattern into the sixteen 256-bit AVX registers (ymm0 to
 * ymm15), spins long enough to be preempted now and then (by the kernel,
 * or by the hypervisor switching vCPUs), stores them back and compares.
 * A context switch that saves or restores the extended state wrongly
 * shows up as a register whose bytes changed; the probe says which
 * register, which half (the low 128 bits are the SSE register, the high
 * 128 bits are AVX's own state component) and whether the bytes became
 * zero (a component restored from its initial state).
 *
 * glibc's memcpy moves data through these registers, so a lost upper half
 * during a copy writes zeros that were never sent: that is what this
 * tells apart from a fault of a ring or its library (see ring-probe).
 *
 *	simd-probe [--seconds S] [--spin N] [--procs P] [--sse]
 *
 * --sse holds the sixteen 128-bit registers with legacy-encoded SSE
 * instructions instead of VEX-encoded AVX ones (so the two encodings can
 * be told apart, and so it runs on a CPU without AVX).
 * Runs P processes (default 2) for S seconds (default 30); prints a line
 * per corrupted register (at most 20 per process) and a summary, and exits
 * 1 if any register changed, 2 if the CPU has no AVX, 0 otherwise.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "xfer_util.h"

#define NREG		16
#define REG_BYTES	32
#define REPORT_MAX	20

struct probe_result {
	uint64_t	 rounds, bad_rounds, bad_low, bad_high, zero_high;
};

static void
pattern(uint64_t round, uint8_t in[NREG][REG_BYTES])
{
	uint64_t x = round * UINT64_C(0x9e3779b97f4a7c15) + 1;
	int r, i;

	for (r = 0; r < NREG; r++)
		for (i = 0; i < REG_BYTES; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			in[r][i] = (uint8_t)(x | 1);	/* never zero */
		}
}

/* Sixteen registers in, a preemption window, sixteen registers out. */
static void
hold(const uint8_t in[NREG][REG_BYTES], uint8_t out[NREG][REG_BYTES],
    uint64_t spin)
{
	__asm__ volatile(
	    "vmovdqu   0(%[i]), %%ymm0\n\t"  "vmovdqu  32(%[i]), %%ymm1\n\t"
	    "vmovdqu  64(%[i]), %%ymm2\n\t"  "vmovdqu  96(%[i]), %%ymm3\n\t"
	    "vmovdqu 128(%[i]), %%ymm4\n\t"  "vmovdqu 160(%[i]), %%ymm5\n\t"
	    "vmovdqu 192(%[i]), %%ymm6\n\t"  "vmovdqu 224(%[i]), %%ymm7\n\t"
	    "vmovdqu 256(%[i]), %%ymm8\n\t"  "vmovdqu 288(%[i]), %%ymm9\n\t"
	    "vmovdqu 320(%[i]), %%ymm10\n\t" "vmovdqu 352(%[i]), %%ymm11\n\t"
	    "vmovdqu 384(%[i]), %%ymm12\n\t" "vmovdqu 416(%[i]), %%ymm13\n\t"
	    "vmovdqu 448(%[i]), %%ymm14\n\t" "vmovdqu 480(%[i]), %%ymm15\n\t"
	    "1: pause\n\t"
	    "dec %[n]\n\t"
	    "jnz 1b\n\t"
	    "vmovdqu %%ymm0,    0(%[o])\n\t" "vmovdqu %%ymm1,   32(%[o])\n\t"
	    "vmovdqu %%ymm2,   64(%[o])\n\t" "vmovdqu %%ymm3,   96(%[o])\n\t"
	    "vmovdqu %%ymm4,  128(%[o])\n\t" "vmovdqu %%ymm5,  160(%[o])\n\t"
	    "vmovdqu %%ymm6,  192(%[o])\n\t" "vmovdqu %%ymm7,  224(%[o])\n\t"
	    "vmovdqu %%ymm8,  256(%[o])\n\t" "vmovdqu %%ymm9,  288(%[o])\n\t"
	    "vmovdqu %%ymm10, 320(%[o])\n\t" "vmovdqu %%ymm11, 352(%[o])\n\t"
	    "vmovdqu %%ymm12, 384(%[o])\n\t" "vmovdqu %%ymm13, 416(%[o])\n\t"
	    "vmovdqu %%ymm14, 448(%[o])\n\t" "vmovdqu %%ymm15, 480(%[o])\n\t"
	    "vzeroupper\n\t"
	    : [n] "+r" (spin)
	    : [i] "r" (in), [o] "r" (out)
	    : "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5",
	      "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12",
	      "xmm13", "xmm14", "xmm15");
}

/* The same with legacy-encoded SSE: the low 128 bits only. */
static void
hold_sse(const uint8_t in[NREG][REG_BYTES], uint8_t out[NREG][REG_BYTES],
    uint64_t spin)
{
	__asm__ volatile(
	    "movdqu   0(%[i]), %%xmm0\n\t"  "movdqu  32(%[i]), %%xmm1\n\t"
	    "movdqu  64(%[i]), %%xmm2\n\t"  "movdqu  96(%[i]), %%xmm3\n\t"
	    "movdqu 128(%[i]), %%xmm4\n\t"  "movdqu 160(%[i]), %%xmm5\n\t"
	    "movdqu 192(%[i]), %%xmm6\n\t"  "movdqu 224(%[i]), %%xmm7\n\t"
	    "movdqu 256(%[i]), %%xmm8\n\t"  "movdqu 288(%[i]), %%xmm9\n\t"
	    "movdqu 320(%[i]), %%xmm10\n\t" "movdqu 352(%[i]), %%xmm11\n\t"
	    "movdqu 384(%[i]), %%xmm12\n\t" "movdqu 416(%[i]), %%xmm13\n\t"
	    "movdqu 448(%[i]), %%xmm14\n\t" "movdqu 480(%[i]), %%xmm15\n\t"
	    "1: pause\n\t"
	    "dec %[n]\n\t"
	    "jnz 1b\n\t"
	    "movdqu %%xmm0,    0(%[o])\n\t" "movdqu %%xmm1,   32(%[o])\n\t"
	    "movdqu %%xmm2,   64(%[o])\n\t" "movdqu %%xmm3,   96(%[o])\n\t"
	    "movdqu %%xmm4,  128(%[o])\n\t" "movdqu %%xmm5,  160(%[o])\n\t"
	    "movdqu %%xmm6,  192(%[o])\n\t" "movdqu %%xmm7,  224(%[o])\n\t"
	    "movdqu %%xmm8,  256(%[o])\n\t" "movdqu %%xmm9,  288(%[o])\n\t"
	    "movdqu %%xmm10, 320(%[o])\n\t" "movdqu %%xmm11, 352(%[o])\n\t"
	    "movdqu %%xmm12, 384(%[o])\n\t" "movdqu %%xmm13, 416(%[o])\n\t"
	    "movdqu %%xmm14, 448(%[o])\n\t" "movdqu %%xmm15, 480(%[o])\n\t"
	    : [n] "+r" (spin)
	    : [i] "r" (in), [o] "r" (out)
	    : "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5",
	      "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12",
	      "xmm13", "xmm14", "xmm15");
}

static bool
all_zero(const uint8_t *p, size_t n)
{
	while (n-- > 0)
		if (*p++ != 0)
			return false;
	return true;
}

/* Compare one round; report the first few bad registers. */
static void
compare(int proc, uint64_t round, const uint8_t in[NREG][REG_BYTES],
    const uint8_t out[NREG][REG_BYTES], struct probe_result *res)
{
	bool bad = false;
	int r;

	for (r = 0; r < NREG; r++) {
		bool low = memcmp(in[r], out[r], 16) != 0;
		bool high = memcmp(in[r] + 16, out[r] + 16, 16) != 0;
		bool zero = high && all_zero(out[r] + 16, 16);

		if (!low && !high)
			continue;
		bad = true;
		res->bad_low += low;
		res->bad_high += high;
		res->zero_high += zero;
		if (res->bad_low + res->bad_high <= REPORT_MAX)
			printf("simd-probe: process %d, round %" PRIu64
			    ": ymm%d changed while held:%s%s%s\n", proc,
			    round, r, low ? " low 128 bits (xmm)" : "",
			    high ? " high 128 bits" : "",
			    zero ? ", now all zero (restored from the initial "
			    "state)" : "");
	}
	res->bad_rounds += bad;
}

static struct probe_result
probe(int proc, double seconds, uint64_t spin, bool sse)
{
	struct probe_result res = { 0, 0, 0, 0, 0 };
	uint8_t in[NREG][REG_BYTES], out[NREG][REG_BYTES];
	double end = xfer_now_s() + seconds;

	while (xfer_now_s() < end) {
		pattern(res.rounds + ((uint64_t)proc << 40), in);
		memset(out, 0, sizeof(out));
		if (sse) {
			hold_sse((const uint8_t (*)[REG_BYTES])in, out, spin);
			for (int r = 0; r < NREG; r++)	/* not held */
				memcpy(out[r] + 16, in[r] + 16, 16);
		} else
			hold((const uint8_t (*)[REG_BYTES])in, out, spin);
		compare(proc, res.rounds,
		    (const uint8_t (*)[REG_BYTES])in,
		    (const uint8_t (*)[REG_BYTES])out, &res);
		res.rounds++;
	}
	return res;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "spin", required_argument, NULL, 'n' },
		{ "procs", required_argument, NULL, 'p' },
		{ "sse", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	double seconds = 30;
	uint64_t spin = 200000;
	int procs = 2, ch, p, status, failed = 0;
	bool sse = false;

	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 's': seconds = atof(optarg); break;
		case 'n': spin = strtoull(optarg, NULL, 10); break;
		case 'p': procs = atoi(optarg); break;
		case 'S': sse = true; break;
		case 'h':
		default:
			fprintf(ch == 'h' ? stdout : stderr, "usage: simd-probe "
			    "[--seconds S] [--spin N] [--procs P] [--sse]\n");
			return ch == 'h' ? 0 : 2;
		}
	}
	if (procs < 1 || procs > 64 || spin == 0 || seconds <= 0) {
		fprintf(stderr, "simd-probe: bad arguments\n");
		return 2;
	}
	__builtin_cpu_init();
	if (!sse && !__builtin_cpu_supports("avx")) {
		printf("simd-probe: this CPU has no AVX (try --sse)\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (p = 0; p < procs; p++) {
		if (fork() == 0) {
			struct probe_result r = probe(p, seconds, spin, sse);

			printf("simd-probe: process %d: %" PRIu64 " rounds, %"
			    PRIu64 " with a changed register (%" PRIu64
			    " low halves, %" PRIu64 " high halves, %" PRIu64
			    " of them zero)\n", p, r.rounds, r.bad_rounds,
			    r.bad_low, r.bad_high, r.zero_high);
			_exit(r.bad_rounds ? 1 : 0);
		}
	}
	while (wait(&status) > 0)
		failed += !WIFEXITED(status) || WEXITSTATUS(status) != 0;
	printf("simd-probe: %d of %d processes saw a vector register change "
	    "while they held it\n", failed, procs);
	return failed ? 1 : 0;
}
