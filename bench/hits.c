/* Hits one value failpoint N times and prints the cost per hit, for bench/run.sh to
 * compare under different attachments. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "fpbpf.h"

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000, injected = 0;
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++) {
		long rc = 0;

		if (FPBPF_FAIL(bench_hit, &rc, i, "tenant"))
			injected++;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("ns_per_hit=%.1f injected=%ld\n",
	       ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n, injected);
	return 0;
}
