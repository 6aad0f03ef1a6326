// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The driver: the sites found, the workers started (each loads its session once), two
 * runs without faults for the baseline, then each planned run handed to a free worker and
 * its result classified as it comes back. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "explore/explore_int.h"
#include "explore/explore_runner.h"
#include "explore/explore_workers.h"
#include "util/cmdpath.h"
#include "util/log.h"

static volatile sig_atomic_t interrupted;

/* Workers have process groups of their own: a terminal's ^C reaches explore only. Each
 * worker that is ready is told once (xworkers__collect): it ends its run, its process
 * group killed, and its session. */
static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static int find_sites(struct explore *x, const char *cmd_path)
{
	const struct explore_opts *o = x->o;
	char **fps = NULL, err[1024];
	int nfp = xs_failpoints(cmd_path, &fps, err, sizeof(err)), ret = 0;

	if (nfp < 0) {
		log_error("%s: %s", cmd_path, err);
		return -EINVAL;
	}
	for (int i = 0; i < o->nsites && !ret; i++)
		if (xs_add_spec(&x->sites, o->sites[i], (const char *const *)fps, nfp, err, sizeof(err)))
			ret = -EINVAL;
	if (!ret && !o->nsites)
		ret = nfp ? xs_add_spec(&x->sites, "usdt", (const char *const *)fps, nfp, err, sizeof(err))
			  : xs_add_default_syscalls(&x->sites, err, sizeof(err));
	for (int i = 0; i < o->nerrors && !ret; i++)
		if (xs_set_errors(&x->sites, o->errors[i], err, sizeof(err)))
			ret = -EINVAL;
	if (ret)
		log_error("explore: %s", err);
	else if (!x->sites.n) {
		log_error("explore: no sites to fail");
		ret = -EINVAL;
	}
	xs_failpoints_free(fps, nfp);
	return ret;
}

/* The rules at start: -r rules, then a counting rule per site (a seccomp filter must know
 * every syscall before the first run). */
int xe_start_rules(struct explore *x, struct rule **out, int *n)
{
	int total = x->o->nrules + x->sites.n;
	struct rule *rules = calloc((size_t)total, sizeof(*rules));

	if (!rules)
		return -ENOMEM;
	if (x->o->nrules)
		memcpy(rules, x->o->rules, (size_t)x->o->nrules * sizeof(*rules));
	for (int i = 0; i < x->sites.n; i++) {
		struct rule *r = &rules[x->o->nrules + i];

		if (xrunner__site_rule(&x->sites.v[i], NULL, r))
			goto bad;
		for (int j = 0; j < x->o->nrules; j++)
			if (rule_target_matches(&x->o->rules[j], r)) {
				log_error("explore: %s:%d: a -r rule is on %s, a site explore fails: leave it out of --sites or of the rule file",
					  x->o->rules[j].origin, x->o->rules[j].line, x->sites.v[i].target);
				goto bad;
			}
	}
	*out = rules;
	*n = total;
	return 0;
bad:
	free(rules);
	return -EINVAL;
}

/* One job, waited for: the baseline's runs. */
static int run_one(struct explore *x, struct xworkers *w, const struct xjob *job, struct xresult *res)
{
	int err = xworkers__submit(w, job);

	if (!err)
		do
			err = xworkers__collect(w, res);
		while (err == -EINTR);
	if (!err && (res->end.interrupted || interrupted))
		x->interrupted = true;
	return err ? err : res->err;
}

/* fpbpf's own child could not exec the command: what it said is the error. */
static int unrunnable(const struct xresult *r)
{
	const char *msg = strstr(r->text, "fpbpf: exec ");

	if (!WIFEXITED(r->end.wait_status) || WEXITSTATUS(r->end.wait_status) != 127 || !msg)
		return 0;
	log_error("explore: %.*s", (int)strcspn(msg + 7, "\n"), msg + 7);
	return -ENOENT;
}

