/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* A session and the parts it is made of, for session*.c. Each part owns its state behind
 * its own API: the probe table, the rule table, the holds, the event output, the control
 * server, the engine. struct session only ties them together. */
#ifndef FPBPF_SESSION_INT_H
#define FPBPF_SESSION_INT_H

#include <stdbool.h>
#include <sys/types.h>
#include "control/ctl_proto.h"
#include "control/ctl_server.h"
#include "engine/injector.h"
#include "session/events_out.h"
#include "session/guardian.h"
#include "session/holds.h"
#include "session/probe_table.h"
#include "session/rule_table.h"
#include "session/session.h"

struct pid_set {
	pid_t *v;
	int n, cap;
};

struct session {
	const struct session_opts *o;
	struct injector *inj;
	struct probe_table *probes;
	struct rule_table *rules;
	struct holds *holds;
	struct events_out out;
	struct ctl_server *ctl;
	struct guardian guard;
	struct pid_set targets;		/* live target processes, as fork/exit requests tell */
	char name[CTL_NAME_LEN];
	bool scoped;			/* run or attach -p: the target scopes sys:/kfunc: rules */
	bool limit_reached;
	unsigned ctl_seq;
	int lock_fd, lock_depth;	/* the shared holds lock, taken re-entrantly */
};

/* session.c: the parts of a session's life that session_main and session_runs.c share. */
struct session *session_new(const struct session_opts *o);
void session_free(struct session *s);
/* Files found, rules at start staged, engine loaded, rules installed. */
int session_prepare(struct session *s, char **cmd_path, pid_t *pid);
/* How explore's runs start: their own process group, descriptors of explore's choosing. */
struct child_io {
	int in, out, err;	/* -1: inherited */
	bool own_group;
};
int session_start_targets(struct session *s, const char *cmd_path, pid_t pid, const struct child_io *io,
			  pid_t *child, int *go_fd);
/* One round of events, holds and control; extra_fd (or -1) also ends the wait. */
int session_poll_once(struct session *s, int timeout, int extra_fd);
int session_next_timeout(struct session *s, long long end_ns);
bool session_interrupted(void);
void session_teardown(struct session *s, bool summary);

long long now_ns(void);
bool pid_set_add(struct pid_set *set, pid_t pid);
void pid_set_del(struct pid_set *set, pid_t pid);

/* session_rules.c: rules staged, installed, replaced, removed and reloaded. */
int session_stage_rule(struct session *s, const struct rule *r, enum rule_source src);
int session_install_rule(struct session *s, int rid);
/* caller=: the functions rule rid names, for BPF (before the rule goes live), and its
 * glob for the seccomp supervisor; a rule without caller= clears what its id had. */
int session_set_callers(struct session *s, int rid);
/* explore's census of rule rid (a census rule): its hits by calling function, "" for
 * code no symbol names; the number of functions (past max: only max stored). */
int session_census(struct session *s, int rid, struct run_caller *out, int max);
int session_set_rule(struct session *s, const struct rule *r, enum rule_source src);
int session_off(struct session *s, const struct rule *key);
/* Returns the number of rules changed, or -errno; *once_kept counts rules kept because
 * their file was a pipe. */
int session_reload(struct session *s, int *once_kept);
void session_disable_all(struct session *s);

/* session_ctl.c: the requests on the control socket. */
void session_ctl_line(void *ctx, struct ctl_client *c, char *line);
void session_ctl_tick(struct session *s, bool ending);

/* session_report.c: the first line, the summary, status. */
void session_print_start(struct session *s, pid_t target);
void session_print_summary(struct session *s);
/* status as one JSON line (malloc'd). */
char *session_status_json(struct session *s);

/* session_hold_ops.c: the holds' ops, carried out through the engine and the kernel. */
void session_hold_ops(struct session *s, struct hold_ops *ops);

int session_on_event(void *ctx, const struct fp_event *e);

#endif
