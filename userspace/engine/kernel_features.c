// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
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

/* A sleepable uprobe program that reads user memory faulting pages in (Linux 6.0+). */
bool feature_sleepable_uprobe(void)
{
	static int known = -1;
	const struct bpf_insn insns[] = {
		ST_DW(BPF_REG_10, -8, 0), MOV_REG(BPF_REG_1, BPF_REG_10), ADD_IMM(BPF_REG_1, -8),
		MOV_IMM(BPF_REG_2, 8),	  MOV_IMM(BPF_REG_3, 0),	  CALL(BPF_FUNC_copy_from_user),
		MOV_IMM(BPF_REG_0, 0),	  EXIT(),
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .prog_flags = BPF_F_SLEEPABLE);
	int fd;

	if (known < 0) {
		fd = bpf_prog_load(BPF_PROG_TYPE_KPROBE, NULL, "GPL", insns, sizeof(insns) / sizeof(insns[0]), &opts);
		known = fd >= 0;
		if (fd >= 0)
			close(fd);
	}
	return known == 1;
}

bool feature_user_stacks(void)
{
#if defined(__x86_64__)
	return libbpf_probe_bpf_helper(BPF_PROG_TYPE_KPROBE, BPF_FUNC_find_vma, NULL) == 1;
#else
	return false;
#endif
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

bool feature_kernel_at_least(int major, int minor, char *release, size_t len)
{
	struct utsname u;
	int ma = 0, mi = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return false;
	snprintf(release, len, "%s", u.release);
	return ma > major || (ma == major && mi >= minor);
}

bool feature_kernel_func(const char *name)
{
	return kernel_func_id(name) > 0;
}

/* The answer for one (function, sleepable) pair, probed once. */
struct fmod_probe {
	char func[96];
	bool sleepable, ok;
	char why[256];
};

static void probe_fmod_ret(struct fmod_probe *p)
{
	const struct bpf_insn insns[] = { MOV_IMM(BPF_REG_0, 0), EXIT() };
	int id = kernel_func_id(p->func), fd, link;

	if (id <= 0) {
		snprintf(p->why, sizeof(p->why), "%s", vmlinux_btf() ? "the kernel's BTF has no such function" : "the kernel has no BTF (CONFIG_DEBUG_INFO_BTF)");
		return;
	}
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_MODIFY_RETURN, .attach_btf_id = id,
		    .prog_flags = p->sleepable ? BPF_F_SLEEPABLE : 0);
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, NULL, "GPL", insns, 2, &opts);
	if (fd < 0) {
		snprintf(p->why, sizeof(p->why), "%s",
			 errno == EINVAL ? "the kernel refuses to modify its return (not on the error-injection list: CONFIG_FUNCTION_ERROR_INJECTION)"
			 : errno == EPERM ? "the kernel forbids it (EPERM: kernel lockdown or a security policy); the other backends may serve, see below"
					  : strerror(errno));
		return;
	}
	/* Returning 0 changes nothing: the probe costs one attach. */
	link = bpf_raw_tracepoint_open(NULL, fd);
	if (link < 0)
		snprintf(p->why, sizeof(p->why), "it does not attach (%s; needs CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS)",
			 strerror(errno));
	else
		close(link);
	close(fd);
	p->ok = link >= 0;
}

bool feature_fmod_ret(const char *func, bool sleepable, char *why, size_t len)
{
	static struct fmod_probe known[4];
	static int n;
	struct fmod_probe *p = NULL;

	for (int i = 0; i < n && !p; i++)
		if (known[i].sleepable == sleepable && !strcmp(known[i].func, func))
			p = &known[i];
	if (!p) {
		struct fmod_probe fresh = { .sleepable = sleepable };

		snprintf(fresh.func, sizeof(fresh.func), "%s", func);
		probe_fmod_ret(&fresh);
		p = n < 4 ? &known[n++] : &known[3];
		*p = fresh;
	}
	if (!p->ok && why)
		snprintf(why, len, "fmod_ret on %s: %s", func, p->why);
	return p->ok;
}
