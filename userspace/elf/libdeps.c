// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "elf/libdeps.h"
#include "util/log.h"

static int read_interp(const char *exe, char *out, size_t len)
{
	int fd = open(exe, O_RDONLY | O_CLOEXEC), ret = -1;
	size_t nphdr;
	Elf *elf;

	if (fd < 0)
		return -1;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (elf && !elf_getphdrnum(elf, &nphdr)) {
		for (size_t i = 0; i < nphdr; i++) {
			GElf_Phdr ph;

			if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_INTERP)
				continue;
			if (ph.p_filesz == 0 || ph.p_filesz >= len)
				break;
			if (pread(fd, out, ph.p_filesz, (off_t)ph.p_offset) == (ssize_t)ph.p_filesz) {
				out[ph.p_filesz] = 0;
				ret = out[0] == '/' ? 0 : -1;
			}
			break;
		}
	}
	elf_end(elf);
	close(fd);
	return ret;
}

/* The loader's --list mode resolves the libraries exactly as it will at exec (search
 * path, RUNPATH, LD_LIBRARY_PATH) without running any of the program's code. */
int libdeps_each(const char *exe, void (*fn)(const char *path, void *arg), void *arg)
{
	char interp[PATH_MAX], line[PATH_MAX + 64];
	int pipefd[2], status;
	pid_t pid;
	FILE *f;

	if (read_interp(exe, interp, sizeof(interp)))
		return -1;
	if (pipe2(pipefd, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return -1;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		dup2(pipefd[1], STDOUT_FILENO);
		if (devnull >= 0)
			dup2(devnull, STDERR_FILENO);
		execl(interp, interp, "--list", exe, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	f = fdopen(pipefd[0], "r");
	if (!f) {
		close(pipefd[0]);
		waitpid(pid, NULL, 0);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *path = strstr(line, "=> /");
		char *end;

		if (!path)
			continue;
		path += 3;
		end = strstr(path, " (0x");
		if (end)
			*end = 0;
		path[strcspn(path, "\n")] = 0;
		fn(path, arg);
	}
	fclose(f);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		pr_debug("%s --list %s failed; searching only the program\n", interp, exe);
		return -1;
	}
	return 0;
}
