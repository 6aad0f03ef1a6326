// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdio.h>
#include <string.h>
#include "engine/kernel_features.h"
#include "rules/kernel_rules.h"
#include "util/log.h"
#include "rules/syscalls.h"

bool rule_is_kernel(const struct rule *r)
{
	return r->kind == TARGET_SYS || r->kind == TARGET_KFUNC;
}

static const char *prefix(const struct rule *r)
{
	return r->kind == TARGET_SYS ? "sys" : "kfunc";
}

/* Names what the kernel lacks, once per session. */
static int check_kernel_can(const struct rule *r)
{
	if (!feature_kprobe_pmu()) {
		log_error("%s:%d:%d: %s: faults need kprobes, and this kernel has none (CONFIG_KPROBES and CONFIG_KPROBE_EVENTS are off); run them in the VM kernel (make vmtest) or a kernel built with them; see fpbpf doctor",
			  r->origin, r->line, r->target_col, prefix(r));
		return 1;
	}
	if (!feature_override_return()) {
		log_error("%s:%d:%d: %s: faults need bpf_override_return, which this kernel lacks (CONFIG_BPF_KPROBE_OVERRIDE and CONFIG_FUNCTION_ERROR_INJECTION); see fpbpf doctor",
			  r->origin, r->line, r->target_col, prefix(r));
		return 1;
	}
	return 0;
}

static void signature_names(const struct sys_signature *sig, char *out, size_t len)
{
	size_t used = 0;

	out[0] = 0;
	for (int i = 0; i < sig->nargs; i++)
		used += (size_t)snprintf(out + used, used < len ? len - used : 0, "%s%s", i ? ", " : "", sig->names[i]);
	if (!sig->nargs)
		snprintf(out, len, "none");
}

/* Moves name= filters to their argument's position and checks each filter's kind. */
static int bind_arguments(struct rule *r)
{
	struct sys_signature sig;
	bool known = !sys_signature(r->name, &sig);
	char names[256];

	if (known)
		signature_names(&sig, names, sizeof(names));
	for (int i = 0; i < r->nnamed; i++) {
		const struct rule_named_arg *na = &r->named[i];
		int idx;

		if (!known) {
			log_error("%s:%d:%d: filter '%s=': the arguments of %s are unknown (no tracefs events/syscalls/sys_enter_%s and no built-in entry); use arg1= .. arg6=",
				  r->origin, r->line, na->col, na->name, r->name, r->name);
			return 2;
		}
		idx = sys_arg_index(&sig, na->name);
		if (idx < 0) {
			log_error("%s:%d:%d: %s has no argument '%s'; its arguments: %s", r->origin, r->line,
				  na->col, r->name, na->name, names);
			return 2;
		}
		if (r->args[idx].kind != FP_ARG_ANY) {
			log_error("%s:%d:%d: argument '%s' of %s is filtered twice", r->origin, r->line, na->col,
				  sig.names[idx], r->name);
			return 2;
		}
		r->args[idx] = na->a;
		r->args_col[idx] = na->col;
	}
	for (int i = 0; i < FP_MAX_ARGS; i++) {
		if (known && i < sig.nargs)
			snprintf(r->arg_names[i], sizeof(r->arg_names[i]), "%s", sig.names[i]);
		else
			snprintf(r->arg_names[i], sizeof(r->arg_names[i]), "arg%d", i + 1);
		if (r->args[i].kind == FP_ARG_ANY)
			continue;
		if (known && i >= sig.nargs) {
			log_error("%s:%d:%d: arg%d= filter, but %s takes %d argument(s): %s", r->origin, r->line,
				  r->args_col[i], i + 1, r->name, sig.nargs, names);
			return 2;
		}
		if (known && r->args[i].kind == FP_ARG_STR_GLOB && !sig.is_string[i]) {
			log_error("%s:%d:%d: '%s' of %s is not a string; it takes a number or flag names",
				  r->origin, r->line, r->args_col[i], sig.names[i], r->name);
			return 2;
		}
	}
	return 0;
}

int kernel_rule_symbol(const struct rule *r, char *sym, size_t len)
{
	char why[512];

	if (r->kind == TARGET_KFUNC) {
		snprintf(sym, len, "%s", r->name);
		return 0;
	}
	if (sys_kernel_symbol(r->name, sym, len, why, sizeof(why))) {
		log_error("%s:%d:%d: %s", r->origin, r->line, r->target_col, why);
		return -1;
	}
	return 0;
}

int kernel_rules_prepare(struct rule *rules, int nrules, bool has_target, bool all_processes)
{
	bool checked = false;

	for (int i = 0; i < nrules; i++) {
		struct rule *r = &rules[i];
		char why[512];
		int ret;

		if (!rule_is_kernel(r))
			continue;
		if (!checked) {
			ret = check_kernel_can(r);
			if (ret)
				return ret;
			checked = true;
		}
		if (!has_target && !all_processes && !rule_has_scope(r)) {
			log_error("%s:%d:%d: %s:%s would fail calls of every process: scope it with pid=, comm=, uid= or cgroup=, use fpbpf run/attach -p, or pass --all-processes",
				  r->origin, r->line, r->target_col, prefix(r), r->name);
			return 2;
		}
		if (r->kind == TARGET_SYS) {
			/* The entry symbol is looked up once, when resolve() adds the probe. */
			ret = bind_arguments(r);
			if (ret)
				return ret;
			continue;
		}
		ret = kfunc_injectable(r->name, why, sizeof(why));
		if (ret == 0) {
			log_error("%s:%d:%d: %s", r->origin, r->line, r->target_col, why);
			return 2;
		}
		if (ret < 0)
			pr_warn("fpbpf: %s; attaching to %s without checking it\n", why, r->name);
	}
	return 0;
}
