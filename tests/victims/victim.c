/* Victim for the integration tests: each mode exercises failpoints in a way whose
 * output proves what fpbpf did (values returned, counts, timing, exit status). */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "fpbpf.h"

int fpvictim_lib_call(int i);
void fpvictim_plain_tick(long i);
void fpvictim_plain_str(long i, const char *s);

static atomic_long injected;
static volatile sig_atomic_t stop_requested;

/* Long runs end early on SIGTERM and still report, so tests need not guess durations. */
static void on_term(int sig)
{
	(void)sig;
	stop_requested = 1;
}
static int per_thread;

/* This thread's CPU time: a busy delay spends it, a sleep does not. */
static double cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* One value failpoint with two context arguments: the call number and a tenant name. */
static int call(int i)
{
	const char *tenant = i % 2 ? "test_odd" : "prod_even";
	long rc = 0;

	if (FPBPF_FAIL(vfail, &rc, i, tenant))
		return (int)rc;
	return 0;
}

static void *worker(void *arg)
{
	(void)arg;
	for (int i = 1; i <= per_thread; i++)
		if (call(i))
			atomic_fetch_add(&injected, 1);
	return NULL;
}

static void hit_vpoint(long i)
{
	(void)i;
	FPBPF_POINT(vpoint);
}

/* Hits a probe every 10 ms for ms milliseconds and reports the longest gap between
 * passes: how long a sleep or pause held the thread. */
static void tick(int ms, void (*hit)(long))
{
	double start = now_ms(), last = start, gap = 0;
	bool each = getenv("VICTIM_GAPS") != NULL;	/* print every long gap, not only the longest */

	signal(SIGTERM, on_term);
	if (getenv("VICTIM_IGNORE_INT"))
		signal(SIGINT, SIG_IGN);
	printf("ready %d\n", getpid());
	for (long i = 1; !stop_requested && now_ms() - start < ms; i++) {
		double t;

		hit(i);
		t = now_ms();
		if (each && t - last > 100)
			printf("gap_ms=%.0f\n", t - last);
		if (t - last > gap)
			gap = t - last;
		last = t;
		usleep(10000);
	}
	printf("max_gap_ms=%.0f\n", gap);
}

/* A long-running service: one vfail call every 10 ms for ms milliseconds; each failed
 * call prints its result, so a harness sees exactly when faults were on. */
static void serve(int ms)
{
	double start = now_ms();
	long failed = 0, served = 0;

	signal(SIGTERM, on_term);
	printf("ready %d %ld\n", getpid(), (long)syscall(SYS_gettid));
	for (int i = 1; !stop_requested && now_ms() - start < ms; i++) {
		int rc = call(i);

		served++;
		if (rc) {
			failed++;
			printf("fail %d at_ms=%.0f\n", rc, now_ms() - start);
		}
		usleep(10000);
	}
	printf("served=%ld failed=%ld\n", served, failed);
}

/* n hits of another program's probe whose string argument lives in a page this process
 * never touched: a fresh shared mapping of a memfd (no fault-around can map it either). */
static void plain_str(int n)
{
	static const char lit[] = "beta-untouched";
	int fd = memfd_create("fpbpf-victim-literal", MFD_CLOEXEC);
	char *page;

	if (fd < 0 || write(fd, lit, sizeof(lit)) != (ssize_t)sizeof(lit) || ftruncate(fd, 4096))
		exit(3);
	page = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	if (page == MAP_FAILED)
		exit(3);
	for (int i = 1; i <= n; i++)
		fpvictim_plain_str(i, page);
	printf("plain_str=%d\n", n);
}

/* n children, each hits the plain probe once and reports how long it was held. */
static void fork_plain(int n)
{
	int held = 0;

	for (int i = 0; i < n; i++)
		if (fork() == 0) {
			double t0 = now_ms();

			fpvictim_plain_tick(i);
			_exit(now_ms() - t0 >= 900 ? 1 : 0);
		}
	for (int i = 0; i < n; i++) {
		int st;

		if (wait(&st) > 0 && WIFEXITED(st))
			held += WEXITSTATUS(st);
	}
	printf("held=%d of %d\n", held, n);
}

