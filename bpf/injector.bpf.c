// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* One generic program for every failpoint and kernel probe: the BPF cookie picks the
 * probe's rules from maps, so a session never compiles anything and rules change without
 * reattaching. docs/design.md follows one hit through here. */
#include "kernel_types.bpf.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "fp_abi.h"
/* libbpf sizes its USDT maps from these: the session's documented limits. */
#define BPF_USDT_MAX_SPEC_CNT FP_MAX_USDT_SPECS
#define BPF_USDT_MAX_IP_CNT FP_MAX_USDT_SITES
#include <bpf/usdt.bpf.h>
#include "glob.bpf.h"
#include "syscall_args.bpf.h"
#include "caller.bpf.h"

#define SIGSTOP 19
#define SIGABRT 6

/* How a verdict leaves BPF: written into the marker's slot (WRITE), through the
 * controller while the thread is stopped (STOP), as a kernel probe's return (KERNEL),
 * handed to the seccomp supervisor that asked (SECCOMP), returned by the security hook
 * the call passes after a decision at its entry (HOOK), or as the return of a sleepable
 * fmod_ret program on the syscall's entry (FMOD), which reads strings faulting pages in. */
enum { MODE_STOP, MODE_WRITE, MODE_KERNEL, MODE_SECCOMP, MODE_HOOK, MODE_FMOD };

/* Modes whose hit is a call into the kernel, with the call's arguments in the hit. */
static __always_inline int at_kernel_call(const int mode)
{
	return mode == MODE_KERNEL || mode == MODE_HOOK || mode == MODE_FMOD;
}

const volatile __u32 self_pid = 0;
const volatile __u32 session_nonce = 0;
const volatile __u32 filter_targets = 0;
const volatile __u32 emit_evals = 0;
const volatile __u32 pause_poll_ms = 20;
const volatile __u64 max_injections = 0;	/* 0 = no limit */

/* Set after load: the guardian, which continues held targets if the controller dies, is
 * never stopped or faulted itself; a new one replaces it if it dies. */
__u32 guard_pid;
__u64 total_injected;
__u32 limit_reported;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FP_MAX_RULES);
	__type(key, __u32);
	__type(value, struct fp_rule);
} rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FP_MAX_RULES);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct fp_rule_state);
} rule_state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FP_MAX_PROBES);
	__type(key, __u32);
	__type(value, struct fp_probe);
} probes SEC(".maps");

/* One cgroup per rule with FP_RF_CGROUP, set from userspace by directory fd. */
struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, FP_MAX_RULES);
	__type(key, __u32);
	__type(value, __u32);
} cgroups SEC(".maps");

/* Processes in scope, by tgid: a thread is in scope when its process is. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FP_MAX_TARGETS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, __u8);
} targets SEC(".maps");

/* run's command, forked but not yet exec'd: it becomes a target at its exec, so that
 * nothing fpbpf's own child does before (waiting on a pipe) is ever faulted. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u8);
} exec_targets SEC(".maps");

/* Shared by every session on the machine (the controller finds the live one by name):
 * the stop-and-write deliveries in flight, so that one hit gets one verdict. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, FP_MAX_TARGETS);
	__type(key, __u32);
	__type(value, struct fp_claim);
} fpbpf_claims SEC(".maps");

/* Shared likewise: which session holds which process stopped. Written before the SIGSTOP
 * is sent, so no controller or guardian ever continues a process another still holds. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FP_MAX_HOLDS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct fp_hold_key);
	__type(value, __u8);
} fpbpf_holds SEC(".maps");

/* Threads of targets, by tid: their process and name, for a seccomp supervisor that
 * knows only the tid of the thread it holds. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FP_MAX_TARGETS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct fp_thread);
} threads SEC(".maps");

static __always_inline void note_thread(struct task_struct *task)
{
	struct fp_thread t = { .tgid = task->tgid };
	__u32 tid = task->pid;

	bpf_probe_read_kernel_str(t.comm, sizeof(t.comm), task->comm);
	bpf_map_update_elem(&threads, &tid, &t, BPF_ANY);
}

/* The call a seccomp supervisor asks about (fp_seccomp_decide); mapped by it. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct fp_seccomp_call);
} seccomp_call SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} reports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} requests SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} dropped SEC(".maps");

static __always_inline void count_drop(void)
{
	__u32 zero = 0;
	__u64 *d = bpf_map_lookup_elem(&dropped, &zero);

	if (d)
		__sync_fetch_and_add(d, 1);
}

static __always_inline int in_scope(__u32 tgid)
{
	if (tgid <= 1 || tgid == self_pid || tgid == guard_pid)
		return 0;
	return !filter_targets || bpf_map_lookup_elem(&targets, &tgid);
}

/* Read on first need: most rules filter on no comm. */
struct comm_buf {
	char comm[FP_COMM_LEN];
	__u32 ready;
};

struct call_args {
	__u64 v[FP_MAX_ARGS];
};

/* One hit: what every rule of the probe is evaluated against. bpf_loop's callback
 * wants it on the stack. */
struct hit {
	struct pt_regs *ctx;
	const struct fp_probe *probe;
	const struct __bpf_usdt_spec *spec;	/* USDT probes */
	__u64 slot;				/* fpbpf.h markers: the verdict slot */
	__u32 tgid, tid, probe_id;
	struct comm_buf comm;
	struct call_args args;			/* kernel probes: the call's arguments */
	__u64 nr;				/* syscall probes: the call's number */
	__s64 ret;				/* FMOD: what the program returns (0: the call runs) */
};

/* Global (non-static) functions are verified once on their own, not again at every call
 * site and loop iteration; keeping the glob's bpf_loop in them is what keeps loading
 * fast on kernels that re-verify nested bpf_loop callbacks until they converge. */
__noinline int fp_comm_matches(const struct fp_rule *rule, struct comm_buf *c)
{
	struct glob_state g = {};

	if (!rule || !c)
		return 0;
	if (!c->ready) {
		bpf_get_current_comm(c->comm, sizeof(c->comm));
		c->ready = 1;
	}
	__builtin_memcpy(g.pat, rule->comm, FP_COMM_LEN);
	__builtin_memcpy(g.str, c->comm, FP_COMM_LEN);
	g.str[FP_COMM_LEN - 1] = 0;
	return glob_match(&g, rule->comm_kind, rule->comm_len);
}

