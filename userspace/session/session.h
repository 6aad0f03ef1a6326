/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* A fault-injection session: resolve rules to probes, attach, serve the control socket,
 * stream events, and undo everything however it ends. */
#ifndef FPBPF_SESSION_H
#define FPBPF_SESSION_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>
#include <linux/types.h>
#include "engine/injector.h"
#include "rules/rules.h"

struct rule_file;

struct session_opts {
	struct rule *rules;
	int nrules;
	bool json;
	FILE *out;		/* events and summary */
	enum delivery delivery;
	char **argv;		/* run: the command */
	pid_t pid;		/* attach -p */
	const char *binary;	/* attach --binary */
	bool all_processes;	/* sys:/kfunc: rules may go unscoped */
	const struct rule_file *rule_files;	/* re-read on SIGHUP or `fpbpf reload` */
	int nrule_files;
	const char *name;	/* --session; NULL: the controller's pid */
	long long duration_ms;	/* 0: until the command exits or a signal */
	__u64 max_injections;	/* 0: no limit */
	const char *backend;	/* --backend: the syscall backend every sys:/kfunc: rule must use */
};

struct session_result {
	bool command_ran;	/* run: the command was started; wait_status is its end */
	int wait_status;
};

/* Runs the session to its end. Returns 0, or -EINVAL (a rule or an argument was refused),
 * -ENOENT (run: no such command), or another -errno (the kernel or the system failed);
 * the reason is logged. */
int session_main(const struct session_opts *opts, struct session_result *res);

#endif
