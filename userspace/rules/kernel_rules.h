/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* sys: and kfunc: rules, checked against the running kernel before anything attaches. */
#ifndef FPBPF_KERNEL_RULES_H
#define FPBPF_KERNEL_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include "rules/rules.h"

bool rule_is_kernel(const struct rule *r);

/* A sys:/kfunc: rule made ready for a backend: scoped to processes unless has_target or
 * all_processes, and a syscall's named argument filters bound to positions and checked
 * against its signature. Returns 0 or -EINVAL with err set (FILE:LINE:COL: ...). Whether
 * the kernel can serve it is the backends' question (engine/sys_backend.h). */
int kernel_rule_prepare(struct rule *r, bool has_target, bool all_processes, char *err, size_t errlen);

#endif
