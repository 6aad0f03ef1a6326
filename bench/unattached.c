/* Cost of a failpoint with nobody attached, against an empty loop and libfiu's
 * fiu_fail() (built with FIU_ENABLE), measured in one run and printed as ratios. */
#include <fiu.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "fpbpf.h"

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 200000000L;
	volatile long sink = 0;
	double t0, empty, fp, fiu;

	fiu_init(0);
	t0 = now_ns();
	for (long i = 0; i < n; i++)
		sink += i;
	empty = (now_ns() - t0) / n;

	t0 = now_ns();
	for (long i = 0; i < n; i++) {
		long rc = 0;

		if (FPBPF_FAIL(bench_point, &rc))
			sink += rc;
		sink += i;
	}
	fp = (now_ns() - t0) / n;

	t0 = now_ns();
	for (long i = 0; i < n / 10; i++) {
		if (fiu_fail("bench/point"))
			sink += 1;
		sink += i;
	}
	fiu = (now_ns() - t0) / (n / 10);

	printf("empty loop:            %6.2f ns/iter\n", empty);
	printf("fpbpf failpoint:       %6.2f ns/iter (+%.2f ns over empty)\n", fp, fp - empty);
	printf("libfiu fiu_fail():     %6.2f ns/iter (+%.2f ns over empty)\n", fiu, fiu - empty);
	printf("ratio libfiu/fpbpf overhead: %.1fx\n", (fiu - empty) / (fp - empty > 0.01 ? fp - empty : 0.01));
	return 0;
}
