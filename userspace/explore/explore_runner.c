// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* One session, loaded once with a counting rule ("off") on each site; a run swaps the
 * faulted sites' rules in and the others back, runs the command, and reads each site's
 * counters over the run. Nothing is reloaded between runs: only rules change. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "explore/explore_outcome.h"
#include "explore/explore_runner.h"
#include "util/log.h"

struct xrunner {
	const struct xs_sites *sites;
	const struct explore_opts *o;
	struct session_opts so;	/* the session keeps a pointer to it */
	struct session_runs *sr;
	int *rid;		/* per site: its live rule */
	unsigned *faulted;	/* per site: 0 its counting rule, else the run (tag) whose fault it has */
	unsigned tag;
	uint64_t *pre, *post, *inj_pre, *inj_post;
	int null_fd, err_fd;
	FILE *events;		/* the session's events: not explore's output */
	char *text;
	size_t len;
};

int xrunner__site_rule(const struct xs_site *site, const struct xp_step *st, struct rule *r)
{
	char text[512], err[512];

	xs_rule_text(site, st ? site->faults[st->fault].action : NULL, st ? (unsigned long long)st->nth : 0, text,
		     sizeof(text));
	if (rule_parse(text, "explore", 1, r, err, sizeof(err))) {
		log_error("%s", err);
		return -EINVAL;
	}
	return 0;
}

static int live_ids(struct xrunner *rn)
{
	for (int i = 0; i < rn->sites->n; i++) {
		struct rule key;

		if (xrunner__site_rule(&rn->sites->v[i], NULL, &key))
			return -EINVAL;
		rn->rid[i] = session_runs__live_id(rn->sr, &key);
		if (rn->rid[i] < 0) {
			log_error("explore: %s has no rule in the session", xs_site_name(&rn->sites->v[i]));
			return -EIO;
		}
	}
	return 0;
}

int xrunner__open(const struct xs_sites *sites, const struct explore_opts *o, const struct rule *rules,
		  int nrules, struct xrunner **out)
{
	struct xrunner *rn = calloc(1, sizeof(*rn));
	size_t n = (size_t)sites->n + 1;
	int err;

	*out = NULL;
	if (!rn)
		return -ENOMEM;
	rn->sites = sites;
	rn->o = o;
	/* The session's own event lines are not explore's output; its errors still are. */
	rn->null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	rn->err_fd = memfd_create("fpbpf-explore-stderr", MFD_CLOEXEC);
	rn->events = fopen("/dev/null", "we");
	rn->rid = calloc(n, sizeof(*rn->rid));
	rn->faulted = calloc(n, sizeof(*rn->faulted));
	rn->pre = calloc(n, sizeof(uint64_t));
	rn->post = calloc(n, sizeof(uint64_t));
	rn->inj_pre = calloc(n, sizeof(uint64_t));
	rn->inj_post = calloc(n, sizeof(uint64_t));
	if (rn->null_fd < 0 || rn->err_fd < 0 || !rn->events || !rn->rid || !rn->faulted || !rn->pre ||
	    !rn->post || !rn->inj_pre || !rn->inj_post) {
		xrunner__close(rn);
		return -ENOMEM;
	}
	rn->so = (struct session_opts){
		.rules = (struct rule *)rules, .nrules = nrules, .out = rn->events, .json = o->json,
		.delivery = o->delivery, .argv = o->argv, .backend = o->backend,
	};
	err = session_runs__open(&rn->so, &rn->sr);
	if (!err)
		err = live_ids(rn);
	if (err) {
		xrunner__close(rn);
		return err;
	}
	*out = rn;
	return 0;
}

int xrunner__callers(struct xrunner *rn, int site, struct run_caller *out, int max)
{
	return session_runs__callers(rn->sr, rn->rid[site], out, max);
}

void xrunner__close(struct xrunner *rn)
{
	if (!rn)
		return;
	session_runs__close(rn->sr);
	if (rn->events)
		fclose(rn->events);
	if (rn->null_fd >= 0)
		close(rn->null_fd);
	if (rn->err_fd >= 0)
		close(rn->err_fd);
	free(rn->rid);
	free(rn->faulted);
	free(rn->pre);
	free(rn->post);
	free(rn->inj_pre);
	free(rn->inj_post);
	free(rn->text);
	free(rn);
}

