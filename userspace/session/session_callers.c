// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* caller=: a rule's glob resolved to the functions it names in the files the session
 * searched (the command, its libraries, a process's mappings), as file offsets for BPF.
 * The seccomp supervisor matches the glob itself on each stack, in any file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "elf/elf_syms.h"
#include "engine/user_stack.h"
#include "session/session_int.h"
#include "util/log.h"

static const char *caller_key(const struct rule *r)
{
	return r->callsite ? "callsite" : "caller";
}

struct caller_scan {
	int total;		/* functions matched, over every file */
	char closest[128];	/* for "did you mean" when none is */
};

static int add_file_funcs(struct session *s, const struct rule *r, int rid, const char *path,
			  struct caller_scan *scan)
{
	struct sym_range rg[FP_CALLER_RANGES];
	struct fp_caller_funcs funcs = {};
	struct fp_caller_key key = { .rid = (__u32)rid };
	struct elf_syms *syms;
	char err[512];
	struct stat st;
	int n, ret = 0;

	syms = elf_syms__load(path, err, sizeof(err));
	if (!syms || stat(path, &st)) {
		elf_syms__free(syms);
		return 0;
	}
	n = elf_syms__match(syms, r->caller, rg, FP_CALLER_RANGES);
	if (!n && !scan->closest[0] && elf_syms__closest(syms, r->caller))
		snprintf(scan->closest, sizeof(scan->closest), "%s", elf_syms__closest(syms, r->caller));
	if (n > FP_CALLER_RANGES) {
		log_error("%s:%d: %s=%s matches %d functions in %s, more than %d: name fewer", r->origin,
			  r->line, caller_key(r), r->caller, n, path, FP_CALLER_RANGES);
		ret = -E2BIG;
	} else if (n) {
		key.dev = (__u32)ustack_kernel_dev(major(st.st_dev), minor(st.st_dev));
		key.ino = st.st_ino;
		funcs.n = (__u32)n;
		for (int i = 0; i < n; i++) {
			funcs.lo[i] = rg[i].lo;
			funcs.hi[i] = rg[i].hi;
		}
		ret = injector__add_caller_funcs(s->inj, &key, &funcs);
		if (ret)
			log_error("%s:%d: %s=%s: %s", r->origin, r->line, caller_key(r), r->caller, strerror(-ret));
		scan->total += n;
	}
	elf_syms__free(syms);
	return ret;
}

int session_set_callers(struct session *s, int rid)
{
	const struct rule *r = rule_table__get(s->rules, rid);
	int nfiles = probe_table__ncode_files(s->probes), err;
	struct caller_scan scan = {};

	injector__clear_callers(s->inj, (__u32)rid);
	if (!r->caller[0])
		return 0;
#if !defined(__x86_64__)
	log_error("%s:%d: %s= walks x86-64 stacks only (fpbpf doctor: user_stacks)", r->origin, r->line, caller_key(r));
	return -EOPNOTSUPP;
#endif
	err = injector__set_caller(s->inj, (__u32)rid, r->caller);
	for (int i = 0; i < nfiles && !err; i++)
		err = add_file_funcs(s, r, rid, probe_table__code_file(s->probes, i), &scan);
	if (err) {
		injector__clear_callers(s->inj, (__u32)rid);
		return err;
	}
	if (!scan.total && nfiles)
		pr_warn("fpbpf: %s:%d: warning: %s=%s names no function of %s or its libraries%s%s%s\n",
			r->origin, r->line, caller_key(r), r->caller, probe_table__code_file(s->probes, 0),
			scan.closest[0] ? " (did you mean '" : "", scan.closest, scan.closest[0] ? "'?)" : "");
	return 0;
}

/* --- explore's census: a rule's hits by the function they were called from --- */

struct census_site {
	__u32 dev;
	__u64 ino, off, hits;
};

struct census_read {
	struct census_site *v;
	int n, cap;
};

static void keep_site(void *ctx, const struct fp_census_key *k, __u64 hits)
{
	struct census_read *c = ctx;

	if (c->n == c->cap) {
		int cap = c->cap ? 2 * c->cap : 64;
		struct census_site *v = realloc(c->v, (size_t)cap * sizeof(*v));

		if (!v)
			return;
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n++] = (struct census_site){ k->dev, k->ino, k->off, hits };
}

/* The searched file a (dev, ino) is, with its symbols (loaded once per call). */
struct census_files {
	struct elf_syms *syms[64];
	const char *path[64];
	__u32 dev[64];
	__u64 ino[64];
	int n;
};

static const struct elf_syms *file_syms(struct session *s, struct census_files *cf, __u32 dev, __u64 ino)
{
	char err[256];
	struct stat st;

	for (int i = 0; i < cf->n; i++)
		if (cf->dev[i] == dev && cf->ino[i] == ino)
			return cf->syms[i];
	for (int i = 0; i < probe_table__ncode_files(s->probes) && cf->n < 64; i++) {
		const char *path = probe_table__code_file(s->probes, i);

		if (stat(path, &st) || st.st_ino != ino || (__u32)ustack_kernel_dev(major(st.st_dev), minor(st.st_dev)) != dev)
			continue;
		cf->dev[cf->n] = dev;
		cf->ino[cf->n] = ino;
		cf->syms[cf->n] = elf_syms__load(path, err, sizeof(err));
		cf->path[cf->n] = path;
		return cf->syms[cf->n++];
	}
	return NULL;
}

/* A function's first call seen keeps where it is (file, address) for file:line. */
static void add_named(struct run_caller *out, int max, int *n, const struct run_caller *c)
{
	for (int i = 0; i < *n && i < max; i++)
		if (!strcmp(out[i].func, c->func)) {
			out[i].hits += c->hits;
			return;
		}
	if (*n < max)
		out[*n] = *c;
	(*n)++;
}

static const char *file_path(const struct census_files *cf, const struct elf_syms *syms)
{
	for (int i = 0; i < cf->n; i++)
		if (cf->syms[i] == syms)
			return cf->path[i];
	return "";
}

int session_census(struct session *s, int rid, struct run_caller *out, int max)
{
	struct census_read c = {};
	struct census_files cf = {};
	int n = 0;

	injector__census_each(s->inj, (__u32)rid, keep_site, &c);
	for (int i = 0; i < c.n; i++) {
		const struct elf_syms *syms = file_syms(s, &cf, c.v[i].dev, c.v[i].ino);
		const char *func = syms && c.v[i].off ? elf_syms__at(syms, c.v[i].off - 1) : NULL;
		struct run_caller rc = { .hits = c.v[i].hits };

		snprintf(rc.func, sizeof(rc.func), "%s", func ? func : "");
		if (func && !elf_syms__address(syms, c.v[i].off - 1, &rc.addr))
			snprintf(rc.file, sizeof(rc.file), "%s", file_path(&cf, syms));
		add_named(out, max, &n, &rc);
	}
	for (int i = 0; i < cf.n; i++)
		elf_syms__free(cf.syms[i]);
	free(c.v);
	return n;
}
