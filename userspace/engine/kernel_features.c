// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
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

/* The seccomp backend's decision program: sleepable, run with BPF_PROG_TEST_RUN. */
bool feature_syscall_progs(void)
{
	static int known = -1;
	const struct bpf_insn insns[] = { MOV_IMM(BPF_REG_0, 0), EXIT() };
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .prog_flags = BPF_F_SLEEPABLE);
	int fd;

	if (known < 0) {
		fd = bpf_prog_load(BPF_PROG_TYPE_SYSCALL, NULL, "GPL", insns, 2, &opts);
		known = fd >= 0;
		if (fd >= 0)
			close(fd);
	}
	return known == 1;
}

bool feature_kprobe_pmu(void)
{
	return access("/sys/bus/event_source/devices/kprobe/type", F_OK) == 0;
}

/* Parsed once: a few MB that every lookup would otherwise parse again. */
static struct btf *vmlinux_btf(void)
{
	static struct btf *btf;
	static bool tried;

	if (!tried) {
		tried = true;
		btf = btf__load_vmlinux_btf();
	}
	return btf;
}

static int kernel_func_id(const char *name)
{
	struct btf *btf = vmlinux_btf();

	return btf ? btf__find_by_name_kind(btf, name, BTF_KIND_FUNC) : -ENOENT;
}

bool feature_kernel_func(const char *name)
{
	return kernel_func_id(name) > 0;
}

bool feature_fmod_ret_hooks(char *why, size_t len)
{
	static char known_why[256];
	static int known = -1;
	const struct bpf_insn insns[] = { MOV_IMM(BPF_REG_0, 0), EXIT() };
	int id, fd, link;

	if (known >= 0)
		goto out;
	known = 0;
	id = kernel_func_id("security_file_open");
	if (id <= 0) {
		snprintf(known_why, sizeof(known_why), "%s",
			 vmlinux_btf() ? "the kernel's BTF has no security_file_open (CONFIG_SECURITY off)"
				       : "the kernel has no BTF (CONFIG_DEBUG_INFO_BTF)");
		goto out;
	}
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_MODIFY_RETURN, .attach_btf_id = id);
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, NULL, "GPL", insns, 2, &opts);
	if (fd < 0) {
		snprintf(known_why, sizeof(known_why), "fmod_ret programs do not load here (%s; Linux 5.7+, CONFIG_BPF_LSM's trampolines)",
			 strerror(errno));
		goto out;
	}
	/* Returning 0 changes nothing: the probe costs one attach. */
	link = bpf_raw_tracepoint_open(NULL, fd);
	if (link < 0)
		snprintf(known_why, sizeof(known_why), "fmod_ret programs do not attach here (%s; needs CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS)",
			 strerror(errno));
	else
		close(link);
	close(fd);
	known = link >= 0;
out:
	if (!known && why)
		snprintf(why, len, "%s", known_why);
	return known == 1;
}
