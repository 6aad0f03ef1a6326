/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The BPF engine behind an opaque object: load, fill maps, attach, read events, free.
 * It owns the BPF object, its links and its ring buffers; the session owns what the
 * maps should hold. */
#ifndef FPBPF_INJECTOR_H
#define FPBPF_INJECTOR_H

#include <stdbool.h>
#include <sys/types.h>
#include <linux/types.h>
#include "fp_abi.h"

enum delivery { DELIVERY_AUTO, DELIVERY_WRITE, DELIVERY_STOP };

struct injector_opts {
	enum delivery delivery;	/* AUTO: direct write when the kernel allows it */
	bool filter_targets;	/* only processes added with injector__add_target */
	bool emit_evals;	/* a report for every evaluation, not only injections */
	__u32 pause_poll_ms;
	bool kernel_probes;	/* load the kprobe program (set by the kprobe backend) */
	bool seccomp;		/* load the seccomp decision program (set by the seccomp backend) */
	bool hooks;		/* load the hook programs the kernel has (set by the lsm backend) */
	/* fmod_ret programs to load, one per syscall entry symbol (set by that backend). */
	char fmod_targets[FP_FMOD_SLOTS][96];
	int nfmod;
	__u64 max_injections;	/* 0 = no limit; past it nothing is injected */
	/* Other software's probes (no verdict slot) get a sleepable program, where the kernel
	 * has them, so string filters read pages nothing touched: set when rules name one. */
	bool foreign_sleepable;
};

struct injector;
typedef int (*injector_event_fn)(void *ctx, const struct fp_event *e);

struct injector *injector__new(void);
/* Loads the programs; the maps every session shares are found or created here. */
int injector__load(struct injector *inj, const struct injector_opts *opts);
bool injector__direct_write(const struct injector *inj);
/* Whether other software's probes read strings faulting pages in (a sleepable program). */
bool injector__foreign_sleepable(const struct injector *inj);
__u32 injector__nonce(const struct injector *inj);
int injector__add_target(struct injector *inj, pid_t pid);
/* pid becomes a target when it next execs, not before. */
int injector__add_target_at_exec(struct injector *inj, pid_t pid);

int injector__set_rule(struct injector *inj, __u32 rid, const struct fp_rule *rule);
/* Turns the rule off and bumps its generation, which releases threads waiting on it. */
int injector__disable_rule(struct injector *inj, __u32 rid);
/* Scopes rule rid to the cgroup (v2 directory fd, at path) and its descendants. */
int injector__set_cgroup(struct injector *inj, __u32 rid, int cgroup_fd, const char *path);
/* caller=: the glob (the seccomp supervisor matches it against the stack's symbols) and,
 * for BPF, the functions it matched per file; cleared with the rule's id, with its
 * census. */
int injector__set_caller(struct injector *inj, __u32 rid, const char *glob);
int injector__add_caller_funcs(struct injector *inj, const struct fp_caller_key *key,
			       const struct fp_caller_funcs *funcs);
void injector__clear_callers(struct injector *inj, __u32 rid);
/* explore's census of rule rid: fn for each calling site and its hits; how many sites. */
typedef void (*injector_census_fn)(void *ctx, const struct fp_census_key *site, __u64 hits);
int injector__census_each(struct injector *inj, __u32 rid, injector_census_fn fn, void *ctx);
int injector__rule_state(struct injector *inj, __u32 rid, struct fp_rule_state *out);
/* A verdict BPF counted could not be delivered: injected becomes lost, and the term's
 * count and the --max-injections ticket are given back. */
void injector__undeliver(struct injector *inj, __u32 rid, __u32 term);

int injector__set_probe(struct injector *inj, __u32 probe_id, const struct fp_probe *probe);
int injector__attach_usdt(struct injector *inj, __u32 probe_id, const char *path,
			  const char *provider, const char *name);
/* A kprobe on a syscall's entry wrapper or an error-injectable function. */
int injector__attach_kprobe(struct injector *inj, __u32 probe_id, const char *symbol);
/* The lsm backend: the decision at a kprobe on the syscall's entry, the error from the
 * fmod_ret program on security_<hook> (attached while some probe needs it). */
int injector__attach_hook(struct injector *inj, __u32 probe_id, const char *entry, const char *hook);
/* The fmod_ret backend: its program for symbol (loaded before the session started). */
int injector__attach_fmod(struct injector *inj, __u32 probe_id, const char *symbol);
/* Whether an fmod_ret program for symbol was loaded. */
bool injector__has_fmod(const struct injector *inj, const char *symbol);
void injector__detach(struct injector *inj, __u32 probe_id);
/* Every program detached; maps and buffers stay readable until injector__free. */
void injector__detach_all(struct injector *inj);
int injector__attach_tracking(struct injector *inj);
/* Seccomp backend: the command's filter hands syscall nr to the supervisor for probe_id.
 * Only before the command starts (-EBUSY after: a filter cannot change). */
int injector__seccomp_add(struct injector *inj, __u32 probe_id, int nr);

/* run's command: in the child, once it may go and right before its exec (the engine's
 * part of starting it: the seccomp filter); then in the parent once it was told to go. */
int injector__child_before_exec(struct injector *inj, int report_fd);
int injector__child_started(struct injector *inj, pid_t child, int report_fd);
/* The command and all it started are gone; another may start (explore's next run). */
void injector__command_ended(struct injector *inj);
/* The seccomp listener processes may still depend on after the session (else -1). */
int injector__seccomp_listener(const struct injector *inj);

/* Requests first, then reports, each to fn, then the seccomp supervisor's calls;
 * returns records handled or -errno. injector__event_fd says when to call it. */
int injector__consume(struct injector *inj, injector_event_fn fn, void *ctx);
/* Readable when records are waiting, for the caller's own poll loop. */
int injector__event_fd(const struct injector *inj);

/* The process that must never be stopped or faulted (the guardian). */
void injector__set_guard(struct injector *inj, pid_t pid);
/* The shared maps, for the guardian and the holds. */
int injector__holds_fd(const struct injector *inj);
int injector__claims_fd(const struct injector *inj);
/* Ends a stop-and-write delivery of this session: its claim on tid goes. */
void injector__release_claim(struct injector *inj, pid_t tid, __u64 slot);

__u64 injector__total_injected(const struct injector *inj);
__u64 injector__dropped(struct injector *inj);
void injector__free(struct injector *inj);

#endif
