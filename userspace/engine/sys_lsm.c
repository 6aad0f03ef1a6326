// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Backend: the decision at a kprobe on the syscall's entry (so counts and when= number
 * calls, and filters see the call's arguments), the error from an fmod_ret program on the
 * security hook the call passes next. Needs no bpf_override_return: it serves the kernels
 * that lack it (Debian, RHEL 9, Fedora, ...) for `attach` as well as `run`. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "engine/injector.h"
#include "engine/kernel_features.h"
#include "engine/lsm_hooks.h"
#include "engine/sys_backend.h"
#include "rules/rules.h"
#include "rules/syscalls.h"

static bool lsm_available(char *why, size_t len)
{
	char reason[400];

	if (!feature_kprobe_pmu()) {
		snprintf(why, len, "lsm: its decision runs in a kprobe, and this kernel has no kprobes (CONFIG_KPROBES)");
		return false;
	}
	if (!feature_fmod_ret("security_file_open", false, reason, sizeof(reason))) {
		snprintf(why, len, "lsm: %s", reason);
		return false;
	}
	return true;
}

/* The hook r's syscall passes, if this kernel has it. */
static const char *kernel_hook(const struct rule *r)
{
	const char *hook = lsm_hook_of(r->name);
	char fn[96];

	snprintf(fn, sizeof(fn), "security_%s", hook ? hook : "");
	return hook && feature_kernel_func(fn) ? hook : NULL;
}

/* Whether a term fails the call, the one thing a security hook can do to it. */
static bool term_fails(const struct rule_term *t)
{
	return t->action == RA_ERROR || t->action == RA_RETURN;
}

static int lsm_serves(const struct rule *r, const struct backend_env *env, char *why, size_t len)
{
	const char *hook = lsm_hook_of(r->name);
	bool fails = false;

	(void)env;
	if (r->kind != TARGET_SYS) {
		snprintf(why, len, "lsm: kfunc: rules need bpf_override_return (the kprobe backend)");
		return -EOPNOTSUPP;
	}
	if (sys_number(r->name, why, len) < 0)
		return -EINVAL;
	for (int i = 0; i < r->nterms; i++) {
		if (r->terms[i].action == RA_RETURN && r->terms[i].value >= 0) {
			snprintf(why, len, "lsm: a security hook can only fail a call, not make it return %lld; the kprobe backend (bpf_override_return) or seccomp (run only) can",
				 (long long)r->terms[i].value);
			return -EOPNOTSUPP;
		}
		fails |= term_fails(&r->terms[i]);
	}
	if (!fails)
		return 0;	/* delay and signal act at the entry */
	if (!hook) {
		snprintf(why, len, "lsm: sys:%s passes no security hook fpbpf knows (docs/backends.md lists them); the kprobe backend or seccomp (run only) can fail it",
			 r->name);
		return -EOPNOTSUPP;
	}
	if (!kernel_hook(r)) {
		snprintf(why, len, "lsm: this kernel has no security_%s for sys:%s (CONFIG_SECURITY_NETWORK off?); the kprobe backend or seccomp (run only) can fail it",
			 hook, r->name);
		return -EOPNOTSUPP;
	}
	return 0;
}

/* ENTRY@HOOK, or ENTRY alone for a syscall without a hook (delay and signal only). */
static int lsm_point(const struct rule *r, char *point, size_t len, char *why, size_t whylen)
{
	const char *hook = kernel_hook(r);
	char sym[96];

	if (sys_kernel_symbol(r->name, sym, sizeof(sym), why, whylen))
		return -1;
	snprintf(point, len, "%s%s%s", sym, hook ? "@" : "", hook ? hook : "");
	return 0;
}

static void lsm_configure(struct injector_opts *o, const struct rule *const *rules, int n)
{
	(void)rules;
	(void)n;
	o->hooks = true;
}

static int lsm_attach(struct injector *inj, __u32 probe_id, const char *point)
{
	const char *at = strchr(point, '@');
	char entry[96];

	if (!at)
		return injector__attach_hook(inj, probe_id, point, NULL);
	snprintf(entry, sizeof(entry), "%.*s", (int)(at - point), point);
	return injector__attach_hook(inj, probe_id, entry, at + 1);
}

const struct sys_backend sys_lsm_backend = {
	.name = "lsm",
	.verdict = "the error returned by the security hook the call passes (fmod_ret on security_*), decided at a kprobe on the entry",
	.gives = "syscall errors for attach (and run) on kernels without bpf_override_return",
	.available = lsm_available,
	.serves = lsm_serves,
	.attach_point = lsm_point,
	.configure = lsm_configure,
	.attach = lsm_attach,
	.detach = injector__detach,
};
