/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The seam for syscall and kernel-function backends. A backend is one file that fills a
 * struct sys_backend; the session asks sys_backend_pick() which one serves a rule and
 * never learns which it got. Today: kprobe + bpf_override_return (sys_kprobe.c). */
#ifndef FPBPF_SYS_BACKEND_H
#define FPBPF_SYS_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct rule;
struct injector;
struct injector_opts;

struct sys_backend {
	const char *name;		/* what --backend and status call it */
	const char *verdict;		/* how a verdict leaves it, for docs and doctor */
	/* Whether this kernel can run it; why names what is missing and what to do. */
	bool (*available)(char *why, size_t len);
	/* Whether it can serve r (its target, actions, filters); why says what not. */
	bool (*serves)(const struct rule *r, char *why, size_t len);
	/* The point it attaches to for r; rules with one point share one probe. */
	int (*attach_point)(const struct rule *r, char *point, size_t len, char *why, size_t whylen);
	/* Sets what the engine must load before any of its probes attach. */
	void (*configure)(struct injector_opts *o);
	/* Attaches probe_id at point (the rules come from the engine's probe map). */
	int (*attach)(struct injector *inj, __u32 probe_id, const char *point);
	/* Detaches probe_id once no rule uses it. */
	void (*detach)(struct injector *inj, __u32 probe_id);
};

/* Best first. */
extern const struct sys_backend *const sys_backends[];

/* The best backend for r on this kernel, or the one named forced (NULL: automatic).
 * Returns NULL with why set (what each candidate lacks, and what to do) and *rule_fault
 * true when a backend this kernel runs refused the rule itself (its target or actions),
 * false when the kernel lacks what every backend needs. */
const struct sys_backend *sys_backend_pick(const struct rule *r, const char *forced, char *why, size_t len,
					   bool *rule_fault);
const struct sys_backend *sys_backend_by_name(const char *name);
/* Whether any backend can run on this kernel (a session then loads what `set` needs). */
void sys_backends_configure_available(struct injector_opts *o);

#endif
