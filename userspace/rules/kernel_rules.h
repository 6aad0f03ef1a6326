/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* sys: and kfunc: rules, checked against the running kernel before anything attaches. */
#ifndef FPBPF_KERNEL_RULES_H
#define FPBPF_KERNEL_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include "rules/rules.h"

bool rule_is_kernel(const struct rule *r);

/* For every sys:/kfunc: rule: the kernel can take it (kprobes, bpf_override_return),
 * the function is on the error-injection list (a syscall's entry symbol is checked when
 * the session resolves its probes), argument filters name real
 * arguments (bound to positions here), and the rule is scoped to processes unless
 * has_target or all_processes. Prints the first problem; returns 0, 2 for a bad rule,
 * or 1 when the kernel lacks a capability. */
int kernel_rules_prepare(struct rule *rules, int nrules, bool has_target, bool all_processes);

/* The symbol the rule's kprobe goes on. */
int kernel_rule_symbol(const struct rule *r, char *sym, size_t len);

#endif
