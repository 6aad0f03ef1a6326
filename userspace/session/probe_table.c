// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "elf/elf_syms.h"
#include "elf/usdt_notes.h"
#include "engine/injector.h"
#include "engine/sys_backend.h"
#include "rules/names.h"
#include "rules/rules.h"
#include "session/probe_table.h"
#include "util/log.h"

#define MAX_FILES 256

struct probe {
	struct probe_info info;
	int file;		/* USDT */
	char point[128];	/* kernel probes: where the backend attaches */
	int nsites, nspecs;	/* USDT: call sites and distinct argument specs */
	bool attached;
	bool dirty;		/* cfg differs from the engine's copy */
	struct fp_probe cfg;
};

struct probe_table {
	struct usdt_file *files;
	int nfiles;
	char **code;		/* every file searched, probes or not: caller= reads their symbols */
	struct elf_syms **code_syms;	/* per code file, read on first need (NULL: not yet or none) */
	bool *code_read;
	int ncode;
	struct probe *probes;	/* FP_MAX_PROBES */
	int nprobes;
	int nsites, nspecs;	/* over every USDT probe: libbpf's spec and site maps */
};

struct probe_table *probe_table__new(void)
{
	struct probe_table *pt = calloc(1, sizeof(*pt));

	if (pt && !(pt->probes = calloc(FP_MAX_PROBES, sizeof(*pt->probes)))) {
		free(pt);
		pt = NULL;
	}
	return pt;
}

void probe_table__free(struct probe_table *pt)
{
	if (!pt)
		return;
	for (int i = 0; i < pt->nfiles; i++)
		usdt_file_free(&pt->files[i]);
	for (int i = 0; i < pt->ncode; i++) {
		free(pt->code[i]);
		elf_syms__free(pt->code_syms[i]);
	}
	free(pt->code);
	free(pt->code_syms);
	free(pt->code_read);
	free(pt->files);
	free(pt->probes);
	free(pt);
}

static void add_code_file(struct probe_table *pt, const char *path)
{
	char real[PATH_MAX];

	if (!realpath(path, real) || pt->ncode == MAX_FILES)
		return;
	for (int i = 0; i < pt->ncode; i++)
		if (!strcmp(pt->code[i], real))
			return;
	if (!pt->code) {
		pt->code = calloc(MAX_FILES, sizeof(*pt->code));
		pt->code_syms = calloc(MAX_FILES, sizeof(*pt->code_syms));
		pt->code_read = calloc(MAX_FILES, sizeof(*pt->code_read));
	}
	if (pt->code && pt->code_syms && pt->code_read && (pt->code[pt->ncode] = strdup(real)))
		pt->ncode++;
}

const struct elf_syms *probe_table__code_syms(struct probe_table *pt, int i)
{
	char err[256];

	if (i < 0 || i >= pt->ncode)
		return NULL;
	if (!pt->code_read[i]) {
		pt->code_syms[i] = elf_syms__load(pt->code[i], err, sizeof(err));
		pt->code_read[i] = true;
	}
	return pt->code_syms[i];
}

int probe_table__ncode_files(const struct probe_table *pt)
{
	return pt->ncode;
}

const char *probe_table__code_file(const struct probe_table *pt, int i)
{
	return i >= 0 && i < pt->ncode ? pt->code[i] : NULL;
}

