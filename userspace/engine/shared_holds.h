/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What every session on the machine shares, so that sessions compose: the map of
 * processes each session holds stopped (fpbpf_holds), the map of stop-and-write
 * deliveries in flight (fpbpf_claims), and a lock that orders continuing a process.
 * A process is continued only by the last session to release it, under the lock. */
#ifndef FPBPF_SHARED_HOLDS_H
#define FPBPF_SHARED_HOLDS_H

#include <stdbool.h>
#include <sys/types.h>
#include <linux/types.h>

#define SHARED_LOCK_PATH "/run/fpbpf/.holds.lock"

/* The shared map of this name, type and layout another session created, or -ENOENT. */
int shared_map_find(const char *name, __u32 type, __u32 key_size, __u32 value_size, __u32 max_entries);

/* The lock every controller and guardian takes around "is it held by anyone else?" and
 * kill(SIGCONT), and around writing a verdict into a stopped thread. Returns the lock's
 * fd (>= 0) or -errno; shared_unlock(-errno) does nothing. */
int shared_lock(void);
void shared_unlock(int fd);

/* Under the lock: session nonce no longer holds pid; the process is continued when no
 * other session holds it. Returns 1 when it was continued, 0 when another holds it. */
int shared_release(int holds_fd, pid_t pid, __u32 nonce);
/* Under the lock: releases every process nonce holds; returns how many were continued. */
int shared_release_all(int holds_fd, __u32 nonce);
/* Whether nonce holds pid. */
bool shared_holds(int holds_fd, pid_t pid, __u32 nonce);
/* Drops the claims of nonce (after its controller died). */
void shared_drop_claims(int claims_fd, __u32 nonce);

#endif
