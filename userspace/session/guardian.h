/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* A helper process that undoes what only the controller could, if the controller dies
 * without doing so (SIGKILL, a crash): it lets go of the processes the session held
 * (those no other session holds are continued) and removes the control socket.
 * Programs and links need nothing: the kernel drops them with the controller's fds. */
#ifndef FPBPF_GUARDIAN_H
#define FPBPF_GUARDIAN_H

#include <stdbool.h>
#include <sys/types.h>
#include <linux/types.h>

struct guardian {
	pid_t pid;
	int fd;		/* closing it without a word tells the guardian to act */
	int pidfd;	/* readable when the guardian died: the controller starts another */
};

struct guardian_args {
	int holds_fd;		/* the shared map of held processes */
	int claims_fd;		/* the shared map of deliveries in flight */
	__u32 nonce;		/* this session's entries in both */
	const char *sock_path;	/* unlinked after a crash, if still this session's */
	int listener;		/* the command's seccomp listener, or -1: answered "continue"
				 * by the guardian when the controller is gone */
	bool json;
};

int guardian_start(struct guardian *g, const struct guardian_args *a);
/* A clean end: the guardian exits without touching anything. */
void guardian_stop(struct guardian *g);
/* As guardian_stop, without waiting for it to exit (explore replaces its guardian every
 * run; a large process takes milliseconds to go). Reaped by a later guardian_stop. */
void guardian_retire(struct guardian *g);
/* A clean end while processes still run under the seccomp filter: the guardian stays and
 * answers their calls "continue" until none is left. */
void guardian_hand_over(struct guardian *g);
/* After the guardian died on its own: reaps it. */
void guardian_reap(struct guardian *g);

#endif
