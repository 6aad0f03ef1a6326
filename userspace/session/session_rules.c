// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The session's rules while it runs: staged (checked and resolved, nothing in BPF yet),
 * installed (rule map before probe map, so no probe ever points at a rule not there),
 * replaced with fail-rs semantics, removed, and reloaded from their files. Removing a
 * rule bumps its generation in BPF, which releases every thread waiting on it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <unistd.h>
#include "engine/sys_backend.h"
#include "rules/kernel_rules.h"
#include "rules/ruleset.h"
#include "session/session_int.h"
#include "util/log.h"

static int set_rule_cgroup(struct session *s, int rid)
{
	const struct rule *r = rule_table__get(s->rules, rid);
	struct statfs sfs;
	int fd, err;

	fd = open(r->cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		log_error("%s:%d: cgroup=%s: %s", r->origin, r->line, r->cgroup, strerror(errno));
		return err;
	}
	if (fstatfs(fd, &sfs) || sfs.f_type != CGROUP2_SUPER_MAGIC) {
		log_error("%s:%d: cgroup=%s is not a cgroup v2 directory", r->origin, r->line, r->cgroup);
		close(fd);
		return -EINVAL;
	}
	/* The map keeps its own reference to the cgroup. */
	err = injector__set_cgroup(s->inj, (__u32)rid, fd, r->cgroup);
	close(fd);
	if (err)
		log_error("%s:%d: cgroup=%s: %s", r->origin, r->line, r->cgroup, strerror(-err));
	return err;
}

/* The backend that serves a kernel rule here; else -EINVAL when the rule itself is at
 * fault, -EOPNOTSUPP when the kernel lacks what backends need, naming it. */
static int pick_backend(struct session *s, struct rule *r, const struct sys_backend **out)
{
	struct backend_env env = { .command = s->o->argv != NULL, .inj = s->inj };
	bool rule_fault;
	char why[1024];

	*out = NULL;
	if (!rule_is_kernel(r))
		return 0;
	*out = sys_backend_pick(r, &env, s->o->backend, why, sizeof(why), &rule_fault);
	if (*out)
		return 0;
	if (rule_fault) {
		log_error("%s:%d:%d: %s", r->origin, r->line, r->target_col, why);
		return -EINVAL;
	}
	log_error("%s:%d:%d: %s:%s cannot be served on this kernel: %s", r->origin, r->line, r->target_col,
		  r->kind == TARGET_SYS ? "sys" : "kfunc", r->name, why);
	return -EOPNOTSUPP;
}

/* Checks r, takes an id and resolves its probes; BPF is not touched. Returns the id, or
 * -EINVAL for a rule that does not fit, -EOPNOTSUPP when the kernel cannot serve it,
 * -E2BIG at a limit. */
int session_stage_rule(struct session *s, const struct rule *r, enum rule_source src)
{
	int rid = rule_table__free_id(s->rules), ret;
	const struct sys_backend *b;
	struct rule *staged;
	char err[1024];

	if (rid < 0) {
		log_error("%s:%d:%d: too many rules (at most %d in a session)", r->origin, r->line, r->target_col,
			  FP_MAX_RULES);
		return -E2BIG;
	}
	staged = rule_table__rule(s->rules, rid);
	*staged = *r;
	if (kernel_rule_prepare(staged, s->scoped, s->o->all_processes, err, sizeof(err))) {
		log_error("%s", err);
		return -EINVAL;
	}
	ret = pick_backend(s, staged, &b);
	if (!ret)
		ret = probe_table__resolve(s->probes, staged, rid, b);
	if (ret)
		return ret;
	rule_table__commit(s->rules, rid, src, b);
	return rid;
}

static void drop_rule(struct session *s, int rid)
{
	probe_table__unresolve(s->probes, rid);
	rule_table__retire(s->rules, rid);
	if (!s->inj)
		return;
	probe_table__sync(s->probes, s->inj);
	injector__disable_rule(s->inj, (__u32)rid);
	injector__clear_callers(s->inj, (__u32)rid);
	holds__release_rule(s->holds, (__u32)rid);
}

