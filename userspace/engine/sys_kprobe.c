// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Backend: a kprobe on the syscall's entry wrapper (or an error-injectable function);
 * the verdict leaves BPF as the overridden return value (bpf_override_return). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "engine/injector.h"
#include "engine/kernel_features.h"
#include "engine/sys_backend.h"
#include "rules/rules.h"
#include "rules/syscalls.h"
#include "util/log.h"

static bool kprobe_available(char *why, size_t len)
{
	if (!feature_kprobe_pmu()) {
		snprintf(why, len, "kprobe: this kernel has no kprobes (CONFIG_KPROBES and CONFIG_KPROBE_EVENTS are off); run syscall faults in the VM kernel (make vmtest) or a kernel built with them; see fpbpf doctor");
		return false;
	}
	if (!feature_override_return()) {
		snprintf(why, len, "kprobe: this kernel lacks bpf_override_return (CONFIG_BPF_KPROBE_OVERRIDE and CONFIG_FUNCTION_ERROR_INJECTION); see fpbpf doctor");
		return false;
	}
	return true;
}

static int kprobe_serves(const struct rule *r, const struct backend_env *env, char *why, size_t len)
{
	int ret;

	(void)env;
	if (r->kind == TARGET_SYS)
		return 0;
	ret = kfunc_injectable(r->name, why, len);
	if (ret < 0) {
		pr_warn("fpbpf: %s; attaching to %s without checking it\n", why, r->name);
		return 0;
	}
	return ret == 1 ? 0 : -EINVAL;
}

static int kprobe_point(const struct rule *r, char *point, size_t len, char *why, size_t whylen)
{
	if (r->kind == TARGET_KFUNC) {
		snprintf(point, len, "%s", r->name);
		return 0;
	}
	return sys_kernel_symbol(r->name, point, len, why, whylen);
}

/* Always, where the kernel can: `set` may add kernel rules later. */
static void kprobe_configure(struct injector_opts *o, const struct rule *const *rules, int n)
{
	(void)rules;
	(void)n;
	o->kernel_probes = true;
}

static int kprobe_attach(struct injector *inj, __u32 probe_id, const char *point)
{
	return injector__attach_kprobe(inj, probe_id, point);
}

const struct sys_backend sys_kprobe_backend = {
	.name = "kprobe",
	.verdict = "bpf_override_return from a kprobe on the entry",
	.gives = "kfunc: faults, and the syscall rules fmod_ret cannot serve (return(0), cgroup=, a syscall set live that no rule named at start)",
	.available = kprobe_available,
	.serves = kprobe_serves,
	.attach_point = kprobe_point,
	.configure = kprobe_configure,
	.attach = kprobe_attach,
	.detach = injector__detach,
};
