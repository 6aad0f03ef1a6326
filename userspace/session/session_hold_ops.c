// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The holds' ops for a real session: the shared lock, /proc to see a process stopped,
 * process_vm_writev to write a verdict, and the shared map to let go. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>
#include "engine/shared_holds.h"
#include "session/session_int.h"
#include "util/log.h"

#define STOP_WAIT_NS (200 * 1000000LL)

static int lock(void *ctx)
{
	struct session *s = ctx;

	/* flock is per open file: taking it again from this process would deadlock. */
	if (s->lock_depth++ == 0)
		s->lock_fd = shared_lock();
	return 0;
}

static void unlock(void *ctx, int token)
{
	struct session *s = ctx;

	(void)token;
	if (--s->lock_depth == 0) {
		shared_unlock(s->lock_fd);
		s->lock_fd = -1;
	}
}

static char task_state(pid_t pid, const char *tid)
{
	char path[320], buf[512], *paren;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%s/stat", pid, tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 'X';
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 'X';
	buf[n] = 0;
	paren = strrchr(buf, ')');
	return paren && paren[1] == ' ' ? paren[2] : 'X';
}

/* 1: every thread is stopped (or gone), 0: some runs, -ESRCH: the process is gone. */
static int all_stopped(pid_t pid)
{
	char path[64];
	struct dirent *de;
	bool all = true;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	if (!d)
		return -ESRCH;
	while ((de = readdir(d))) {
		char st;

		if (de->d_name[0] == '.')
			continue;
		st = task_state(pid, de->d_name);
		if (st != 'T' && st != 't' && st != 'Z' && st != 'X')
			all = false;
	}
	closedir(d);
	return all;
}

/* Until every thread is in the group stop, a thread may still be between pushing its
 * request and stopping; writing then could race a thread that runs on. */
static int wait_stopped(void *ctx, pid_t pid)
{
	long long deadline = now_ns() + STOP_WAIT_NS;
	int st;

	(void)ctx;
	while ((st = all_stopped(pid)) == 0 && now_ns() < deadline)
		usleep(50);
	if (st < 0)
		return st;
	if (!st) {
		pr_warn("fpbpf: process %d did not stop within 200ms (did something continue it?); its verdict is not written\n", pid);
		return -ETIMEDOUT;
	}
	return 0;
}

static void drain(void *ctx)
{
	struct session *s = ctx;

	injector__consume(s->inj, session_on_event, s);
}

/* process_vm_writev needs CONFIG_CROSS_MEMORY_ATTACH; /proc/PID/mem reaches the same
 * memory on kernels built without it. */
static int write_mem(void *ctx, pid_t pid, __u64 addr, const void *buf, size_t len)
{
	struct iovec local = { (void *)buf, len }, remote = { (void *)(uintptr_t)addr, len };
	char path[64];
	ssize_t n;
	int fd;

	(void)ctx;
	n = process_vm_writev(pid, &local, 1, &remote, 1, 0);
	if (n == (ssize_t)len)
		return 0;
	if (n >= 0 || errno != ENOSYS)
		return -EIO;
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = pwrite(fd, buf, len, (off_t)addr);
	close(fd);
	return n == (ssize_t)len ? 0 : -EIO;
}

static void release(void *ctx, pid_t pid)
{
	struct session *s = ctx;

	shared_release(injector__holds_fd(s->inj), pid, injector__nonce(s->inj));
}

static void release_claim(void *ctx, pid_t tid, __u64 slot)
{
	struct session *s = ctx;

	injector__release_claim(s->inj, tid, slot);
}

/* A stop-and-write injection counts once its verdict is in the thread; a release
 * (nth 0) is no injection at all. */
static void done(void *ctx, const struct fp_event *e, bool delivered)
{
	struct session *s = ctx;
	const struct probe_info *p = probe_table__info(s->probes, e->probe);
	const struct rule *r = rule_table__get(s->rules, (int)e->rule);

	if (!e->nth)
		return;
	if (delivered) {
		events_out__hit(&s->out, "inject", e, p, r);
		return;
	}
	injector__undeliver(s->inj, e->rule, e->term);
	events_out__hit(&s->out, "lost", e, p, r);
}

void session_hold_ops(struct session *s, struct hold_ops *ops)
{
	*ops = (struct hold_ops){
		.ctx = s, .lock = lock, .unlock = unlock, .wait_stopped = wait_stopped, .drain = drain,
		.write = write_mem, .release = release, .release_claim = release_claim, .done = done,
	};
}
