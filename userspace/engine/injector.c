// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/random.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "injector.bpf.skel.h"
#include "engine/injector.h"
#include "engine/kernel_features.h"
#include "engine/seccomp_sup.h"
#include "engine/shared_holds.h"
#include "util/log.h"

#define TRACKING_LINKS 3
#define MAX_HOOKS 40
#define HOOK_PREFIX "fmod_ret/security_"

/* A security hook program and the probes that need it attached. */
struct hook_prog {
	struct bpf_program *prog;
	struct bpf_link *link;
	int users;
};

struct injector {
	struct injector_bpf *skel;
	struct bpf_program *hit_prog;
	struct bpf_program *foreign_prog;	/* sleepable, for probes with no slot; or NULL */
	bool no_slot[FP_MAX_PROBES];		/* the probe is other software's */
	struct ring_buffer *rb;
	injector_event_fn fn;
	void *fn_ctx;
	bool direct_write;
	__u32 nonce;
	struct fp_rule_state *state;	/* the mmapped rule_state array */
	size_t state_len;
	struct bpf_link *probe_links[FP_MAX_PROBES];
	struct hook_prog hooks[MAX_HOOKS];
	char fmod_targets[FP_FMOD_SLOTS][96];	/* each loaded fmod_ret slot's target */
	__u8 probe_hook[FP_MAX_PROBES];	/* index + 1 in hooks of the probe's hook */
	struct bpf_link *tracking[TRACKING_LINKS];
	int epoll_fd;			/* the ring buffers and the supervisor's descriptors */
	struct seccomp_sup *sup;
	struct fp_seccomp_call *call;	/* the mapped seccomp_call record */
	/* What the supervisor must read per probe follows the rules: kept here. */
	struct fp_rule *rules;		/* FP_MAX_RULES, as last set */
	struct fp_probe *probes;	/* FP_MAX_PROBES */
	char (*cgroup_paths)[256];	/* FP_MAX_RULES, relative to the cgroup2 root */
	char (*caller_globs)[128];	/* FP_MAX_RULES: caller=, which the supervisor matches */
	bool needs_dirty;
	bool timer_watched;		/* the supervisor's timer outlives each command */
};

struct injector *injector__new(void)
{
	struct injector *inj = calloc(1, sizeof(*inj));
	int err;

	if (!inj)
		return NULL;
	inj->epoll_fd = -1;
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

/* A hook program on a function this kernel lacks would fail the whole load. */
static void configure_hooks(struct injector *inj, bool want)
{
	struct bpf_program *prog;
	int n = 0;

	bpf_program__set_autoload(inj->skel->progs.fp_hook_entry, want);
	bpf_object__for_each_program(prog, inj->skel->obj) {
		const char *sec = bpf_program__section_name(prog);
		bool load;

		if (strncmp(sec, HOOK_PREFIX, strlen(HOOK_PREFIX)))
			continue;
		load = want && n < MAX_HOOKS && feature_kernel_func(sec + strlen("fmod_ret/"));
		bpf_program__set_autoload(prog, load);
		if (load)
			inj->hooks[n++].prog = prog;
	}
}

static struct bpf_program *fmod_prog(struct injector *inj, int slot)
{
	char name[32];