static int baseline(struct explore *x, struct xworkers *w, uint64_t *counts)
{
	struct xjob job = { .run = -1, .timeout_ms = x->o->timeout_ms, .expect_status = -1 };
	struct xresult r[2] = {};
	int err = 0;

	for (int k = 0; k < 2 && !err; k++) {
		/* The second run is checked with --expect: its status is the baseline's own. */
		job.expect_status = k ? r[0].end.wait_status : -1;
		err = run_one(x, w, &job, &r[k]);
		if (!err && (r[k].end.timed_out || x->interrupted))
			err = x->interrupted ? -ECANCELED : -ETIMEDOUT;
		if (!err)
			err = unrunnable(&r[k]);
	}
	if (err == -ETIMEDOUT)
		log_error("explore: the command did not end within --timeout without any fault: nothing to compare with");
	if (!err && r[1].expect > 0) {
		log_error("explore: --expect fails after a run without faults: fix the check or the command first");
		err = -EINVAL;
	}
	if (!err) {
		x->base_status = r[0].end.wait_status;
		x->base_ns = r[0].end.elapsed_ns > r[1].end.elapsed_ns ? r[0].end.elapsed_ns : r[1].end.elapsed_ns;
		if (r[0].end.wait_status != r[1].end.wait_status)
			pr_warn("fpbpf: explore: the command's exit status differs between two runs without faults (%d, %d): outcomes compare with the first\n",
				r[0].end.wait_status, r[1].end.wait_status);
		if (WIFSIGNALED(x->base_status))
			pr_warn("fpbpf: explore: the command dies by signal %d without any fault: only runs that end otherwise, or with a sanitizer report, are findings\n",
				WTERMSIG(x->base_status));
		x->baseline_done = true;
		memcpy(counts, r[0].counts, (size_t)x->sites.n * sizeof(uint64_t));
		for (int s = 0; s < x->sites.n; s++)
			x->nondet[s] = r[0].counts[s] != r[1].counts[s];
	}
	xresult_free(&r[0]);
	xresult_free(&r[1]);
	return err;
}

static int add_group(struct explore *x, const char *sig, int i)
{
	for (int g = 0; g < x->ngroups; g++)
		if (!strcmp(x->groups[g].sig, sig)) {
			x->groups[g].count++;
			return g;
		}
	{
		struct xgroup *grown = realloc(x->groups, (size_t)(x->ngroups + 1) * sizeof(*grown));

		if (!grown)
			return -1;
		x->groups = grown;
	}
	snprintf(x->groups[x->ngroups].sig, sizeof(x->groups[0].sig), "%s", sig);
	x->groups[x->ngroups].first = i;
	x->groups[x->ngroups].count = 1;
	return x->ngroups++;
}

