/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The seam for syscall and kernel-function backends. A backend is one file that fills a
 * struct sys_backend; the session asks sys_backend_pick() which one serves a rule and
 * never learns which it got: sys_kprobe.c, sys_lsm.c, sys_seccomp.c. */
#ifndef FPBPF_SYS_BACKEND_H
#define FPBPF_SYS_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct rule;
struct injector;
struct injector_opts;

/* What a session offers a backend beyond the kernel. */
struct backend_env {
	bool command;		/* run: fpbpf starts the targets itself (attach: they run already) */
};

struct sys_backend {
	const char *name;		/* what --backend and status call it */
	const char *verdict;		/* how a verdict leaves it, for docs and doctor */
	const char *gives;		/* what a user loses without it, for doctor */
	/* What it serves is fixed when the session starts (seccomp: the command's filter):
	 * its programs load only for a session whose rules at start use it. */
	bool fixed_at_start;
	/* Whether this kernel can run it; why names what is missing and what to do. */
	bool (*available)(char *why, size_t len);
	/* 0 when it can serve r in env; else why says what not, and the result whose fault:
	 * -EINVAL the rule's (its target does not exist), -EOPNOTSUPP this backend's. */
	int (*serves)(const struct rule *r, const struct backend_env *env, char *why, size_t len);
	/* The point it attaches to for r; rules with one point share one probe. */
	int (*attach_point)(const struct rule *r, char *point, size_t len, char *why, size_t whylen);
	/* Sets what the engine must load before any of its probes attach. */
	void (*configure)(struct injector_opts *o);
	/* Attaches probe_id at point (the rules come from the engine's probe map). */
	int (*attach)(struct injector *inj, __u32 probe_id, const char *point);
	/* Detaches probe_id once no rule uses it. */
	void (*detach)(struct injector *inj, __u32 probe_id);
};

/* Best first: kprobe + override where the kernel has it, then the security hooks (lsm),
 * then seccomp (run only). */
extern const struct sys_backend *const sys_backends[];

/* The best backend for r on this kernel, or the one named forced (NULL: automatic).
 * Returns NULL with why set (what each candidate lacks, and what to do) and *rule_fault
 * true when a backend this kernel runs refused the rule itself (its target or actions),
 * false when the kernel lacks what every backend needs. */
const struct sys_backend *sys_backend_pick(const struct rule *r, const struct backend_env *env,
					   const char *forced, char *why, size_t len, bool *rule_fault);
const struct sys_backend *sys_backend_by_name(const char *name);
/* Configures what the session loads: every backend this kernel runs, so that `set` can
 * use it later, except those fixed at start that no rule at start uses (in_use). */
void sys_backends_configure(struct injector_opts *o, bool (*in_use)(const struct sys_backend *b, void *ctx),
			    void *ctx);

#endif
