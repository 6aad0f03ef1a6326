// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The guardian outlives a controller killed with SIGKILL and undoes what only the
 * controller could: processes it stopped, and its control socket. Programs and links need
 * nothing, since they are held by file descriptors the kernel closes. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "session/guardian.h"
#include "util/log.h"

enum { FD_MAP = 3, FD_PIPE, FD_PIDFD, FD_FIRST_FREE };

static int continue_stopped(int map_fd)
{
	__u32 key, next;
	int n = 0;

	for (int err = bpf_map_get_next_key(map_fd, NULL, &next); !err;
	     err = bpf_map_get_next_key(map_fd, &key, &next)) {
		key = next;
		if (kill((pid_t)key, SIGCONT) == 0)
			n++;
	}
	return n;
}

static void guard(const char *sock_path)
{
	struct pollfd pfd = { .fd = FD_PIPE, .events = POLLIN };
	struct stat ours, now;
	char byte = 0;
	int n;

	/* A new session may reuse the name once this one is gone: remove only our socket. */
	if (!sock_path[0] || stat(sock_path, &ours))
		ours.st_ino = 0;

	while (poll(&pfd, 1, -1) < 0 && errno == EINTR)
		;
	if (read(FD_PIPE, &byte, 1) == 1 && byte == 'q')
		_exit(0);	/* the controller cleaned up itself */
	/* EOF: the controller is dying. Wait until it is gone, since its uprobes and kprobes
	 * detach only as its descriptors close; then nothing can stop a thread again. */
	pfd = (struct pollfd){ .fd = FD_PIDFD, .events = POLLIN };
	while (poll(&pfd, 1, 5000) < 0 && errno == EINTR)
		;
	n = continue_stopped(FD_MAP);
	usleep(50000);	/* a SIGSTOP queued by a program still running at detach */
	continue_stopped(FD_MAP);
	if (ours.st_ino && !stat(sock_path, &now) && now.st_ino == ours.st_ino && now.st_dev == ours.st_dev)
		unlink(sock_path);
	if (n)
		fprintf(stderr, "fpbpf: guardian: the controller died; continued %d stopped process(es)\n", n);
	_exit(0);
}

int guardian_start(struct guardian *g, int stopped_map_fd, const char *sock_path)
{
	int pipefd[2], pidfd, devnull;
	pid_t parent = getpid(), pid;

	g->pid = -1;
	g->fd = -1;
	pidfd = (int)syscall(SYS_pidfd_open, parent, 0);
	if (pidfd < 0) {
		log_error("guardian: pidfd_open: %s (needs Linux 5.3)", strerror(errno));
		return -1;
	}
	if (pipe2(pipefd, O_CLOEXEC)) {
		log_error("guardian: pipe: %s", strerror(errno));
		close(pidfd);
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		log_error("guardian: fork: %s", strerror(errno));
		close(pidfd);
		close(pipefd[0]);
		close(pipefd[1]);
		return -1;
	}
	if (pid == 0) {
		/* Its own session: a ^C or a kill of the controller's process group spares it.
		 * Every inherited descriptor but three goes, or it would keep links attached. */
		setsid();
		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		signal(SIGPIPE, SIG_IGN);
		if (dup2(stopped_map_fd, FD_MAP) < 0 || dup2(pipefd[0], FD_PIPE) < 0 ||
		    dup2(pidfd, FD_PIDFD) < 0)
			_exit(1);
		close_range(FD_FIRST_FREE, ~0U, 0);
		devnull = open("/dev/null", O_RDWR);
		if (devnull >= 0) {
			dup2(devnull, 0);
			dup2(devnull, 1);
			if (devnull > 2)
				close(devnull);
		}
		guard(sock_path);
	}
	close(pipefd[0]);
	close(pidfd);
	g->pid = pid;
	g->fd = pipefd[1];
	return 0;
}

void guardian_stop(struct guardian *g)
{
	if (g->fd >= 0) {
		if (write(g->fd, "q", 1) != 1)
			pr_debug("guardian: %s\n", strerror(errno));
		close(g->fd);
		g->fd = -1;
	}
	if (g->pid > 0) {
		while (waitpid(g->pid, NULL, 0) < 0 && errno == EINTR)
			;
		g->pid = -1;
	}
}