static int grow_recs(struct explore *x)
{
	if (x->plan.n <= x->recs_cap)
		return 0;
	{
		struct xrun_rec *grown = realloc(x->recs, (size_t)x->plan.n * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		memset(grown + x->recs_cap, 0, (size_t)(x->plan.n - x->recs_cap) * sizeof(*grown));
		x->recs = grown;
		x->recs_cap = x->plan.n;
	}
	return 0;
}

static void classify(struct explore *x, int i, const struct xresult *res)
{
	struct xrun_rec *rec = &x->recs[i];
	char sig[320];

	rec->outcome = xo_classify(x->base_status, res->end.wait_status, res->end.timed_out, res->text, res->len,
				   res->expect);
	if (rec->outcome == XO_OK)
		return;
	x->findings++;
	x->alarms += xo_is_alarm(rec->outcome);
	rec->tail = strdup(res->len > XR_TAIL ? res->text + res->len - XR_TAIL : res->text);
	rec->repro = xr_repro(x, &x->plan.runs[i], rec->outcome == XO_WRONG);
	xo_signature(rec->outcome, res->end.wait_status, res->text, res->len, sig, sizeof(sig));
	rec->group = add_group(x, sig, i);
	xr_finding(x, i);
}

/* A run's result: recorded in the plan (fired, counts) and classified if its fault fired. */
static int record(struct explore *x, const struct xresult *res)
{
	const struct xp_run *run = &x->plan.runs[res->run];
	struct xrun_rec *rec = &x->recs[res->run];
	bool fired = true;

	if (res->err)
		return res->err;
	if (res->end.interrupted || interrupted) {
		x->interrupted = true;
		return 0;
	}
	for (int k = 0; k < run->nsteps; k++)
		fired = fired && res->injected[run->step[k].site] > 0;
	rec->ran = true;
	rec->status = res->end.wait_status;
	rec->timed_out = res->end.timed_out;
	rec->elapsed_ns = res->end.elapsed_ns;
	x->runs_done++;
	if (fired)
		classify(x, res->run, res);
	if (fired && (rec->outcome == XO_HANG || rec->outcome == XO_CRASH))
		xplan__truncated(&x->plan, res->run);
	return xplan__record(&x->plan, res->run, fired, res->injected[run->step[run->nsteps - 1].site] > 0,
			     res->counts);
}

static int collect_one(struct explore *x, struct xworkers *w, int *done, int total)
{
	struct xresult res;
	int err = xworkers__collect(w, &res);

	if (err == -EINTR) {
		x->interrupted = x->interrupted || interrupted;
		return 0;
	}
	if (!err) {
		err = record(x, &res);
		++*done;
		xr_progress(x, *done, total, *done == total);
	}
	xresult_free(&res);
	return err;
}

/* The runs from..plan.n, as many at once as there are workers. A run whose sequence
 * stopped is skipped when its turn comes (with -j, runs already under way go on). */
static int explore_phase(struct explore *x, struct xworkers *w, int depth, int from)
{
	int total = x->plan.n - from, done = 0, err = grow_recs(x), next = from;

	xr_phase(x, depth, total);
	while (!err && !x->interrupted && !interrupted && (next < x->plan.n || xworkers__busy(w))) {
		while (next < x->plan.n && xworkers__idle(w) && !err) {
			const struct xp_run *run = &x->plan.runs[next];
			struct xjob job = { .run = next, .nsteps = run->nsteps, .timeout_ms = x->timeout_ms,
					    .expect_status = x->base_status };

			if (!xplan__wanted(&x->plan, next)) {
				xplan__record(&x->plan, next++, false, false, NULL);
				done++;
				continue;
			}
			memcpy(job.step, run->step, sizeof(job.step));
			err = xworkers__submit(w, &job);
			next++;
		}
		if (!err && xworkers__busy(w))
			err = collect_one(x, w, &done, total);
	}
	/* Interrupted: the runs under way end (their workers are told) and are dropped. */
	x->interrupted = x->interrupted || interrupted;
	while (x->interrupted && xworkers__busy(w) && !err) {
		struct xresult res;

		err = xworkers__collect(w, &res);
		err = err == -EINTR ? 0 : err;
		xresult_free(&res);
	}
	return err;
}

/* 10x the baseline, at least a second; with more runs at once than CPUs, each run gets a
 * share of a CPU, and as much more time. */
static long long auto_timeout(const struct explore *x)
{
	long long ms = x->base_ns * 10 / 1000000, cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (ms < 1000)
		ms = 1000;
	if (cpus > 0 && x->o->jobs > cpus)
		ms = ms * ((x->o->jobs + cpus - 1) / cpus);
	return ms;
}

static int explore_all(struct explore *x, struct xworkers *w)
{
	uint64_t *base = calloc((size_t)x->sites.n + 1, sizeof(uint64_t));
	int *nfaults = calloc((size_t)x->sites.n + 1, sizeof(int));
	int err = base && nfaults && x->nondet ? baseline(x, w, base) : -ENOMEM, from;

	if (!err) {
		x->timeout_ms = x->o->timeout_ms ? x->o->timeout_ms : auto_timeout(x);
		for (int s = 0; s < x->sites.n; s++)
			nfaults[s] = x->sites.v[s].nfaults;
		err = xplan__init(&x->plan, x->sites.n, nfaults, x->o->max_nth, base);
	}
	if (!err) {
		xr_start(x);
		err = xplan__depth1(&x->plan) < 0 ? -ENOMEM : explore_phase(x, w, 1, 0);
	}
	if (!err && x->o->depth > 1 && !x->interrupted) {
		from = x->plan.n;
		err = xplan__depth2(&x->plan) < 0 ? -ENOMEM : explore_phase(x, w, 2, from);
	}
	free(base);
	free(nfaults);
	return err;
}

static void explore_free(struct explore *x)
{
	for (int i = 0; i < x->recs_cap; i++) {
		free(x->recs[i].tail);
		free(x->recs[i].repro);
	}
	free(x->recs);
	free(x->groups);
	free(x->nondet);
	xplan__fini(&x->plan);
}

static void handle_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int explore_main(const struct explore_opts *o, struct explore_result *res)
{
	struct explore x = { .o = o, .out = stdout, .t0_ns = xr_now_ns() };
	struct xworkers *w = NULL;
	struct rule *rules = NULL;
	char *cmd_path = cmdpath_find(o->argv[0]);
	int nrules = 0, err;

	memset(res, 0, sizeof(*res));
	if (!cmd_path || access(cmd_path, X_OK)) {
		log_error("%s: %s", o->argv[0], cmd_path ? "not executable" : "command not found");
		free(cmd_path);
		return -ENOENT;
	}
	err = find_sites(&x, cmd_path);
	free(cmd_path);
	if (!err)
		err = xr_prepare_report(&x);
	if (!err) {
		handle_signals();
		err = xc_split_sites(&x);
	}
	x.nondet = calloc((size_t)x.sites.n + 1, sizeof(bool));
	if (!err && !x.nondet)
		err = -ENOMEM;
	if (!err)
		err = xe_start_rules(&x, &rules, &nrules);
	if (!err)
		err = xworkers__start(&x.sites, o, rules, nrules, o->jobs, &interrupted, &w);
	if (!err)
		err = explore_all(&x, w);
	xworkers__stop(w);
	x.interrupted = x.interrupted || interrupted || err == -ECANCELED;
	if (x.baseline_done && (!err || x.interrupted)) {
		xr_summary(&x);
		if (xr_write_reports(&x) && !err)
			err = -EIO;
	} else if (x.interrupted) {
		xr_interrupted_early(&x);
	}
	if (fflush(x.out) || ferror(x.out)) {
		log_error("explore: writing the results: %s", strerror(errno ? errno : EIO));
		err = err ? err : -EIO;
	}
	if (!err && x.interrupted)
		err = -ECANCELED;
	res->runs = x.runs_done;
	res->findings = x.findings;
	res->alarms = x.alarms;
	explore_free(&x);
	free(rules);
	return err;
}