/* A register from the probe's pt_regs. Constant offsets let the verifier accept a direct
 * load, which costs far less than the bpf_probe_read_kernel a variable offset needs. */
static __always_inline int read_reg(struct pt_regs *ctx, short off, __u64 *out)
{
	/* Spelled out: clang turns a loop back into a variable offset, which the verifier
	 * refuses for ctx. Offsets past the end of pt_regs compile to nothing. */
#define FP_REG(o)                                                             \
	if ((o) + 8 <= sizeof(struct pt_regs) && off == (o)) {                \
		*out = *(__u64 *)((void *)ctx + (o));                         \
		return 0;                                                     \
	}
	FP_REG(0) FP_REG(8) FP_REG(16) FP_REG(24) FP_REG(32) FP_REG(40) FP_REG(48) FP_REG(56)
	FP_REG(64) FP_REG(72) FP_REG(80) FP_REG(88) FP_REG(96) FP_REG(104) FP_REG(112) FP_REG(120)
	FP_REG(128) FP_REG(136) FP_REG(144) FP_REG(152) FP_REG(160) FP_REG(168) FP_REG(176) FP_REG(184)
	FP_REG(192) FP_REG(200) FP_REG(208) FP_REG(216) FP_REG(224) FP_REG(232) FP_REG(240) FP_REG(248)
	FP_REG(256) FP_REG(264) FP_REG(272) FP_REG(280) FP_REG(288) FP_REG(296) FP_REG(304) FP_REG(312)
#undef FP_REG
	return bpf_probe_read_kernel(out, sizeof(*out), (void *)ctx + off);
}

/* A USDT probe's argument n, decoded from a spec already looked up: what bpf_usdt_arg
 * does, minus the spec lookup it repeats on every call. */
static __always_inline int usdt_arg(struct pt_regs *ctx, const struct __bpf_usdt_spec *spec,
				    __u64 n, __u64 *out)
{
	const struct __bpf_usdt_arg_spec *a;
	__u64 val;

	if (n >= BPF_USDT_MAX_ARG_CNT || (long)n >= spec->arg_cnt)
		return -1;
	a = &spec->args[n];
	if (a->arg_type == BPF_USDT_ARG_CONST) {
		val = a->val_off;
	} else {
		if (read_reg(ctx, a->reg_off, &val))
			return -1;
		if (a->arg_type == BPF_USDT_ARG_REG_DEREF &&
		    bpf_probe_read_user(&val, sizeof(val), (void *)val + a->val_off))
			return -1;
	}
	val <<= a->arg_bitshift;
	val = a->arg_signed ? (__u64)((__s64)val >> a->arg_bitshift) : val >> a->arg_bitshift;
	*out = val;
	return 0;
}

__noinline int fp_arg_matches(const struct fp_arg_filter *f, long val)
{
	struct glob_state g = {};

	if (!f)
		return 0;
	if (f->kind == FP_ARG_ANY)
		return 1;
	if (f->kind == FP_ARG_INT_EQ)
		return val == f->value;
	if (f->kind == FP_ARG_INT_MASK)
		return (val & f->value) == f->value;
	__builtin_memcpy(g.pat, f->glob, FP_GLOB_LEN);
	if (bpf_probe_read_user_str(g.str, FP_GLOB_LEN, (const void *)val) < 0)
		return 0;
	return glob_match(&g, f->glob_kind, f->glob_len);
}

/* A C string from the caller with faults allowed (sleepable programs only): a page
 * nothing touched is read too. A string that ends near the end of its mapping is read up
 * to the page boundary. dst holds FP_GLOB_LEN bytes and ends with a NUL. */
static __always_inline int copy_user_str(char *dst, __u64 ptr)
{
	__u32 to_page = 4096 - (ptr & 4095);
	int err = 0;

	if (bpf_copy_from_user(dst, FP_GLOB_LEN - 1, (const void *)ptr)) {
		if (to_page >= FP_GLOB_LEN - 1 || to_page == 0 ||
		    bpf_copy_from_user(dst, to_page, (const void *)ptr)) {
			dst[0] = 0;
			err = -1;
		}
	}
	dst[FP_GLOB_LEN - 1] = 0;
	return err;
}

/* String globs only: calling fp_arg_matches from here would put two glob_state frames on
 * one call chain, over BPF's 512-byte stack. */
__noinline int fp_str_glob_matches_faulting(const struct fp_arg_filter *f, long val)
{
	struct glob_state g = {};

	if (!f)
		return 0;
	__builtin_memcpy(g.pat, f->glob, FP_GLOB_LEN);
	/* An unreadable pointer (NULL, unmapped) matches nothing, as in fp_arg_matches: a
	 * glob that matches "" must not fail such a call. */
	if (copy_user_str(g.str, val))
		return 0;
	return glob_match(&g, f->glob_kind, f->glob_len);
}

/* A glob filter on a string the seccomp supervisor already read from the caller (with
 * faults allowed, so a page nothing touched still matches). */
__noinline int fp_str_matches(const struct fp_arg_filter *f, const struct fp_str *str)
{
	struct glob_state g = {};

	if (!f || !str || str->unreadable)
		return 0;
	__builtin_memcpy(g.pat, f->glob, FP_GLOB_LEN);
	__builtin_memcpy(g.str, str->s, FP_GLOB_LEN);
	g.str[FP_GLOB_LEN - 1] = 0;
	return glob_match(&g, f->glob_kind, f->glob_len);
}

static __always_inline struct fp_seccomp_call *seccomp_call_of(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&seccomp_call, &zero);
}

/* Filters on who calls, in seccomp mode: from what the supervisor read about the caller. */
static __always_inline int seccomp_caller_matches(const struct fp_rule *rule, __u32 rid)
{
	struct fp_seccomp_call *call = seccomp_call_of();

	if (!call)
		return 0;
	if ((rule->flags & FP_RF_UID) && rule->uid != call->uid)
		return 0;
	if ((rule->flags & FP_RF_CGROUP) && !(call->cgroup_ok[(rid / 64) & 3] & (1ULL << (rid % 64))))
		return 0;
	if ((rule->flags & FP_RF_CALLER) && !(call->caller_ok[(rid / 64) & 3] & (1ULL << (rid % 64))))
		return 0;
	return 1;
}

