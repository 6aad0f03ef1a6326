// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* fpbpf doctor: each check asks the kernel itself (loads a probe program, looks for a PMU
 * or a tracefs file) rather than trusting a config file, which may be absent or disagree.
 * Checks are looked up by name, never by position. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include "cli/commands.h"
#include "cli/doctor.h"
#include "engine/kernel_features.h"
#include "engine/sys_backend.h"
#include "util/json_writer.h"
#include "util/log.h"

#define MAX_CHECKS 24

struct check {
	char name[40];
	bool ok;
	const char *needed_for;
	char detail[512];	/* what was found, or why it is missing and what to do */
};

struct report {
	struct check c[MAX_CHECKS];
	int n;
	char lockdown[32];
	const char *lock;
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

static struct check *add(struct report *r, const char *name, bool ok, const char *needed_for)
{
	struct check *c = &r->c[r->n < MAX_CHECKS - 1 ? r->n++ : r->n];

	*c = (struct check){ .ok = ok, .needed_for = needed_for };
	snprintf(c->name, sizeof(c->name), "%s", name);
	return c;
}

static void check(struct report *r, const char *name, bool ok, const char *needed_for, const char *yes,
		  const char *no)
{
	snprintf(add(r, name, ok, needed_for)->detail, sizeof(r->c[0].detail), "%s", ok ? yes : no);
}

static bool passed(const struct report *r, const char *name)
{
	for (int i = 0; i < r->n; i++)
		if (!strcmp(r->c[i].name, name))
			return r->c[i].ok;
	return false;
}

static const char *user_stacks_missing(void)
{
#if defined(__x86_64__)
	return "no bpf_find_vma (needs Linux 5.17 or later): caller= matches nothing; explore keeps one site per syscall";
#else
	return "stack walks are written for x86-64 only: caller= matches nothing; explore keeps one site per syscall";
#endif
}

static void usdt_checks(struct report *r)
{
	struct utsname u;
	struct check *c;

	uname(&u);
	snprintf(add(r, "kernel", true, "everything")->detail, sizeof(r->c[0].detail), "%s %s", u.release, u.machine);
	check(r, "btf", exists("/sys/kernel/btf/vmlinux"), "CO-RE relocations, tracing programs",
	      "/sys/kernel/btf/vmlinux", "missing: rebuild the kernel with CONFIG_DEBUG_INFO_BTF=y");
	check(r, "bpf_syscall", feature_kprobe_progs(), "everything", "kprobe/uprobe programs load",
	      "cannot load BPF programs: needs root (CAP_BPF+CAP_PERFMON) and CONFIG_BPF_SYSCALL, CONFIG_BPF_EVENTS");
	check(r, "uprobes", exists("/sys/bus/event_source/devices/uprobe/type"), "USDT failpoints", "uprobe PMU present",
	      "no uprobe PMU: rebuild the kernel with CONFIG_UPROBES=y and CONFIG_UPROBE_EVENTS=y");
	check(r, "usdt_semaphores", exists("/sys/bus/event_source/devices/uprobe/format/ref_ctr_offset"),
	      "failpoints that cost one branch when detached", "uprobe ref_ctr_offset supported",
	      "kernel older than 4.20: semaphores are not incremented, failpoints never fire");
	check(r, "ringbuf", libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 1, "events, stop-and-write delivery",
	      "BPF ring buffer supported", "needs Linux 5.8 or later");
	check(r, "bpf_send_signal", feature_send_signal_thread(), "signal(), panic at probes, stop-and-write",
	      "bpf_send_signal_thread available", "needs Linux 5.5 or later");
	check(r, "sleepable_uprobes", feature_sleepable_uprobe(), "string filters at other software's probes",
	      "sleepable uprobe programs load: a string in a page nothing touched is read",
	      "needs Linux 6.0 or later: a string argument of another program's probe in a page nothing touched reads as no match");
	check(r, "user_stacks", feature_user_stacks(), "caller= filters, explore's sites by calling function",
	      "stacks walked by frame pointers, plus the syscall's direct caller (programs built without frame pointers show only that one)",
	      user_stacks_missing());
	c = add(r, "bpf_probe_write_user", feature_probe_write_user(), "direct verdict delivery (fast path)");
	if (c->ok)
		snprintf(c->detail, sizeof(c->detail), "available");
	else
		snprintf(c->detail, sizeof(c->detail),
			 "unavailable%s%s%s: fpbpf falls back to stop-and-write (slower, briefly stops the process); boot with lockdown=none to get it",
			 r->lock ? " (kernel lockdown is '" : "", r->lock ? r->lock : "", r->lock ? "')" : "");
}

static void kernel_checks(struct report *r)
{
	char lsm[256] = "", tracefs[64], path[128];

	ensure_mounted("/sys/kernel/debug", "debugfs", "/sys/kernel/debug/tracing");
	ensure_mounted("/sys/kernel/tracing", "tracefs", "/sys/kernel/tracing/events");
	snprintf(tracefs, sizeof(tracefs), "%s",
		 exists("/sys/kernel/tracing/events") ? "/sys/kernel/tracing" : "/sys/kernel/debug/tracing");
	read_first_line("/sys/kernel/security/lsm", lsm, sizeof(lsm));
	check(r, "kprobes", feature_kprobe_pmu(), "sys: and kfunc: faults (kprobe backend)", "kprobe PMU present",
	      "no kprobe PMU: the kernel lacks CONFIG_KPROBES (and CONFIG_KPROBE_EVENTS); use the VM kernel (vmtest/)");
	check(r, "bpf_override_return", feature_override_return(), "sys: and kfunc: faults (kprobe backend)", "available",
	      "unavailable: needs CONFIG_BPF_KPROBE_OVERRIDE and CONFIG_FUNCTION_ERROR_INJECTION (Debian's stock kernel has neither)");
	snprintf(path, sizeof(path), "%s/events/syscalls/sys_enter_openat/format", tracefs);
	check(r, "syscall_tracepoints", exists(path), "syscall argument names for sys: filters", "syscalls:* tracepoints present",
	      "missing: needs CONFIG_FTRACE_SYSCALLS and tracefs mounted; a built-in table is used instead");
	check(r, "error_injection_list", exists("/sys/kernel/debug/error_injection/list"), "checking kfunc: targets",
	      "/sys/kernel/debug/error_injection/list", "missing: needs CONFIG_FUNCTION_ERROR_INJECTION and debugfs");
	check(r, "bpf_lsm", strstr(lsm, "bpf") != NULL, "nothing yet: the lsm backend uses fmod_ret on security_*, which needs no active BPF LSM",
	      "bpf is in the active LSM list", "bpf is not an active LSM (CONFIG_BPF_LSM and lsm=...,bpf on the kernel command line)");
	check(r, "uprobe_register_writes", feature_uprobe_regs_write(), "nothing (fpbpf writes verdicts to memory instead)",
	      "verifier accepts pt_regs writes", "verifier rejects pt_regs writes from uprobe programs (expected)");
	for (int i = 0; sys_backends[i]; i++) {
		struct check *c = add(r, "", false, sys_backends[i]->gives);

		snprintf(c->name, sizeof(c->name), "backend_%s", sys_backends[i]->name);
		c->ok = sys_backends[i]->available(c->detail, sizeof(c->detail));
		if (c->ok)
			snprintf(c->detail, sizeof(c->detail), "backend available: %s", sys_backends[i]->verdict);
	}
	/* What fpbpf cannot promise anywhere, said where users look. */
	check(r, "teardown", true, "leaving nothing held",
	      "held processes are continued however a session ends, a SIGKILL included (by its guardian); only if the controller and its guardian are both SIGKILLed does a process held stopped at a probe stay stopped: continue it with kill -CONT PID",
	      "");
}

static bool usdt_ready(const struct report *r)
{
	return passed(r, "bpf_syscall") && passed(r, "uprobes") && passed(r, "usdt_semaphores") &&
	       passed(r, "ringbuf") && passed(r, "bpf_send_signal");
}

static bool syscall_ready(const struct report *r)
{
	char name[40];

	for (int i = 0; sys_backends[i]; i++) {
		snprintf(name, sizeof(name), "backend_%s", sys_backends[i]->name);
		if (passed(r, name))
			return true;
	}
	return false;
}

static void print_json(const struct report *r)
{
	struct jw *w = jw_record(stdout, "doctor");

	if (!w)
		return;
	jw_kstr(w, "lockdown", r->lock);
	jw_kstr(w, "delivery", passed(r, "bpf_probe_write_user") ? "write" : "stop");
	jw_key(w, "checks");
	jw_arr_begin(w);
	for (int i = 0; i < r->n; i++) {
		jw_obj_begin(w);
		jw_kstr(w, "name", r->c[i].name);
		jw_kbool(w, "ok", r->c[i].ok);
		jw_kstr(w, "needed_for", r->c[i].needed_for);
		jw_kstr(w, "detail", r->c[i].detail);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_kbool(w, "usdt_ready", usdt_ready(r));
	jw_kbool(w, "syscall_faults_ready", syscall_ready(r));
	jw_record_end(w);
}

static void print_text(const struct report *r)
{
	for (int i = 0; i < r->n; i++)
		printf("%-24s %-4s %s  [for: %s]\n", r->c[i].name, r->c[i].ok ? "ok" : "NO", r->c[i].detail,
		       r->c[i].needed_for);
	printf("verdict delivery: %s\n", passed(r, "bpf_probe_write_user") ? "direct write" : "stop-and-write");
	printf("USDT failpoints: %s; syscall faults: %s\n", usdt_ready(r) ? "ready" : "NOT ready",
	       syscall_ready(r) ? "ready" : "NOT available on this kernel");
}

static int run_doctor(void *state, int argc, char **argv)
{
	struct report r = {};

	(void)state;
	if (argc) {
		log_error("doctor: unexpected argument '%s'", argv[0]);
		return EXIT_USAGE;
	}
	r.lock = doctor_lockdown_mode(r.lockdown, sizeof(r.lockdown));
	usdt_checks(&r);
	kernel_checks(&r);
	if (log_json)
		print_json(&r);
	else
		print_text(&r);
	return usdt_ready(&r) ? EXIT_OK : EXIT_RUNTIME;
}

static const struct opt doctor_opts[] = { { NULL } };

const struct cmd cmd_doctor = {
	.name = "doctor",
	.synopsis = "[--json]",
	.summary = "report the kernel capabilities fpbpf uses",
	.descr = "Report each kernel capability fpbpf uses, what needs it, and what to do when\n"
		 "it is missing. Exits 1 when USDT failpoints cannot run here.",
	.opts = doctor_opts,
	.run = run_doctor,
};
