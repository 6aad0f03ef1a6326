// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "session/holds.h"

struct hold {
	pid_t pid;
	__u32 rid;
	long long resume_ns;	/* 0: until the rule changes */
};

struct holds {
	struct hold_ops ops;
	struct hold *held;
	int nheld, cap_held;
	struct fp_event *pending;	/* FP_REQ_WRITE records not yet written */
	int npending, cap_pending;
};

struct holds *holds__new(const struct hold_ops *ops)
{
	struct holds *h = calloc(1, sizeof(*h));

	if (h)
		h->ops = *ops;
	return h;
}

void holds__free(struct holds *h)
{
	if (!h)
		return;
	free(h->held);
	free(h->pending);
	free(h);
}

static int grow(void **v, int *cap, int n, size_t size)
{
	void *bigger;
	int want;

	if (n < *cap)
		return 0;
	want = *cap ? *cap * 2 : 16;
	bigger = realloc(*v, (size_t)want * size);
	if (!bigger)
		return -ENOMEM;
	*v = bigger;
	*cap = want;
	return 0;
}

static bool still_held(const struct holds *h, pid_t pid)
{
	for (int i = 0; i < h->nheld; i++)
		if (h->held[i].pid == pid)
			return true;
	for (int i = 0; i < h->npending; i++)
		if ((pid_t)h->pending[i].pid == pid)
			return true;
	return false;
}

/* Under the lock: the last reason this session had to hold pid is gone. */
static void let_go(struct holds *h, pid_t pid)
{
	int token;

	if (still_held(h, pid))
		return;
	token = h->ops.lock(h->ops.ctx);
	h->ops.release(h->ops.ctx, pid);
	h->ops.unlock(h->ops.ctx, token);
}

int holds__queue_write(struct holds *h, const struct fp_event *e)
{
	if (grow((void **)&h->pending, &h->cap_pending, h->npending, sizeof(*h->pending))) {
		/* Nowhere to keep it: the verdict is lost, and the thread must not stay stopped. */
		h->ops.done(h->ops.ctx, e, false);
		h->ops.release_claim(h->ops.ctx, (pid_t)e->tid, e->slot);
		let_go(h, (pid_t)e->pid);
		return -ENOMEM;
	}
	h->pending[h->npending++] = *e;
	return 0;
}

int holds__hold(struct holds *h, pid_t pid, __u32 rid, long long resume_ns)
{
	for (int i = 0; i < h->nheld; i++)
		if (h->held[i].pid == pid && h->held[i].rid == rid) {
			if (!resume_ns || (h->held[i].resume_ns && resume_ns > h->held[i].resume_ns))
				h->held[i].resume_ns = resume_ns;
			return 0;
		}
	if (grow((void **)&h->held, &h->cap_held, h->nheld, sizeof(*h->held))) {
		let_go(h, pid);
		return -ENOMEM;
	}
	h->held[h->nheld++] = (struct hold){ pid, rid, resume_ns };
	return 0;
}

/* Writes the verdicts queued for pid, which is stopped: every one, or (when it did not
 * stop) none, since a thread that runs on must never find its slot written later. */
static void deliver_pid(struct holds *h, pid_t pid)
{
	int token = h->ops.lock(h->ops.ctx), kept = 0;
	bool stopped = h->ops.wait_stopped(h->ops.ctx, pid) == 0;

	h->ops.drain(h->ops.ctx);
	for (int i = 0; i < h->npending; i++) {
		struct fp_event e = h->pending[i];
		bool ok;

		if ((pid_t)e.pid != pid) {
			h->pending[kept++] = e;
			continue;
		}
		ok = stopped && !h->ops.write(h->ops.ctx, pid, e.slot, &e.verdict, sizeof(e.verdict));
		h->ops.release_claim(h->ops.ctx, (pid_t)e.tid, e.slot);
		h->ops.done(h->ops.ctx, &e, ok);
	}
	h->npending = kept;
	if (!still_held(h, pid))
		h->ops.release(h->ops.ctx, pid);
	h->ops.unlock(h->ops.ctx, token);
}

void holds__deliver(struct holds *h)
{
	while (h->npending)
		deliver_pid(h, (pid_t)h->pending[0].pid);
}

long long holds__release_due(struct holds *h, long long now)
{
	long long next = 0;
	int kept = 0, ngone = 0;
	pid_t *gone = malloc((size_t)(h->nheld ? h->nheld : 1) * sizeof(*gone));

	for (int i = 0; i < h->nheld; i++) {
		struct hold *p = &h->held[i];

		if (p->resume_ns && p->resume_ns <= now) {
			if (gone)
				gone[ngone++] = p->pid;
			continue;
		}
		if (p->resume_ns && (!next || p->resume_ns < next))
			next = p->resume_ns;
		h->held[kept++] = *p;
	}
	if (!gone)	/* no memory to remember them: keep them held one more round */
		return now + 1000000;
	h->nheld = kept;
	for (int i = 0; i < ngone; i++)
		let_go(h, gone[i]);
	free(gone);
	return next;
}

static void release_matching(struct holds *h, bool all, __u32 rid)
{
	pid_t *gone = malloc((size_t)(h->nheld ? h->nheld : 1) * sizeof(*gone));
	int kept = 0, ngone = 0;

	for (int i = 0; i < h->nheld; i++) {
		if ((all || h->held[i].rid == rid) && gone) {
			gone[ngone++] = h->held[i].pid;
			continue;
		}
		h->held[kept++] = h->held[i];
	}
	h->nheld = kept;
	for (int i = 0; i < ngone; i++)
		let_go(h, gone[i]);
	free(gone);
}

void holds__release_rule(struct holds *h, __u32 rid)
{
	release_matching(h, false, rid);
}

void holds__release_all(struct holds *h)
{
	holds__deliver(h);
	release_matching(h, true, 0);
}

int holds__pids(const struct holds *h, pid_t *out, int max)
{
	int n = 0;

	for (int i = 0; i < h->nheld; i++) {
		bool dup = false;

		for (int k = 0; k < i && !dup; k++)
			dup = h->held[k].pid == h->held[i].pid;
		if (!dup && n++ < max)
			out[n - 1] = h->held[i].pid;
	}
	return n;
}
