/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Kernel feature probes: each loads a tiny program that really calls the helper, because
 * libbpf_probe_bpf_helper() reports helpers removed by lockdown as present. */
#ifndef FPBPF_KERNEL_FEATURES_H
#define FPBPF_KERNEL_FEATURES_H

#include <stdbool.h>
#include <stddef.h>

bool feature_probe_write_user(void);
bool feature_override_return(void);
bool feature_send_signal_thread(void);
bool feature_kprobe_progs(void);
/* The kprobe PMU that libbpf attaches kprobes through (CONFIG_KPROBES). */
bool feature_kprobe_pmu(void);
bool feature_uprobe_regs_write(void);
/* BPF_PROG_TYPE_SYSCALL programs (Linux 5.14+), which the seccomp backend runs. */
bool feature_syscall_progs(void);
/* Sleepable uprobe programs (Linux 6.0+): strings at other software's probes read with
 * faults allowed. */
bool feature_sleepable_uprobe(void);
/* caller= and explore's sites by caller: bpf_find_vma (5.17, as bpf_loop) in BPF, and an
 * x86-64 stack the seccomp supervisor can read from outside. */
bool feature_user_stacks(void);
/* Whether the running kernel's BTF has function name (attach targets of fmod_ret). */
bool feature_kernel_func(const char *name);
/* Whether the running kernel is major.minor or later; release gets uname's. */
bool feature_kernel_at_least(int major, int minor, char *release, size_t len);
/* An fmod_ret program (sleepable or not) loads and attaches on kernel function func
 * (BPF trampolines, BTF, and for a syscall entry the error-injection list); else why
 * names what failed. */
bool feature_fmod_ret(const char *func, bool sleepable, char *why, size_t len);

#endif
