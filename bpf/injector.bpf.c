// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* One generic program for every USDT failpoint: the BPF cookie picks the probe's rules
 * from maps, so a session never compiles anything and rules change without reattaching. */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>
#include "fp_abi.h"
#include "glob.bpf.h"
#include "syscall_args.bpf.h"

#define SIGSTOP 19
#define SIGABRT 6
#define FP_PROB_ONE 10000

/* How a verdict leaves BPF: written into the marker's slot, through the controller while
 * the thread is stopped, or (kernel probes) as the overridden return value. */
enum { MODE_STOP, MODE_WRITE, MODE_KERNEL };

const volatile __u32 self_pid = 0;
const volatile __u32 session_nonce = 0;
const volatile __u32 filter_targets = 0;
const volatile __u32 emit_evals = 0;
const volatile __u32 pause_poll_ms = 20;
const volatile __u64 max_injections = 0;	/* 0 = no limit */

/* Set after load: the guardian process that continues stopped targets if the controller
 * dies must never be stopped or faulted itself. */
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

/* Processes in scope (tgids, plus the tids of their threads, which is harmless). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FP_MAX_TARGETS);
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

/* Processes this session has stopped: the guardian continues them all if the controller
 * is killed before it could. Written before the SIGSTOP is sent, so none is missed. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, FP_MAX_TARGETS);
	__type(key, __u32);
	__type(value, __u8);
} stopped SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

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

static __always_inline void stop_self(__u32 tgid)
{
	__u8 one = 1;

	bpf_map_update_elem(&stopped, &tgid, &one, BPF_ANY);
	bpf_send_signal_thread(SIGSTOP);
}

/* Read on first need: most rules filter on no comm. */
struct comm_buf {
	char comm[FP_COMM_LEN];
	__u32 ready;
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

struct call_args {
	__u64 v[FP_MAX_ARGS];
};

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

/* args holds a syscall's arguments; at USDT probes (args NULL) they come from spec. */
static __always_inline int filters_match(struct pt_regs *ctx, const struct fp_rule *rule,
					 __u32 rid, const struct fp_probe *probe, __u32 tgid,
					 __u32 tid, struct comm_buf *comm,
					 const struct call_args *args,
					 const struct __bpf_usdt_spec *spec)
{
	__u64 base = probe->has_slot ? 3 : 0, val;

	if (rule->pid && rule->pid != tgid)
		return 0;
	if (rule->tid && rule->tid != tid)
		return 0;
	if ((rule->flags & FP_RF_UID) && rule->uid != (__u32)bpf_get_current_uid_gid())
		return 0;
	if ((rule->flags & FP_RF_CGROUP) && bpf_current_task_under_cgroup(&cgroups, rid) != 1)
		return 0;
	for (int i = 0; i < FP_MAX_ARGS; i++) {
		if (rule->args[i].kind == FP_ARG_ANY)
			continue;
		if (args)
			val = args->v[i];
		else if (!spec || usdt_arg(ctx, spec, base + i, &val))
			return 0;
		if (!fp_arg_matches(&rule->args[i], val))
			return 0;
	}
	return !rule->comm[0] || fp_comm_matches(rule, comm);
}

/* strace's when=FIRST[..LAST][+STEP], over the rule's matching hits. */
static __always_inline int when_matches(const struct fp_rule *rule, __u64 hit)
{
	if (!rule->when_first)
		return 1;
	if (hit < rule->when_first)
		return 0;
	if (rule->when_last && hit > rule->when_last)
		return 0;
	if (rule->when_step <= 1)
		return 1;
	return (hit - rule->when_first) % rule->when_step == 0;
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
		if (term->permille_x10 < FP_PROB_ONE &&
		    bpf_get_prandom_u32() % FP_PROB_ONE >= term->permille_x10)
			continue;
		if (term->count >= 0 && __sync_fetch_and_add(&st->left[t], -1) <= 0)
			continue;
		return t;
	}
	return -1;
}

static __always_inline __u64 make_token(__u32 rid, __u32 gen)
{
	return ((__u64)(session_nonce & 0xffff) << 48) | ((__u64)gen << 16) | ((rid + 1) & 0xffff);
}