/* The run's faulted sites get their fault, every other site its counting rule back. */
static int set_rules(struct xrunner *rn, const struct xp_step *steps, int nsteps)
{
	rn->tag++;
	for (int s = 0; s < rn->sites->n; s++) {
		const struct xp_step *st = NULL;
		struct rule r;
		int rid;

		for (int k = 0; k < nsteps; k++)
			if (steps[k].site == s)
				st = &steps[k];
		if (!st && !rn->faulted[s])
			continue;
		if (xrunner__site_rule(&rn->sites->v[s], st, &r))
			return -EINVAL;
		rid = session_runs__set(rn->sr, &r);
		if (rid < 0)
			return rid;
		rn->rid[s] = rid;
		rn->faulted[s] = st ? rn->tag : 0;
	}
	return 0;
}

static void read_counts(struct xrunner *rn, uint64_t *matched, uint64_t *injected)
{
	for (int s = 0; s < rn->sites->n; s++) {
		struct rule_counts c = {};

		session_runs__counts(rn->sr, rn->rid[s], &c);
		matched[s] = c.matched;
		injected[s] = c.injected;
	}
}

/* What the run wrote on stderr: all of it up to XRUN_TEXT_MAX, else the first report
 * line (a sanitizer's, which may come early) and the end. */
static void read_stderr(struct xrunner *rn)
{
	off_t len = lseek(rn->err_fd, 0, SEEK_END);
	size_t total = len > 0 ? (size_t)len : 0, tail = total, used = 0;
	char head[4096];
	ssize_t got;

	free(rn->text);
	rn->len = 0;
	rn->text = malloc(XRUN_TEXT_MAX + 1);
	if (!rn->text)
		return;
	if (total > XRUN_TEXT_MAX) {
		const char *rep;

		got = pread(rn->err_fd, head, sizeof(head) - 1, 0);
		head[got > 0 ? got : 0] = 0;
		rep = xo_sanitizer_report(head, got > 0 ? (size_t)got : 0);
		if (rep) {
			used = (size_t)snprintf(rn->text, 1024, "%.*s\n", (int)strcspn(rep, "\n"), rep);
			used = used < 1023 ? used : 1023;	/* a longer line was cut */
		}
		tail = XRUN_TEXT_MAX - used;
	}
	got = pread(rn->err_fd, rn->text + used, tail, (off_t)(total - tail));
	rn->len = used + (got > 0 ? (size_t)got : 0);
	rn->text[rn->len] = 0;
}

/* --expect, in a process group of its own: killed at the runs' timeout, or when the worker
 * is told to stop, and then a failure. 0 passed, 1 failed. */
static int run_expect(const char *cmd, int null_fd, long long timeout_ms)
{
	long long waited_ms = 0;
	pid_t pid = fork();
	int status = 0;

	if (pid < 0)
		return 1;
	if (pid == 0) {
		setpgid(0, 0);
		dup2(null_fd, 0);
		dup2(null_fd, 1);
		dup2(null_fd, 2);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (session_runs__interrupted() || (timeout_ms && waited_ms >= timeout_ms)) {
			if (timeout_ms && waited_ms >= timeout_ms)
				pr_warn("fpbpf: explore: --expect still running after %lld ms: killed, counted as failed\n", timeout_ms);
			kill(-pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			return 1;
		}
		usleep(2000);
		waited_ms += 2;
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

void xrunner__run(struct xrunner *rn, const struct xp_step *steps, int nsteps, long long timeout_ms,
		  int expect_status, struct xrun_out *out)
{
	int n = rn->sites->n;

	memset(out, 0, sizeof(*out));
	out->expect = -1;
	out->counts = rn->post;
	out->injected = rn->inj_post;
	out->err = set_rules(rn, steps, nsteps);
	if (out->err)
		return;
	read_counts(rn, rn->pre, rn->inj_pre);
	if (ftruncate(rn->err_fd, 0) || lseek(rn->err_fd, 0, SEEK_SET)) {
		out->err = -errno;
		return;
	}
	out->err = session_runs__run(rn->sr, timeout_ms, rn->null_fd, rn->null_fd, rn->err_fd, &out->end);
	read_counts(rn, rn->post, rn->inj_post);
	for (int s = 0; s < n; s++) {
		rn->post[s] -= rn->pre[s];
		rn->inj_post[s] -= rn->inj_pre[s];
	}
	read_stderr(rn);
	out->text = rn->text ? rn->text : "";
	out->len = rn->len;
	if (!out->err && rn->o->expect && !out->end.timed_out && !out->end.interrupted &&
	    out->end.wait_status == expect_status)
		out->expect = run_expect(rn->o->expect, rn->null_fd, timeout_ms);
}