int session_install_rule(struct session *s, int rid)
{
	const struct rule *r = rule_table__get(s->rules, rid);
	struct fp_rule br;
	int err;

	rule_to_bpf(r, &br);
	err = session_set_callers(s, rid);
	if (!err)
		err = injector__set_rule(s->inj, (__u32)rid, &br);
	if (err)
		log_error("cannot store rule %s:%d: %s", r->origin, r->line, strerror(-err));
	if (!err && r->cgroup[0])
		err = set_rule_cgroup(s, rid);
	if (!err)
		err = probe_table__sync(s->probes, s->inj);
	if (err)
		drop_rule(s, rid);
	return err;
}

static int add_rule(struct session *s, const struct rule *r, enum rule_source src)
{
	int rid = session_stage_rule(s, r, src), err;

	if (rid < 0)
		return rid;
	err = session_install_rule(s, rid);
	return err ? err : rid;
}

/* fail-rs semantics: a target has one configuration; setting it replaces the old one.
 * The new rule goes in first, so there is no moment without one. */
static int replace_target(struct session *s, const struct rule *r, enum rule_source src, const bool *keep)
{
	int rid = add_rule(s, r, src);

	if (rid < 0)
		return rid;
	for (int i = 0; i < rule_table__bound(s->rules); i++)
		if (i != rid && rule_table__live(s->rules, i) && !(keep && keep[i]) &&
		    rule_target_matches(rule_table__get(s->rules, i), r))
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

	for (int i = 0; i < rule_table__bound(s->rules); i++)
		if (rule_table__live(s->rules, i) && rule_target_matches(rule_table__get(s->rules, i), key)) {
			drop_rule(s, i);
			n++;
		}
	return n;
}

void session_disable_all(struct session *s)
{
	for (int i = 0; i < rule_table__bound(s->rules); i++)
		if (rule_table__live(s->rules, i)) {
			injector__disable_rule(s->inj, (__u32)i);
			holds__release_rule(s->holds, (__u32)i);
		}
}

/* The re-read rules, each checked and resolved against a scratch table first, so that
 * a file with an error changes nothing. */
static int read_fresh(struct session *s, struct rule *fresh)
{
	struct probe_table *scratch;
	char err[1024];
	int n = ruleset_reread(s->o->rule_files, s->o->nrule_files, fresh, FP_MAX_RULES, err, sizeof(err));

	if (n < 0 || ruleset_check_limits(fresh, n, err, sizeof(err))) {
		log_error("reload: %s", err);
		return -EINVAL;
	}
	scratch = probe_table__new();
	if (!scratch)
		return -ENOMEM;
	for (int f = 0; f < probe_table__nfiles(s->probes); f++)
		probe_table__copy_file(scratch, s->probes, f);
	for (int i = 0; i < n && n >= 0; i++) {
		const struct sys_backend *b;

		if (kernel_rule_prepare(&fresh[i], s->scoped, s->o->all_processes, err, sizeof(err))) {
			log_error("reload: %s", err);
			n = -EINVAL;
		} else if (pick_backend(s, &fresh[i], &b) || probe_table__resolve(scratch, &fresh[i], i, b)) {
			n = -EINVAL;
		}
	}
	probe_table__free(scratch);
	return n;
}

int session_reload(struct session *s, int *once_kept)
{
	struct rule *fresh = calloc(FP_MAX_RULES, sizeof(*fresh));
	struct reload_plan *plan = calloc(1, sizeof(*plan));
	int n, ret = -ENOMEM;

	if (!fresh || !plan)
		goto out;
	n = read_fresh(s, fresh);
	ret = n;
	if (n < 0)
		goto out;
	rule_table__plan_reload(s->rules, fresh, n, s->o->rule_files, s->o->nrule_files, plan);
	for (int k = 0; k < rule_table__bound(s->rules); k++) {
		if (plan->fresh_of[k] >= 0)
			rule_table__rule(s->rules, k)->line = fresh[plan->fresh_of[k]].line;
		if (plan->drop[k])
			drop_rule(s, k);
	}
	for (int i = 0; i < n; i++) {
		int rid;

		if (!plan->add[i])
			continue;
		rid = replace_target(s, &fresh[i], SRC_FILE, plan->keep);
		if (rid < 0) {
			ret = rid;
			goto out;
		}
		plan->keep[rid] = true;
	}
	*once_kept = plan->once_kept;
	ret = plan->changed;
out:
	free(fresh);
	free(plan);
	return ret;
}
