/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The few kernel types fpbpf's BPF programs use, declared for CO-RE instead of a
 * vmlinux.h dumped from some kernel's BTF: every field access is relocated against the
 * running kernel's BTF at load time, so the build never depends on the build machine's
 * kernel (a package builder or a container has none to dump). Field names are the
 * kernel's; layouts of the structs read only through CO-RE may be partial. */
#ifndef FPBPF_KERNEL_TYPES_BPF_H
#define FPBPF_KERNEL_TYPES_BPF_H

#include <linux/types.h>
#include <linux/bpf.h>

/* bpf_tracing.h then names registers as the kernel does (di, not rdi). */
#define __VMLINUX_H__

typedef _Bool bool;
typedef int pid_t;
enum { false = 0, true = 1 };

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

#if defined(__TARGET_ARCH_x86)
/* Read also by constant offset (read_reg), so this layout is the kernel's whole one. */
struct pt_regs {
	unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8, ax, cx, dx, si, di, orig_ax, ip, cs,
		flags, sp, ss;
};
#elif defined(__TARGET_ARCH_arm64)
struct user_pt_regs {
	__u64 regs[31];
	__u64 sp;
	__u64 pc;
	__u64 pstate;
};

struct pt_regs {
	union {
		struct user_pt_regs user_regs;
		struct {
			__u64 regs[31];
			__u64 sp;
			__u64 pc;
			__u64 pstate;
		};
	};
	__u64 orig_x0;
	__s32 syscallno;
};
#else
#error "fpbpf's BPF programs know the registers of x86 and arm64 only"
#endif

typedef struct {
	int counter;
} atomic_t;

struct signal_struct {
	atomic_t live;
};

struct task_struct {
	pid_t pid;
	pid_t tgid;
	int exit_code;
	char comm[16];
	struct signal_struct *signal;
};

struct super_block {
	__u32 s_dev;
};

struct inode {
	unsigned long i_ino;
	struct super_block *i_sb;
};

struct file {
	struct inode *f_inode;
};

struct vm_area_struct {
	unsigned long vm_start;
	unsigned long vm_end;
	unsigned long vm_flags;
	unsigned long vm_pgoff;
	struct file *vm_file;
};

struct linux_binprm {
	const char *filename;
};

#pragma clang attribute pop

#endif
