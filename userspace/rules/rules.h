/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The rule language: fail(9)/fail-rs/gofail triggers plus strace-style filters.
 *   TARGET = TERM [-> TERM]... [FILTER]...      TERM = [P%][COUNT*]ACTION[(ARG)] */
#ifndef FPBPF_RULES_H
#define FPBPF_RULES_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>
#include "fp_abi.h"

#define RULE_PATH_LEN 256
#define RULE_MSG_LEN 128
#define RULE_CALLER_LEN 128

enum rule_target_kind { TARGET_USDT, TARGET_SYS, TARGET_KFUNC };

/* Actions as written; FP_ACT_* plus the ones that map onto them at parse time. */
enum rule_action {
	RA_OFF, RA_RETURN, RA_ERROR, RA_SLEEP, RA_PAUSE, RA_YIELD, RA_PRINT, RA_PANIC,
	RA_EXIT, RA_SIGNAL, RA_DELAY,
};

struct rule_term {
	uint32_t prob_ppm;	/* FP_PROB_ONE = 100% */
	int32_t count;		/* -1: unlimited */
	enum rule_action action;
	int64_t value;		/* return value, -errno, exit code or signal */
	uint32_t arg;		/* milliseconds for sleep/delay */
	char msg[RULE_MSG_LEN];	/* print(MSG) / panic(MSG) */
	int col;
};

struct rule_arg {
	enum fp_arg_match kind;
	int64_t value;
	char glob[FP_GLOB_LEN];
};

/* sys: filters by argument name (fd=3, path=/etc/x*), bound to positions once the
 * syscall's signature is known. */
struct rule_named_arg {
	char name[32];
	int col;
	struct rule_arg a;
};

struct rule {
	char origin[RULE_PATH_LEN];	/* file name or "-e N", for messages */
	int line;
	int target_col;
	char text[512];			/* the rule as written, for events and summary */
	enum rule_target_kind kind;
	char path[RULE_PATH_LEN];	/* usdt:PATH:..., empty when unspecified */
	char provider[FP_NAME_LEN];	/* empty = any provider */
	char name[FP_NAME_LEN];
	int nterms;
	struct rule_term terms[FP_MAX_TERMS];
	uint32_t pid, tid;
	bool has_uid;
	uint32_t uid;
	char cgroup[RULE_PATH_LEN];	/* cgroup v2 directory, empty = any */
	char comm[FP_COMM_LEN];
	char caller[RULE_CALLER_LEN];	/* glob on the functions of the user stack, empty = any */
	bool callsite;			/* the glob is callsite='s: the function that made the call */
	bool census;			/* explore: matching hits counted by calling site (not parsed) */
	uint64_t after;
	uint64_t when_first, when_last, when_step;
	struct rule_arg args[FP_MAX_ARGS];	/* by position: argN= (and bound names) */
	int args_col[FP_MAX_ARGS];
	struct rule_named_arg named[FP_MAX_ARGS];
	int nnamed;
	char arg_names[FP_MAX_ARGS][32];	/* sys: the signature's names, for events */
};

/* Parses one rule. On error returns -1 and writes "ORIGIN:LINE:COL: message" to err. */
int rule_parse(const char *text, const char *origin, int line, struct rule *out,
	       char *err, size_t errlen);

/* A line of rules joined by ';', as FAILPOINTS lists are ("a=return(1);b=sleep(10)"); a
 * ';' in quotes or parentheses is the rule's own. Spans of text, at most max; -1 past it. */
struct rule_span {
	size_t start, len;
};
int rules_split(const char *text, struct rule_span *spans, int max);
/* Parses each rule of such a line (blank ones skipped); the number stored (at most max),
 * or -1 with err set, its column that of the whole line. */
int rules_parse_line(const char *text, const char *origin, int line, struct rule *out, int max, char *err,
		     size_t errlen);

/* Parses a rule file's text: blank lines and '#' comments are skipped; a line may hold a
 * ';' list. Returns the number of rules stored (at most max), or -1 with err set. */
int rules_parse_text(const char *text, const char *origin, struct rule *out, int max,
		     char *err, size_t errlen);

const char *rule_action_name(enum rule_action a);
/* What the rule's action becomes in BPF. */
void rule_term_to_bpf(const struct rule_term *t, struct fp_term *out);
/* How BPF can match the glob (enum fp_glob_kind), and the length of its literal part. */
__u16 glob_kind(const char *pat, __u16 *literal_len);
/* Fills the BPF rule from a parsed one (gen and active left to the caller). */
void rule_to_bpf(const struct rule *r, struct fp_rule *out);

/* The target as the user would write it: db_write, app:db_write, sys:openat. */
void rule_target_string(const struct rule *r, char *out, size_t len);
/* Whether r is on key's target; a provider, path or caller= key leaves out matches any
 * (a caller= rule is a site of its own: setting one leaves the other callers' rules). */
bool rule_target_matches(const struct rule *r, const struct rule *key);
/* Parses a bare target (as `fpbpf off` takes it) into out's target fields. */
int rule_parse_target(const char *text, const char *origin, struct rule *out, char *err, size_t errlen);

/* Whether the rule scopes itself to processes (pid, tid, comm, uid or cgroup). */
bool rule_has_scope(const struct rule *r);

/* Why an action cannot run at this kind of site (NULL when it can). */
const char *rule_term_unsupported(const struct rule_term *t, bool has_slot, bool value_point);

#endif
