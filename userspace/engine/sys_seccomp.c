// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Backend: seccomp user notification, for `run` only. The command installs a filter
 * right before its exec that hands fpbpf's supervisor the targeted syscalls (the rest run
 * at filter speed); the verdict leaves as the supervisor's answer. No BPF tracing at all:
 * the one backend on kernels without kprobes, like our own machines'. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/seccomp.h>
#include "engine/injector.h"
#include "engine/kernel_features.h"
#include "engine/sys_backend.h"
#include "rules/rules.h"
#include "rules/syscalls.h"

#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

static bool seccomp_available(char *why, size_t len)
{
	__u32 action = SECCOMP_RET_USER_NOTIF;

	if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action)) {
		snprintf(why, len, "seccomp: this kernel has no seccomp user notification (needs CONFIG_SECCOMP_FILTER, Linux 5.0+)");
		return false;
	}
	/* pidfd_getfd (5.6) also says the supervisor may answer "continue" (5.5). */
	if (syscall(SYS_pidfd_getfd, -1, 0, 0) < 0 && errno == ENOSYS) {
		snprintf(why, len, "seccomp: the supervisor needs pidfd_getfd, Linux 5.6 or later");
		return false;
	}
	if (!feature_syscall_progs()) {
		snprintf(why, len, "seccomp: its decision runs as a BPF syscall program (BPF_PROG_TEST_RUN), Linux 5.14 or later");
		return false;
	}
	return true;
}

static int seccomp_serves(const struct rule *r, const struct backend_env *env, char *why, size_t len)
{
	if (r->kind != TARGET_SYS) {
		snprintf(why, len, "seccomp: kfunc: rules need a kernel probe backend; seccomp sees syscalls only");
		return -EOPNOTSUPP;
	}
	if (!env->command) {
		snprintf(why, len, "seccomp: only for `fpbpf run`: the filter must be installed by the command itself before it starts, so `attach` to a running process cannot use it");
		return -EOPNOTSUPP;
	}
	return sys_number(r->name, why, len) < 0 ? -EINVAL : 0;
}

static int seccomp_point(const struct rule *r, char *point, size_t len, char *why, size_t whylen)
{
	(void)why;
	(void)whylen;
	snprintf(point, len, "seccomp:%s", r->name);
	return 0;
}

/* Only when a rule at start uses it: the command's filter is fixed once it runs. */
static void seccomp_configure(struct injector_opts *o, const struct rule *const *rules, int n)
{
	(void)rules;
	o->seccomp = n > 0;
}

static int seccomp_attach(struct injector *inj, __u32 probe_id, const char *point)
{
	char why[256];
	int nr = sys_number(point + strlen("seccomp:"), why, sizeof(why));

	return nr < 0 ? -EINVAL : injector__seccomp_add(inj, probe_id, nr);
}

/* A filter cannot be taken back: once the command runs, a syscall stays handed over, and
 * the decision program finds no rule on it. */
static void seccomp_detach(struct injector *inj, __u32 probe_id)
{
	(void)inj;
	(void)probe_id;
}

const struct sys_backend sys_seccomp_backend = {
	.name = "seccomp",
	.verdict = "the supervisor's answer to the command's seccomp user notification (run only)",
	.gives = "syscall faults for run on kernels with no BPF tracing",
	.available = seccomp_available,
	.serves = seccomp_serves,
	.attach_point = seccomp_point,
	.configure = seccomp_configure,
	.attach = seccomp_attach,
	.detach = seccomp_detach,
};