/* explore's census of a matching hit, in seccomp mode: where the supervisor's walk
 * says it was called from. */
static __always_inline void census_seccomp(__u32 rid)
{
	struct fp_seccomp_call *call = seccomp_call_of();
	struct fp_census_key k;

	if (!call || (!call->site.dev && !call->site.ino))
		return;
	k = call->site;
	k.rid = rid;
	census_add(&k);
}

/* caller=, callsite= and the census from the stack, out of line: every byte of the rule
 * loop's own frame counts against BPF's stack on every path through it. */
__noinline int fp_stack_filters(__u32 rid, __u32 flags, __u32 at_probe)
{
	if ((flags & FP_RF_CALLER) &&
	    !fp_walk_stack(rid, at_probe, (flags & FP_RF_CALLSITE) ? FP_WALK_SITE : FP_WALK_MATCH))
		return 0;
	if (flags & FP_RF_CENSUS)
		fp_walk_stack(rid, at_probe, FP_WALK_CENSUS);
	return 1;
}

/* sleepable: a uprobe.s program at another program's probe, whose string arguments are
 * read faulting pages in; cgroups by ancestor id (no cgroup array in sleepable programs). */
static __always_inline int filters_match(struct hit *h, const struct fp_rule *rule, __u32 rid,
					 const int mode, const int sleepable)
{
	__u64 base = h->probe->has_slot ? 3 : 0, val;

	if (rule->pid && rule->pid != h->tgid)
		return 0;
	if (rule->tid && rule->tid != h->tid)
		return 0;
	if (mode == MODE_SECCOMP) {
		if (!seccomp_caller_matches(rule, rid))
			return 0;
	} else {
		if ((rule->flags & FP_RF_UID) && rule->uid != (__u32)bpf_get_current_uid_gid())
			return 0;
		/* Sleepable programs may not use a cgroup array: FMOD refuses cgroup= rules. */
		if ((rule->flags & FP_RF_CGROUP) && sleepable) {
			if (!rule->cgroup_id || bpf_get_current_ancestor_cgroup_id(rule->cgroup_level) != rule->cgroup_id)
				return 0;
		} else if ((rule->flags & FP_RF_CGROUP) &&
			   (mode == MODE_FMOD || bpf_current_task_under_cgroup(&cgroups, rid) != 1)) {
			return 0;
		}
	}
	for (int i = 0; i < FP_MAX_ARGS; i++) {
		if (rule->args[i].kind == FP_ARG_ANY)
			continue;
		if (mode == MODE_SECCOMP && rule->args[i].kind == FP_ARG_STR_GLOB) {
			struct fp_seccomp_call *call = seccomp_call_of();

			if (!call || !fp_str_matches(&rule->args[i], &call->strs[i]))
				return 0;
			continue;
		}
		if (at_kernel_call(mode) || mode == MODE_SECCOMP)
			val = h->args.v[i];
		else if (!h->spec || usdt_arg(h->ctx, h->spec, base + i, &val))
			return 0;
		if ((mode == MODE_FMOD || sleepable) && rule->args[i].kind == FP_ARG_STR_GLOB
			    ? !fp_str_glob_matches_faulting(&rule->args[i], val)
			    : !fp_arg_matches(&rule->args[i], val))
			return 0;
	}
	if (rule->comm[0] && !fp_comm_matches(rule, &h->comm))
		return 0;
	/* Last: the dearest filter. */
	if (mode == MODE_SECCOMP) {
		if (rule->flags & FP_RF_CENSUS)
			census_seccomp(rid);
		return 1;
	}
	return !(rule->flags & (FP_RF_CALLER | FP_RF_CENSUS)) ||
	       fp_stack_filters(rid, rule->flags, !at_kernel_call(mode));
}

/* strace's when=FIRST[..LAST][+STEP], over the rule's matching hits. */
static __always_inline int when_matches(const struct fp_rule *rule, __u64 nth)
{
	if (!rule->when_first)
		return 1;
	if (nth < rule->when_first)
		return 0;
	if (rule->when_last && nth > rule->when_last)
		return 0;
	if (rule->when_step <= 1)
		return 1;
	return (nth - rule->when_first) % rule->when_step == 0;
}

/* fail-rs semantics: the first term whose count is not spent and whose probability
 * fires wins; counts are taken atomically so COUNT* is exact across threads. */
static __always_inline int pick_term(const struct fp_rule *rule, struct fp_rule_state *st)
{
	for (int t = 0; t < FP_MAX_TERMS; t++) {
		const struct fp_term *term = &rule->terms[t];

		if (t >= rule->nterms)
			break;
		if (term->count >= 0 && st->left[t] <= 0)
			continue;
		if (term->prob_ppm < FP_PROB_ONE && bpf_get_prandom_u32() % FP_PROB_ONE >= term->prob_ppm)
			continue;
		if (term->count >= 0 && __sync_fetch_and_add(&st->left[t], -1) <= 0)
			continue;
		return t;
	}
	return -1;
}

/* A term picked but not delivered gives its count back. */
static __always_inline void refund_term(const struct fp_rule *rule, struct fp_rule_state *st, int t)
{
	if (t >= 0 && t < FP_MAX_TERMS && rule->terms[t].count >= 0)
		__sync_fetch_and_add(&st->left[t], 1);
}

static __always_inline __u64 make_token(__u32 rid, __u32 gen)
{
	return ((__u64)(session_nonce & 0xffff) << 48) | ((__u64)gen << 16) | ((rid + 1) & 0xffff);
}

static __always_inline void fill_event(struct fp_event *e, __u32 kind, __u32 tgid, __u32 tid,
				       __u32 probe_id, __u32 rid)
{
	__builtin_memset(e, 0, sizeof(*e));
	e->ts_ns = bpf_ktime_get_ns();
	e->kind = kind;
	e->pid = tgid;
	e->tid = tid;
	e->probe = probe_id;
	e->rule = rid;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
}