static __always_inline struct fp_event *reserve_event(__u32 kind, __u32 tgid, __u32 tid,
						      __u32 probe_id, __u32 rid)
{
	struct fp_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e) {
		count_drop();
		return NULL;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->ts_ns = bpf_ktime_get_ns();
	e->kind = kind;
	e->pid = tgid;
	e->tid = tid;
	e->probe = probe_id;
	e->rule = rid;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	return e;
}

/* Under lockdown the thread stops itself; the controller writes the verdict with
 * process_vm_writev and continues it before it can run another user instruction. */
static __always_inline void stop_and_write(__u32 tgid, __u32 tid, __u32 probe_id, __u32 rid,
					   __u32 term, __u64 hit, __u64 slot,
					   const struct fp_verdict *v)
{
	struct fp_event *e = reserve_event(FP_EV_STOP_WRITE, tgid, tid, probe_id, rid);

	if (!e)
		return;
	e->term = term;
	e->hit = hit;
	e->slot = slot;
	e->verdict = *v;
	bpf_ringbuf_submit(e, BPF_RB_FORCE_WAKEUP);
	stop_self(tgid);
}

static __always_inline int recheck(__u32 tgid, __u32 tid, __u32 probe_id, __u64 slot,
				   __u64 token, const int can_write)
{
	__u32 rid = (token & 0xffff) - 1;
	__u32 gen = (token >> 16) & 0xffffffff;
	struct fp_verdict v = {};
	struct fp_rule *rule;
	int waiting;

	if ((token >> 48) != (session_nonce & 0xffff))
		return 0;	/* another session's waiter */
	rule = bpf_map_lookup_elem(&rules, &rid);
	waiting = rule && rule->active && rule->gen == gen;
	if (can_write) {
		/* The marker cleared its slot; silence releases it. */
		if (waiting) {
			v.action = FP_ACT_PAUSE;
			v.token = token;
			v.flags = FP_VF_CONFIRM_EACH_POLL;
			v.arg = pause_poll_ms;
			bpf_probe_write_user((void *)slot, &v, sizeof(v));
		}
	} else if (!waiting) {
		stop_and_write(tgid, tid, probe_id, rid, 0, 0, slot, &v);
	}
	return 0;
}

static __always_inline void deliver(struct pt_regs *ctx, const struct fp_probe *probe,
				    const struct fp_rule *rule, __u32 rid, __u32 term_idx,
				    __u64 hit, __u32 tgid, __u32 tid, __u32 probe_id, __u64 slot,
				    const int can_write)
{
	const struct fp_term *term;
	struct fp_verdict v = {};
	struct fp_event *e;
	__u32 kind = FP_EV_INJECT;

	if (term_idx >= FP_MAX_TERMS)
		return;
	term = &rule->terms[term_idx];
	v.action = term->action;
	v.value = term->value;
	v.arg = term->arg;

	if (term->action == FP_ACT_SIGNAL) {
		bpf_send_signal_thread(term->value);
		v.action = FP_ACT_OFF;
	} else if (!probe->has_slot) {
		if (term->action == FP_ACT_PANIC)
			bpf_send_signal_thread(SIGABRT);
		else if (term->action == FP_ACT_SLEEP)
			kind = FP_EV_STOP_SLEEP;
		else if (term->action == FP_ACT_PAUSE)
			kind = FP_EV_STOP_PAUSE;
		v.action = FP_ACT_OFF;
	} else if (term->action == FP_ACT_PRINT) {
		v.action = FP_ACT_OFF;
	}

	if (v.action == FP_ACT_SLEEP || v.action == FP_ACT_PAUSE) {
		v.token = make_token(rid, rule->gen);
		v.flags = can_write ? FP_VF_CONFIRM_EACH_POLL : 0;
	}

	if (v.action != FP_ACT_OFF && !can_write) {
		stop_and_write(tgid, tid, probe_id, rid, term_idx, hit, slot, &v);
		return;
	}
	if (v.action != FP_ACT_OFF)
		bpf_probe_write_user((void *)slot, &v, sizeof(v));

	e = reserve_event(kind, tgid, tid, probe_id, rid);
	if (!e)
		return;
	e->term = term_idx;
	e->hit = hit;
	e->slot = slot;
	e->verdict.action = term->action;
	e->verdict.value = term->value;
	e->verdict.arg = term->arg;
	bpf_ringbuf_submit(e, 0);
	if (kind != FP_EV_INJECT)
		stop_self(tgid);
}

