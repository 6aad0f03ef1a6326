// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Syscall sites by calling function: "the 2nd write" of a program mixes its callers. One
 * run without faults counts each syscall's hits by the function that made the call (the
 * syscall wrapper's caller); a syscall called from several becomes one site per
 * function, its rules with callsite=.
 * Where that cannot be done, the syscall stays one site and a line says why. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "elf/srcline.h"
#include "engine/kernel_features.h"
#include "explore/explore_int.h"
#include "explore/explore_runner.h"
#include "util/log.h"

/* A syscall's rules: one per calling function, and one more free, since a run's rule
 * goes in before the counting rule it replaces leaves. */
#define XC_MAX (FP_RULES_PER_PROBE - 1)

struct site_split {
	int site;
	int n;
	struct run_caller c[XC_MAX + 1];
	char where[XC_MAX + 1][96];	/* file:line of each function's first call */
};

static int by_func(const void *a, const void *b)
{
	return strcmp(((const struct run_caller *)a)->func, ((const struct run_caller *)b)->func);
}

/* A syscall kept whole: the reason goes to the report too. */
static void keep_whole(struct xs_site *site, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void keep_whole(struct xs_site *site, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(site->whole, sizeof(site->whole), fmt, ap);
	va_end(ap);
	pr_warn("fpbpf: explore: %s: %s: one site\n", site->target, site->whole);
}

/* Whether site s splits (into sp->c), from its census and its count in the run. */
static bool decide(struct explore *x, int s, uint64_t count, struct site_split *sp)
{
	uint64_t named = 0;
	int nnamed = 0;

	if (sp->n <= 1)
		return false;
	for (int i = 0; i < sp->n && i <= XC_MAX; i++) {
		named += sp->c[i].func[0] ? sp->c[i].hits : 0;
		nnamed += sp->c[i].func[0] != 0;
		/* A name callsite= cannot say exactly: a glob character, or cut short. */
		if (strpbrk(sp->c[i].func, "*?[") || strlen(sp->c[i].func) >= sizeof(sp->c[i].func) - 1) {
			keep_whole(&x->sites.v[s], "a calling function's name is not one callsite= can match exactly (%.40s...)",
				   sp->c[i].func);
			return false;
		}
	}
	if (sp->n > XC_MAX) {
		keep_whole(&x->sites.v[s], "called from more than %d functions, the most one syscall's rules can tell apart",
			   XC_MAX);
		return false;
	}
	if (named != count) {
		keep_whole(&x->sites.v[s], "%llu of %llu hit(s) come from code no symbol names (stripped, or not the command's files)",
			   (unsigned long long)(count - named), (unsigned long long)count);
		return false;
	}
	qsort(sp->c, (size_t)sp->n, sizeof(sp->c[0]), by_func);
	return true;
}

static void say_split(const struct explore *x, const struct site_split *sp)
{
	char line[1024];
	size_t used = 0;

	for (int i = 0; i < sp->n && used < sizeof(line); i++)
		used += (size_t)snprintf(line + used, sizeof(line) - used, "%s%s (%llu%s%s)", i ? ", " : "",
					 sp->c[i].func, (unsigned long long)sp->c[i].hits, sp->where[i][0] ? ", " : "",
					 sp->where[i]);
	pr_warn("fpbpf: explore: %s split by calling function: %s\n", xs_site_name(&x->sites.v[sp->site]), line);
}

/* Splits the sites the census says to, last first so that indices stay valid. */
static int apply(struct explore *x, struct site_split *sp, int n)
{
	for (int k = n - 1; k >= 0; k--) {
		const char *funcs[XC_MAX], *where[XC_MAX];

		for (int i = 0; i < sp[k].n; i++) {
			funcs[i] = sp[k].c[i].func;
			if (!sp[k].c[i].file[0] || srcline(sp[k].c[i].file, sp[k].c[i].addr, sp[k].where[i], sizeof(sp[k].where[i])))
				sp[k].where[i][0] = 0;
			where[i] = sp[k].where[i];
		}
		say_split(x, &sp[k]);
		if (xs_split(&x->sites, sp[k].site, funcs, where, sp[k].n)) {
			log_error("explore: splitting sites by calling function makes more than %d sites: name fewer with --sites",
				  XS_MAX_SITES);
			return -E2BIG;
		}
	}
	return 0;
}

static int census_run(struct explore *x, struct xrunner *rn, struct site_split *sp, int *nsplit)
{
	struct xrun_out out;

	xrunner__run(rn, NULL, 0, x->o->timeout_ms, -1, &out);
	if (!out.err && out.end.interrupted)
		return -ECANCELED;
	if (!out.err && out.end.timed_out) {
		log_error("explore: the command did not end within --timeout without any fault: nothing to compare with");
		return -ETIMEDOUT;
	}
	for (int s = 0; s < x->sites.n && !out.err; s++) {
		struct site_split *cur = &sp[*nsplit];

		if (!x->sites.v[s].is_sys)
			continue;
		cur->site = s;
		cur->n = xrunner__callers(rn, s, cur->c, XC_MAX + 1);
		if (decide(x, s, out.counts[s], cur))
			(*nsplit)++;
	}
	return out.err;
}

int xc_split_sites(struct explore *x)
{
	struct site_split *sp = NULL;
	struct xrunner *rn = NULL;
	struct rule *rules = NULL;
	int nrules = 0, nsplit = 0, err, nsys = 0;

	for (int s = 0; s < x->sites.n; s++)
		nsys += x->sites.v[s].is_sys;
	if (!nsys)
		return 0;
	if (!feature_user_stacks()) {
		snprintf(x->by_caller, sizeof(x->by_caller), "stacks cannot be walked here (fpbpf doctor: user_stacks): each syscall is one site");
		pr_warn("fpbpf: explore: %s\n", x->by_caller);
		return 0;
	}
	sp = calloc((size_t)nsys, sizeof(*sp));
	err = sp ? xe_start_rules(x, &rules, &nrules) : -ENOMEM;
	for (int i = 0; !err && i < x->sites.n; i++)
		rules[x->o->nrules + i].census = x->sites.v[i].is_sys;
	if (!err)
		err = xrunner__open(&x->sites, x->o, rules, nrules, &rn);
	if (!err)
		err = census_run(x, rn, sp, &nsplit);
	xrunner__close(rn);
	if (!err)
		err = apply(x, sp, nsplit);
	free(rules);
	free(sp);
	return err;
}
