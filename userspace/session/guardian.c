// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
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
#include "engine/seccomp_sup.h"
#include "engine/shared_holds.h"
#include "session/guardian.h"
#include "util/json_writer.h"
#include "util/log.h"

enum { FD_HOLDS = 3, FD_CLAIMS, FD_PIPE, FD_PIDFD, FD_LISTENER, FD_FIRST_FREE };

static void report(const struct guardian_args *a, int n)
{
	char msg[160];
	struct rec r;

	snprintf(msg, sizeof(msg), "guardian: the controller died; continued %d held process(es)", n);
	if (!a->json) {
		fprintf(stderr, "fpbpf: %s\n", msg);
		return;
	}
	rec_init(&r);
	rec_int(&r, "v", 1, REC_KV);
	rec_str(&r, "type", "guardian", REC_KV);
	rec_str(&r, "message", msg, REC_KV);
	rec_int(&r, "continued", n, REC_KV);
	rec_print_json(&r, stderr);
}

static void guard(const struct guardian_args *a)
{
	struct pollfd pfd = { .fd = FD_PIPE, .events = POLLIN };
	struct stat ours, now;
	char byte = 0;
	int n, lock;

	/* A new session may reuse the name once this one is gone: remove only our socket. */
	if (!a->sock_path[0] || stat(a->sock_path, &ours))
		ours.st_ino = 0;
	while (poll(&pfd, 1, -1) < 0 && errno == EINTR)
		;
	if (read(FD_PIPE, &byte, 1) == 1 && byte == 'q')
		_exit(0);	/* the controller cleaned up itself */
	if (byte == 'k') {
		/* The controller ended cleanly, but the command's children live on under its
		 * seccomp filter: someone must answer their calls. */
		seccomp_listener_continue_all(FD_LISTENER);
		_exit(0);
	}
	/* EOF: the controller is dying. Wait until it is gone, since its uprobes and kprobes
	 * detach only as its descriptors close; then nothing can stop a thread again. */
	pfd = (struct pollfd){ .fd = FD_PIDFD, .events = POLLIN };
	while (poll(&pfd, 1, 5000) < 0 && errno == EINTR)
		;
	lock = shared_lock();
	shared_drop_claims(FD_CLAIMS, a->nonce);
	n = shared_release_all(FD_HOLDS, a->nonce);
	shared_unlock(lock);
	usleep(50000);	/* a SIGSTOP sent by a program still running at detach */
	lock = shared_lock();
	n += shared_release_all(FD_HOLDS, a->nonce);
	shared_unlock(lock);
	if (ours.st_ino && !stat(a->sock_path, &now) && now.st_ino == ours.st_ino && now.st_dev == ours.st_dev)
		unlink(a->sock_path);
	report(a, n);
	if (a->listener >= 0)
		seccomp_listener_continue_all(FD_LISTENER);
	_exit(0);
}

static void become_guardian(const struct guardian_args *a, int pipe_rd, int pidfd)
{
	int devnull;

	/* Its own session: a ^C or a kill of the controller's process group spares it.
	 * Every inherited descriptor but four goes, or it would keep links attached. */
	setsid();
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	if (dup2(a->holds_fd, FD_HOLDS) < 0 || dup2(a->claims_fd, FD_CLAIMS) < 0 ||
	    dup2(pipe_rd, FD_PIPE) < 0 || dup2(pidfd, FD_PIDFD) < 0 ||
	    (a->listener >= 0 && dup2(a->listener, FD_LISTENER) < 0))
		_exit(1);
	close_range(FD_FIRST_FREE, ~0U, 0);
	devnull = open("/dev/null", O_RDWR);
	if (devnull >= 0) {
		dup2(devnull, 0);
		dup2(devnull, 1);
		if (devnull > 2)
			close(devnull);
	}
	guard(a);
}

int guardian_start(struct guardian *g, const struct guardian_args *a)
{
	int pipefd[2], pidfd;
	pid_t pid;

	*g = (struct guardian){ -1, -1, -1 };
	pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (pidfd < 0) {
		log_error("guardian: pidfd_open: %s (needs Linux 5.3)", strerror(errno));
		return -errno;
	}
	if (pipe2(pipefd, O_CLOEXEC)) {
		log_error("guardian: pipe: %s", strerror(errno));
		close(pidfd);
		return -errno;
	}
	pid = fork();
	if (pid == 0)
		become_guardian(a, pipefd[0], pidfd);
	close(pipefd[0]);
	close(pidfd);
	if (pid < 0) {
		log_error("guardian: fork: %s", strerror(errno));
		close(pipefd[1]);
		return -errno;
	}
	g->pid = pid;
	g->fd = pipefd[1];
	g->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	return 0;
}

void guardian_reap(struct guardian *g)
{
	if (g->fd >= 0)
		close(g->fd);
	if (g->pidfd >= 0)
		close(g->pidfd);
	if (g->pid > 0)
		while (waitpid(g->pid, NULL, 0) < 0 && errno == EINTR)
			;
	*g = (struct guardian){ -1, -1, -1 };
}

void guardian_hand_over(struct guardian *g)
{
	if (g->fd >= 0 && write(g->fd, "k", 1) != 1)
		pr_debug("guardian: %s\n", strerror(errno));
	/* Not waited for: it lives as long as the command's children need it. */
	if (g->fd >= 0)
		close(g->fd);
	if (g->pidfd >= 0)
		close(g->pidfd);
	*g = (struct guardian){ -1, -1, -1 };
}

static pid_t retired[16];
static int nretired;

/* Retired guardians that exited by now, or all of them when wait. */
static void reap_retired(bool wait)
{
	for (int i = 0; i < nretired;) {
		pid_t got;

		while ((got = waitpid(retired[i], NULL, wait ? 0 : WNOHANG)) < 0 && errno == EINTR)
			;
		if (got == 0) {
			i++;
			continue;
		}
		retired[i] = retired[--nretired];
	}
}

static void tell_quit(struct guardian *g)
{
	/* A dead guardian makes this write fail with EPIPE; SIGPIPE is ignored. */
	if (g->fd >= 0 && write(g->fd, "q", 1) != 1)
		pr_debug("guardian: %s\n", strerror(errno));
}

void guardian_retire(struct guardian *g)
{
	tell_quit(g);
	reap_retired(false);
	if (nretired == (int)(sizeof(retired) / sizeof(retired[0])))
		reap_retired(true);
	if (g->pid > 0)
		retired[nretired++] = g->pid;
	g->pid = -1;
	guardian_reap(g);
}

void guardian_stop(struct guardian *g)
{
	tell_quit(g);
	guardian_reap(g);
	reap_retired(true);
}
