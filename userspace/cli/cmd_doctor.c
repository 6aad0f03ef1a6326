// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Each check asks the kernel itself (load a probe program, look for a PMU or tracefs
 * file) rather than trusting a config file, which may be absent or disagree. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include "cli/doctor.h"
#include "engine/kernel_features.h"
#include "util/log.h"

struct check {
	const char *name;
	bool ok;
	const char *needed_for;
	char detail[256];	/* why it is missing and what to do */
};

static bool exists(const char *path)
{
	return access(path, F_OK) == 0;
}

static bool read_first_line(const char *path, char *buf, int len)
{
	FILE *f = fopen(path, "re");
	bool ok;

	if (!f)
		return false;
	ok = fgets(buf, len, f) != NULL;
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = 0;
	return ok;
}

/* securityfs and debugfs are often not mounted; mount them where the kernel has them. */
static void ensure_mounted(const char *dir, const char *fstype, const char *probe)
{
	if (!exists(probe) && exists(dir))
		mount("none", dir, fstype, 0, NULL);
}

const char *doctor_lockdown_mode(char *buf, int len)
{
	char line[128], *open, *close;

	ensure_mounted("/sys/kernel/security", "securityfs", "/sys/kernel/security/lsm");
	if (!read_first_line("/sys/kernel/security/lockdown", line, sizeof(line)))
		return NULL;
	open = strchr(line, '[');
	close = open ? strchr(open, ']') : NULL;
	if (!open || !close)
		return NULL;
	snprintf(buf, (size_t)len, "%.*s", (int)(close - open - 1), open + 1);
	return buf;
}