static __always_inline struct fp_event *reserve_report(const struct hit *h, __u32 kind, __u32 rid)
{
	struct fp_event *e = bpf_ringbuf_reserve(&reports, sizeof(*e), 0);

	if (!e) {
		count_drop();
		return NULL;
	}
	fill_event(e, kind, h->tgid, h->tid, h->probe_id, rid);
	/* A seccomp supervisor runs this program: the caller is someone else. */
	if (h->comm.ready)
		__builtin_memcpy(e->comm, h->comm.comm, sizeof(e->comm));
	return e;
}

static __always_inline void emit_eval(const struct hit *h, __u32 rid, __u64 nth)
{
	struct fp_event *e;

	if (!emit_evals)
		return;
	e = reserve_report(h, FP_EV_EVAL, rid);
	if (!e)
		return;
	e->nth = nth;
	bpf_ringbuf_submit(e, 0);
}

/* Whether another session delivers (or delivered) this hit's verdict: its verdict is in
 * the slot already (direct write), or its controller is about to write it (a claim). */
static __always_inline int hit_taken(const struct hit *h)
{
	struct fp_claim *c = bpf_map_lookup_elem(&fpbpf_claims, &h->tid);
	__u32 flags = 0;

	if (c && c->slot == h->slot && c->nonce != session_nonce)
		return 1;
	if (bpf_probe_read_user(&flags, sizeof(flags), (void *)(h->slot + __builtin_offsetof(struct fp_verdict, flags))))
		return 0;
	return (flags & FP_VF_CLAIMED) != 0;
}

/* The process stops itself at its next return to user space: registered as held first,
 * so no other session's controller continues it before this one is done. */
static __always_inline int stop_self(const struct hit *h)
{
	struct fp_hold_key key = { .pid = h->tgid, .nonce = session_nonce };
	__u8 one = 1;

	if (bpf_map_update_elem(&fpbpf_holds, &key, &one, BPF_ANY))
		return -1;
	if (bpf_send_signal_thread(SIGSTOP)) {
		bpf_map_delete_elem(&fpbpf_holds, &key);
		return -1;
	}
	return 0;
}

/* Stop-and-write: the thread stops itself; the controller writes v with
 * process_vm_writev and continues it before it can run another user instruction. */
static __always_inline int request_write(const struct hit *h, struct fp_event *e, const struct fp_verdict *v)
{
	struct fp_claim claim = { .slot = h->slot, .nonce = session_nonce };

	e->kind = FP_REQ_WRITE;
	e->slot = h->slot;
	e->verdict = *v;
	e->verdict.flags |= FP_VF_CLAIMED;
	if (bpf_map_update_elem(&fpbpf_claims, &h->tid, &claim, BPF_ANY))
		return -1;
	if (stop_self(h)) {
		bpf_map_delete_elem(&fpbpf_claims, &h->tid);
		return -1;
	}
	return 0;
}

/* The waiter of one of this session's pause/sleep verdicts fired again to ask whether to
 * go on waiting. */
static __always_inline int recheck(const struct hit *h, __u64 token, const int mode)
{
	__u32 rid = (token & 0xffff) - 1;
	__u32 gen = (token >> 16) & 0xffffffff;
	struct fp_verdict v = {};
	struct fp_rule *rule;
	struct fp_event *e;
	int waiting;

	if ((token >> 48) != (session_nonce & 0xffff))
		return 0;	/* another session's waiter */
	rule = bpf_map_lookup_elem(&rules, &rid);
	waiting = rule && rule->active && rule->gen == gen;
	if (mode == MODE_WRITE) {
		/* The marker cleared its slot; silence releases it. */
		if (waiting) {
			v.action = FP_ACT_PAUSE;
			v.token = token;
			v.flags = FP_VF_CONFIRM_EACH_POLL | FP_VF_CLAIMED;
			v.arg = pause_poll_ms;
			bpf_probe_write_user((void *)h->slot, &v, sizeof(v));
		}
		return 0;
	}
	if (waiting)
		return 0;
	/* A release: if the buffer is full the marker asks again after its next poll. */
	e = bpf_ringbuf_reserve(&requests, sizeof(*e), 0);
	if (!e)
		return 0;
	fill_event(e, FP_REQ_WRITE, h->tgid, h->tid, h->probe_id, rid);
	if (request_write(h, e, &v)) {
		bpf_ringbuf_discard(e, 0);
		return 0;
	}
	bpf_ringbuf_submit(e, BPF_RB_FORCE_WAKEUP);
	return 0;
}

/* Actions that live in the marker's slot; one hit gets at most one of them. */
static __always_inline int is_slot_verdict(__u32 action)
{
	return action == FP_ACT_RETURN || action == FP_ACT_SLEEP || action == FP_ACT_PAUSE ||
	       action == FP_ACT_YIELD || action == FP_ACT_PANIC || action == FP_ACT_EXIT;
}

/* The request a term needs from the controller, or 0 when BPF delivers it alone. */
static __always_inline __u32 request_kind(const struct hit *h, const struct fp_term *t, const int mode)
{
	if (mode == MODE_SECCOMP)
		return 0;	/* the supervisor holds the caller itself */
	if (at_kernel_call(mode))
		return t->action == FP_ACT_SLEEP ? FP_REQ_HOLD : 0;
	if (!h->probe->has_slot)
		return t->action == FP_ACT_SLEEP || t->action == FP_ACT_PAUSE ? FP_REQ_HOLD : 0;
	return mode == MODE_STOP && is_slot_verdict(t->action) ? FP_REQ_WRITE : 0;
}

/* Every injection takes a ticket first, which makes --max-injections exact across threads. */
static __always_inline int take_ticket(const struct hit *h)
{
	struct fp_event *e;

	if (__sync_fetch_and_add(&total_injected, 1) < max_injections || !max_injections)
		return 1;
	if (__sync_fetch_and_add(&limit_reported, 1) == 0) {
		e = bpf_ringbuf_reserve(&requests, sizeof(*e), 0);
		if (e) {
			fill_event(e, FP_REQ_LIMIT, h->tgid, h->tid, h->probe_id, 0);
			bpf_ringbuf_submit(e, BPF_RB_FORCE_WAKEUP);
		}
	}
	return 0;
}

