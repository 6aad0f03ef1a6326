// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The session's rule table, changed while it runs (set, off, reload) and mirrored into the
 * BPF maps. A rule's slot index is its id in BPF; removing a rule bumps its generation
 * there, which releases every thread waiting on it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <unistd.h>
#include "rules/kernel_rules.h"
#include "util/log.h"
#include "util/readfile.h"
#include "session/session_int.h"

/* A never used id first, so that removed rules keep their counters for the summary. */
static int free_slot(const struct session *s)
{
	for (int i = 0; i < FP_MAX_RULES; i++)
		if (!s->slots[i].used)
			return i;
	for (int i = 0; i < FP_MAX_RULES; i++)
		if (!s->slots[i].live)
			return i;
	return -1;
}

/* Pushes changed probe configurations to BPF and attaches probes that now have rules. */
static int sync_probes(struct session *s)
{
	for (int i = 0; i < s->nprobes; i++) {
		struct probe_ref *p = &s->probes[i];
		int err = 0;

		if (p->dirty) {
			err = injector__set_probe(s->inj, (__u32)i, &p->cfg);
			if (err) {
				log_error("cannot update probe %s:%s: %s", p->provider, p->name, strerror(-err));
				return err;
			}
			p->dirty = false;
		}
		if (p->attached || !p->cfg.nrules)
			continue;
		if (p->cfg.kind == FP_PROBE_USDT)
			err = injector__attach_probe(s->inj, (__u32)i, s->files[p->file].path, p->provider, p->name);
		else
			err = injector__attach_kprobe(s->inj, (__u32)i, p->symbol);
		if (err)
			return err;
		p->attached = true;
	}
	return 0;
}

static int set_rule_cgroup(struct session *s, int rid)
{
	const struct rule *r = &s->rules[rid];
	struct statfs sfs;
	int fd, err;

	fd = open(r->cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		log_error("%s:%d: cgroup=%s: %s", r->origin, r->line, r->cgroup, strerror(errno));
		return -1;
	}
	if (fstatfs(fd, &sfs) || sfs.f_type != CGROUP2_SUPER_MAGIC) {
		log_error("%s:%d: cgroup=%s is not a cgroup v2 directory", r->origin, r->line, r->cgroup);
		close(fd);
		return -1;
	}
	/* The map keeps its own reference to the cgroup. */
	err = injector__set_cgroup(s->inj, (__u32)rid, fd);
	close(fd);
	if (err)
		log_error("%s:%d: cgroup=%s: %s", r->origin, r->line, r->cgroup, strerror(-err));
	return err ? -1 : 0;
}

/* Validates r, takes a slot and resolves its probes; BPF is not touched.
 * Returns the id, or -2 for a bad rule and -1 when the kernel or a limit refuses it. */
int session_stage_rule(struct session *s, const struct rule *r, enum rule_source src)
{
	int rid = free_slot(s), ret;

	if (rid < 0) {
		log_error("%s:%d: too many rules (at most %d)", r->origin, r->line, FP_MAX_RULES);
		return -1;
	}
	s->rules[rid] = *r;
	if (rule_is_kernel(r)) {
		ret = kernel_rules_prepare(&s->rules[rid], 1, s->scoped, s->o->all_processes);
		if (ret)
			return -ret;
	}
	if (session_resolve_rule(s, rid))
		return -2;
	s->slots[rid] = (struct rule_slot){ .used = true, .live = true, .src = src };
	if (rid >= s->nslots)
		s->nslots = rid + 1;
	return rid;
}

static void drop_rule(struct session *s, int rid)
{
	session_unresolve_rule(s, rid);
	s->slots[rid].live = false;
	if (!s->inj)
		return;
	sync_probes(s);
	injector__disable_rule(s->inj, (__u32)rid);
	stop_release_rule(s, (__u32)rid);
}

/* Rule map before probe map, so no probe ever points at a rule not yet there. */
int session_install_rule(struct session *s, int rid)
{
	struct fp_rule br;
	int err;

	rule_to_bpf(&s->rules[rid], &br);
	err = injector__set_rule(s->inj, (__u32)rid, &br);
	if (err) {
		log_error("cannot store rule %s:%d: %s", s->rules[rid].origin, s->rules[rid].line, strerror(-err));
		drop_rule(s, rid);
		return -1;
	}
	if ((s->rules[rid].cgroup[0] && set_rule_cgroup(s, rid)) || sync_probes(s)) {
		drop_rule(s, rid);
		return -1;
	}
	return 0;
}