/* r, when given, is the rule that names the file: errors then say where it does. */
static int add_file(struct probe_table *pt, const char *path, const struct rule *r)
{
	char err[512], real[PATH_MAX], where[RULE_PATH_LEN + 32] = "";
	struct usdt_file *grown;

	if (r)
		snprintf(where, sizeof(where), "%s:%d:%d: ", r->origin, r->line, r->target_col);
	if (!realpath(path, real)) {
		log_error("%s%s: %s", where, path, strerror(errno));
		return -ENOENT;
	}
	add_code_file(pt, real);
	for (int i = 0; i < pt->nfiles; i++)
		if (!strcmp(pt->files[i].path, real))
			return i;
	if (pt->nfiles == MAX_FILES) {
		log_error("%s: too many files with probes (at most %d in a session)", real, MAX_FILES);
		return -E2BIG;
	}
	grown = realloc(pt->files, (size_t)(pt->nfiles + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	pt->files = grown;
	if (usdt_file_read(real, &pt->files[pt->nfiles], err, sizeof(err))) {
		log_error("%s%s", where, err);
		return -EINVAL;
	}
	return pt->nfiles++;
}

int probe_table__add_file(struct probe_table *pt, const char *path)
{
	return add_file(pt, path, NULL);
}

void probe_table__add_library(const char *path, void *arg)
{
	struct usdt_file probe;
	char err[256];

	if (usdt_file_read(path, &probe, err, sizeof(err)))
		return;
	add_code_file(arg, path);
	if (probe.n)
		probe_table__add_file(arg, path);
	usdt_file_free(&probe);
}

int probe_table__add_process_files(struct probe_table *pt, pid_t pid)
{
	char path[64], line[PATH_MAX + 128];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	ret = probe_table__add_file(pt, path);
	if (ret < 0)
		return ret;
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f) {
		ret = -errno;
		log_error("%s: %s", path, strerror(errno));
		return ret;
	}
	while (fgets(line, sizeof(line), f)) {
		char perms[8], *file = strchr(line, '/');

		if (sscanf(line, "%*s %7s", perms) != 1 || perms[2] != 'x' || !file)
			continue;
		file[strcspn(file, "\n")] = 0;
		if (!strstr(file, " (deleted)"))
			probe_table__add_library(file, pt);
	}
	fclose(f);
	return 0;
}

int probe_table__nfiles(const struct probe_table *pt)
{
	return pt->nfiles;
}

int probe_table__copy_file(struct probe_table *dst, const struct probe_table *src, int f)
{
	const struct usdt_file *from = &src->files[f];
	struct usdt_file *grown, *to;

	grown = realloc(dst->files, (size_t)(dst->nfiles + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	dst->files = grown;
	to = &dst->files[dst->nfiles];
	*to = *from;
	to->notes = malloc((size_t)(from->n ? from->n : 1) * sizeof(*to->notes));
	if (!to->notes)
		return -ENOMEM;
	memcpy(to->notes, from->notes, (size_t)from->n * sizeof(*to->notes));
	return dst->nfiles++;
}

int probe_table__count(const struct probe_table *pt)
{
	return pt->nprobes;
}

const struct probe_info *probe_table__info(const struct probe_table *pt, __u32 id)
{
	return id < (__u32)pt->nprobes ? &pt->probes[id].info : NULL;
}

static const char *base_name(const char *p)
{
	const char *slash = strrchr(p, '/');

	return slash ? slash + 1 : p;
}

/* "; closest: 'a', 'b', 'c'" from every file searched. */
static void suggest(const struct rule *r, const struct usdt_file *files, int nfiles, char *out, size_t len)
{
	const char *best[3] = {};
	size_t bestd[3] = { (size_t)-1, (size_t)-1, (size_t)-1 }, used = 0;

	for (int f = 0; f < nfiles; f++)
		for (int i = 0; i < files[f].n; i++) {
			const char *name = files[f].notes[i].name;
			size_t d = edit_distance(r->name, name);
			int k = 0;

			for (int j = 0; j < 3; j++)
				if (best[j] && !strcmp(best[j], name))
					d = (size_t)-1;
			while (k < 3 && d >= bestd[k])
				k++;
			for (int m = 2; k < 3 && m > k; m--) {
				best[m] = best[m - 1];
				bestd[m] = bestd[m - 1];
			}
			if (k < 3) {
				best[k] = name;
				bestd[k] = d;
			}
		}
	out[0] = 0;
	for (int k = 0; k < 3 && best[k]; k++)
		used += (size_t)snprintf(out + used, used < len ? len - used : 0, "%s'%s'", k ? ", " : "; closest: ", best[k]);
	if (!best[0])
		snprintf(out, len, "; the file has no USDT probes at all (is it built with fpbpf.h?)");
}

static void report_missing(const struct probe_table *pt, const struct rule *r, int only)
{
	char hint[256], where[512] = "";
	size_t used = 0;

	for (int f = 0; f < pt->nfiles; f++)
		if (only < 0 || f == only)
			used += (size_t)snprintf(where + used, used < sizeof(where) ? sizeof(where) - used : 0, "%s%s",
						 used ? ", " : "", base_name(pt->files[f].path));
	if (!pt->nfiles) {
		/* run's command is a script: none of its files was searched. */
		log_error("%s:%d:%d: no failpoint '%s%s%s': the command is a script, and the programs it runs are not searched; name the binary with usdt:PATH:%s:%s",
			  r->origin, r->line, r->target_col, r->provider, r->provider[0] ? ":" : "", r->name,
			  r->provider[0] ? r->provider : "fpbpf", r->name);
		return;
	}
	suggest(r, only >= 0 ? &pt->files[only] : pt->files, only >= 0 ? 1 : pt->nfiles, hint, sizeof(hint));
	log_error("%s:%d:%d: no failpoint '%s%s%s' in %s%s", r->origin, r->line, r->target_col, r->provider,
		  r->provider[0] ? ":" : "", r->name, where[0] ? where : "the target", hint);
}

static struct probe *new_probe(struct probe_table *pt)
{
	struct probe *p = &pt->probes[pt->nprobes++];

	memset(p, 0, sizeof(*p));
	p->file = -1;
	p->dirty = true;
	return p;
}

static bool probe_full(const struct rule *r, const struct probe *p)
{
	if (!p || p->cfg.nrules < FP_RULES_PER_PROBE)
		return false;
	log_error("%s:%d:%d: too many rules on %s:%s (at most %d on one failpoint)", r->origin, r->line,
		  r->target_col, p->info.provider, p->info.name, FP_RULES_PER_PROBE);
	return true;
}

static bool room_for(const struct probe_table *pt, const struct rule *r, int nnew, int sites, int specs)
{
	if (pt->nprobes + nnew > FP_MAX_PROBES) {
		log_error("%s:%d:%d: too many probes (at most %d in a session)", r->origin, r->line, r->target_col,
			  FP_MAX_PROBES);
		return false;
	}
	if (pt->nsites + sites > FP_MAX_USDT_SITES || pt->nspecs + specs > FP_MAX_USDT_SPECS) {
		log_error("%s:%d:%d: too many USDT call sites or argument layouts (at most %d sites and %d layouts in a session; this rule would make %d and %d)",
			  r->origin, r->line, r->target_col, FP_MAX_USDT_SITES, FP_MAX_USDT_SPECS, pt->nsites + sites,
			  pt->nspecs + specs);
		return false;
	}
	return true;
}

static int add_kernel_probe(struct probe_table *pt, const struct rule *r, int rid,
			    const struct sys_backend *b)
{
	struct probe *p = NULL;
	char point[128], why[512];

	if (b->attach_point(r, point, sizeof(point), why, sizeof(why))) {
		log_error("%s:%d:%d: %s", r->origin, r->line, r->target_col, why);
		return -EINVAL;
	}
	for (int k = 0; k < pt->nprobes && !p; k++)
		if (pt->probes[k].info.backend == b && !strcmp(pt->probes[k].point, point))
			p = &pt->probes[k];
	if (probe_full(r, p))
		return -E2BIG;
	if (!p) {
		if (!room_for(pt, r, 1, 0, 0))
			return -E2BIG;
		p = new_probe(pt);
		snprintf(p->point, sizeof(p->point), "%s", point);
		snprintf(p->info.provider, sizeof(p->info.provider), "%s", r->kind == TARGET_SYS ? "sys" : "kfunc");
		snprintf(p->info.name, sizeof(p->info.name), "%s", r->name);
		p->info.kind = r->kind == TARGET_SYS ? FP_PROBE_SYSCALL : FP_PROBE_KFUNC;
		p->info.backend = b;
		p->cfg.kind = p->info.kind;
	}
	p->cfg.rules[p->cfg.nrules++] = (__u32)rid;
	p->dirty = true;
	return 0;
}

/* One USDT probe the rule names: its first note stands for every call site of it. */
struct match {
	int file;
	const struct usdt_note *note;
	struct probe *existing;
	bool marker, value_point;
	int abi;
	int sites, specs;
};

static struct probe *find_usdt_probe(struct probe_table *pt, int file, const struct usdt_note *n)
{
	for (int k = 0; k < pt->nprobes; k++) {
		struct probe *p = &pt->probes[k];

		if (p->info.kind == FP_PROBE_USDT && p->file == file && !strcmp(p->info.provider, n->provider) &&
		    !strcmp(p->info.name, n->name))
			return p;
	}
	return NULL;
}

/* Call sites of the probe in its file, and how many argument layouts they have. */
static void count_sites(const struct usdt_file *f, const struct usdt_note *n, int *sites, int *specs)
{
	*sites = *specs = 0;
	for (int i = 0; i < f->n; i++) {
		const struct usdt_note *o = &f->notes[i];
		bool seen = false;

		if (strcmp(o->provider, n->provider) || strcmp(o->name, n->name))
			continue;
		(*sites)++;
		for (int k = 0; k < i && !seen; k++)
			seen = !strcmp(f->notes[k].provider, n->provider) && !strcmp(f->notes[k].name, n->name) &&
			       !strcmp(f->notes[k].args, o->args);
		*specs += !seen;
	}
}

/* Whether the probe accepts everything the rule asks of it; logs why not. */
static bool note_accepts(const struct probe_table *pt, const struct rule *r, const struct match *m)
{
	const struct usdt_note *n = m->note;
	const struct usdt_file *f = &pt->files[m->file];
	int nctx = usdt_note_ctx_args(f, n);

	if (m->marker && m->abi != FP_MARKER_ABI) {
		log_error("%s:%d:%d: %s:%s in %s was built with fpbpf.h ABI %d, and this fpbpf speaks ABI %d: rebuild it with this fpbpf's include/fpbpf.h",
			  r->origin, r->line, r->target_col, n->provider, n->name, f->path, m->abi, FP_MARKER_ABI);
		return false;
	}
	for (int t = 0; t < r->nterms; t++) {
		const char *why = rule_term_unsupported(&r->terms[t], m->marker, m->value_point);

		if (why) {
			log_error("%s:%d:%d: %s at %s:%s in %s %s", r->origin, r->line, r->terms[t].col,
				  rule_action_name(r->terms[t].action), n->provider, n->name, pt->files[m->file].path, why);
			return false;
		}
	}
	for (int a = 0; a < FP_MAX_ARGS; a++)
		if (r->args[a].kind != FP_ARG_ANY && a >= nctx) {
			log_error("%s:%d:%d: arg%d= filter, but %s:%s has %d context argument(s)", r->origin, r->line,
				  r->args_col[a] ? r->args_col[a] : r->target_col, a + 1, n->provider, n->name, nctx);
			return false;
		}
	return true;
}

static bool name_matches(const struct rule *r, const struct usdt_note *n)
{
	return !strcmp(n->name, r->name) && (!r->provider[0] || !strcmp(n->provider, r->provider));
}

static bool matched_already(const struct match *m, int nm, int f, const struct usdt_note *n)
{
	for (int k = 0; k < nm; k++)
		if (m[k].file == f && !strcmp(m[k].note->provider, n->provider) && !strcmp(m[k].note->name, n->name))
			return true;
	return false;
}

/* Every probe the rule names, checked before anything changes. Returns how many, or -errno. */
static int collect(struct probe_table *pt, const struct rule *r, int only, struct match *m)
{
	int nm = 0, nnew = 0, sites = 0, specs = 0;

	for (int f = 0; f < pt->nfiles; f++) {
		if (only >= 0 && f != only)
			continue;
		for (int i = 0; i < pt->files[f].n; i++) {
			const struct usdt_note *n = &pt->files[f].notes[i];
			struct match *x = &m[nm];

			if (!name_matches(r, n) || matched_already(m, nm, f, n))
				continue;
			if (nm == FP_MAX_PROBES)
				return room_for(pt, r, FP_MAX_PROBES + 1, 0, 0) ? -E2BIG : -E2BIG;
			*x = (struct match){ .file = f, .note = n };
			{
				struct marker mk = {};

				x->marker = usdt_note_marker(&pt->files[f], n, &mk);
				x->value_point = mk.value_point;
				x->abi = mk.abi;
			}
			if (!note_accepts(pt, r, x))
				return -EINVAL;
			x->existing = find_usdt_probe(pt, f, n);
			if (probe_full(r, x->existing))
				return -E2BIG;
			if (!x->existing) {
				count_sites(&pt->files[f], n, &x->sites, &x->specs);
				nnew++;
				sites += x->sites;
				specs += x->specs;
			}
			nm++;
		}
	}
	if (!nm) {
		report_missing(pt, r, only);
		return -EINVAL;
	}
	return room_for(pt, r, nnew, sites, specs) ? nm : -E2BIG;
}

static void add_usdt(struct probe_table *pt, const struct match *x, int rid)
{
	struct probe *p = x->existing;

	if (!p) {
		p = new_probe(pt);
		p->file = x->file;
		snprintf(p->info.provider, sizeof(p->info.provider), "%s", x->note->provider);
		snprintf(p->info.name, sizeof(p->info.name), "%s", x->note->name);
		p->info.kind = FP_PROBE_USDT;
		p->info.has_slot = x->marker;
		p->info.value_point = x->value_point;
		p->cfg.has_slot = x->marker;
		p->nsites = x->sites;
		p->nspecs = x->specs;
		pt->nsites += x->sites;
		pt->nspecs += x->specs;
	}
	p->cfg.rules[p->cfg.nrules++] = (__u32)rid;
	p->dirty = true;
}

int probe_table__resolve(struct probe_table *pt, const struct rule *r, int rid,
			 const struct sys_backend *backend)
{
	struct match *m;
	int only = -1, nm;

	if (backend)
		return add_kernel_probe(pt, r, rid, backend);
	if (r->path[0]) {
		only = add_file(pt, r->path, r);
		if (only < 0)
			return -EINVAL;
	}
	m = calloc(FP_MAX_PROBES, sizeof(*m));
	if (!m)
		return -ENOMEM;
	nm = collect(pt, r, only, m);
	for (int k = 0; k < nm; k++)
		add_usdt(pt, &m[k], rid);
	free(m);
	return nm < 0 ? nm : 0;
}

void probe_table__unresolve(struct probe_table *pt, int rid)
{
	for (int k = 0; k < pt->nprobes; k++) {
		struct fp_probe *c = &pt->probes[k].cfg;
		__u32 kept = 0;

		for (__u32 i = 0; i < c->nrules; i++)
			if (c->rules[i] != (__u32)rid)
				c->rules[kept++] = c->rules[i];
		if (kept != c->nrules) {
			c->nrules = kept;
			pt->probes[k].dirty = true;
		}
	}
}

static int attach(struct probe_table *pt, struct injector *inj, __u32 id)
{
	struct probe *p = &pt->probes[id];

	if (p->info.backend)
		return p->info.backend->attach(inj, id, p->point);
	return injector__attach_usdt(inj, id, pt->files[p->file].path, p->info.provider, p->info.name);
}

int probe_table__sync(struct probe_table *pt, struct injector *inj)
{
	for (int i = 0; i < pt->nprobes; i++) {
		struct probe *p = &pt->probes[i];
		int err;

		if (p->dirty) {
			err = injector__set_probe(inj, (__u32)i, &p->cfg);
			if (err) {
				log_error("cannot update probe %s:%s: %s", p->info.provider, p->info.name, strerror(-err));
				return err;
			}
			p->dirty = false;
		}
		/* A kernel probe costs every process its call: gone once no rule needs it. */
		if (p->attached && !p->cfg.nrules && p->info.backend) {
			p->info.backend->detach(inj, (__u32)i);
			p->attached = false;
		}
		if (p->attached || !p->cfg.nrules)
			continue;
		err = attach(pt, inj, (__u32)i);
		if (err)
			return err;
		p->attached = true;
	}
	return 0;
}
