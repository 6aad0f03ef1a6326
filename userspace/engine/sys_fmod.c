// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Backend: a sleepable fmod_ret program on the syscall's entry wrapper. Cheaper per call
 * than a kprobe, its return is the call's result, and being sleepable it reads a string
 * argument with faults allowed, so a path in a page nothing touched still matches. Needs
 * the syscall on the error-injection list (CONFIG_FUNCTION_ERROR_INJECTION). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "engine/injector.h"
#include "engine/kernel_features.h"
#include "engine/sys_backend.h"
#include "rules/rules.h"
#include "rules/syscalls.h"

static bool fmod_available(char *why, size_t len)
{
	char sym[96], reason[400], release[65] = "";

	/* Its programs use hash maps without preallocation, which the verifier allows sleepable
	 * programs only from 6.1: a bare probe would load on older kernels, the session not. */
	if (!feature_kernel_at_least(6, 1, release, sizeof(release))) {
		snprintf(why, len, "fmod_ret: Linux %s: sleepable programs may use fpbpf's maps (hash maps without preallocation) from 6.1; the kprobe or lsm backend serves instead",
			 release[0] ? release : "unknown");
		return false;
	}
	if (sys_kernel_symbol("openat", sym, sizeof(sym), reason, sizeof(reason))) {
		snprintf(why, len, "fmod_ret: %s", reason);
		return false;
	}
	if (!feature_fmod_ret(sym, true, reason, sizeof(reason))) {
		snprintf(why, len, "fmod_ret: %s", reason);
		return false;
	}
	return true;
}

static int fmod_serves(const struct rule *r, const struct backend_env *env, char *why, size_t len)
{
	char sym[96];

	if (r->kind != TARGET_SYS) {
		snprintf(why, len, "fmod_ret: serves sys: rules; kfunc: rules take the kprobe backend");
		return -EOPNOTSUPP;
	}
	if (sys_kernel_symbol(r->name, sym, sizeof(sym), why, len))
		return -EINVAL;
	/* The SYSCALL_DEFINE0 wrappers (getpid, sync, ...) have no BTF to attach by. */
	if (!feature_kernel_func(sym)) {
		snprintf(why, len, "fmod_ret: %s has no BTF to attach to (a syscall without arguments); the kprobe backend can", sym);
		return -EOPNOTSUPP;
	}
	for (int i = 0; i < r->nterms; i++)
		if (r->terms[i].action == RA_RETURN && r->terms[i].value == 0) {
			snprintf(why, len, "fmod_ret: a program that returns 0 lets the call run, so return(0) needs the kprobe backend or seccomp (run only)");
			return -EOPNOTSUPP;
		}
	if (r->cgroup[0]) {
		snprintf(why, len, "fmod_ret: cgroup= needs bpf_current_task_under_cgroup, which sleepable programs cannot call; the kprobe backend can");
		return -EOPNOTSUPP;
	}
	if (env->inj && !injector__has_fmod(env->inj, sym)) {
		snprintf(why, len, "fmod_ret: sys:%s was not named by a rule at start (its program loads before the session starts)",
			 r->name);
		return -EOPNOTSUPP;
	}
	return 0;
}

static int fmod_point(const struct rule *r, char *point, size_t len, char *why, size_t whylen)
{
	return sys_kernel_symbol(r->name, point, len, why, whylen);
}

/* One program per syscall the rules at start name, up to FP_FMOD_SLOTS. */
static void fmod_configure(struct injector_opts *o, const struct rule *const *rules, int n)
{
	char sym[96], why[256];

	for (int i = 0; i < n; i++) {
		bool known = false;

		if (sys_kernel_symbol(rules[i]->name, sym, sizeof(sym), why, sizeof(why)))
			continue;
		for (int k = 0; k < o->nfmod && !known; k++)
			known = !strcmp(o->fmod_targets[k], sym);
		if (!known && o->nfmod < FP_FMOD_SLOTS)
			snprintf(o->fmod_targets[o->nfmod++], sizeof(o->fmod_targets[0]), "%s", sym);
	}
}

static int fmod_attach(struct injector *inj, __u32 probe_id, const char *point)
{
	return injector__attach_fmod(inj, probe_id, point);
}

const struct sys_backend sys_fmod_backend = {
	.name = "fmod_ret",
	.verdict = "the return of a sleepable fmod_ret program on the syscall's entry",
	.gives = "the cheapest syscall faults, and string filters that never miss a page nothing touched",
	.available = fmod_available,
	.serves = fmod_serves,
	.attach_point = fmod_point,
	.configure = fmod_configure,
	.attach = fmod_attach,
	.detach = injector__detach,
};
