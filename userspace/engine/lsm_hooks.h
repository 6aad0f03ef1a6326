/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Which security hook each syscall passes on its way to doing its work: where the lsm
 * backend fails the call. docs/backends.md shows the same table (a unit test compares). */
#ifndef FPBPF_LSM_HOOKS_H
#define FPBPF_LSM_HOOKS_H

struct lsm_hook_row {
	const char *hook;	/* security_<hook> */
	const char *const *syscalls;	/* NULL-terminated */
};

extern const struct lsm_hook_row lsm_hook_table[];

/* The hook syscall passes (without "security_"), or NULL when the table has none. */
const char *lsm_hook_of(const char *syscall);

#endif
