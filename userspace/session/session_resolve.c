// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Rules resolved to probes: the files a session searches and the probes each rule names. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rules/kernel_rules.h"
#include "util/log.h"
#include "rules/names.h"
#include "session/session_int.h"

int session_add_file(struct session *s, const char *path)
{
	char err[512], real[PATH_MAX];

	if (!realpath(path, real)) {
		log_error("%s: %s", path, strerror(errno));
		return -1;
	}
	for (int i = 0; i < s->nfiles; i++)
		if (!strcmp(s->files[i].path, real))
			return i;
	if (s->nfiles == MAX_FILES) {
		log_error("too many files with probes (at most %d)", MAX_FILES);
		return -1;
	}
	if (usdt_file_read(real, &s->files[s->nfiles], err, sizeof(err))) {
		log_error("%s", err);
		return -1;
	}
	return s->nfiles++;
}

/* Libraries without notes are skipped rather than failing: most have none. */
void session_add_library(const char *path, void *arg)
{
	struct session *s = arg;
	struct usdt_file probe;
	char err[256];

	if (usdt_file_read(path, &probe, err, sizeof(err)))
		return;
	if (probe.n)
		session_add_file(s, path);
	usdt_file_free(&probe);
}

/* Executable, file-backed mappings of a process: its binary and shared libraries. */
int session_add_process_files(struct session *s, pid_t pid)
{
	char path[64], line[PATH_MAX + 128];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	if (session_add_file(s, path) < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f) {
		log_error("%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char perms[8], *file = strchr(line, '/');

		if (sscanf(line, "%*s %7s", perms) != 1 || perms[2] != 'x' || !file)
			continue;
		file[strcspn(file, "\n")] = 0;
		if (strstr(file, " (deleted)"))
			continue;
		session_add_library(file, s);
	}
	fclose(f);
	return 0;
}

static const char *base_name(const char *p)
{
	const char *slash = strrchr(p, '/');

	return slash ? slash + 1 : p;
}

static void suggest(const struct rule *r, struct usdt_file *files, int nfiles, char *out, size_t len)
{
	const char *best[3] = {};
	size_t bestd[3] = { (size_t)-1, (size_t)-1, (size_t)-1 };
	size_t used = 0;

	for (int f = 0; f < nfiles; f++)
		for (int i = 0; i < files[f].n; i++) {
			const char *name = files[f].notes[i].name;
			size_t d = edit_distance(r->name, name);
			int dup = 0;

			for (int k = 0; k < 3; k++)
				dup |= best[k] && !strcmp(best[k], name);
			if (dup)
				continue;
			for (int k = 0; k < 3; k++)
				if (d < bestd[k]) {
					for (int m = 2; m > k; m--) {
						best[m] = best[m - 1];
						bestd[m] = bestd[m - 1];
					}
					best[k] = name;
					bestd[k] = d;
					break;
				}
		}
	out[0] = 0;
	for (int k = 0; k < 3 && best[k]; k++)
		used += (size_t)snprintf(out + used, used < len ? len - used : 0, "%s'%s'",
					 k ? ", " : "; closest: ", best[k]);
	if (!best[0])
		snprintf(out, len, "; the file has no USDT probes at all (is it built with fpbpf.h?)");
}

static struct probe_ref *new_probe(struct session *s, int file)
{
	struct probe_ref *p;

	if (s->nprobes == FP_MAX_PROBES) {
		log_error("too many probes (at most %d)", FP_MAX_PROBES);
		return NULL;
	}
	p = &s->probes[s->nprobes++];
	memset(p, 0, sizeof(*p));
	p->file = file;
	p->dirty = true;
	return p;
}

static struct probe_ref *find_kernel_probe(struct session *s, const char *sym)
{
	for (int k = 0; k < s->nprobes; k++)
		if (s->probes[k].cfg.kind != FP_PROBE_USDT && !strcmp(s->probes[k].symbol, sym))
			return &s->probes[k];
	return NULL;
}

static struct probe_ref *find_usdt_probe(struct session *s, int file, const struct usdt_note *n)
{
	for (int k = 0; k < s->nprobes; k++)
		if (s->probes[k].cfg.kind == FP_PROBE_USDT && s->probes[k].file == file &&
		    !strcmp(s->probes[k].provider, n->provider) && !strcmp(s->probes[k].name, n->name))
			return &s->probes[k];
	return NULL;
}

static bool probe_full(const struct rule *rule, const struct probe_ref *p, const char *provider,
		       const char *name)
{
	if (!p || p->cfg.nrules < FP_RULES_PER_PROBE)
		return false;
	log_error("%s:%d: too many rules for %s:%s (at most %d)", rule->origin, rule->line, provider, name,
		  FP_RULES_PER_PROBE);
	return true;
}

/* One kprobe per kernel function, shared by the rules that name it. */
static int add_kernel_probe(struct session *s, const struct rule *rule, int rid)
{
	struct probe_ref *p;
	char sym[128];

	if (kernel_rule_symbol(rule, sym, sizeof(sym)))
		return -1;
	p = find_kernel_probe(s, sym);
	if (probe_full(rule, p, rule->kind == TARGET_SYS ? "sys" : "kfunc", rule->name))
		return -1;
	if (!p) {
		p = new_probe(s, -1);
		if (!p)
			return -1;
		snprintf(p->symbol, sizeof(p->symbol), "%s", sym);
		snprintf(p->provider, sizeof(p->provider), "%s", rule->kind == TARGET_SYS ? "sys" : "kfunc");
		snprintf(p->name, sizeof(p->name), "%s", rule->name);
		p->cfg.kind = rule->kind == TARGET_SYS ? FP_PROBE_SYSCALL : FP_PROBE_KFUNC;
	}
	p->cfg.rules[p->cfg.nrules++] = (__u32)rid;
	p->dirty = true;
	return 0;
}

struct match {
	int file;
	const struct usdt_note *note;
	bool marker, value_point;
};

/* Whether the probe accepts everything the rule asks of it; logs why not. */
static bool note_accepts(const struct session *s, const struct rule *rule, int f,
			 const struct usdt_note *n, bool marker, bool value_point)
{
	for (int t = 0; t < rule->nterms; t++) {
		const char *why = rule_term_unsupported(&rule->terms[t], marker, value_point);

		if (why) {
			log_error("%s:%d:%d: %s at %s:%s in %s %s", rule->origin, rule->line, rule->terms[t].col,
				  rule_action_name(rule->terms[t].action), n->provider, n->name, s->files[f].path, why);
			return false;
		}
	}
	for (int a = 0; a < FP_MAX_ARGS; a++)
		if (rule->args[a].kind != FP_ARG_ANY && a >= usdt_note_ctx_args(n)) {
			log_error("%s:%d:%d: arg%d= filter, but %s:%s has %d context argument(s)", rule->origin,
				  rule->line, rule->target_col, a + 1, n->provider, n->name, usdt_note_ctx_args(n));
			return false;
		}
	return true;
}

static void report_missing(struct session *s, const struct rule *rule, int only)
{
	char hint[256], where[512] = "";
	size_t used = 0;

	for (int f = 0; f < s->nfiles; f++)
		if (only < 0 || f == only)
			used += (size_t)snprintf(where + used, used < sizeof(where) ? sizeof(where) - used : 0, "%s%s",
						 used ? ", " : "", base_name(s->files[f].path));
	suggest(rule, only >= 0 ? &s->files[only] : s->files, only >= 0 ? 1 : s->nfiles, hint, sizeof(hint));
	log_error("%s:%d:%d: no failpoint '%s%s%s' in %s%s", rule->origin, rule->line, rule->target_col,
		  rule->provider, rule->provider[0] ? ":" : "", rule->name, where[0] ? where : "the target", hint);
}

int session_resolve_rule(struct session *s, int rid)
{
	const struct rule *rule = &s->rules[rid];
	struct match *m;
	int only = -1, nm = 0, nnew = 0, ret = -1;

	if (rule_is_kernel(rule))
		return add_kernel_probe(s, rule, rid);
	if (rule->path[0]) {
		only = session_add_file(s, rule->path);
		if (only < 0)
			return -1;
	}
	m = calloc(FP_MAX_PROBES, sizeof(*m));
	if (!m)
		return -1;
	/* Check every probe first, so a refused rule changes nothing. */
	for (int f = 0; f < s->nfiles; f++) {
		if (only >= 0 && f != only)
			continue;
		for (int i = 0; i < s->files[f].n; i++) {
			const struct usdt_note *n = &s->files[f].notes[i];
			struct probe_ref *p;
			bool value_point = false, marker, dup = false;

			if (strcmp(n->name, rule->name) || (rule->provider[0] && strcmp(n->provider, rule->provider)))
				continue;
			marker = usdt_note_is_marker(n, &value_point);
			if (!note_accepts(s, rule, f, n, marker, value_point))
				goto out;
			/* A probe inlined at several places is one probe with several locations. */
			for (int k = 0; k < nm; k++)
				dup |= m[k].file == f && !strcmp(m[k].note->provider, n->provider) &&
				       !strcmp(m[k].note->name, n->name);
			if (dup)
				continue;
			p = find_usdt_probe(s, f, n);
			if (probe_full(rule, p, n->provider, n->name))
				goto out;
			nnew += !p;
			if (nm == FP_MAX_PROBES || s->nprobes + nnew > FP_MAX_PROBES) {
				log_error("too many probes (at most %d)", FP_MAX_PROBES);
				goto out;
			}
			m[nm++] = (struct match){ f, n, marker, value_point };
		}
	}
	if (!nm) {
		report_missing(s, rule, only);
		goto out;
	}
	for (int k = 0; k < nm; k++) {
		struct probe_ref *p = find_usdt_probe(s, m[k].file, m[k].note);

		if (!p) {
			p = new_probe(s, m[k].file);
			snprintf(p->provider, sizeof(p->provider), "%s", m[k].note->provider);
			snprintf(p->name, sizeof(p->name), "%s", m[k].note->name);
			p->has_slot = m[k].marker;
			p->value_point = m[k].value_point;
			p->cfg.has_slot = m[k].marker;
		}
		p->cfg.rules[p->cfg.nrules++] = (__u32)rid;
		p->dirty = true;
	}
	ret = 0;
out:
	free(m);
	return ret;
}

/* Drops rid from every probe's list; the probes stay attached for later rules. */
void session_unresolve_rule(struct session *s, int rid)
{
	for (int k = 0; k < s->nprobes; k++) {
		struct fp_probe *c = &s->probes[k].cfg;
		__u32 kept = 0;

		for (__u32 i = 0; i < c->nrules; i++)
			if (c->rules[i] != (__u32)rid)
				c->rules[kept++] = c->rules[i];
		if (kept != c->nrules) {
			c->nrules = kept;
			s->probes[k].dirty = true;
		}
	}
}

int session_resolve_check(const struct rule *rules, int nrules, struct usdt_file *files, int nfiles)
{
	struct session *s = calloc(1, sizeof(*s));
	int ret = 0;

	if (!s)
		return -1;
	s->rules = calloc(FP_MAX_RULES, sizeof(*s->rules));
	if (!s->rules) {
		free(s);
		return -1;
	}
	for (int i = 0; i < nfiles && i < MAX_FILES; i++)
		s->files[s->nfiles++] = files[i];
	for (int r = 0; r < nrules && r < FP_MAX_RULES && !ret; r++) {
		s->rules[r] = rules[r];
		ret = session_resolve_rule(s, r);
	}
	for (int i = nfiles; i < s->nfiles; i++)
		usdt_file_free(&s->files[i]);
	free(s->rules);
	free(s);
	return ret;
}
