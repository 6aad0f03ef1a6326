/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* A syscall's arguments as its entry wrapper (__x64_sys_*, __arm64_sys_*) sees them: the
 * wrapper's only argument is the user pt_regs. libbpf 1.1 stops at the fifth argument, so
 * the sixth is read here per architecture. */
#ifndef FPBPF_SYSCALL_ARGS_BPF_H
#define FPBPF_SYSCALL_ARGS_BPF_H

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

/* SYSCALL_NR_CORE: the number of the syscall the user registers entered with. */
#if defined(__TARGET_ARCH_x86)
#define SYSCALL_ARG6(regs) BPF_CORE_READ(regs, r9)
#define SYSCALL_NR_CORE(regs) ((__u64)BPF_CORE_READ(regs, orig_ax))
#elif defined(__TARGET_ARCH_arm64)
#define SYSCALL_ARG6(regs) BPF_CORE_READ(regs, regs[5])
#define SYSCALL_NR_CORE(regs) ((__u64)(__s64)BPF_CORE_READ(regs, syscallno))
#else
#error "fpbpf reads syscall arguments on x86 and arm64 only"
#endif

/* regs: the user registers, the wrapper's first argument. */
static __always_inline void syscall_args(struct pt_regs *regs, __u64 out[6])
{
	out[0] = PT_REGS_PARM1_CORE_SYSCALL(regs);
	out[1] = PT_REGS_PARM2_CORE_SYSCALL(regs);
	out[2] = PT_REGS_PARM3_CORE_SYSCALL(regs);
	out[3] = PT_REGS_PARM4_CORE_SYSCALL(regs);
	out[4] = PT_REGS_PARM5_CORE_SYSCALL(regs);
	out[5] = SYSCALL_ARG6(regs);
}

#endif
