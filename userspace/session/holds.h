/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The processes this session holds stopped, and why: a stopped thread waiting for its
 * stop-and-write verdict, or a sleep, pause or delay at a site that cannot wait on its
 * own. A process is let go only when nothing of this session holds it any more, and
 * then only if no other session holds it (ops->release). The kernel is reached only
 * through ops, so the bookkeeping is unit-tested without BPF. */
#ifndef FPBPF_HOLDS_H
#define FPBPF_HOLDS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>
#include "fp_abi.h"

struct hold_ops {
	void *ctx;
	/* Around checking that a process is stopped and writing into it, and around
	 * releasing: no other session can continue it meanwhile. Returns a token. */
	int (*lock)(void *ctx);
	void (*unlock)(void *ctx, int token);
	/* 0 once every thread of pid is stopped; else -errno (it did not stop, or is gone). */
	int (*wait_stopped)(void *ctx, pid_t pid);
	/* Reads requests that threads pushed just before they stopped. */
	void (*drain)(void *ctx);
	int (*write)(void *ctx, pid_t pid, __u64 addr, const void *buf, size_t len);
	/* This session no longer holds pid. */
	void (*release)(void *ctx, pid_t pid);
	void (*release_claim)(void *ctx, pid_t tid, __u64 slot);
	/* Once per queued verdict: delivered into the thread, or not (and counted as lost). */
	void (*done)(void *ctx, const struct fp_event *e, bool delivered);
};

struct holds;

struct holds *holds__new(const struct hold_ops *ops);
void holds__free(struct holds *h);

/* A thread stopped itself (FP_REQ_WRITE) and waits for e->verdict at e->slot. */
int holds__queue_write(struct holds *h, const struct fp_event *e);
/* A process stopped itself for rule rid: held until resume_ns, 0 until the rule changes. */
int holds__hold(struct holds *h, pid_t pid, __u32 rid, long long resume_ns);
/* Writes every queued verdict into its stopped thread and lets go what nothing else holds. */
void holds__deliver(struct holds *h);
/* Lets go of holds due by now; returns when the next one is due (0: none timed). */
long long holds__release_due(struct holds *h, long long now);
/* The rule changed or went: what it holds goes on now (fail-rs semantics). */
void holds__release_rule(struct holds *h, __u32 rid);
/* Teardown: queued verdicts written, then everything let go. */
void holds__release_all(struct holds *h);
/* Processes held now, for status: up to max written to out; returns how many there are. */
int holds__pids(const struct holds *h, pid_t *out, int max);

#endif
