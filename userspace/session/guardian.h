/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* A helper process that continues every process the session stopped, and removes the
 * control socket, if the controller dies without doing so (SIGKILL, a crash). */
#ifndef FPBPF_GUARDIAN_H
#define FPBPF_GUARDIAN_H

#include <sys/types.h>

struct guardian {
	pid_t pid;
	int fd;		/* closing it without a word tells the guardian to act */
};

/* stopped_map_fd: the BPF map of stopped tgids; sock_path: unlinked after a crash. */
int guardian_start(struct guardian *g, int stopped_map_fd, const char *sock_path);
/* A clean end: the guardian exits without touching anything. */
void guardian_stop(struct guardian *g);

#endif
