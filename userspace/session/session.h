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

/* explore: one loaded session that starts its command again and again, the rules
 * changed between runs and the BPF programs never reloaded. The rules at start must name
 * every target a run may use (a seccomp filter cannot change once a command runs). */
struct session_runs;

struct run_end {
	int wait_status;	/* the command's, unless timed_out or interrupted */
	bool timed_out;		/* killed at the deadline */
	bool interrupted;	/* fpbpf was told to stop (SIGINT, SIGTERM) */
	long long elapsed_ns;
};

struct rule_counts {
	__u64 matched, injected;
};

/* o->argv is the command; 0 or -errno as session_main. */
int session_runs__open(const struct session_opts *o, struct session_runs **out);
/* Replaces the rule on r's target (fresh counters); returns its id or -errno. */
int session_runs__set(struct session_runs *sr, const struct rule *r);
/* The id of the live rule on key's target, or -1. */
int session_runs__live_id(const struct session_runs *sr, const struct rule *key);
int session_runs__counts(struct session_runs *sr, int rid, struct rule_counts *c);
/* A census rule's hits over the runs so far, by the function that made the call (the
 * syscall wrapper's caller); "" is code no symbol names. How many functions (past max:
 * only max stored). */
struct run_caller {
	char func[128];
	__u64 hits;
	char file[256];		/* where the first call seen is: the file and its address */
	uint64_t addr;		/* (of the call instruction's last byte) */
};
int session_runs__callers(struct session_runs *sr, int rid, struct run_caller *out, int max);
/* Runs the command once: stdin, stdout and stderr on in, out and err; at timeout_ms (0:
 * none) its process group is killed; so is what it leaves behind when it exits. */
int session_runs__run(struct session_runs *sr, long long timeout_ms, int in, int out, int err,
		      struct run_end *end);
void session_runs__close(struct session_runs *sr);
/* Whether fpbpf was told to stop (SIGINT, SIGTERM) since its session started. */
bool session_runs__interrupted(void);

#endif
