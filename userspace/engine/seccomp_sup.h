/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* A seccomp user-notification supervisor: the command's filter hands it only the
 * targeted syscalls (all others run at filter speed); for each it reads what the rules
 * need about the caller, runs the decision program over the shared rule maps, and
 * answers: an error, a return value, or "continue" (now, or after a delay, holding only
 * the calling thread). Needs no BPF tracing at all, so it works where kprobes do not. */
#ifndef FPBPF_SECCOMP_SUP_H
#define FPBPF_SECCOMP_SUP_H

#include <stdbool.h>
#include <sys/types.h>
#include <linux/types.h>
#include "fp_abi.h"

#define SUP_MAX_SYSCALLS 200	/* a classic BPF jump reaches 255 instructions */
#define SUP_MAX_CALLERS 8	/* caller= rules on one syscall */

/* What the rules of one probe read about the caller, beyond the syscall's arguments. */
struct sup_needs {
	bool uid, comm;
	__u8 strings;		/* bit i: a glob on argument i (a string to read) */
	bool census;		/* explore's census: the calling site */
	int ncallers;
	struct {
		__u32 rid;
		char glob[128];	/* fnmatch, on each frame's function */
		bool site;	/* callsite=: on the calling site's function only */
	} callers[SUP_MAX_CALLERS];
	int ncgroups;
	struct {
		__u32 rid;
		char path[256];	/* relative to the cgroup2 root, as /proc/PID/cgroup has it */
	} cgroups[8];
};

struct seccomp_sup;

/* decide_fd: fp_seccomp_decide; call: the mapped seccomp_call record. */
struct seccomp_sup *seccomp_sup__new(int decide_fd, struct fp_seccomp_call *call);
void seccomp_sup__free(struct seccomp_sup *sup);

/* Before the command starts: syscall nr is served by probe_id. -E2BIG past the limit,
 * -EBUSY once the command started (its filter cannot change). */
int seccomp_sup__add(struct seccomp_sup *sup, int nr, __u32 probe_id);
bool seccomp_sup__wanted(const struct seccomp_sup *sup);
void seccomp_sup__set_needs(struct seccomp_sup *sup, __u32 probe_id, const struct sup_needs *n);
/* The probes the filter hands calls to (at most max); their count. */
int seccomp_sup__probes(const struct seccomp_sup *sup, __u32 *ids, int max);

/* In run's child, when it may go, right before exec: tells the parent (report_fd) the
 * descriptor the listener will get, and installs the filter. The next syscall must be
 * the exec: any other could be one the filter hands to a supervisor not there yet. */
int seccomp_sup__child_install(const struct seccomp_sup *sup, int report_fd);
/* In the parent: takes the child's listener (pidfd_getfd). 0 or -errno. */
int seccomp_sup__adopt(struct seccomp_sup *sup, pid_t child, int report_fd);

/* The command and everything under its filter are gone (explore starts it again): the
 * listener goes, and the next command gets a filter of its own, with the same syscalls. */
void seccomp_sup__command_ended(struct seccomp_sup *sup);

/* Readable when a call waits or a delay is due: for the caller's poll. -1 when none. */
int seccomp_sup__listener(const struct seccomp_sup *sup);
int seccomp_sup__timer(const struct seccomp_sup *sup);
/* Answers every call waiting and every delay due. */
void seccomp_sup__service(struct seccomp_sup *sup);
/* Calls still held by a delay are answered now (the session ends). */
void seccomp_sup__release_all(struct seccomp_sup *sup);

/* Whether processes still run under the filter (someone must answer their calls). */
bool seccomp_listener_in_use(int listener);
/* Answers every call "continue" until no process runs under the filter: what the
 * guardian does when the controller is gone. */
void seccomp_listener_continue_all(int listener);

#endif
