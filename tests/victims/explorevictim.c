/* Victim for explore: seeded bugs at one hit each, handled failures elsewhere.
 *   usdt:     journal_write x3 (hit 2 fails -> SIGSEGV, others -> handled exit 1),
 *             load_config x1 (fails -> waits forever), flush_cache x4 (fails -> retried)
 *   sys DIR:  openat of DIR/journal (fails -> waits forever), 3 writes to it (the 2nd
 *             failing -> abort, others -> handled exit 1), fsync (fails -> handled)
 *   slow MS:  sleeps, then one fsync (a site): a run long enough to interrupt */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fpbpf.h"

static void wait_forever(void)
{
	for (;;)
		pause();	/* the bug: waits for a wake-up nobody sends */
}

static int usdt_mode(void)
{
	int rc;

	for (int i = 0; i < 3; i++) {
		rc = 0;
		FPBPF_FAIL(journal_write, &rc);
		if (rc && i == 1) {
			volatile int *p = NULL;

			*p = rc;	/* the bug: the second record's failure path uses a NULL */
		}
		if (rc) {
			fprintf(stderr, "journal write %d failed: %d\n", i, rc);
			return 1;
		}
	}
	rc = 0;
	FPBPF_FAIL(load_config, &rc);
	if (rc)
		wait_forever();
	for (int i = 0; i < 4; i++) {
		rc = 0;
		FPBPF_FAIL(flush_cache, &rc);
		if (rc) {
			rc = 0;
			FPBPF_FAIL(flush_cache_retry, &rc);	/* handled: one retry */
		}
	}
	return 0;
}

static int sys_mode(const char *dir)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/journal", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		wait_forever();
	for (int i = 0; i < 3; i++) {
		ssize_t n = write(fd, "x", 1);

		if (n != 1 && i == 1)
			abort();	/* the bug: the second write is "never supposed to fail" */
		if (n != 1) {
			static const char msg[] = "journal write failed\n";

			(void)!write(2, msg, sizeof(msg) - 1);
			return 1;
		}
	}
	if (fsync(fd)) {
		static const char msg[] = "fsync failed\n";

		(void)!write(2, msg, sizeof(msg) - 1);
		return 1;
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "slow")) {
		usleep((useconds_t)atoi(argv[2]) * 1000);	/* a baseline long enough to interrupt */
		return fsync(1) ? 0 : 0;
	}
	if (argc == 2 && !strcmp(argv[1], "usdt"))
		return usdt_mode();
	if (argc == 3 && !strcmp(argv[1], "sys"))
		return sys_mode(argv[2]);
	fprintf(stderr, "usage: explorevictim usdt | sys DIR | slow MS\n");
	return 2;
}