	snprintf(name, sizeof(name), "fp_fmod_%d", slot);
	return bpf_object__find_program_by_name(inj->skel->obj, name);
}

/* fp_fmod_N gets the Nth target, by name: the BPF side reads fmod_probes[N] in
 * fp_fmod_N. Slots without a target stay unloaded. */
static void configure_fmod(struct injector *inj, const struct injector_opts *opts)
{
	for (int slot = 0; slot < FP_FMOD_SLOTS; slot++) {
		struct bpf_program *prog = fmod_prog(inj, slot);

		if (!prog)
			continue;
		if (slot < opts->nfmod && !bpf_program__set_attach_target(prog, 0, opts->fmod_targets[slot]))
			snprintf(inj->fmod_targets[slot], sizeof(inj->fmod_targets[slot]), "%s", opts->fmod_targets[slot]);
		else
			bpf_program__set_autoload(prog, false);
	}
}

static void configure(struct injector *inj, const struct injector_opts *opts)
{
	struct injector_bpf *skel = inj->skel;
	__u32 nonce = 0;

	inj->direct_write = opts->delivery == DELIVERY_WRITE ||
			    (opts->delivery == DELIVERY_AUTO && feature_probe_write_user());
	inj->hit_prog = inj->direct_write ? skel->progs.fp_hit_write : skel->progs.fp_hit_stop;
	bpf_program__set_autoload(inj->direct_write ? skel->progs.fp_hit_stop : skel->progs.fp_hit_write, false);
	/* Its own copy of the rule loop: verified only when a session needs it. */
	if (opts->foreign_sleepable && feature_sleepable_uprobe())
		inj->foreign_prog = inj->direct_write ? skel->progs.fp_hit_write_s : skel->progs.fp_hit_stop_s;
	bpf_program__set_autoload(skel->progs.fp_hit_write_s, inj->foreign_prog == skel->progs.fp_hit_write_s);
	bpf_program__set_autoload(skel->progs.fp_hit_stop_s, inj->foreign_prog == skel->progs.fp_hit_stop_s);
	/* A kernel without bpf_override_return rejects the whole object otherwise. */
	bpf_program__set_autoload(skel->progs.fp_kernel_hit, opts->kernel_probes);
	bpf_program__set_autoload(skel->progs.fp_seccomp_decide, opts->seccomp);
	configure_hooks(inj, opts->hooks);
	configure_fmod(inj, opts);
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

static int watch(struct injector *inj, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(inj->epoll_fd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

static int start_supervisor(struct injector *inj)
{
	size_t len = sizeof(struct fp_seccomp_call);

	inj->call = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
			 bpf_map__fd(inj->skel->maps.seccomp_call), 0);
	if (inj->call == MAP_FAILED) {
		inj->call = NULL;
		return -errno;
	}
	inj->rules = calloc(FP_MAX_RULES, sizeof(*inj->rules));
	inj->probes = calloc(FP_MAX_PROBES, sizeof(*inj->probes));
	inj->cgroup_paths = calloc(FP_MAX_RULES, sizeof(*inj->cgroup_paths));
	inj->caller_globs = calloc(FP_MAX_RULES, sizeof(*inj->caller_globs));
	inj->sup = seccomp_sup__new(bpf_program__fd(inj->skel->progs.fp_seccomp_decide), inj->call);
	if (!inj->rules || !inj->probes || !inj->cgroup_paths || !inj->caller_globs || !inj->sup) {
		log_error("seccomp supervisor: out of memory, or no seccomp notification sizes");
		return -ENOMEM;
	}
	return 0;
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
	inj->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (inj->epoll_fd < 0 || watch(inj, ring_buffer__epoll_fd(inj->rb)))
		return -errno;
	return opts->seccomp ? start_supervisor(inj) : 0;
}

bool injector__foreign_sleepable(const struct injector *inj)
{
	return inj->foreign_prog != NULL;
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
	if (inj->rules) {
		inj->rules[rid] = copy;
		inj->needs_dirty = true;
	}
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
	if (inj->rules) {
		inj->rules[rid] = r;
		inj->needs_dirty = true;
	}
	return 0;
}

/* Every key of map fd whose leading __u32 (the rule id) is rid; keys of key_size bytes.
 * Deleting the key just read would restart the walk: delete one step behind. */
static void delete_rule_keys(int fd, __u32 rid, size_t key_size)
{
	__u64 a[4], b[4];
	void *prev = NULL, *next = a;

	if (key_size > sizeof(a))
		return;
	while (!bpf_map_get_next_key(fd, prev, next)) {
		if (prev && *(__u32 *)prev == rid)
			bpf_map_delete_elem(fd, prev);
		prev = next;
		next = next == a ? b : a;
	}
	if (prev && *(__u32 *)prev == rid)
		bpf_map_delete_elem(fd, prev);
}

void injector__clear_callers(struct injector *inj, __u32 rid)
{
	delete_rule_keys(bpf_map__fd(inj->skel->maps.callers), rid, sizeof(struct fp_caller_key));
	delete_rule_keys(bpf_map__fd(inj->skel->maps.census), rid, sizeof(struct fp_census_key));
	if (inj->caller_globs && rid < FP_MAX_RULES) {
		inj->caller_globs[rid][0] = 0;
		inj->needs_dirty = true;
	}
}

int injector__census_each(struct injector *inj, __u32 rid, injector_census_fn fn, void *ctx)
{
	struct fp_census_key key, *prev = NULL;
	int fd = bpf_map__fd(inj->skel->maps.census), n = 0;
	__u64 count;

	while (!bpf_map_get_next_key(fd, prev, &key)) {
		prev = &key;
		if (key.rid != rid || bpf_map_lookup_elem(fd, &key, &count))
			continue;
		fn(ctx, &key, count);
		n++;
	}
	return n;
}

int injector__set_caller(struct injector *inj, __u32 rid, const char *glob)
{
	if (rid >= FP_MAX_RULES)
		return -E2BIG;
	if (inj->caller_globs) {
		snprintf(inj->caller_globs[rid], sizeof(inj->caller_globs[rid]), "%s", glob);
		inj->needs_dirty = true;
	}
	return 0;
}

int injector__add_caller_funcs(struct injector *inj, const struct fp_caller_key *key,
			       const struct fp_caller_funcs *funcs)
{
	if (bpf_map__update_elem(inj->skel->maps.callers, key, sizeof(*key), funcs, sizeof(*funcs), BPF_ANY))
		return -errno;
	return 0;
}

/* /sys/fs/cgroup/a/b -> /a/b: how /proc/PID/cgroup names it, relative to the cgroup2
 * mount the path is under (a host may mount the hierarchy more than once, or elsewhere). */
static void cgroup_relative(const char *path, char *out, size_t len)
{
	char real[4096], line[4096], mnt[1024], type[64], best[1024] = "";
	FILE *f = fopen("/proc/self/mountinfo", "re");
	size_t n;

	if (!realpath(path, real))
		snprintf(real, sizeof(real), "%s", path);
	while (f && fgets(line, sizeof(line), f)) {
		n = 0;
		if (sscanf(line, "%*s %*s %*s %*s %1023s %*[^-]- %63s", mnt, type) != 2 || strcmp(type, "cgroup2"))
			continue;
		n = strlen(mnt);
		if (!strncmp(real, mnt, n) && (real[n] == '/' || !real[n]) && n > strlen(best))
			snprintf(best, sizeof(best), "%s", mnt);
	}
	if (f)
		fclose(f);
	n = strlen(best);
	snprintf(out, len, "%.255s", !best[0] ? real : real[n] ? real + n : "/");
}

/* Sleepable programs compare the caller's ancestor at the cgroup's depth with its id: a
 * cgroup2 directory's inode number (kernfs ids are inode numbers where ino_t has 64 bits,
 * on every architecture fpbpf builds for). */
_Static_assert(sizeof(ino_t) >= sizeof(__u64), "a cgroup's id is its inode number only with 64-bit inode numbers");

static int set_cgroup_id(struct injector *inj, __u32 rid, int cgroup_fd, const char *relative)
{
	struct fp_rule r;
	struct stat st;

	if (fstat(cgroup_fd, &st) ||
	    bpf_map__lookup_elem(inj->skel->maps.rules, &rid, sizeof(rid), &r, sizeof(r), 0))
		return -errno;
	r.cgroup_id = st.st_ino;
	r.cgroup_level = 0;
	for (const char *p = relative; *p; p++)
		r.cgroup_level += *p == '/' && p[1] && p[1] != '/';
	if (inj->rules && rid < FP_MAX_RULES)
		inj->rules[rid] = r;
	return bpf_map__update_elem(inj->skel->maps.rules, &rid, sizeof(rid), &r, sizeof(r), BPF_ANY) ? -errno : 0;
}

int injector__set_cgroup(struct injector *inj, __u32 rid, int cgroup_fd, const char *path)
{
	__u32 fd = (__u32)cgroup_fd;
	char relative[256];
	int err;

	if (bpf_map__update_elem(inj->skel->maps.cgroups, &rid, sizeof(rid), &fd, sizeof(fd), BPF_ANY))
		return -errno;
	cgroup_relative(path, relative, sizeof(relative));
	err = set_cgroup_id(inj, rid, cgroup_fd, relative);
	if (err)
		return err;
	if (inj->cgroup_paths && rid < FP_MAX_RULES) {
		cgroup_relative(path, inj->cgroup_paths[rid], sizeof(inj->cgroup_paths[rid]));
		inj->needs_dirty = true;
	}
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
	if (probe_id < FP_MAX_PROBES)
		inj->no_slot[probe_id] = probe->kind == FP_PROBE_USDT && !probe->has_slot;
	if (inj->probes && probe_id < FP_MAX_PROBES) {
		inj->probes[probe_id] = *probe;
		inj->needs_dirty = true;
	}
	return 0;
}

/* What the supervisor reads about a caller for one probe: what its active rules filter on. */
static void probe_needs(const struct injector *inj, __u32 id, struct sup_needs *n)
{
	const struct fp_probe *p = &inj->probes[id];

	memset(n, 0, sizeof(*n));
	for (__u32 i = 0; i < p->nrules && i < FP_RULES_PER_PROBE; i++) {
		__u32 rid = p->rules[i];
		const struct fp_rule *r = rid < FP_MAX_RULES ? &inj->rules[rid] : NULL;

		if (!r || !r->active)
			continue;
		n->uid |= (r->flags & FP_RF_UID) != 0;
		n->comm |= r->comm[0] != 0;
		for (int a = 0; a < FP_MAX_ARGS; a++)
			if (r->args[a].kind == FP_ARG_STR_GLOB)
				n->strings |= 1u << a;
		n->census |= (r->flags & FP_RF_CENSUS) != 0;
		if ((r->flags & FP_RF_CALLER) && n->ncallers < SUP_MAX_CALLERS) {
			n->callers[n->ncallers].rid = rid;
			n->callers[n->ncallers].site = (r->flags & FP_RF_CALLSITE) != 0;
			snprintf(n->callers[n->ncallers++].glob, sizeof(n->callers[0].glob), "%s", inj->caller_globs[rid]);
		}
		if ((r->flags & FP_RF_CGROUP) && n->ncgroups < 8) {
			n->cgroups[n->ncgroups].rid = rid;
			snprintf(n->cgroups[n->ncgroups++].path, sizeof(n->cgroups[0].path), "%s", inj->cgroup_paths[rid]);
		}
	}
}

static void refresh_needs(struct injector *inj)
{
	struct sup_needs n;

	__u32 ids[SUP_MAX_SYSCALLS];
	int nids;

	if (!inj->sup || !inj->needs_dirty)
		return;
	/* Only the probes the filter hands over can be asked about. */
	nids = seccomp_sup__probes(inj->sup, ids, SUP_MAX_SYSCALLS);
	for (int i = 0; i < nids; i++) {
		probe_needs(inj, ids[i], &n);
		seccomp_sup__set_needs(inj->sup, ids[i], &n);
	}
	inj->needs_dirty = false;
}

int injector__seccomp_add(struct injector *inj, __u32 probe_id, int nr)
{
	int err;

	err = inj->sup ? seccomp_sup__add(inj->sup, nr, probe_id) : -EBUSY;
	if (err == -EBUSY)
		log_error("seccomp: the command's filter is fixed once it runs: name this syscall in a rule at start (even 'sys:NAME = off') to set it live");
	else if (err == -E2BIG)
		log_error("seccomp: too many syscalls (at most %d in a session)", SUP_MAX_SYSCALLS);
	return err;
}

int injector__child_before_exec(struct injector *inj, int report_fd)
{
	if (!seccomp_sup__wanted(inj->sup))
		return 0;
	return seccomp_sup__child_install(inj->sup, report_fd);
}

int injector__child_started(struct injector *inj, pid_t child, int report_fd)
{
	int err;

	if (!seccomp_sup__wanted(inj->sup))
		return 0;
	err = seccomp_sup__adopt(inj->sup, child, report_fd);
	if (!err)
		err = watch(inj, seccomp_sup__listener(inj->sup));
	if (!err && !inj->timer_watched) {
		err = watch(inj, seccomp_sup__timer(inj->sup));
		inj->timer_watched = !err;
	}
	return err;
}

void injector__command_ended(struct injector *inj)
{
	int fd = seccomp_sup__listener(inj->sup);

	/* Taken out by hand: the guardian shares the listener, so closing ours would leave
	 * it in the set, readable forever once its processes are gone. */
	if (fd >= 0)
		epoll_ctl(inj->epoll_fd, EPOLL_CTL_DEL, fd, NULL);
	seccomp_sup__command_ended(inj->sup);
}

int injector__seccomp_listener(const struct injector *inj)
{
	return seccomp_sup__listener(inj->sup);
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
	link = bpf_program__attach_usdt(inj->no_slot[probe_id] && inj->foreign_prog ? inj->foreign_prog : inj->hit_prog,
					-1, path, provider, name, &opts);
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

static int fmod_slot(const struct injector *inj, const char *symbol)
{
	for (int i = 0; i < FP_FMOD_SLOTS; i++)
		if (inj->fmod_targets[i][0] && !strcmp(inj->fmod_targets[i], symbol))
			return i;
	return -1;
}

bool injector__has_fmod(const struct injector *inj, const char *symbol)
{
	return fmod_slot(inj, symbol) >= 0;
}

int injector__attach_fmod(struct injector *inj, __u32 probe_id, const char *symbol)
{
	int slot = fmod_slot(inj, symbol), err;
	struct bpf_link *link;
	__u32 key;

	if (probe_id >= FP_MAX_PROBES)
		return -E2BIG;
	if (slot < 0) {
		log_error("fmod_ret: no program for %s: at most %d syscalls, named by rules at start", symbol,
			  FP_FMOD_SLOTS);
		return -E2BIG;
	}
	key = (__u32)slot;
	if (bpf_map__update_elem(inj->skel->maps.fmod_probes, &key, sizeof(key), &probe_id, sizeof(probe_id), BPF_ANY))
		return -errno;
	link = bpf_program__attach_trace(fmod_prog(inj, slot));
	if (!link) {
		err = -errno;
		log_error("cannot attach fmod_ret to %s: %s", symbol, strerror(-err));
		return err;
	}
	inj->probe_links[probe_id] = link;
	return 0;
}

static struct hook_prog *find_hook(struct injector *inj, const char *hook)
{
	for (int i = 0; i < MAX_HOOKS && inj->hooks[i].prog; i++)
		if (!strcmp(bpf_program__section_name(inj->hooks[i].prog) + strlen(HOOK_PREFIX), hook))
			return &inj->hooks[i];
	return NULL;
}

static struct bpf_link *attach_entry(struct injector *inj, __u32 probe_id, const char *entry)
{
	LIBBPF_OPTS(bpf_kprobe_opts, opts, .bpf_cookie = probe_id);
	struct bpf_link *link = bpf_program__attach_kprobe_opts(inj->skel->progs.fp_hook_entry, entry, &opts);

	if (!link)
		log_error("cannot attach a kprobe to %s: %s", entry, strerror(errno));
	return link;
}

int injector__attach_hook(struct injector *inj, __u32 probe_id, const char *entry, const char *hook)
{
	struct hook_prog *hp = hook ? find_hook(inj, hook) : NULL;
	struct bpf_link *link;
	int err;

	if (probe_id >= FP_MAX_PROBES)
		return -E2BIG;
	if (!hook) {
		/* Delay and signal only: nothing to fail in a hook. */
		inj->probe_links[probe_id] = attach_entry(inj, probe_id, entry);
		return inj->probe_links[probe_id] ? 0 : -errno;
	}
	if (!hp) {
		log_error("lsm: security_%s is not loaded (this kernel has no such function)", hook);
		return -EOPNOTSUPP;
	}
	/* The hook first: a decision taken before it is there would be given back. */
	if (!hp->link) {
		hp->link = bpf_program__attach_trace(hp->prog);
		if (!hp->link) {
			err = -errno;
			log_error("cannot attach fmod_ret to security_%s: %s", hook, strerror(-err));
			return err;
		}
	}
	link = attach_entry(inj, probe_id, entry);
	if (!link) {
		err = -errno;
		if (!hp->users) {
			bpf_link__destroy(hp->link);
			hp->link = NULL;
		}
		return err;
	}
	hp->users++;
	inj->probe_links[probe_id] = link;
	inj->probe_hook[probe_id] = (__u8)(hp - inj->hooks + 1);
	return 0;
}

void injector__detach(struct injector *inj, __u32 probe_id)
{
	struct hook_prog *hp;

	if (probe_id >= FP_MAX_PROBES)
		return;
	bpf_link__destroy(inj->probe_links[probe_id]);
	inj->probe_links[probe_id] = NULL;
	if (!inj->probe_hook[probe_id])
		return;
	hp = &inj->hooks[inj->probe_hook[probe_id] - 1];
	inj->probe_hook[probe_id] = 0;
	if (--hp->users == 0) {
		bpf_link__destroy(hp->link);
		hp->link = NULL;
	}
}

void injector__detach_all(struct injector *inj)
{
	for (int i = 0; i < TRACKING_LINKS; i++) {
		bpf_link__destroy(inj->tracking[i]);
		inj->tracking[i] = NULL;
	}
	/* Entries before the hooks they leave decisions for (injector__detach's order). */
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
	int n;

	if (!inj->rb)
		return 0;	/* never loaded */
	inj->fn = fn;
	inj->fn_ctx = ctx;
	n = ring_buffer__consume(inj->rb);
	if (inj->sup) {
		refresh_needs(inj);
		seccomp_sup__service(inj->sup);
		/* What the calls just answered reported. */
		if (n >= 0) {
			int more = ring_buffer__consume(inj->rb);

			n = more < 0 ? more : n + more;
		}
	}
	return n;
}

int injector__event_fd(const struct injector *inj)
{
	return inj->epoll_fd;
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
	seccomp_sup__release_all(inj->sup);
	seccomp_sup__free(inj->sup);
	if (inj->call)
		munmap(inj->call, sizeof(*inj->call));
	free(inj->rules);
	free(inj->probes);
	free(inj->cgroup_paths);
	free(inj->caller_globs);
	if (inj->epoll_fd >= 0)
		close(inj->epoll_fd);
	ring_buffer__free(inj->rb);
	if (inj->state)
		munmap(inj->state, inj->state_len);
	injector_bpf__destroy(inj->skel);
	free(inj);
}
