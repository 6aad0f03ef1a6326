// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "injector.bpf.skel.h"
#include "engine/injector.h"
#include "engine/kernel_features.h"
#include "engine/shared_holds.h"
#include "util/log.h"

#define TRACKING_LINKS 3

struct injector {
	struct injector_bpf *skel;
	struct bpf_program *hit_prog;
	struct ring_buffer *rb;
	injector_event_fn fn;
	void *fn_ctx;
	bool direct_write;
	__u32 nonce;
	struct fp_rule_state *state;	/* the mmapped rule_state array */
	size_t state_len;
	struct bpf_link *probe_links[FP_MAX_PROBES];
	struct bpf_link *tracking[TRACKING_LINKS];
};

struct injector *injector__new(void)
{
	struct injector *inj = calloc(1, sizeof(*inj));
	int err;

	if (!inj)
		return NULL;
	inj->skel = injector_bpf__open();
	if (!inj->skel) {
		err = -errno;
		log_error("cannot open BPF object: %s", strerror(-err));
		free(inj);
		errno = -err;
		return NULL;
	}
	return inj;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct injector *inj = ctx;

	if (size < sizeof(struct fp_event))
		return 0;
	return inj->fn ? inj->fn(inj->fn_ctx, data) : 0;
}

/* Another session's maps when one runs, so that both see each other's holds and claims. */
static int reuse_shared(struct bpf_map *map)
{
	int fd = shared_map_find(bpf_map__name(map), bpf_map__type(map), bpf_map__key_size(map),
				 bpf_map__value_size(map), bpf_map__max_entries(map));
	int err;

	if (fd < 0)
		return 0;
	err = bpf_map__reuse_fd(map, fd);
	close(fd);
	return err;
}

static void configure(struct injector *inj, const struct injector_opts *opts)
{
	struct injector_bpf *skel = inj->skel;
	__u32 nonce = 0;

	inj->direct_write = opts->delivery == DELIVERY_WRITE ||
			    (opts->delivery == DELIVERY_AUTO && feature_probe_write_user());
	inj->hit_prog = inj->direct_write ? skel->progs.fp_hit_write : skel->progs.fp_hit_stop;
	bpf_program__set_autoload(inj->direct_write ? skel->progs.fp_hit_stop : skel->progs.fp_hit_write, false);
	/* A kernel without bpf_override_return rejects the whole object otherwise. */
	bpf_program__set_autoload(skel->progs.fp_kernel_hit, opts->kernel_probes);
	/* Tokens carry 16 bits of it, holds and claims all 32. */
	while (!(nonce & 0xffff))
		if (getrandom(&nonce, sizeof(nonce), 0) != sizeof(nonce))
			nonce = (__u32)getpid() | 0x10000;
	inj->nonce = nonce;
	skel->rodata->self_pid = (__u32)getpid();
	skel->rodata->session_nonce = nonce;
	skel->rodata->filter_targets = opts->filter_targets;
	skel->rodata->emit_evals = opts->emit_evals;
	skel->rodata->pause_poll_ms = opts->pause_poll_ms ? opts->pause_poll_ms : 20;
	skel->rodata->max_injections = opts->max_injections;
}

static int load_object(struct injector *inj)
{
	int lock = shared_lock(), err;

	/* Under the lock, so two sessions starting together still end up sharing. */
	err = reuse_shared(inj->skel->maps.fpbpf_claims);
	if (!err)
		err = reuse_shared(inj->skel->maps.fpbpf_holds);
	if (!err)
		err = injector_bpf__load(inj->skel) ? -errno : 0;
	shared_unlock(lock);
	if (err)
		log_error("cannot load BPF programs: %s%s", strerror(-err),
			  inj->direct_write ? " (direct-write delivery needs bpf_probe_write_user, which kernel lockdown removes; try --delivery=stop)" : "");
	return err;
}

int injector__load(struct injector *inj, const struct injector_opts *opts)
{
	int err;

	configure(inj, opts);
	err = load_object(inj);
	if (err)
		return err;
	inj->state_len = (size_t)FP_MAX_RULES * sizeof(struct fp_rule_state);
	inj->state = mmap(NULL, inj->state_len, PROT_READ | PROT_WRITE, MAP_SHARED,
			  bpf_map__fd(inj->skel->maps.rule_state), 0);
	if (inj->state == MAP_FAILED) {
		err = -errno;
		inj->state = NULL;
		log_error("cannot map the rule counters: %s", strerror(-err));
		return err;
	}
	inj->rb = ring_buffer__new(bpf_map__fd(inj->skel->maps.requests), on_record, inj, NULL);
	if (!inj->rb || ring_buffer__add(inj->rb, bpf_map__fd(inj->skel->maps.reports), on_record, inj)) {
		err = -errno;
		log_error("cannot create ring buffers: %s", strerror(-err));
		return err;
	}
	return 0;
}