static __always_inline void emit_eval(__u32 tgid, __u32 tid, __u32 probe_id, __u32 rid, __u64 hit)
{
	struct fp_event *e;

	if (!emit_evals)
		return;
	e = reserve_event(FP_EV_EVAL, tgid, tid, probe_id, rid);
	if (!e)
		return;
	e->hit = hit;
	bpf_ringbuf_submit(e, 0);
}

/* Per-hit state shared with the rule loop's callback, which bpf_loop wants on the stack. */
struct hit {
	struct pt_regs *ctx;
	const struct fp_probe *probe;
	const struct __bpf_usdt_spec *spec;	/* USDT probes */
	__u64 slot;
	__u32 tgid, tid, probe_id;
	struct comm_buf comm;
	struct call_args args;
};

/* error()/return() replace the call's result without running it; delay() stops the
 * whole process until the controller continues it. */
static __always_inline void deliver_kernel(struct hit *h, const struct fp_rule *rule, __u32 rid,
					   __u32 term_idx, __u64 hit)
{
	const struct fp_term *term;
	struct fp_event *e;
	__u32 kind = FP_EV_INJECT;

	if (term_idx >= FP_MAX_TERMS)
		return;
	term = &rule->terms[term_idx];
	if (term->action == FP_ACT_RETURN)
		bpf_override_return(h->ctx, term->value);
	else if (term->action == FP_ACT_SIGNAL)
		bpf_send_signal_thread(term->value);
	else if (term->action == FP_ACT_SLEEP)
		kind = FP_EV_STOP_SLEEP;

	e = reserve_event(kind, h->tgid, h->tid, h->probe_id, rid);
	if (!e)
		return;	/* no stop either: nobody would know to continue it */
	e->term = term_idx;
	e->hit = hit;
	e->verdict.action = term->action;
	e->verdict.value = term->value;
	e->verdict.arg = term->arg;
	__builtin_memcpy(e->args, h->args.v, sizeof(e->args));
	for (int i = 0; i < FP_MAX_ARGS; i++)
		if (rule->args[i].kind == FP_ARG_STR_GLOB) {
			bpf_probe_read_user_str(e->str, sizeof(e->str), (const void *)h->args.v[i]);
			break;
		}
	bpf_ringbuf_submit(e, kind == FP_EV_INJECT ? 0 : BPF_RB_FORCE_WAKEUP);
	if (kind != FP_EV_INJECT)
		stop_self(h->tgid);
}

/* Every injection takes a ticket first, which makes --max-injections exact across threads. */
static __always_inline int under_limit(const struct hit *h)
{
	struct fp_event *e;

	if (__sync_fetch_and_add(&total_injected, 1) < max_injections || !max_injections)
		return 1;
	if (__sync_fetch_and_add(&limit_reported, 1) == 0) {
		e = reserve_event(FP_EV_LIMIT, h->tgid, h->tid, h->probe_id, 0);
		if (e)
			bpf_ringbuf_submit(e, BPF_RB_FORCE_WAKEUP);
	}
	return 0;
}

/* One rule of the probe; returns 1 (stop the loop) once a rule injected. */
static __always_inline long eval_rule(__u32 i, struct hit *h, const int mode)
{
	struct fp_rule_state *st;
	struct fp_rule *rule;
	__u64 hit;
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
	if (!filters_match(h->ctx, rule, rid, h->probe, h->tgid, h->tid, &h->comm,
			   mode == MODE_KERNEL ? &h->args : NULL, h->spec)) {
		emit_eval(h->tgid, h->tid, h->probe_id, rid, 0);
		return 0;
	}
	hit = __sync_fetch_and_add(&st->matched, 1) + 1;
	if (hit <= rule->after || !when_matches(rule, hit)) {
		emit_eval(h->tgid, h->tid, h->probe_id, rid, hit);
		return 0;
	}
	term = pick_term(rule, st);
	if (term < 0 || rule->terms[term & (FP_MAX_TERMS - 1)].action == FP_ACT_OFF) {
		emit_eval(h->tgid, h->tid, h->probe_id, rid, hit);
		return 0;
	}
	if (!under_limit(h))
		return 1;
	__sync_fetch_and_add(&st->injected, 1);
	if (mode == MODE_KERNEL)
		deliver_kernel(h, rule, rid, term, hit);
	else
		deliver(h->ctx, h->probe, rule, rid, term, hit, h->tgid, h->tid, h->probe_id, h->slot,
			mode == MODE_WRITE);
	return 1;
}

