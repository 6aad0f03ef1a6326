/* Cost of a failpoint with nobody attached, against an empty loop and libfiu's
 * fiu_fail() (built with FIU_ENABLE). The three loops run in interleaved rounds and
 * each keeps its fastest round, so a noisy neighbour skews all three alike. */
#include <fiu.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "fpbpf.h"

#define ROUNDS 9

static volatile long sink;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static double empty_loop(long n)
{
	double t0 = now_ns();

	for (long i = 0; i < n; i++)
		sink += i;
	return (now_ns() - t0) / n;
}

static double fpbpf_loop(long n)
{
	double t0 = now_ns();

	for (long i = 0; i < n; i++) {
		long rc = 0;

		if (FPBPF_FAIL(bench_point, &rc))
			sink += rc;
		sink += i;
	}
	return (now_ns() - t0) / n;
}

static double fiu_loop(long n)
{
	double t0 = now_ns();

	for (long i = 0; i < n; i++) {
		if (fiu_fail("bench/point"))
			sink += 1;
		sink += i;
	}
	return (now_ns() - t0) / n;
}

static void keep_min(double *best, double v)
{
	if (*best == 0 || v < *best)
		*best = v;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 20000000L;
	double empty = 0, fp = 0, fiu = 0, fp_over, fiu_over;

	fiu_init(0);
	for (int r = 0; r < ROUNDS; r++) {
		keep_min(&empty, empty_loop(n));
		keep_min(&fp, fpbpf_loop(n));
		keep_min(&fiu, fiu_loop(n / 10));
	}
	fp_over = fp - empty;
	fiu_over = fiu - empty;
	printf("empty loop:            %6.2f ns/iter\n", empty);
	printf("fpbpf failpoint:       %6.2f ns/iter (%+.2f ns over empty)\n", fp, fp_over);
	printf("libfiu fiu_fail():     %6.2f ns/iter (%+.2f ns over empty)\n", fiu, fiu_over);
	/* Below timer resolution the overhead is reported as a bound, not a ratio of noise. */
	if (fp_over < 0.05)
		printf("libfiu/fpbpf overhead: > %.0fx (fpbpf's overhead is below 0.05 ns, within noise)\n",
		       fiu_over / 0.05);
	else
		printf("libfiu/fpbpf overhead: %.1fx\n", fiu_over / fp_over);
	return 0;
}