bool injector__direct_write(const struct injector *inj)
{
	return inj->direct_write;
}

__u32 injector__nonce(const struct injector *inj)
{
	return inj->nonce;
}

static int add_pid(struct bpf_map *set, pid_t pid)
{
	__u32 key = (__u32)pid;
	__u8 one = 1;

	if (bpf_map__update_elem(set, &key, sizeof(key), &one, sizeof(one), BPF_ANY))
		return -errno;
	return 0;
}

int injector__add_target(struct injector *inj, pid_t pid)
{
	return add_pid(inj->skel->maps.targets, pid);
}

int injector__add_target_at_exec(struct injector *inj, pid_t pid)
{
	return add_pid(inj->skel->maps.exec_targets, pid);
}

int injector__set_rule(struct injector *inj, __u32 rid, const struct fp_rule *rule)
{
	struct fp_rule_state st = {};
	struct fp_rule copy = *rule;
	struct fp_rule old;

	if (rid >= FP_MAX_RULES)
		return -E2BIG;
	for (__u32 t = 0; t < FP_MAX_TERMS; t++)
		st.left[t] = t < rule->nterms && rule->terms[t].count >= 0 ? rule->terms[t].count : 0;
	if (!bpf_map__lookup_elem(inj->skel->maps.rules, &rid, sizeof(rid), &old, sizeof(old), 0))
		copy.gen = old.gen + 1;
	copy.active = 1;
	/* State first: a hit between the two updates sees fresh counters and the old rule. */
	if (bpf_map__update_elem(inj->skel->maps.rule_state, &rid, sizeof(rid), &st, sizeof(st), BPF_ANY) ||
	    bpf_map__update_elem(inj->skel->maps.rules, &rid, sizeof(rid), &copy, sizeof(copy), BPF_ANY))
		return -errno;
	return 0;
}

int injector__disable_rule(struct injector *inj, __u32 rid)
{
	struct fp_rule r = {};

	if (rid >= FP_MAX_RULES)
		return -E2BIG;
	if (bpf_map__lookup_elem(inj->skel->maps.rules, &rid, sizeof(rid), &r, sizeof(r), 0))
		return -errno;
	if (!r.active)
		return 0;
	/* A new generation too, so a thread waiting on the rule sees it change. */
	r.active = 0;
	r.gen++;
	if (bpf_map__update_elem(inj->skel->maps.rules, &rid, sizeof(rid), &r, sizeof(r), BPF_ANY))
		return -errno;
	return 0;
}

int injector__set_cgroup(struct injector *inj, __u32 rid, int cgroup_fd)
{
	__u32 fd = (__u32)cgroup_fd;

	if (bpf_map__update_elem(inj->skel->maps.cgroups, &rid, sizeof(rid), &fd, sizeof(fd), BPF_ANY))
		return -errno;
	return 0;
}

int injector__rule_state(struct injector *inj, __u32 rid, struct fp_rule_state *out)
{
	if (rid >= FP_MAX_RULES || !inj->state)
		return -EINVAL;
	memcpy(out, &inj->state[rid], sizeof(*out));
	return 0;
}

void injector__undeliver(struct injector *inj, __u32 rid, __u32 term)
{
	struct fp_rule r;

	if (rid >= FP_MAX_RULES || !inj->state)
		return;
	/* The same memory BPF updates with atomics: these stay exact beside it. */
	__atomic_fetch_sub(&inj->state[rid].injected, 1, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&inj->state[rid].lost, 1, __ATOMIC_SEQ_CST);
	if (term < FP_MAX_TERMS &&
	    !bpf_map__lookup_elem(inj->skel->maps.rules, &rid, sizeof(rid), &r, sizeof(r), 0) &&
	    r.terms[term].count >= 0)
		__atomic_fetch_add(&inj->state[rid].left[term], 1, __ATOMIC_SEQ_CST);
	__atomic_fetch_sub(&inj->skel->bss->total_injected, 1, __ATOMIC_SEQ_CST);
}

int injector__set_probe(struct injector *inj, __u32 probe_id, const struct fp_probe *probe)
{
	if (bpf_map__update_elem(inj->skel->maps.probes, &probe_id, sizeof(probe_id), probe,
				 sizeof(*probe), BPF_ANY))
		return -errno;
	return 0;
}

