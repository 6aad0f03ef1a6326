/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Session internals shared by session*.c: the rule table, probes, stopped processes. */
#ifndef FPBPF_SESSION_INT_H
#define FPBPF_SESSION_INT_H

#include <stdbool.h>
#include <sys/types.h>
#include "control/control.h"
#include "engine/injector.h"
#include "rules/rules.h"
#include "session/session.h"
#include "elf/usdt_notes.h"

#define MAX_FILES 64
#define MAX_HELD 64

struct probe_ref {
	int file;		/* USDT only */
	char symbol[128];	/* sys:/kfunc: the kprobe's function */
	char provider[64];
	char name[64];
	bool has_slot;
	bool value_point;
	bool attached;
	bool dirty;		/* cfg differs from the probes map */
	struct fp_probe cfg;
};

struct pending_write {
	pid_t pid;
	pid_t tid;
	__u64 slot;
	struct fp_verdict verdict;
};

/* A process held stopped for a rule (sleep/pause at a probe without slot, delay). */
struct held_proc {
	pid_t pid;
	__u32 rid;
	long long resume_ns;	/* 0: until the rule changes or the session ends */
};

enum rule_source { SRC_FILE, SRC_INLINE, SRC_CTL };

struct rule_slot {
	bool used;		/* the id is taken; counters stay readable */
	bool live;		/* the rule is on (not removed, not stopped by the limit) */
	enum rule_source src;
};

struct pid_set {
	pid_t *v;
	int n, cap;
};

struct session {
	const struct session_opts *o;
	struct injector *inj;
	struct usdt_file files[MAX_FILES];
	int nfiles;
	struct probe_ref probes[FP_MAX_PROBES];
	int nprobes;
	struct rule *rules;		/* FP_MAX_RULES entries; the index is the BPF rule id */
	struct rule_slot *slots;
	int nslots;			/* ids below this may be used */
	unsigned ctl_seq;
	bool scoped;			/* run or attach -p: the target scopes sys:/kfunc: rules */
	struct pending_write *pending;
	int npending, cap_pending;
	struct held_proc held[MAX_HELD];
	int nheld;
	struct pid_set ever_stopped;	/* SIGCONT at teardown */
	struct pid_set targets;		/* live target processes, as fork/exit events tell */
	long long t0_ns;
	__u64 events;
	struct ctl_server *ctl;
	char name[CTL_NAME_LEN];
	bool limit_reached;
};

long long now_ns(void);
/* Adds pid unless present; false when memory ran out. */
bool pid_set_add(struct pid_set *set, pid_t pid);
void pid_set_del(struct pid_set *set, pid_t pid);

/* session_resolve.c: files with probes, and rules resolved to probes. */
int session_add_file(struct session *s, const char *path);
void session_add_library(const char *path, void *arg);
int session_add_process_files(struct session *s, pid_t pid);
/* Adds rule rid to the probes it names (creating them, unattached); all or nothing. */
int session_resolve_rule(struct session *s, int rid);
void session_unresolve_rule(struct session *s, int rid);

/* session_rules.c: the live rule table, mirrored into BPF maps. */
int session_stage_rule(struct session *s, const struct rule *r, enum rule_source src);
int session_install_rule(struct session *s, int rid);
int session_add_rule(struct session *s, const struct rule *r, enum rule_source src);
int session_set_rule(struct session *s, const struct rule *r, enum rule_source src);
int session_off(struct session *s, const struct rule *key);
int session_reload(struct session *s);
void session_disable_all(struct session *s);

/* session_stop.c: processes stopped by BPF, written to and continued from here. */
void stop_remember(struct session *s, pid_t pid);
void stop_queue_write(struct session *s, const struct fp_event *e);
void stop_hold(struct session *s, pid_t pid, __u32 rid, long long resume_ns);
void stop_deliver_pending(struct session *s);
long long stop_release_due(struct session *s);
void stop_release_rule(struct session *s, __u32 rid);
void stop_continue_all(struct session *s);

/* session_output.c: events, targets, summary, status. */
void print_event(struct session *s, const struct fp_event *e, const char *type);
void print_target_event(struct session *s, const struct fp_event *e);
void print_notice(struct session *s, const char *type, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void print_session_line(struct session *s, pid_t target);
void print_summary(struct session *s);
/* status as one JSON line; the caller frees it. */
char *status_json(struct session *s);

/* session_control.c */
void session_control_line(void *ctx, struct ctl_client *c, char *line);
void session_control_tick(struct session *s, bool ending);

int session_on_event(void *ctx, const struct fp_event *e);

#endif
