// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "elf/srcline.h"

static void run_addr2line(const char *file, const char *addr, int out_fd)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	dup2(out_fd, 1);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 2);
	}
	execlp("addr2line", "addr2line", "-e", file, addr, (char *)NULL);
	_exit(127);
}

int srcline(const char *file, uint64_t addr, char *out, size_t len)
{
	char hex[32], line[512] = "", *colon, *base;
	int p[2], status = 0;
	ssize_t n, got = 0;
	pid_t pid;

	snprintf(hex, sizeof(hex), "0x%" PRIx64, addr);
	if (pipe2(p, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid == 0)
		run_addr2line(file, hex, p[1]);
	close(p[1]);
	while (pid > 0 && got < (ssize_t)sizeof(line) - 1 && (n = read(p[0], line + got, sizeof(line) - 1 - (size_t)got)) > 0)
		got += n;
	close(p[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return -1;
	line[got] = 0;
	line[strcspn(line, "\n ")] = 0;
	colon = strrchr(line, ':');
	if (!colon || line[0] == '?' || colon[1] == '?' || colon[1] == '0')
		return -1;
	base = strrchr(line, '/');
	snprintf(out, len, "%s", base ? base + 1 : line);
	return 0;
}
