/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The ABI between injector.bpf.c and the controller: map layouts, events, enums. The
 * part an application compiles (the verdict slot, actions, marker kinds) is mirrored in
 * include/fpbpf.h and checked against it by _Static_assert (tests/unit/test_abi.c). */
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
#define FP_MAX_TARGETS 65536	/* processes in scope (by tgid) */
#define FP_MAX_USDT_SPECS 4096	/* distinct USDT argument layouts in a session (libbpf's spec map) */
#define FP_MAX_USDT_SITES 16384	/* USDT call sites in a session (libbpf's ip map) */
#define FP_MAX_HOLDS 65536	/* processes held stopped, over every session */
#define FP_FMOD_SLOTS 16	/* syscalls one session serves with fmod_ret programs */

/* The ABI of the markers fpbpf.h emits: their kind argument is KIND | VERSION << 8. */
#define FP_MARKER_ABI 2
#define FP_MARKER_POINT 1
#define FP_MARKER_VALUE 2

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
#define FP_RF_CALLER 4u		/* caller=: the callers map holds its functions, per file */
#define FP_RF_CENSUS 8u		/* explore: matching hits counted by calling site (census map) */
#define FP_RF_CALLSITE 16u	/* with FP_RF_CALLER: only the calling site's function (as the census) */

/* Verdict the marker reads back from its slot: the first part of struct fpbpf_slot. */
struct fp_verdict {
	__s64 value;		/* return: the value; sleep/pause: the controller's pid */
	__u32 action;
	__u32 arg;
	__u64 token;	/* identifies the rule generation a pause/sleep waits on */
	__u32 flags;
	__u32 pad;
};

/* Marker keeps waiting unless the session writes a new verdict (stop-and-write),
 * or must be confirmed on each poll and resumes otherwise (direct write). */
#define FP_VF_CONFIRM_EACH_POLL 1u
/* A session delivered this hit's verdict: every other session sees the hit as taken. */
#define FP_VF_CLAIMED 2u
/* sleep by busy waiting (fail-rs's delay): the thread keeps its CPU. A header that does
 * not know it sleeps instead. */
#define FP_VF_BUSY 4u
/* fp_term.value of a sleep term that waits busily (delay at a failpoint). */
#define FP_TERM_BUSY 1

#define FP_PROB_ONE 1000000	/* probabilities in parts per million: 0.0001% steps */

struct fp_term {
	__u32 prob_ppm;		/* FP_PROB_ONE = always */
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
	/* cgroup=, for sleepable programs (no cgroup array there): the cgroup's id and its
	 * depth under the cgroup2 root, compared with the caller's ancestor at that depth. */
	__u64 cgroup_id;
	__u32 cgroup_level;
	__u32 pad;
};

/* Counters live apart from the rule so that replacing a rule can reset them. The
 * controller maps this array and corrects injected/left with atomics when a verdict it
 * had to write could not be delivered. */
struct fp_rule_state {
	__u64 evaluated;
	__u64 matched;
	__u64 injected;
	__u64 taken;		/* matched, but another session delivered this hit's verdict */
	__u64 lost;		/* would have injected, but could not be delivered (nothing injected) */
	__s64 left[FP_MAX_TERMS];
};

/* explore's census: a rule's matching hits per calling site, the return address into the
 * function that made the call (the syscall wrapper's caller), as (file, offset) like
 * caller=. */
#define FP_CENSUS_MAX 4096

struct fp_census_key {
	__u32 rid;
	__u32 dev;
	__u64 ino;
	__u64 off;
};

/* One syscall a seccomp supervisor asks about: it fills the inputs, runs the decision
 * program (fp_seccomp_decide) over the same rules and counters the other backends use,
 * and carries out the outputs itself. A single entry of a mapped array. */
struct fp_str {
	char s[FP_GLOB_LEN];
	__u8 unreadable;	/* the caller's pointer could not be read: matches no glob */
	__u8 pad[7];
};