static __always_inline void return_ticket(void)
{
	__sync_fetch_and_add(&total_injected, -1);
}

static __always_inline void verdict_of(const struct hit *h, const struct fp_rule *rule, __u32 rid,
				       const struct fp_term *t, struct fp_verdict *v)
{
	__builtin_memset(v, 0, sizeof(*v));
	v->action = is_slot_verdict(t->action) ? t->action : FP_ACT_OFF;
	v->value = t->value;
	v->arg = t->arg;
	if (v->action == FP_ACT_SLEEP || v->action == FP_ACT_PAUSE) {
		if (v->action == FP_ACT_SLEEP && t->value == FP_TERM_BUSY)
			v->flags |= FP_VF_BUSY;
		v->token = make_token(rid, rule->gen);
		/* Without confirmations, a waiting marker watches its controller live. */
		v->value = self_pid;
	}
}

/* What BPF does itself: signals, the overridden return, the direct write. */
static __always_inline void act(struct hit *h, const struct fp_term *t, struct fp_verdict *v, const int mode)
{
	if (mode == MODE_SECCOMP) {
		struct fp_seccomp_call *call = seccomp_call_of();

		if (call) {
			call->fired = 1;
			call->action = t->action;
			call->value = t->value;
			call->arg = t->arg;
		}
		return;
	}
	if (t->action == FP_ACT_SIGNAL) {
		bpf_send_signal_thread(t->value);
	} else if (at_kernel_call(mode)) {
		/* HOOK: the security hook returns the value itself. */
		if (mode == MODE_KERNEL && t->action == FP_ACT_RETURN)
			bpf_override_return(h->ctx, t->value);
		else if (mode == MODE_FMOD && t->action == FP_ACT_RETURN)
			h->ret = t->value;
	} else if (!h->probe->has_slot) {
		if (t->action == FP_ACT_PANIC)
			bpf_send_signal_thread(SIGABRT);
	} else if (mode == MODE_WRITE && v->action != FP_ACT_OFF) {
		if (v->action == FP_ACT_SLEEP || v->action == FP_ACT_PAUSE)
			v->flags |= FP_VF_CONFIRM_EACH_POLL;
		v->flags |= FP_VF_CLAIMED;
		bpf_probe_write_user((void *)h->slot, v, sizeof(*v));
	}
}

static __always_inline void describe(struct fp_event *e, const struct hit *h, const struct fp_rule *rule,
				     const struct fp_term *t, __u32 term, __u64 nth, const int mode)
{
	e->term = term;
	e->nth = nth;
	e->slot = h->slot;
	e->verdict.action = t->action;
	e->verdict.value = t->value;
	e->verdict.arg = t->arg;
	if (!at_kernel_call(mode) && mode != MODE_SECCOMP)
		return;
	__builtin_memcpy(e->args, h->args.v, sizeof(e->args));
	for (int i = 0; i < FP_MAX_ARGS; i++)
		if (rule->args[i].kind == FP_ARG_STR_GLOB) {
			if (mode == MODE_FMOD) {
				copy_user_str(e->str, h->args.v[i]);
			} else if (at_kernel_call(mode)) {
				bpf_probe_read_user_str(e->str, sizeof(e->str), (const void *)h->args.v[i]);
			} else {
				struct fp_seccomp_call *call = seccomp_call_of();

				if (call)
					__builtin_memcpy(e->str, call->strs[i].s, sizeof(e->str));
			}
			break;
		}
}

/* A rule's decision for one hit: its term t, for the nth matching hit. */
struct pick {
	const struct fp_rule *rule;
	struct fp_rule_state *st;
	__u32 rid;
	int term;
	__u64 nth;
};

/* Delivers a picked term. A verdict that needs the controller is injected only once its
 * request is in the buffer and the target stops. A subprogram, not inlined: its locals
 * would otherwise sit in the rule loop's frame, which old verifiers add to the filters'
 * frames against the 512-byte stack. */
static __noinline int deliver(struct hit *h, const struct pick *k, const int mode)
{
	const struct fp_term *t = &k->rule->terms[k->term & (FP_MAX_TERMS - 1)];
	__u32 req = request_kind(h, t, mode);
	struct fp_verdict v;
	struct fp_event *e;
	int err = 0;

	e = req ? bpf_ringbuf_reserve(&requests, sizeof(*e), 0) : NULL;
	if (req && !e) {
		__sync_fetch_and_add(&k->st->lost, 1);
		refund_term(k->rule, k->st, k->term);
		return 0;
	}
	if (!take_ticket(h)) {
		if (e)
			bpf_ringbuf_discard(e, 0);
		return 0;
	}
	verdict_of(h, k->rule, k->rid, t, &v);
	if (e) {
		fill_event(e, req, h->tgid, h->tid, h->probe_id, k->rid);
		describe(e, h, k->rule, t, k->term, k->nth, mode);
		if (req == FP_REQ_WRITE) {
			err = request_write(h, e, &v);
		} else {
			e->verdict.action = t->action;	/* HOLD: sleep/delay for arg ms, or pause */
			err = stop_self(h);
		}
		if (err) {
			bpf_ringbuf_discard(e, 0);
			__sync_fetch_and_add(&k->st->lost, 1);
			refund_term(k->rule, k->st, k->term);
			return_ticket();
			return 0;
		}
	}
	__sync_fetch_and_add(&k->st->injected, 1);
	if (mode == MODE_SECCOMP) {
		struct fp_seccomp_call *call = seccomp_call_of();

		if (call) {
			call->rid = k->rid;
			call->term = k->term;
		}
	}
	act(h, t, &v, mode);
	if (e) {
		bpf_ringbuf_submit(e, BPF_RB_FORCE_WAKEUP);
		return 1;
	}
	e = reserve_report(h, FP_EV_INJECT, k->rid);
	if (e) {
		describe(e, h, k->rule, t, k->term, k->nth, mode);
		bpf_ringbuf_submit(e, 0);
	}
	return 1;
}

