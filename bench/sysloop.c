/* Reads one byte from /dev/zero N times (or calls getppid N times, "sysloop N getppid")
 * and prints the cost per call, for bench/run.sh to compare bare, under fpbpf's backends
 * and under strace. One-byte reads are the ones its rules select (count=1); the loader's
 * reads are larger. getppid is the call no rule targets. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000, failed = 0;
	int other = argc > 2 && argv[2][0] == 'g';
	int fd = open("/dev/zero", O_RDONLY);
	struct timespec a, b;
	char c;

	if (fd < 0) {
		perror("/dev/zero");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++)
		failed += other ? getppid() <= 0 : read(fd, &c, 1) != 1;
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("ns_per_hit=%.1f failed=%ld\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n, failed);
	return 0;
}