struct fp_seccomp_call {
	/* in */
	__u32 probe_id;
	__u32 tid;
	__u32 uid;		/* read when a rule of the probe filters on it */
	__u32 pad;
	char comm[FP_COMM_LEN];	/* likewise */
	__u64 cgroup_ok[FP_MAX_RULES / 64];	/* rule id bits: the caller is in its cgroup */
	__u64 caller_ok[FP_MAX_RULES / 64];	/* rule id bits: a function on the stack matches caller= */
	struct fp_census_key site;	/* census: the calling site (rid unused; dev 0 and ino 0: none) */
	__u64 args[FP_MAX_ARGS];
	struct fp_str strs[FP_MAX_ARGS];	/* string arguments a glob filter reads */
	/* out */
	__u32 tgid;
	__u32 fired;		/* a rule injected: the fields below say what */
	__u32 rid;
	__u32 term;
	__u32 action;		/* enum fp_action */
	__u32 arg;		/* delay: milliseconds */
	__s64 value;		/* return value (-errno for error), or signal number */
};

/* caller=: the functions a rule's glob matched in one file, as file offsets, so one
 * entry serves every process that maps the file wherever it is. Files are told apart by
 * inode number alone (dev is 0): the device a mapping's inode has in the kernel is not
 * the one stat and /proc/PID/maps show on overlayfs (the real file's) or btrfs. */
#define FP_CALLER_RANGES 32
#define FP_CALLER_FILES 4096

struct fp_caller_key {
	__u32 rid;
	__u32 dev;
	__u64 ino;
};

struct fp_caller_funcs {
	__u32 n;
	__u32 pad;
	__u64 lo[FP_CALLER_RANGES];	/* [lo, hi) */
	__u64 hi[FP_CALLER_RANGES];
};

/* A thread of a target, as a seccomp supervisor (which knows only its tid) needs it. */
struct fp_thread {
	__u32 tgid;
	char comm[FP_COMM_LEN];	/* at its fork or exec: for events (filters read it live) */
};

/* Which session, if any, owns a hit that is being delivered by stop-and-write: the
 * thread is stopped and its verdict comes from that session's controller. */
struct fp_claim {
	__u64 slot;
	__u32 nonce;
	__u32 pad;
};

/* A process a session holds stopped; shared by every session, so that none continues a
 * process another still holds. */
struct fp_hold_key {
	__u32 pid;
	__u32 nonce;
};

struct fp_probe {
	__u32 kind;		/* enum fp_probe_kind */
	__u32 nrules;
	__u32 has_slot;		/* probe made by fpbpf.h: arg0 is a verdict slot */
	__u32 rules[FP_RULES_PER_PROBE];
};

/* Events go to one of two ring buffers: reports (per hit, may be dropped when full and
 * are counted then) and requests (the controller must act on each; BPF reserves the
 * record before it commits to anything, so a full buffer never loses an injection). */
enum fp_event_kind {
	FP_EV_INJECT = 1,	/* report: an injection BPF delivered itself */
	FP_EV_EVAL,		/* report (-v): an evaluation that injected nothing */
	FP_REQ_WRITE,		/* request: the thread stopped itself; write verdict at slot, continue */
	FP_REQ_HOLD,		/* request: probe without slot or kernel delay: the process stopped
				 * itself; hold it for verdict.arg ms, or until the rule changes */
	FP_REQ_FORK,		/* request: a target forked a new process (pid = child) */
	FP_REQ_EXEC,		/* request: a target exec'd; str = the new file */
	FP_REQ_EXIT,		/* request: a target's last thread exited */
	FP_REQ_LIMIT,		/* request: --max-injections reached: nothing more is injected */
	FP_REQ_TARGETS_FULL,	/* request: a new process could not become a target */
};

struct fp_event {
	__u64 ts_ns;
	__u32 kind;
	__u32 pid;
	__u32 tid;
	__u32 probe;
	__u32 rule;
	__u32 term;
	__u64 slot;		/* verdict slot (fpbpf.h markers) */
	__u64 nth;		/* the matching hit's number within its rule, from 1; 0 for a release */
	__u32 parent;		/* FP_REQ_FORK: the forking process */
	__s32 status;		/* FP_REQ_EXIT: the wait status */
	char comm[FP_COMM_LEN];
	struct fp_verdict verdict;
	__u64 args[FP_MAX_ARGS];	/* syscall rules: the call's arguments */
	char str[FP_GLOB_LEN];		/* syscall rules: the string a glob filter matched; exec: file */
};

#endif