/* The hook backend decides at the syscall's entry and fails the call in the security
 * hook it passes later: the decision waits here, one per thread. A call that never
 * reaches its hook (it failed before, or took a path without it) leaves its decision
 * behind, and the thread's next entry gives it back. LRU: a thread that exits with one
 * left never fills the map. */
struct fp_pending {
	__u32 probe_id;
	__u32 rid;
	__u32 gen;
	__s32 term;
	__u64 nth;
	__u64 nr;		/* the syscall: a hook inside any other call leaves it alone */
	__u64 args[FP_MAX_ARGS];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, FP_MAX_TARGETS);
	__type(key, __u32);
	__type(value, struct fp_pending);
} hook_pending SEC(".maps");

static __always_inline void defer_to_hook(const struct hit *h, const struct pick *k)
{
	struct fp_pending p = {
		.probe_id = h->probe_id,
		.rid = k->rid,
		.gen = k->rule->gen,
		.term = k->term,
		.nth = k->nth,
		.nr = h->nr,
	};

	__builtin_memcpy(p.args, h->args.v, sizeof(p.args));
	if (bpf_map_update_elem(&hook_pending, &h->tid, &p, BPF_ANY)) {
		__sync_fetch_and_add(&k->st->lost, 1);
		refund_term(k->rule, k->st, k->term);
	}
}

/* A decision the last call of this thread never got to: matched, not injected. */
static __always_inline void give_back_stale(__u32 tid)
{
	struct fp_pending *p = bpf_map_lookup_elem(&hook_pending, &tid);
	struct fp_rule_state *st;
	struct fp_rule *rule;
	__u32 rid;

	if (!p)
		return;
	rid = p->rid;
	rule = bpf_map_lookup_elem(&rules, &rid);
	st = bpf_map_lookup_elem(&rule_state, &rid);
	if (rule && st && rule->gen == p->gen) {
		__sync_fetch_and_add(&st->lost, 1);
		refund_term(rule, st, p->term);
	}
	bpf_map_delete_elem(&hook_pending, &tid);
}

/* One rule of the probe; returns 1 (stop the loop) once the hit is decided. */
static __always_inline long eval_rule(__u32 i, struct hit *h, const int mode, const int sleepable)
{
	struct fp_rule_state *st;
	struct fp_rule *rule;
	__u64 nth;
	__u32 rid;
	int term;

	if (i >= h->probe->nrules || i >= FP_RULES_PER_PROBE)
		return 1;
	rid = h->probe->rules[i];
	rule = bpf_map_lookup_elem(&rules, &rid);
	st = bpf_map_lookup_elem(&rule_state, &rid);
	if (!rule || !st || !rule->active)
		return 0;
	__sync_fetch_and_add(&st->evaluated, 1);
	if (!filters_match(h, rule, rid, mode, sleepable)) {
		emit_eval(h, rid, 0);
		return 0;
	}
	nth = __sync_fetch_and_add(&st->matched, 1) + 1;
	if (nth <= rule->after || !when_matches(rule, nth)) {
		emit_eval(h, rid, nth);
		return 0;
	}
	if (mode != MODE_KERNEL && h->probe->has_slot && hit_taken(h)) {
		__sync_fetch_and_add(&st->taken, 1);
		emit_eval(h, rid, nth);
		return 1;
	}
	term = pick_term(rule, st);
	if (term < 0 || rule->terms[term & (FP_MAX_TERMS - 1)].action == FP_ACT_OFF) {
		emit_eval(h, rid, nth);
		return 0;
	}
	{
		struct pick k = { .rule = rule, .st = st, .rid = rid, .term = term, .nth = nth };

		if (mode == MODE_HOOK && rule->terms[term & (FP_MAX_TERMS - 1)].action == FP_ACT_RETURN)
			defer_to_hook(h, &k);
		else
			deliver(h, &k, mode);
	}
	return 1;
}

static long eval_rule_write(__u32 i, void *data)
{
	return eval_rule(i, data, MODE_WRITE, 0);
}

static long eval_rule_stop(__u32 i, void *data)
{
	return eval_rule(i, data, MODE_STOP, 0);
}

static long eval_rule_write_s(__u32 i, void *data)
{
	return eval_rule(i, data, MODE_WRITE, 1);
}

static long eval_rule_stop_s(__u32 i, void *data)
{
	return eval_rule(i, data, MODE_STOP, 1);
}

static long eval_rule_kernel(__u32 i, void *data)
{
	return eval_rule(i, data, MODE_KERNEL, 0);
}

static long eval_rule_seccomp(__u32 i, void *data)
{
	return eval_rule(i, data, MODE_SECCOMP, 0);
}

static long eval_rule_hook(__u32 i, void *data)
{
	return eval_rule(i, data, MODE_HOOK, 0);
}

static long eval_rule_fmod(__u32 i, void *data)
{
	return eval_rule(i, data, MODE_FMOD, 0);
}

/* Out of line, one per delivery mode: what a recheck keeps on the stack would otherwise
 * count in the hit's own frame, on the way down to every rule's filters. */
static __noinline int recheck_write(const struct hit *h, __u64 token)
{
	return recheck(h, token, MODE_WRITE);
}

static __noinline int recheck_stop(const struct hit *h, __u64 token)
{
	return recheck(h, token, MODE_STOP);
}

static __always_inline int handle_hit(struct pt_regs *ctx, const int mode, const int sleepable)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct hit h = {
		.ctx = ctx,
		.tgid = pid_tgid >> 32,
		.tid = (__u32)pid_tgid,
	};
	int spec_id;
	__u64 token;

	if (!in_scope(h.tgid))
		return 0;
	/* One spec lookup per hit: bpf_usdt_cookie and each bpf_usdt_arg would redo it. */
	spec_id = __bpf_usdt_spec_id(ctx);
	h.spec = bpf_map_lookup_elem(&__bpf_usdt_specs, &spec_id);
	if (!h.spec)
		return 0;
	h.probe_id = h.spec->usdt_cookie;
	h.probe = bpf_map_lookup_elem(&probes, &h.probe_id);
	if (!h.probe)
		return 0;
	if (h.probe->has_slot) {
		/* The token usually sits in a register: no user memory read on the way. */
		if (usdt_arg(ctx, h.spec, 0, &h.slot) || usdt_arg(ctx, h.spec, 1, &token))
			return 0;
		if (token)
			return mode == MODE_WRITE ? recheck_write(&h, token) : recheck_stop(&h, token);
	}
	if (sleepable)
		bpf_loop(FP_RULES_PER_PROBE, mode == MODE_WRITE ? eval_rule_write_s : eval_rule_stop_s, &h, 0);
	else
		bpf_loop(FP_RULES_PER_PROBE, mode == MODE_WRITE ? eval_rule_write : eval_rule_stop, &h, 0);
	return 0;
}

