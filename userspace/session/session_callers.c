// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* caller=: a rule's glob resolved to the functions it names in the files the session
 * searched (the command, its libraries, a process's mappings), as file offsets for BPF.
 * The seccomp supervisor matches the glob itself on each stack, in any file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "elf/elf_syms.h"
#include "session/session_int.h"
#include "util/log.h"

static const char *caller_key(const struct rule *r)
{
	return r->callsite ? "callsite" : "caller";
}

static int add_file_funcs(struct session *s, const struct rule *r, int rid, int file, int *total)
{
	const char *path = probe_table__code_file(s->probes, file);
	const struct elf_syms *syms = probe_table__code_syms(s->probes, file);
	struct sym_range rg[FP_CALLER_RANGES];
	struct fp_caller_funcs funcs = {};
	struct fp_caller_key key = { .rid = (__u32)rid };
	struct stat st;
	int n, ret;

	if (!syms || stat(path, &st))
		return 0;
	n = elf_syms__match(syms, r->caller, rg, FP_CALLER_RANGES);
	if (n > FP_CALLER_RANGES) {
		log_error("%s:%d: %s=%s matches %d functions in %s, more than %d: name fewer", r->origin,
			  r->line, caller_key(r), r->caller, n, path, FP_CALLER_RANGES);
		return -E2BIG;
	}
	if (!n)
		return 0;
	key.ino = st.st_ino;
	funcs.n = (__u32)n;
	for (int i = 0; i < n; i++) {
		funcs.lo[i] = rg[i].lo;
		funcs.hi[i] = rg[i].hi;
	}
	ret = injector__add_caller_funcs(s->inj, &key, &funcs);
	if (ret)
		log_error("%s:%d: %s=%s: %s", r->origin, r->line, caller_key(r), r->caller, strerror(-ret));
	*total += n;
	return ret;
}

/* A glob that names no function of the searched files: said, with the closest name. */
static void say_unmatched(struct session *s, const struct rule *r)
{
	const char *closest = NULL;

	for (int i = 0; i < probe_table__ncode_files(s->probes) && !closest; i++) {
		const struct elf_syms *syms = probe_table__code_syms(s->probes, i);

		closest = syms ? elf_syms__closest(syms, r->caller) : NULL;
	}
	pr_warn("fpbpf: %s:%d: warning: %s=%s names no function of %s or its libraries%s%s%s\n", r->origin, r->line,
		caller_key(r), r->caller, probe_table__code_file(s->probes, 0), closest ? " (did you mean '" : "",
		closest ? closest : "", closest ? "'?)" : "");
}

int session_set_callers(struct session *s, int rid)
{
	const struct rule *r = rule_table__get(s->rules, rid);
	int nfiles = probe_table__ncode_files(s->probes), err, total = 0;

	injector__clear_callers(s->inj, (__u32)rid);
	if (!r->caller[0])
		return 0;
#if !defined(__x86_64__)
	log_error("%s:%d: %s= walks x86-64 stacks only (fpbpf doctor: user_stacks)", r->origin, r->line, caller_key(r));
	return -EOPNOTSUPP;
#endif
	err = injector__set_caller(s->inj, (__u32)rid, r->caller);
	for (int i = 0; i < nfiles && !err; i++)
		err = add_file_funcs(s, r, rid, i, &total);
	if (err) {
		injector__clear_callers(s->inj, (__u32)rid);
		return err;
	}
	if (!total && nfiles)
		say_unmatched(s, r);
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

/* The searched file with inode number ino (see fp_caller_key), or -1. */
static int code_file_of(struct session *s, __u64 ino)
{
	struct stat st;

	for (int i = 0; i < probe_table__ncode_files(s->probes); i++)
		if (!stat(probe_table__code_file(s->probes, i), &st) && st.st_ino == ino)
			return i;
	return -1;
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

int session_census(struct session *s, int rid, struct run_caller *out, int max)
{
	struct census_read c = {};
	int n = 0;

	injector__census_each(s->inj, (__u32)rid, keep_site, &c);
	for (int i = 0; i < c.n; i++) {
		int file = code_file_of(s, c.v[i].ino);
		const struct elf_syms *syms = probe_table__code_syms(s->probes, file);
		const char *func = syms && c.v[i].off ? elf_syms__at(syms, c.v[i].off - 1) : NULL;
		struct run_caller rc = { .hits = c.v[i].hits };

		snprintf(rc.func, sizeof(rc.func), "%s", func ? func : "");
		if (func && !elf_syms__address(syms, c.v[i].off - 1, &rc.addr))
			snprintf(rc.file, sizeof(rc.file), "%s", probe_table__code_file(s->probes, file));
		add_named(out, max, &n, &rc);
	}
	free(c.v);
	return n;
}
