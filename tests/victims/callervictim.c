/* Victim for caller=: the same syscall and the same failpoint reached from different
 * functions, each result printed with the function that saw it.
 *   sys N [crash]: N rounds of journal_write() then data_write(), each one write(2) to
 *            /dev/null; then flush_all() -> journal_write() once more. With crash, a
 *            failed data write aborts (the seeded bug) and a failed journal write is
 *            handled: exit 1 at the end
 *   usdt N:  N rounds of a_path() then b_path(), both through check_point()'s failpoint
 *   fan K:   one write(2) to /dev/null from each of fan_1() .. fan_K() (K <= 9), quietly
 *   Any mode with a last argument "threads" starts a thread first: glibc's wrappers
 *   then take their multi-threaded path (a stack frame of their own).
 * Built with frame pointers (Makefile): a frame-pointer walk is what caller= needs. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fpbpf.h"

static int fd = -1, crash, journal_failed;

static void result(const char *who, int i, long rc)
{
	if (rc < 0)
		printf("%s:%d:%s\n", who, i, strerrorname_np(errno));
	else
		printf("%s:%d:%ld\n", who, i, rc);
	fflush(stdout);
}

__attribute__((noinline)) void journal_write(int i)
{
	long rc = write(fd, "journal!", 8);

	journal_failed |= rc < 0;
	result("journal", i, rc);
}

__attribute__((noinline)) void data_write(int i)
{
	long rc = write(fd, "data....", 8);

	if (rc < 0 && crash)
		abort();	/* the seeded bug: a data write's failure is not handled */
	result("data", i, rc);
}

__attribute__((noinline)) void flush_all(int i)
{
	journal_write(i);
	__asm__ volatile("" ::: "memory");	/* not a tail call: flush_all stays on the stack */
}

__attribute__((noinline)) int check_point(void)
{
	int rc = 0;

	FPBPF_FAIL(check_point, &rc);
	return rc;
}

__attribute__((noinline)) void a_path(int i)
{
	printf("a:%d:%d\n", i, check_point());
}

__attribute__((noinline)) void b_path(int i)
{
	printf("b:%d:%d\n", i, check_point());
}

#define FAN(k)                                                                \
	__attribute__((noinline)) void fan_##k(void)                          \
	{                                                                     \
		if (write(fd, "fan", 3) < 0)                                  \
			printf("fan_%d:%s\n", k, strerrorname_np(errno));     \
	}
FAN(1) FAN(2) FAN(3) FAN(4) FAN(5) FAN(6) FAN(7) FAN(8) FAN(9)
static void (*const fans[])(void) = { fan_1, fan_2, fan_3, fan_4, fan_5, fan_6, fan_7, fan_8, fan_9 };

static void *idle(void *arg)
{
	pause();
	return arg;
}

int main(int argc, char **argv)
{
	int n = argc > 2 ? atoi(argv[2]) : 2;
	pthread_t t;

	if (argc > 2 && !strcmp(argv[argc - 1], "threads"))
		pthread_create(&t, NULL, idle, NULL);
	if (argc > 1 && !strcmp(argv[1], "fan")) {
		fd = open("/dev/null", O_WRONLY);
		for (int k = 0; k < n && k < 9; k++)
			fans[k]();
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "sys")) {
		crash = argc > 3 && !strcmp(argv[3], "crash");
		fd = open("/dev/null", O_WRONLY);
		for (int i = 1; i <= n; i++) {
			journal_write(i);
			data_write(i);
		}
		flush_all(n + 1);
		return journal_failed && crash;
	}
	if (argc > 1 && !strcmp(argv[1], "usdt")) {
		for (int i = 1; i <= n; i++) {
			a_path(i);
			b_path(i);
		}
		return 0;
	}
	fprintf(stderr, "usage: callervictim sys|usdt [N]\n");
	return 2;
}