int doctor_report(bool json)
{
	struct utsname u;
	struct check c[16];
	char lockdown[32], lsm[256] = "", tracefs[64];
	const char *lock = doctor_lockdown_mode(lockdown, sizeof(lockdown));
	int n = 0;
	bool usdt_ok;

	uname(&u);
	ensure_mounted("/sys/kernel/debug", "debugfs", "/sys/kernel/debug/tracing");
	ensure_mounted("/sys/kernel/tracing", "tracefs", "/sys/kernel/tracing/events");
	snprintf(tracefs, sizeof(tracefs), "%s",
		 exists("/sys/kernel/tracing/events") ? "/sys/kernel/tracing" : "/sys/kernel/debug/tracing");
	read_first_line("/sys/kernel/security/lsm", lsm, sizeof(lsm));

#define ADD(NAME, OK, FOR, ...)                                                    \
	do {                                                                       \
		c[n].name = NAME;                                                  \
		c[n].ok = OK;                                                      \
		c[n].needed_for = FOR;                                             \
		snprintf(c[n].detail, sizeof(c[n].detail), __VA_ARGS__);          \
		n++;                                                               \
	} while (0)
/* Runs the probe once; the detail says what was found or what to do. */
#define CHECK(NAME, PROBE, FOR, YES, NO)                                          \
	do {                                                                       \
		bool ok_ = (PROBE);                                                \
		ADD(NAME, ok_, FOR, "%s", ok_ ? (YES) : (NO));                     \
	} while (0)

	ADD("kernel", true, "everything", "%s %s", u.release, u.machine);
	CHECK("btf", exists("/sys/kernel/btf/vmlinux"), "building fpbpf (CO-RE vmlinux.h), tracing programs",
	      "/sys/kernel/btf/vmlinux", "missing: rebuild the kernel with CONFIG_DEBUG_INFO_BTF=y");
	CHECK("bpf_syscall", feature_kprobe_progs(), "everything", "kprobe/uprobe programs load",
	      "cannot load BPF programs: needs root (CAP_BPF+CAP_PERFMON) and CONFIG_BPF_SYSCALL, CONFIG_BPF_EVENTS");
	CHECK("uprobes", exists("/sys/bus/event_source/devices/uprobe/type"), "USDT failpoints", "uprobe PMU present",
	      "no uprobe PMU: rebuild the kernel with CONFIG_UPROBES=y and CONFIG_UPROBE_EVENTS=y");
	CHECK("usdt_semaphores", exists("/sys/bus/event_source/devices/uprobe/format/ref_ctr_offset"),
	      "failpoints that cost one branch when detached", "uprobe ref_ctr_offset supported",
	      "kernel older than 4.20: semaphores are not incremented, failpoints never fire");
	CHECK("ringbuf", libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 1, "events, stop-and-write delivery",
	      "BPF ring buffer supported", "needs Linux 5.8 or later");
	CHECK("bpf_send_signal", feature_send_signal_thread(), "signal(), panic at probes, stop-and-write",
	      "bpf_send_signal_thread available", "needs Linux 5.5 or later");
	if (feature_probe_write_user())
		ADD("bpf_probe_write_user", true, "direct verdict delivery (fast path)", "available");
	else
		ADD("bpf_probe_write_user", false, "direct verdict delivery (fast path)",
		    "unavailable%s%s%s: fpbpf falls back to stop-and-write (slower, briefly stops the process); boot with lockdown=none to get it",
		    lock ? " (kernel lockdown is '" : "", lock ? lock : "", lock ? "')" : "");
	CHECK("kprobes", feature_kprobe_pmu(), "sys: and kfunc: faults", "kprobe PMU present",
	      "no kprobe PMU: the kernel lacks CONFIG_KPROBES (and CONFIG_KPROBE_EVENTS); use the VM kernel (vmtest/)");
	CHECK("bpf_override_return", feature_override_return(), "sys: and kfunc: faults", "available",
	      "unavailable: needs CONFIG_BPF_KPROBE_OVERRIDE and CONFIG_FUNCTION_ERROR_INJECTION (Debian's stock kernel has neither)");
	{
		char p[128];
		bool ok;

		snprintf(p, sizeof(p), "%s/events/syscalls/sys_enter_openat/format", tracefs);
		ok = exists(p);
		CHECK("syscall_tracepoints", ok, "syscall argument names for sys: filters", "syscalls:* tracepoints present",
		      "missing: needs CONFIG_FTRACE_SYSCALLS and tracefs mounted; a built-in table is used instead");
	}
	CHECK("error_injection_list", exists("/sys/kernel/debug/error_injection/list"), "checking kfunc: targets",
	      "/sys/kernel/debug/error_injection/list", "missing: needs CONFIG_FUNCTION_ERROR_INJECTION and debugfs");
	CHECK("bpf_lsm", strstr(lsm, "bpf") != NULL, "future LSM-based faults", "bpf is in the active LSM list",
	      "bpf is not an active LSM: needs CONFIG_BPF_LSM and lsm=...,bpf on the kernel command line");
	CHECK("uprobe_register_writes", feature_uprobe_regs_write(), "nothing (fpbpf writes verdicts to memory instead)",
	      "verifier accepts pt_regs writes", "verifier rejects pt_regs writes from uprobe programs (expected)");
#undef ADD
#undef CHECK

	usdt_ok = c[2].ok && c[3].ok && c[4].ok && c[5].ok && c[6].ok;
	if (json) {
		printf("{\"v\":1,\"type\":\"doctor\",\"lockdown\":");
		if (lock)
			json_print_string(stdout, lock);
		else
			fputs("null", stdout);
		printf(",\"delivery\":\"%s\",\"checks\":[", c[7].ok ? "write" : "stop");
		for (int i = 0; i < n; i++) {
			printf("%s{\"name\":\"%s\",\"ok\":%s,\"needed_for\":", i ? "," : "", c[i].name, c[i].ok ? "true" : "false");
			json_print_string(stdout, c[i].needed_for);
			fputs(",\"detail\":", stdout);
			json_print_string(stdout, c[i].detail);
			fputs("}", stdout);
		}
		printf("],\"usdt_ready\":%s,\"syscall_faults_ready\":%s}\n", usdt_ok ? "true" : "false",
		       c[8].ok && c[9].ok ? "true" : "false");
	} else {
		for (int i = 0; i < n; i++)
			printf("%-24s %-4s %s  [for: %s]\n", c[i].name, c[i].ok ? "ok" : "NO", c[i].detail, c[i].needed_for);
		printf("verdict delivery: %s\n", c[7].ok ? "direct write" : "stop-and-write");
		printf("USDT failpoints: %s; syscall faults: %s\n", usdt_ok ? "ready" : "NOT ready",
		       c[8].ok && c[9].ok ? "ready" : "NOT available on this kernel");
	}
	return usdt_ok ? 0 : 1;
}
