/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* A fault-injection session: resolve rules to probes, attach, stream events, tear down. */
#ifndef FPBPF_SESSION_H
#define FPBPF_SESSION_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>
#include <linux/types.h>
#include "engine/injector.h"
#include "rules/rules.h"

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
	const char **rule_files;	/* -r files, re-read on SIGHUP or `fpbpf reload` */
	int nrule_files;
	const char *name;	/* --session; NULL: the controller's pid */
	long long duration_ms;	/* 0: until the command exits or a signal */
	__u64 max_injections;	/* 0: no limit */
};

/* Returns the process exit status fpbpf should end with. */
int session_main(const struct session_opts *opts);

/* Finds the probes each rule names in the given files; prints the first error.
 * Used by `run`, `attach` and `check --binary`. */
struct usdt_file;
int session_resolve_check(const struct rule *rules, int nrules, struct usdt_file *files, int nfiles);

#endif
