// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "rules/kernel_rules.h"
#include "rules/syscalls.h"

bool rule_is_kernel(const struct rule *r)
{
	return r->kind == TARGET_SYS || r->kind == TARGET_KFUNC;
}

static const char *prefix(const struct rule *r)
{
	return r->kind == TARGET_SYS ? "sys" : "kfunc";
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
static int bind_arguments(struct rule *r, char *err, size_t errlen)
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
			snprintf(err, errlen, "%s:%d:%d: filter '%s=': the arguments of %s are unknown (no tracefs events/syscalls/sys_enter_%s and no built-in entry); use arg1= .. arg6=",
				  r->origin, r->line, na->col, na->name, r->name, r->name);
			return -EINVAL;
		}
		idx = sys_arg_index(&sig, na->name);
		if (idx < 0) {
			snprintf(err, errlen, "%s:%d:%d: %s has no argument '%s'; its arguments: %s", r->origin, r->line,
				  na->col, r->name, na->name, names);
			return -EINVAL;
		}
		if (r->args[idx].kind != FP_ARG_ANY) {
			snprintf(err, errlen, "%s:%d:%d: argument '%s' of %s is filtered twice", r->origin, r->line, na->col,
				  sig.names[idx], r->name);
			return -EINVAL;
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
			snprintf(err, errlen, "%s:%d:%d: arg%d= filter, but %s takes %d argument(s): %s", r->origin, r->line,
				  r->args_col[i], i + 1, r->name, sig.nargs, names);
			return -EINVAL;
		}
		if (known && r->args[i].kind == FP_ARG_STR_GLOB && !sig.is_string[i]) {
			snprintf(err, errlen, "%s:%d:%d: '%s' of %s is not a string; it takes a number or flag names",
				  r->origin, r->line, r->args_col[i], sig.names[i], r->name);
			return -EINVAL;
		}
	}
	return 0;
}

int kernel_rule_prepare(struct rule *r, bool has_target, bool all_processes, char *err, size_t errlen)
{
	if (!rule_is_kernel(r))
		return 0;
	if (!has_target && !all_processes && !rule_has_scope(r)) {
		snprintf(err, errlen, "%s:%d:%d: %s:%s would fail calls of every process: scope it with pid=, comm=, uid= or cgroup=, use fpbpf run/attach -p, or pass --all-processes",
			 r->origin, r->line, r->target_col, prefix(r), r->name);
		return -EINVAL;
	}
	return r->kind == TARGET_SYS ? bind_arguments(r, err, errlen) : 0;
}