int session_add_rule(struct session *s, const struct rule *r, enum rule_source src)
{
	int rid = session_stage_rule(s, r, src);

	if (rid < 0)
		return rid;
	return session_install_rule(s, rid) ? -1 : rid;
}

/* fail-rs semantics: a target has one configuration; setting it replaces the old one. */
static int replace_target(struct session *s, const struct rule *r, enum rule_source src,
			  const bool *keep)
{
	int rid = session_add_rule(s, r, src);

	if (rid < 0)
		return rid;
	for (int i = 0; i < s->nslots; i++)
		if (i != rid && s->slots[i].live && !(keep && keep[i]) && rule_target_matches(&s->rules[i], r))
			drop_rule(s, i);
	return rid;
}

int session_set_rule(struct session *s, const struct rule *r, enum rule_source src)
{
	return replace_target(s, r, src, NULL);
}

int session_off(struct session *s, const struct rule *key)
{
	int n = 0;

	for (int i = 0; i < s->nslots; i++)
		if (s->slots[i].live && rule_target_matches(&s->rules[i], key)) {
			drop_rule(s, i);
			n++;
		}
	return n;
}

void session_disable_all(struct session *s)
{
	for (int i = 0; i < s->nslots; i++)
		if (s->slots[i].live) {
			injector__disable_rule(s->inj, (__u32)i);
			stop_release_rule(s, (__u32)i);
		}
}

static int read_rule_files(const struct session *s, struct rule *out)
{
	char err[512];
	int n = 0;

	for (int f = 0; f < s->o->nrule_files; f++) {
		const char *path = s->o->rule_files[f];
		char *text = read_whole_file(path);
		int got;

		if (!text) {
			log_error("reload: %s: %s", path, strerror(errno));
			return -1;
		}
		got = rules_parse_text(text, path, out + n, FP_MAX_RULES - n, err, sizeof(err));
		free(text);
		if (got < 0) {
			log_error("reload: %s", err);
			return -1;
		}
		n += got;
	}
	return n;
}

/* Re-reads the rule files. Unchanged rules keep their counters and waiters; changed and new
 * ones replace what is on their target; rules gone from the files are removed. A file
 * with an error changes nothing. Returns the number of rules changed, or -1. */
int session_reload(struct session *s)
{
	struct rule *fresh = calloc(FP_MAX_RULES, sizeof(*fresh));
	bool *keep = calloc(FP_MAX_RULES, sizeof(*keep)), *unchanged = calloc(FP_MAX_RULES, sizeof(bool));
	int n, changed = 0, ret = -1;

	if (!fresh || !keep || !unchanged)
		goto out;
	n = read_rule_files(s, fresh);
	if (n < 0)
		goto out;
	for (int i = 0; i < n; i++)
		if (rule_is_kernel(&fresh[i]) && kernel_rules_prepare(&fresh[i], 1, s->scoped, s->o->all_processes))
			goto out;
	if (session_resolve_check(fresh, n, s->files, s->nfiles))
		goto out;
	for (int i = 0; i < n; i++)
		for (int k = 0; k < s->nslots; k++)
			if (s->slots[k].live && s->slots[k].src == SRC_FILE && !keep[k] &&
			    !strcmp(s->rules[k].origin, fresh[i].origin) && !strcmp(s->rules[k].text, fresh[i].text)) {
				keep[k] = true;
				unchanged[i] = true;
				s->rules[k].line = fresh[i].line;
				break;
			}
	for (int k = 0; k < s->nslots; k++)
		if (s->slots[k].live && s->slots[k].src == SRC_FILE && !keep[k]) {
			drop_rule(s, k);
			changed++;
		}
	for (int i = 0; i < n; i++) {
		int rid;

		if (unchanged[i])
			continue;
		rid = replace_target(s, &fresh[i], SRC_FILE, keep);
		if (rid < 0)
			goto out;
		keep[rid] = true;
		changed++;
	}
	ret = changed;
out:
	free(fresh);
	free(keep);
	free(unchanged);
	return ret;
}
