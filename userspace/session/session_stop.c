// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Processes BPF stopped: stop-and-write verdicts written into them, holds for sleep,
 * pause and delay at sites that cannot wait on their own, and continuing them all. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>
#include "util/log.h"
#include "session/session_int.h"

#define SYNC_STOP_WAIT_NS (200 * 1000000LL)

void stop_remember(struct session *s, pid_t pid)
{
	/* Untracked, it could stay stopped at the end: continue it now instead. */
	if (!pid_set_add(&s->ever_stopped, pid))
		kill(pid, SIGCONT);
}

void stop_hold(struct session *s, pid_t pid, __u32 rid, long long resume_ns)
{
	stop_remember(s, pid);
	for (int i = 0; i < s->nheld; i++)
		if (s->held[i].pid == pid) {
			if (!resume_ns || (s->held[i].resume_ns && resume_ns > s->held[i].resume_ns))
				s->held[i].resume_ns = resume_ns;
			s->held[i].rid = rid;
			return;
		}
	if (s->nheld < MAX_HELD)
		s->held[s->nheld++] = (struct held_proc){ pid, rid, resume_ns };
	else
		kill(pid, SIGCONT);	/* cannot track it: never leave it stopped */
}

static bool is_held(const struct session *s, pid_t pid)
{
	for (int i = 0; i < s->nheld; i++)
		if (s->held[i].pid == pid)
			return true;
	return false;
}

static char proc_state(pid_t pid, const char *tid)
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

/* Until every thread is in the group stop, some thread may still be between pushing its
 * record and stopping; a SIGCONT sent then would release it before its verdict lands. */
static void wait_group_stopped(pid_t pid)
{
	long long deadline = now_ns() + SYNC_STOP_WAIT_NS;
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	do {
		DIR *d = opendir(path);
		struct dirent *de;
		bool all = true;

		if (!d)
			return;
		while ((de = readdir(d))) {
			char st;

			if (de->d_name[0] == '.')
				continue;
			st = proc_state(pid, de->d_name);
			if (st != 'T' && st != 't' && st != 'Z' && st != 'X')
				all = false;
		}
		closedir(d);
		if (all)
			return;
		usleep(50);
	} while (now_ns() < deadline);
	pr_warn("fpbpf: process %d did not stop within 200ms; continuing it anyway\n", pid);
}

/* process_vm_writev needs CONFIG_CROSS_MEMORY_ATTACH; /proc/PID/mem reaches the same
 * memory on kernels built without it. Returns 0 once all of local landed. */
static int write_target_memory(pid_t pid, const struct iovec *local, const struct iovec *remote)
{
	char path[64];
	ssize_t n;
	int fd;

	n = process_vm_writev(pid, local, 1, remote, 1, 0);
	if (n == (ssize_t)local->iov_len)
		return 0;
	if (n >= 0 || errno != ENOSYS)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = pwrite(fd, local->iov_base, local->iov_len, (off_t)(uintptr_t)remote->iov_base);
	close(fd);
	return n == (ssize_t)local->iov_len ? 0 : -1;
}

void stop_deliver_pending(struct session *s)
{
	while (s->npending) {
		pid_t pid = s->pending[0].pid;
		int kept = 0;

		wait_group_stopped(pid);
		injector__consume(s->inj, session_on_event, s);
		for (int i = 0; i < s->npending; i++) {
			struct pending_write *w = &s->pending[i];
			struct iovec local = { &w->verdict, sizeof(w->verdict) };
			struct iovec remote = { (void *)(uintptr_t)w->slot, sizeof(w->verdict) };

			if (w->pid != pid) {
				s->pending[kept++] = *w;
				continue;
			}
			if (write_target_memory(pid, &local, &remote) && errno != ESRCH)
				pr_warn("fpbpf: cannot write verdict into %d/%d at 0x%llx: %s\n", pid, w->tid,
					(unsigned long long)w->slot, strerror(errno));
		}
		s->npending = kept;
		if (!is_held(s, pid))
			kill(pid, SIGCONT);
	}
}

long long stop_release_due(struct session *s)
{
	long long now = now_ns(), next = 0;
	int kept = 0;

	for (int i = 0; i < s->nheld; i++) {
		struct held_proc *p = &s->held[i];

		if (p->resume_ns && p->resume_ns <= now) {
			kill(p->pid, SIGCONT);
			continue;
		}
		if (p->resume_ns && (!next || p->resume_ns < next))
			next = p->resume_ns;
		s->held[kept++] = *p;
	}
	s->nheld = kept;
	return next;
}

/* The rule changed or went: what it holds continues now (fail-rs semantics). */
void stop_release_rule(struct session *s, __u32 rid)
{
	int kept = 0;

	for (int i = 0; i < s->nheld; i++) {
		if (s->held[i].rid == rid) {
			kill(s->held[i].pid, SIGCONT);
			continue;
		}
		s->held[kept++] = s->held[i];
	}
	s->nheld = kept;
}

void stop_queue_write(struct session *s, const struct fp_event *e)
{
	stop_remember(s, (pid_t)e->pid);
	if (s->npending == s->cap_pending) {
		int cap = s->cap_pending ? s->cap_pending * 2 : 16;
		struct pending_write *grown = realloc(s->pending, (size_t)cap * sizeof(*grown));

		if (!grown) {
			/* Cannot queue the write: continue the thread rather than leave it stopped. */
			kill((pid_t)e->pid, SIGCONT);
			return;
		}
		s->pending = grown;
		s->cap_pending = cap;
	}
	s->pending[s->npending++] = (struct pending_write){ (pid_t)e->pid, (pid_t)e->tid, e->slot, e->verdict };
}

/* Teardown, after the probes are gone: nothing can stop these again. */
void stop_continue_all(struct session *s)
{
	for (int i = 0; i < s->ever_stopped.n; i++)
		kill(s->ever_stopped.v[i], SIGCONT);
	s->nheld = 0;
}
