/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* ABI shared by injector.bpf.c and the controller: map layouts, events, enums. */
#ifndef FPBPF_ABI_H
#define FPBPF_ABI_H

#define FP_MAX_RULES 256
#define FP_MAX_PROBES 1024
#define FP_RULES_PER_PROBE 8
#define FP_MAX_TERMS 4
#define FP_MAX_ARGS 6		/* USDT context arguments use the first 4; syscalls all 6 */
#define FP_GLOB_LEN 64
#define FP_NAME_LEN 64
#define FP_COMM_LEN 16
#define FP_MAX_TARGETS 4096

enum fp_action {
	FP_ACT_OFF = 0,
	FP_ACT_RETURN,	/* value = what the marker returns */
	FP_ACT_SLEEP,	/* arg = milliseconds */
	FP_ACT_PAUSE,
	FP_ACT_YIELD,
	FP_ACT_PRINT,
	FP_ACT_PANIC,
	FP_ACT_EXIT,	/* value = exit code */
	FP_ACT_SIGNAL,	/* value = signal number, sent from BPF */
	FP_ACT_MAX,
};

enum fp_arg_match {
	FP_ARG_ANY = 0,
	FP_ARG_INT_EQ,
	FP_ARG_STR_GLOB,
	FP_ARG_INT_MASK,	/* all bits of value set, as in flags&=O_CREAT */
};

enum fp_probe_kind {
	FP_PROBE_USDT = 0,
	FP_PROBE_SYSCALL,	/* kprobe on the syscall's entry wrapper; arguments from its pt_regs */
	FP_PROBE_KFUNC,		/* kprobe on a function of the error-injection list */
};

/* fp_rule.flags */
#define FP_RF_UID 1u		/* uid holds a filter (uid 0 is a valid one) */
#define FP_RF_CGROUP 2u		/* the cgroups map holds this rule's cgroup */

/* Verdict the marker reads back from its slot; layout equals struct fpbpf_slot in
 * include/fpbpf.h, which the application compiles without any fpbpf header. */
struct fp_verdict {
	__s64 value;
	__u32 action;
	__u32 arg;
	__u64 token;	/* identifies the rule generation a pause/sleep waits on */
	__u32 flags;
	__u32 pad;
};

/* Marker keeps waiting unless the session writes a new verdict (stop-and-write),
 * or must be confirmed on each poll and resumes otherwise (direct write). */
#define FP_VF_CONFIRM_EACH_POLL 1u

struct fp_term {
	__u32 permille_x10;	/* probability in 1/10000; 10000 = always */
	__s32 count;		/* -1 = unlimited */
	__u32 action;
	__u32 arg;
	__s64 value;
};

/* Most patterns are a literal or a literal and one trailing '*': those compare without
 * the general glob. Set by the controller with the pattern's literal length. */
enum fp_glob_kind {
	FP_GLOB_GENERAL = 0,
	FP_GLOB_LITERAL,	/* no wildcard: the whole string equals the pattern */
	FP_GLOB_PREFIX,		/* "abc*": the string starts with the first glob_len chars */
};

struct fp_arg_filter {
	__u32 kind;		/* enum fp_arg_match */
	__u16 glob_kind;	/* enum fp_glob_kind */
	__u16 glob_len;
	__s64 value;
	char glob[FP_GLOB_LEN];
};

struct fp_rule {
	__u32 active;
	__u32 gen;		/* bumped on every change, so waiters notice */
	__u32 nterms;
	__u32 pid;		/* 0 = any */
	__u32 tid;		/* 0 = any */
	__u32 flags;		/* FP_RF_* */
	__u32 uid;
	__u16 comm_kind;	/* enum fp_glob_kind of comm */
	__u16 comm_len;
	__u64 after;
	__u64 when_first;	/* 0 = no when= */
	__u64 when_last;	/* 0 = open ended */
	__u64 when_step;
	char comm[FP_COMM_LEN];	/* glob, empty = any */
	struct fp_term terms[FP_MAX_TERMS];
	struct fp_arg_filter args[FP_MAX_ARGS];
};

/* Counters live apart from the rule so that replacing a rule can reset them. */
struct fp_rule_state {
	__u64 evaluated;
	__u64 matched;
	__u64 injected;
	__s64 left[FP_MAX_TERMS];
};

struct fp_probe {
	__u32 kind;		/* enum fp_probe_kind */
	__u32 nrules;
	__u32 has_slot;		/* probe made by fpbpf.h: arg0 is a verdict slot */
	__u32 rules[FP_RULES_PER_PROBE];
};

enum fp_event_kind {
	FP_EV_INJECT = 1,
	FP_EV_EVAL,		/* -v: an evaluation that injected nothing */
	FP_EV_STOP_WRITE,	/* the thread stopped itself; write verdict at slot, then SIGCONT */
	FP_EV_STOP_SLEEP,	/* probe without slot: thread stopped itself for arg ms */
	FP_EV_STOP_PAUSE,	/* probe without slot: stopped until the rule changes */
	FP_EV_FORK,		/* a target forked a new process (pid = child) */
	FP_EV_EXEC,		/* a target exec'd; str = the new file */
	FP_EV_EXIT,		/* a target's last thread exited; value = wait status */
	FP_EV_LIMIT,		/* --max-injections reached: nothing more is injected */
};

struct fp_event {
	__u64 ts_ns;
	__u32 kind;
	__u32 pid;
	__u32 tid;
	__u32 probe;
	__u32 rule;
	__u32 term;
	__u64 slot;
	__u64 hit;		/* matching hit number within the rule, from 1; exit: wait status */
	char comm[FP_COMM_LEN];
	struct fp_verdict verdict;
	__u64 args[FP_MAX_ARGS];	/* syscall rules: the call's arguments */
	char str[FP_GLOB_LEN];		/* syscall rules: the string a glob filter matched */
};

#endif