/* n children, each makes `calls` calls; the injections they saw, summed. */
static void children(int n, int calls)
{
	long total = 0;

	for (int i = 0; i < n; i++)
		if (fork() == 0) {
			int k = 0;

			for (int c = 1; c <= calls; c++)
				k += call(c) != 0;
			_exit(k);
		}
	for (int i = 0; i < n; i++) {
		int st;

		if (wait(&st) > 0 && WIFEXITED(st))
			total += WEXITSTATUS(st);
	}
	printf("injected=%ld\n", total);
}

static pthread_barrier_t parked;

static void *park(void *arg)
{
	(void)arg;
	pthread_barrier_wait(&parked);
	pause();
	return NULL;
}

/* A process with n threads forks; the child's call says whether it is a target. */
static void many_threads(int n)
{
	pthread_attr_t small;
	pthread_t t;
	pid_t child;
	int made = 0;

	pthread_attr_init(&small);
	pthread_attr_setstacksize(&small, 64 * 1024);
	pthread_barrier_init(&parked, NULL, 2);
	for (int i = 0; i < n; i++) {
		if (pthread_create(&t, &small, park, NULL))
			break;
		pthread_barrier_wait(&parked);
		made++;
	}
	child = fork();
	if (child == 0) {
		printf("threads=%d child:%d\n", made + 1, call(1));
		fflush(stdout);
		_exit(0);
	}
	waitpid(child, NULL, 0);
	_exit(0);	/* the parked threads need no goodbye */
}

static void *serve_thread(void *arg)
{
	serve(*(int *)arg);
	return NULL;
}

/* serve in a second thread: its tid is not the process id. */
static void thread_serve(int ms)
{
	pthread_t t;

	pthread_create(&t, NULL, serve_thread, &ms);
	pthread_join(t, NULL);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "count";
	int n = argc > 2 ? atoi(argv[2]) : 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(mode, "count")) {
		long k = 0;

		for (int i = 1; i <= n; i++) {
			int rc = call(i);

			k += rc != 0;
			printf("%d:%d\n", i, rc);
		}
		printf("injected=%ld\n", k);
	} else if (!strcmp(mode, "threads")) {
		int t = argc > 3 ? atoi(argv[3]) : 4;
		pthread_t th[64];

		per_thread = n;
		for (int i = 0; i < t && i < 64; i++)
			pthread_create(&th[i], NULL, worker, NULL);
		for (int i = 0; i < t && i < 64; i++)
			pthread_join(th[i], NULL);
		printf("injected=%ld\n", atomic_load(&injected));
	} else if (!strcmp(mode, "point")) {
		FPBPF_POINT(vpoint);
		printf("after point\n");
	} else if (!strcmp(mode, "sleep")) {
		double t0 = now_ms(), c0 = cpu_ms();

		FPBPF_POINT(vpoint);
		printf("slept_ms=%.0f cpu_ms=%.0f\n", now_ms() - t0, cpu_ms() - c0);
	} else if (!strcmp(mode, "fork")) {
		pid_t child = fork();

		if (child == 0) {
			printf("child:%d\n", call(1));
			return 0;
		}
		waitpid(child, NULL, 0);
		printf("parent done\n");
	} else if (!strcmp(mode, "serve")) {
		serve(n);
	} else if (!strcmp(mode, "spawn")) {
		/* A child that exits with 3, then this process becomes `victim count N`. */
		pid_t child = fork();
		char count[16];

		if (child == 0)
			_exit(3);
		waitpid(child, NULL, 0);
		snprintf(count, sizeof(count), "%d", n);
		execl("/proc/self/exe", "victim", "count", count, (char *)NULL);
		perror("exec");
		return 1;
	} else if (!strcmp(mode, "lib")) {
		for (int i = 1; i <= n; i++)
			printf("%d:%d\n", i, fpvictim_lib_call(i));
	} else if (!strcmp(mode, "plain")) {
		tick(n, fpvictim_plain_tick);
	} else if (!strcmp(mode, "plainstr")) {
		plain_str(n);
	} else if (!strcmp(mode, "ticker")) {
		tick(n, hit_vpoint);
	} else if (!strcmp(mode, "forkplain")) {
		fork_plain(n);
	} else if (!strcmp(mode, "children")) {
		children(n, argc > 3 ? atoi(argv[3]) : 1);
	} else if (!strcmp(mode, "manythreads")) {
		many_threads(n);
	} else if (!strcmp(mode, "tserve")) {
		thread_serve(n);
	} else {
		fprintf(stderr, "victim: unknown mode %s\n", mode);
		return 2;
	}
	return 0;
}
