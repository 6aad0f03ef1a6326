/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What fpbpf needs to know about a syscall or kernel function before attaching to it:
 * the symbol to put the kprobe on, and the names and kinds of a syscall's arguments. */
#ifndef FPBPF_SYSCALLS_H
#define FPBPF_SYSCALLS_H

#include <stdbool.h>
#include <stddef.h>

#define SYS_MAX_ARGS 6
#define SYS_ARG_NAME_LEN 32

struct sys_signature {
	int nargs;
	char names[SYS_MAX_ARGS][SYS_ARG_NAME_LEN];
	bool is_string[SYS_MAX_ARGS];	/* const char __user *: glob filters read it */
	bool from_tracefs;		/* false: the built-in table */
};

/* Fills sig for the syscall; -1 when neither tracefs nor the built-in table knows it. */
int sys_signature(const char *name, struct sys_signature *sig);

/* The argument a filter key names: its own name, or path=/pathname=/filename= for
 * whichever of those the syscall uses. -1 when none. */
int sys_arg_index(const struct sys_signature *sig, const char *key);

/* The kernel symbol of the syscall's entry for this architecture (the wrapper libbpf's
 * ksyscall uses). Returns -1 with why set when the running kernel has no such symbol,
 * with the closest syscall names in it. */
int sys_kernel_symbol(const char *name, char *sym, size_t len, char *why, size_t whylen);

/* The syscall's number on this architecture, or -1 with the closest names in why. */
int sys_number(const char *name, char *why, size_t whylen);

/* Whether func is on the kernel's error-injection list: 1 yes, 0 no (why names the list
 * and the closest entries), -1 the list cannot be read (why says which file). */
int kfunc_injectable(const char *func, char *why, size_t whylen);

#endif