SEC("usdt")
int BPF_USDT(fp_hit_write)
{
	return handle_hit(ctx, MODE_WRITE, 0);
}

SEC("usdt")
int BPF_USDT(fp_hit_stop)
{
	return handle_hit(ctx, MODE_STOP, 0);
}

/* Other software's probes (no verdict slot): sleepable, so that a string argument in a
 * page the program never touched is read, not taken for no match. Loaded only where the
 * kernel has sleepable uprobes (6.0+), for a session whose rules name such a probe. */
SEC("uprobe.s")
int BPF_USDT(fp_hit_write_s)
{
	return handle_hit(ctx, MODE_WRITE, 1);
}

SEC("uprobe.s")
int BPF_USDT(fp_hit_stop_s)
{
	return handle_hit(ctx, MODE_STOP, 1);
}

static __always_inline int kernel_hit(struct pt_regs *ctx, const int mode)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct hit h = {
		.ctx = ctx,
		.tgid = pid_tgid >> 32,
		.tid = (__u32)pid_tgid,
		.probe_id = bpf_get_attach_cookie(ctx),
	};

	if (!in_scope(h.tgid))
		return 0;
	h.probe = bpf_map_lookup_elem(&probes, &h.probe_id);
	if (!h.probe)
		return 0;
	if (h.probe->kind == FP_PROBE_SYSCALL) {
		struct pt_regs *regs = (struct pt_regs *)PT_REGS_PARM1_CORE(ctx);

		syscall_args(regs, h.args.v);
		h.nr = SYSCALL_NR_CORE(regs);
	}
	if (mode == MODE_HOOK) {
		give_back_stale(h.tid);
		bpf_loop(FP_RULES_PER_PROBE, eval_rule_hook, &h, 0);
	} else {
		bpf_loop(FP_RULES_PER_PROBE, eval_rule_kernel, &h, 0);
	}
	return 0;
}

/* Loaded only when a session has sys: or kfunc: rules and the kernel allows
 * bpf_override_return, so USDT sessions load everywhere. */
SEC("kprobe")
int fp_kernel_hit(struct pt_regs *ctx)
{
	return kernel_hit(ctx, MODE_KERNEL);
}

/* The hook backend's decision, at the syscall's entry: so when= and counts number calls,
 * and filters see the call's own arguments, whichever hooks the call passes. */
SEC("kprobe")
int fp_hook_entry(struct pt_regs *ctx)
{
	return kernel_hit(ctx, MODE_HOOK);
}

/* In a security hook: the decision this thread's current syscall left, if any. A hook
 * that runs twice in one call finds it only the first time. */
static __noinline int hook_verdict(void)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid, rid;
	struct fp_pending *p = bpf_map_lookup_elem(&hook_pending, &tid);
	struct hit h = { .tgid = pid_tgid >> 32, .tid = tid };
	struct pt_regs *regs;
	struct pick k = {};
	__s32 term;

	if (!p)
		return 0;
	regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	if (!regs || p->nr != SYSCALL_NR_CORE(regs))
		return 0;
	h.probe_id = p->probe_id;
	h.nr = p->nr;
	__builtin_memcpy(h.args.v, p->args, sizeof(h.args.v));
	rid = p->rid;
	term = p->term;
	k.nth = p->nth;
	k.rule = bpf_map_lookup_elem(&rules, &rid);
	k.st = bpf_map_lookup_elem(&rule_state, &rid);
	/* A rule replaced since the entry starts over: its decision goes with it. */
	if (!k.rule || !k.st || !k.rule->active || k.rule->gen != p->gen) {
		bpf_map_delete_elem(&hook_pending, &tid);
		return 0;
	}
	bpf_map_delete_elem(&hook_pending, &tid);
	h.probe = bpf_map_lookup_elem(&probes, &h.probe_id);
	if (!h.probe)
		return 0;
	k.rid = rid;
	k.term = term & (FP_MAX_TERMS - 1);
	if (!deliver(&h, &k, MODE_HOOK))
		return 0;
	return (int)k.rule->terms[k.term].value;
}

/* The fmod_ret backend: one sleepable program per syscall the session's rules name at
 * start (its attach target is set before load), on the syscall's entry wrapper. Its
 * return is the call's result; 0 lets the call run. fmod_probes maps slot to probe. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FP_FMOD_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} fmod_probes SEC(".maps");

static __always_inline long fmod_hit(__u64 *ctx, __u32 slot)
{
	struct pt_regs *regs = (struct pt_regs *)ctx[0];
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct hit h = {
		.tgid = pid_tgid >> 32,
		.tid = (__u32)pid_tgid,
	};
	__u32 *probe_id = bpf_map_lookup_elem(&fmod_probes, &slot);

	if (!probe_id || !in_scope(h.tgid))
		return 0;
	h.probe_id = *probe_id;
	h.probe = bpf_map_lookup_elem(&probes, &h.probe_id);
	if (!h.probe)
		return 0;
	syscall_args(regs, h.args.v);
	h.nr = SYSCALL_NR_CORE(regs);
	bpf_loop(FP_RULES_PER_PROBE, eval_rule_fmod, &h, 0);
	return h.ret;
}

#define FP_FMOD(n)                                                            \
	SEC("fmod_ret.s")                                                     \
	long fp_fmod_##n(__u64 *ctx)                                          \
	{                                                                     \
		return fmod_hit(ctx, n);                                      \
	}
FP_FMOD(0) FP_FMOD(1) FP_FMOD(2) FP_FMOD(3) FP_FMOD(4) FP_FMOD(5) FP_FMOD(6) FP_FMOD(7)
FP_FMOD(8) FP_FMOD(9) FP_FMOD(10) FP_FMOD(11) FP_FMOD(12) FP_FMOD(13) FP_FMOD(14) FP_FMOD(15)

/* One program per security hook (fmod_ret: a non-zero return skips the hook's work and
 * is what the caller gets). Each is loaded only where the kernel has its hook, and
 * attached only while a rule needs it; docs/backends.md lists which syscall passes which. */
