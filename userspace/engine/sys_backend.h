/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The seam for syscall and kernel-function backends. A backend is one file that fills a
 * struct sys_backend; the session asks sys_backend_pick() which one serves a rule and
 * never learns which it got: sys_fmod.c, sys_kprobe.c, sys_lsm.c, sys_seccomp.c. */
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
	const struct injector *inj;	/* NULL while the session's rules at start are staged */
};

struct sys_backend {
	const char *name;		/* what --backend and status call it */
	const char *verdict;		/* how a verdict leaves it, for docs and doctor */
	const char *gives;		/* what a user loses without it, for doctor */
	/* Whether this kernel can run it; why names what is missing and what to do. */
	bool (*available)(char *why, size_t len);
	/* 0 when it can serve r in env; else why says what not, and the result whose fault:
	 * -EINVAL the rule's (its target does not exist), -EOPNOTSUPP this backend's. */
	int (*serves)(const struct rule *r, const struct backend_env *env, char *why, size_t len);
	/* The point it attaches to for r; rules with one point share one probe. */
	int (*attach_point)(const struct rule *r, char *point, size_t len, char *why, size_t whylen);
	/* Sets what the engine must load before any of its probes attach, knowing the n
	 * rules at start it serves (more may come later with `set`). */
	void (*configure)(struct injector_opts *o, const struct rule *const *rules, int n);
	/* Attaches probe_id at point (the rules come from the engine's probe map). */
	int (*attach)(struct injector *inj, __u32 probe_id, const char *point);
	/* Detaches probe_id once no rule uses it. */
	void (*detach)(struct injector *inj, __u32 probe_id);
};

/* Best first: fmod_ret on the syscall's entry, kprobe + override, the security hooks
 * (lsm), then seccomp (run only). */
extern const struct sys_backend *const sys_backends[];

/* The best backend for r on this kernel, or the one named forced (NULL: automatic).
 * Returns NULL with why set (what each candidate lacks, and what to do) and *rule_fault
 * true when a backend this kernel runs refused the rule itself (its target or actions),
 * false when the kernel lacks what every backend needs. */
const struct sys_backend *sys_backend_pick(const struct rule *r, const struct backend_env *env,
					   const char *forced, char *why, size_t len, bool *rule_fault);
const struct sys_backend *sys_backend_by_name(const char *name);
/* Configures what the session loads: each backend this kernel runs, told which of the n
 * rules at start it serves (served_by[i] serves rules[i]; NULL for USDT rules). */
void sys_backends_configure(struct injector_opts *o, const struct rule *const *rules,
			    const struct sys_backend *const *served_by, int n);

#endif
