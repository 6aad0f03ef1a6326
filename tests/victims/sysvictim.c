/* Victim for syscall faults: each mode makes one kind of call N times and prints
 * "i:RESULT" per call (ok, a byte count, or the errno's name), so the output proves
 * which calls fpbpf failed and how. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static atomic_int signals, failed;

/* A path literal alone in its pages, which nothing touches before open() does: BPF at
 * the syscall's entry cannot fault the page in to read it; the kernel's own copy does. */
static const char untouched[3 * 4096] __attribute__((aligned(4096))) = "/tmp/fpbpf-untouched-literal";
static int per_thread;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void report(int i, long rc)
{
	if (rc < 0)
		printf("%d:%s\n", i, strerrorname_np(errno));
	else
		printf("%d:%ld\n", i, rc);
}

static void on_usr1(int sig)
{
	(void)sig;
	atomic_fetch_add(&signals, 1);
}

static void *reader(void *arg)
{
	char buf[8];
	int fd = *(int *)arg;

	for (int i = 0; i < per_thread; i++)
		if (read(fd, buf, sizeof(buf)) < 0)
			atomic_fetch_add(&failed, 1);
	return NULL;
}

static int connect_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0), rc;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	return rc;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	int n = argc > 2 ? atoi(argv[2]) : 1;
	const char *path = argc > 3 ? argv[3] : "/dev/null";
	double worst = 0;
	char buf[16];
	int fd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGUSR1, on_usr1);
	if (!strcmp(mode, "open") || !strcmp(mode, "create")) {
		int flags = mode[0] == 'c' ? O_WRONLY | O_CREAT : O_RDONLY;

		for (int i = 1; i <= n; i++) {
			fd = open(path, flags, 0600);
			report(i, fd < 0 ? -1 : 0);
			if (fd >= 0)
				close(fd);
		}
	} else if (!strcmp(mode, "read") || !strcmp(mode, "write") || !strcmp(mode, "fsync")) {
		/* path's descriptor is the process's first free one: 3. */
		fd = open(path, mode[0] == 'r' ? O_RDONLY : O_WRONLY | O_CREAT, 0600);
		if (fd < 0) {
			perror(path);
			return 2;
		}
		for (int i = 1; i <= n; i++) {
			double t0 = now_ms();
			long rc = mode[0] == 'r' ? read(fd, buf, sizeof(buf))
				: mode[0] == 'w' ? write(fd, "0123456789abcdef", 16)
				: fsync(fd);

			if (now_ms() - t0 > worst)
				worst = now_ms() - t0;
			report(i, rc);
		}
		close(fd);
		printf("max_ms=%.0f\n", worst);
	} else if (!strcmp(mode, "badptr")) {
		/* A path pointer nothing can read (the kernel answers EFAULT), with a flag no other
		 * open here uses, so that a rule can single it out. */
		for (int i = 1; i <= n; i++) {
			fd = (int)syscall(SYS_openat, AT_FDCWD, (const char *)8, O_RDONLY | O_NOCTTY);
			report(i, fd < 0 ? -1 : 0);
		}
	} else if (!strcmp(mode, "literal")) {
		for (int i = 1; i <= n; i++) {
			fd = open(untouched, O_RDONLY);
			report(i, fd < 0 ? -1 : 0);
			if (fd >= 0)
				close(fd);
		}
	} else if (!strcmp(mode, "openexec")) {
		/* Opens path (which fails), then re-execs itself to open argv[4]: the exec
		 * passes file_open too, inside another syscall. */
		fd = open(path, O_RDONLY);
		report(1, fd < 0 ? -1 : 0);
		execl("/proc/self/exe", argv[0], "open", "1", argc > 4 ? argv[4] : "/dev/null", (char *)NULL);
		printf("exec:%s\n", strerrorname_np(errno));
		return 1;
	} else if (!strcmp(mode, "connect")) {
		for (int i = 1; i <= n; i++)
			report(i, connect_unix(path));
	} else if (!strcmp(mode, "threads")) {
		int t = argc > 4 ? atoi(argv[4]) : 4;
		pthread_t th[16];

		fd = open(path, O_RDONLY);
		per_thread = n;
		for (int i = 0; i < t && i < 16; i++)
			pthread_create(&th[i], NULL, reader, &fd);
		for (int i = 0; i < t && i < 16; i++)
			pthread_join(th[i], NULL);
		printf("failed=%d\n", atomic_load(&failed));
	} else if (!strcmp(mode, "fork")) {
		pid_t child = fork();

		if (child == 0) {
			fd = open(path, O_RDONLY);
			printf("child:%s\n", fd < 0 ? strerrorname_np(errno) : "ok");
			return 0;
		}
		waitpid(child, NULL, 0);
		fd = open(path, O_RDONLY);
		printf("parent:%s\n", fd < 0 ? strerrorname_np(errno) : "ok");
	} else if (!strcmp(mode, "spin")) {
		/* Reads path for n ms and counts failures: a bystander that must stay unharmed. */
		double end = now_ms() + n;
		int errors = 0;

		fd = open(path, O_RDONLY);
		while (now_ms() < end) {
			errors += read(fd, buf, sizeof(buf)) < 0;
			usleep(1000);
		}
		printf("errors=%d\n", errors);
	} else {
		fprintf(stderr, "sysvictim: unknown mode '%s'\n", mode);
		return 2;
	}
	if (atomic_load(&signals))
		printf("signals=%d\n", atomic_load(&signals));
	return 0;
}