static long eval_rule_write(__u32 i, void *data)
{
	return eval_rule(i, data, MODE_WRITE);
}

static long eval_rule_stop(__u32 i, void *data)
{
	return eval_rule(i, data, MODE_STOP);
}

static long eval_rule_kernel(__u32 i, void *data)
{
	return eval_rule(i, data, MODE_KERNEL);
}

static __always_inline int handle_hit(struct pt_regs *ctx, const int can_write)
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
			return recheck(h.tgid, h.tid, h.probe_id, h.slot, token, can_write);
	}
	bpf_loop(FP_RULES_PER_PROBE, can_write ? eval_rule_write : eval_rule_stop, &h, 0);
	return 0;
}

SEC("usdt")
int BPF_USDT(fp_hit_write)
{
	return handle_hit(ctx, 1);
}

SEC("usdt")
int BPF_USDT(fp_hit_stop)
{
	return handle_hit(ctx, 0);
}

static __always_inline int handle_kernel_hit(struct pt_regs *ctx)
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
	if (h.probe->kind == FP_PROBE_SYSCALL)
		syscall_args(ctx, h.args.v);
	bpf_loop(FP_RULES_PER_PROBE, eval_rule_kernel, &h, 0);
	return 0;
}

/* Loaded only when a session has sys: or kfunc: rules and the kernel allows
 * bpf_override_return, so USDT sessions load everywhere. */
SEC("kprobe")
int fp_kernel_hit(struct pt_regs *ctx)
{
	return handle_kernel_hit(ctx);
}

/* Follow children of targeted processes, like strace -f, and tell the controller what
 * becomes of its targets. BTF tracepoints hand over the tasks themselves, which tells a
 * new process from a new thread and gives the exit status. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(fp_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, cpid = child->pid;
	struct fp_event *e;
	__u8 one = 1;

	if (!filter_targets || !bpf_map_lookup_elem(&targets, &ptgid))
		return 0;
	bpf_map_update_elem(&targets, &cpid, &one, BPF_ANY);
	if (child->tgid != child->pid)
		return 0;
	e = reserve_event(FP_EV_FORK, cpid, cpid, 0, 0);
	if (e) {
		e->hit = ptgid;
		bpf_ringbuf_submit(e, 0);
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
		return 0;	/* the command starting, not news */
	}
	if (!bpf_map_lookup_elem(&targets, &tgid))
		return 0;
	e = reserve_event(FP_EV_EXEC, tgid, task->pid, 0, 0);
	if (!e)
		return 0;
	bpf_probe_read_kernel_str(e->str, sizeof(e->str), BPF_CORE_READ(bprm, filename));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(fp_exit, struct task_struct *task)
{
	__u32 tid = task->pid, tgid = task->tgid;
	struct fp_event *e;

	if (!filter_targets || !bpf_map_lookup_elem(&targets, &tgid))
		return 0;
	/* The process stays a target while any of its threads lives, leader or not. */
	if (tid != tgid)
		bpf_map_delete_elem(&targets, &tid);
	/* signal->live already counts this thread out: 0 means the whole process is gone. */
	if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return 0;
	bpf_map_delete_elem(&targets, &tgid);
	e = reserve_event(FP_EV_EXIT, tgid, tid, 0, 0);
	if (e) {
		e->hit = (__u32)task->exit_code;
		bpf_ringbuf_submit(e, BPF_RB_FORCE_WAKEUP);
	}
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
