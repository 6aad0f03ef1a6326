// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <unistd.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include "engine/kernel_features.h"

#define MOV_IMM(dst, v) { .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = dst, .imm = v }
#define MOV_REG(dst, src) { .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = dst, .src_reg = src }
#define ADD_IMM(dst, v) { .code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = dst, .imm = v }
#define ST_DW(dst, o, v) { .code = BPF_ST | BPF_MEM | BPF_DW, .dst_reg = dst, .off = o, .imm = v }
#define STX_DW(dst, src, o) { .code = BPF_STX | BPF_MEM | BPF_DW, .dst_reg = dst, .src_reg = src, .off = o }
#define CALL(id) { .code = BPF_JMP | BPF_CALL, .imm = id }
#define EXIT() { .code = BPF_JMP | BPF_EXIT }

static bool loads(const struct bpf_insn *insns, size_t n)
{
	int fd = bpf_prog_load(BPF_PROG_TYPE_KPROBE, NULL, "GPL", insns, n, NULL);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* A kernel's answer does not change while fpbpf runs: each probe loads its program once,
 * however many rules and sessions ask. */
#define LOADS(arr)                                                             \
	({                                                                     \
		static int known = -1;                                         \
		if (known < 0)                                                 \
			known = loads(arr, sizeof(arr) / sizeof(arr[0]));      \
		known == 1;                                                    \
	})

bool feature_probe_write_user(void)
{
	const struct bpf_insn insns[] = {
		ST_DW(BPF_REG_10, -8, 0), MOV_REG(BPF_REG_2, BPF_REG_10), ADD_IMM(BPF_REG_2, -8),
		MOV_IMM(BPF_REG_3, 8),	  MOV_IMM(BPF_REG_1, 0),	  CALL(BPF_FUNC_probe_write_user),
		MOV_IMM(BPF_REG_0, 0),	  EXIT(),
	};

	return LOADS(insns);
}

bool feature_override_return(void)
{
	const struct bpf_insn insns[] = {
		MOV_IMM(BPF_REG_2, 0), CALL(BPF_FUNC_override_return), MOV_IMM(BPF_REG_0, 0), EXIT(),
	};

	return LOADS(insns);
}

bool feature_send_signal_thread(void)
{
	const struct bpf_insn insns[] = {
		MOV_IMM(BPF_REG_1, 0), CALL(BPF_FUNC_send_signal_thread), MOV_IMM(BPF_REG_0, 0), EXIT(),
	};

	return LOADS(insns);
}

bool feature_kprobe_progs(void)
{
	const struct bpf_insn insns[] = { MOV_IMM(BPF_REG_0, 0), EXIT() };

	return LOADS(insns);
}

/* 80 is pt_regs->ax on x86_64; any ctx store is what the verifier judges. */
bool feature_uprobe_regs_write(void)
{
	const struct bpf_insn insns[] = {
		MOV_IMM(BPF_REG_2, 0), STX_DW(BPF_REG_1, BPF_REG_2, 80), MOV_IMM(BPF_REG_0, 0), EXIT(),
	};

	return LOADS(insns);
}

bool feature_kprobe_pmu(void)
{
	return access("/sys/bus/event_source/devices/kprobe/type", F_OK) == 0;
}