#define FP_HOOK(name)                                                         \
	SEC("fmod_ret/security_" #name)                                       \
	int fp_hook_##name(void *ctx)                                         \
	{                                                                     \
		return hook_verdict();                                        \
	}
FP_HOOK(file_open)
FP_HOOK(file_permission)
FP_HOOK(file_ioctl)
FP_HOOK(file_fcntl)
FP_HOOK(file_lock)
FP_HOOK(file_mprotect)
FP_HOOK(mmap_file)
FP_HOOK(inode_getattr)
FP_HOOK(inode_setattr)
FP_HOOK(inode_mkdir)
FP_HOOK(inode_rmdir)
FP_HOOK(inode_unlink)
FP_HOOK(inode_rename)
FP_HOOK(inode_link)
FP_HOOK(inode_symlink)
FP_HOOK(inode_readlink)
FP_HOOK(socket_create)
FP_HOOK(socket_connect)
FP_HOOK(socket_bind)
FP_HOOK(socket_listen)
FP_HOOK(socket_accept)
FP_HOOK(socket_sendmsg)
FP_HOOK(socket_recvmsg)
FP_HOOK(socket_shutdown)
FP_HOOK(socket_setsockopt)
FP_HOOK(socket_getsockopt)
FP_HOOK(task_kill)
FP_HOOK(bprm_check)

/* Run by a seccomp supervisor (BPF_PROG_TEST_RUN) for each syscall its filter hands it:
 * the same rule loop as every other backend, over the same maps, so a rule means the
 * same whichever backend serves it. The caller's identity comes from seccomp_call. */
SEC("syscall")
int fp_seccomp_decide(void *ctx)
{
	struct fp_seccomp_call *call = seccomp_call_of();
	struct hit h = {};
	struct fp_thread *t;

	if (!call)
		return 0;
	h.tid = call->tid;
	t = bpf_map_lookup_elem(&threads, &h.tid);
	h.tgid = t ? t->tgid : h.tid;
	h.probe_id = call->probe_id;
	call->tgid = h.tgid;
	call->fired = 0;
	h.probe = bpf_map_lookup_elem(&probes, &h.probe_id);
	if (!h.probe)
		return 0;
	__builtin_memcpy(h.args.v, call->args, sizeof(h.args.v));
	/* The name the supervisor read when a rule filters on it, else the one last seen. */
	if (call->comm[0])
		__builtin_memcpy(h.comm.comm, call->comm, sizeof(h.comm.comm));
	else if (t)
		__builtin_memcpy(h.comm.comm, t->comm, sizeof(h.comm.comm));
	h.comm.ready = 1;
	bpf_loop(FP_RULES_PER_PROBE, eval_rule_seccomp, &h, 0);
	return 0;
}

static __always_inline struct fp_event *reserve_request(__u32 kind, __u32 tgid, __u32 tid)
{
	struct fp_event *e = bpf_ringbuf_reserve(&requests, sizeof(*e), 0);

	if (e)
		fill_event(e, kind, tgid, tid, 0, 0);
	else
		count_drop();
	return e;
}

/* Follow children of targeted processes, like strace -f, and tell the controller what
 * becomes of its targets. BTF tracepoints hand over the tasks themselves, which tells a
 * new process from a new thread and gives the exit status. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(fp_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, cpid = child->pid, ctgid;
	struct fp_event *e;
	__u8 one = 1;
	int full;

	if (!filter_targets || !bpf_map_lookup_elem(&targets, &ptgid))
		return 0;
	ctgid = child->tgid;
	note_thread(child);
	/* A new thread is in scope with its process already. */
	if (ctgid != cpid)
		return 0;
	full = bpf_map_update_elem(&targets, &cpid, &one, BPF_ANY) != 0;
	e = reserve_request(full ? FP_REQ_TARGETS_FULL : FP_REQ_FORK, cpid, cpid);
	if (e) {
		e->parent = ptgid;
		bpf_ringbuf_submit(e, full ? BPF_RB_FORCE_WAKEUP : 0);
	}
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(fp_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 tgid = task->tgid;
	struct fp_event *e;
	__u8 one = 1;

	if (!filter_targets)
		return 0;
	if (bpf_map_lookup_elem(&exec_targets, &tgid)) {
		bpf_map_update_elem(&targets, &tgid, &one, BPF_ANY);
		bpf_map_delete_elem(&exec_targets, &tgid);
		note_thread(task);
		return 0;	/* the command starting, not news */
	}
	if (!bpf_map_lookup_elem(&targets, &tgid))
		return 0;
	note_thread(task);
	e = reserve_request(FP_REQ_EXEC, tgid, task->pid);
	if (!e)
		return 0;
	bpf_probe_read_kernel_str(e->str, sizeof(e->str), BPF_CORE_READ(bprm, filename));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(fp_exit, struct task_struct *task)
{
	__u32 tgid = task->tgid, tid;
	struct fp_event *e;

	if (!filter_targets || !bpf_map_lookup_elem(&targets, &tgid))
		return 0;
	tid = task->pid;
	bpf_map_delete_elem(&threads, &tid);
	give_back_stale(tid);
	/* signal->live already counts this thread out: 0 means the whole process is gone. */
	if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return 0;
	bpf_map_delete_elem(&targets, &tgid);
	e = reserve_request(FP_REQ_EXIT, tgid, task->pid);
	if (e) {
		e->status = task->exit_code;
		bpf_ringbuf_submit(e, BPF_RB_FORCE_WAKEUP);
	}
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