int injector__attach_usdt(struct injector *inj, __u32 probe_id, const char *path,
			  const char *provider, const char *name)
{
	LIBBPF_OPTS(bpf_usdt_opts, opts, .usdt_cookie = probe_id);
	struct bpf_link *link;
	int err;

	if (probe_id >= FP_MAX_PROBES)
		return -E2BIG;
	/* pid -1: every process mapping the file, new ones included; BPF filters by tgid. */
	link = bpf_program__attach_usdt(inj->hit_prog, -1, path, provider, name, &opts);
	if (!link) {
		err = -errno;
		log_error("cannot attach to USDT %s:%s in %s: %s", provider, name, path, strerror(-err));
		return err;
	}
	inj->probe_links[probe_id] = link;
	return 0;
}

int injector__attach_kprobe(struct injector *inj, __u32 probe_id, const char *symbol)
{
	LIBBPF_OPTS(bpf_kprobe_opts, opts, .bpf_cookie = probe_id);
	struct bpf_link *link;
	int err;

	if (probe_id >= FP_MAX_PROBES)
		return -E2BIG;
	link = bpf_program__attach_kprobe_opts(inj->skel->progs.fp_kernel_hit, symbol, &opts);
	if (!link) {
		err = -errno;
		log_error("cannot attach a kprobe to %s: %s", symbol, strerror(-err));
		return err;
	}
	inj->probe_links[probe_id] = link;
	return 0;
}

void injector__detach(struct injector *inj, __u32 probe_id)
{
	if (probe_id >= FP_MAX_PROBES)
		return;
	bpf_link__destroy(inj->probe_links[probe_id]);
	inj->probe_links[probe_id] = NULL;
}

void injector__detach_all(struct injector *inj)
{
	for (int i = 0; i < TRACKING_LINKS; i++) {
		bpf_link__destroy(inj->tracking[i]);
		inj->tracking[i] = NULL;
	}
	for (int i = FP_MAX_PROBES - 1; i >= 0; i--)
		injector__detach(inj, (__u32)i);
}

int injector__attach_tracking(struct injector *inj)
{
	struct bpf_program *progs[TRACKING_LINKS] = { inj->skel->progs.fp_fork, inj->skel->progs.fp_exec,
						      inj->skel->progs.fp_exit };

	for (int i = 0; i < TRACKING_LINKS; i++) {
		int err;

		inj->tracking[i] = bpf_program__attach(progs[i]);
		if (!inj->tracking[i]) {
			err = -errno;
			log_error("cannot attach %s (needs BTF tracepoints sched_process_fork/exec/exit, CONFIG_DEBUG_INFO_BTF): %s",
				  bpf_program__name(progs[i]), strerror(-err));
			return err;
		}
	}
	return 0;
}

int injector__consume(struct injector *inj, injector_event_fn fn, void *ctx)
{
	if (!inj->rb)
		return 0;	/* never loaded */
	inj->fn = fn;
	inj->fn_ctx = ctx;
	return ring_buffer__consume(inj->rb);
}

int injector__event_fd(const struct injector *inj)
{
	return inj->rb ? ring_buffer__epoll_fd(inj->rb) : -1;
}

void injector__set_guard(struct injector *inj, pid_t pid)
{
	inj->skel->bss->guard_pid = (__u32)pid;
}

int injector__holds_fd(const struct injector *inj)
{
	return bpf_map__fd(inj->skel->maps.fpbpf_holds);
}

int injector__claims_fd(const struct injector *inj)
{
	return bpf_map__fd(inj->skel->maps.fpbpf_claims);
}

void injector__release_claim(struct injector *inj, pid_t tid, __u64 slot)
{
	__u32 key = (__u32)tid;
	struct fp_claim c;

	if (!bpf_map__lookup_elem(inj->skel->maps.fpbpf_claims, &key, sizeof(key), &c, sizeof(c), 0) &&
	    c.nonce == inj->nonce && c.slot == slot)
		bpf_map__delete_elem(inj->skel->maps.fpbpf_claims, &key, sizeof(key), 0);
}

__u64 injector__total_injected(const struct injector *inj)
{
	__u64 n = inj->skel->bss->total_injected;
	__u64 max = inj->skel->rodata->max_injections;

	/* Past the limit, hits still take (and discard) a ticket. */
	return max && n > max ? max : n;
}

__u64 injector__dropped(struct injector *inj)
{
	__u32 zero = 0;
	__u64 v = 0;

	bpf_map__lookup_elem(inj->skel->maps.dropped, &zero, sizeof(zero), &v, sizeof(v), 0);
	return v;
}

void injector__free(struct injector *inj)
{
	if (!inj)
		return;
	injector__detach_all(inj);
	ring_buffer__free(inj->rb);
	if (inj->state)
		munmap(inj->state, inj->state_len);
	injector_bpf__destroy(inj->skel);
	free(inj);
}
