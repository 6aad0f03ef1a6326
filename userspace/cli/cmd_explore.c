// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* fpbpf explore: fail every site of a command, hit by hit, and report what broke. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/commands.h"
#include "engine/sys_backend.h"
#include "explore/explore.h"
#include "rules/ruleset.h"
#include "util/cmdpath.h"
#include "util/log.h"
#include "util/num.h"

enum {
	O_SITES = 'S', O_RULES = 'r', O_ERRORS = 'E', O_MAX_NTH = 'n', O_DEPTH = 'd', O_JOBS = 'j',
	O_TIMEOUT = 't', O_EXPECT = 'x', O_REPORT = 'o', O_DELIVERY = 'D', O_BACKEND = 'B',
};

#define MAX_SPECS 64

struct explore_cmd {
	struct ruleset rs;
	const char *sites[MAX_SPECS], *errors[MAX_SPECS];
	int nsites, nerrors;
	uint64_t max_nth;
	int depth, jobs;
	long long timeout_ms;
	const char *expect, *report;
	enum delivery delivery;
	const char *backend;
};

static int add_spec(const char **v, int *n, const char *arg, const char *opt)
{
	if (*n == MAX_SPECS) {
		log_error("%s: at most %d, got one more: '%s'", opt, MAX_SPECS, arg);
		return EXIT_USAGE;
	}
	v[(*n)++] = arg;
	return 0;
}

static int bad(const char *opt, const char *expected, const char *arg)
{
	log_error("%s: expected %s, got '%s'", opt, expected, arg);
	return EXIT_USAGE;
}

static int on_explore_opt(void *state, int id, const char *arg)
{
	struct explore_cmd *c = state;
	char err[1024];
	uint64_t v;

	switch (id) {
	case O_SITES:
		return add_spec(c->sites, &c->nsites, arg, "--sites");
	case O_ERRORS:
		return add_spec(c->errors, &c->nerrors, arg, "--errors");
	case O_RULES:
		if (ruleset_add_file(&c->rs, arg, err, sizeof(err))) {
			log_error("%s", err);
			return EXIT_USAGE;
		}
		return 0;
	case O_MAX_NTH:
		if (num_u64(arg, 1, 1000000, &v))
			return bad("--max-nth", "a whole number from 1 to 1000000", arg);
		c->max_nth = v;
		return 0;
	case O_DEPTH:
		if (strcmp(arg, "1") && strcmp(arg, "2"))
			return bad("--depth", "1 or 2", arg);
		c->depth = arg[0] - '0';
		return 0;
	case O_JOBS:
		if (num_u64(arg, 1, 64, &v))
			return bad("--jobs", "a number of runs at once from 1 to 64", arg);
		c->jobs = (int)v;
		return 0;
	case O_TIMEOUT:
		if (num_fixed(arg, 3, 86400ULL * 1000, &v) || !v)
			return bad("--timeout", "seconds from 0.001 to a day, at most 3 decimals (like 5 or 0.5)", arg);
		c->timeout_ms = (long long)v;
		return 0;
	case O_EXPECT:
		c->expect = arg;
		return 0;
	case O_REPORT:
		c->report = arg;
		return 0;
	case O_DELIVERY:
		if (strcmp(arg, "auto") && strcmp(arg, "write") && strcmp(arg, "stop"))
			return bad("--delivery", "auto, write or stop", arg);
		c->delivery = arg[0] == 'a' ? DELIVERY_AUTO : arg[0] == 'w' ? DELIVERY_WRITE : DELIVERY_STOP;
		return 0;
	case O_BACKEND:
		if (!sys_backend_by_name(arg))
			return bad("--backend", "fmod_ret, kprobe, lsm or seccomp", arg);
		c->backend = arg;
		return 0;
	}
	return EXIT_USAGE;
}

static void free_explore_cmd(void *state)
{
	ruleset_free(&((struct explore_cmd *)state)->rs);
}

/* How a repro names fpbpf: as a user types it when PATH finds this very binary. */
static const char *self_name(char *buf, size_t len)
{
	char *me = realpath("/proc/self/exe", NULL), *in_path = cmdpath_find("fpbpf");
	bool same = me && in_path && !strcmp(me, in_path);

	snprintf(buf, len, "%s", same || !me ? "fpbpf" : me);
	free(me);
	free(in_path);
	return buf;
}

static int run_explore(void *state, int argc, char **argv)
{
	struct explore_cmd *c = state;
	char self[PATH_MAX];
	struct explore_opts o = {
		.argv = argv, .sites = c->sites, .nsites = c->nsites, .errors = c->errors, .nerrors = c->nerrors,
		.rules = c->rs.rules, .nrules = c->rs.n, .max_nth = c->max_nth ? c->max_nth : 64,
		.depth = c->depth ? c->depth : 1, .jobs = c->jobs ? c->jobs : 1, .timeout_ms = c->timeout_ms, .expect = c->expect,
		.report_dir = c->report, .json = log_json, .delivery = c->delivery, .backend = c->backend,
		.self = self_name(self, sizeof(self)),
	};
	struct explore_result res;
	int err;

	if (!argc) {
		log_error("explore: missing command after the options (fpbpf explore [OPTIONS] -- CMD ...)");
		return EXIT_USAGE;
	}
	if (geteuid() != 0)
		pr_warn("fpbpf: not running as root: loading BPF programs will likely fail (try sudo)\n");
	err = explore_main(&o, &res);
	if (err == -EINVAL)
		return EXIT_USAGE;
	if (err == -ENOENT)
		return 127;
	if (err == -ECANCELED)
		return 130;
	if (err)
		return EXIT_RUNTIME;
	return res.alarms ? EXIT_FOUND : EXIT_OK;
}

static const struct opt explore_opts[] = {
	{ "sites", 'S', "SPEC", "what to fail (repeatable): usdt (every FPBPF_FAIL failpoint),\n"
				"sys (the default syscalls), sys:NAME[,NAME], or a failpoint\n"
				"name; default: the failpoints, else the default syscalls", O_SITES },
	{ "errors", 'E', "SITE=F,F", "the faults of SITE: errno names or numbers, short (a 1-byte\n"
				     "transfer) for syscalls; return values for failpoints", O_ERRORS },
	{ "rules", 'r', "FILE", "rules in force in every run, the baseline's too", O_RULES },
	{ "max-nth", 'n', "N", "fail hits 1..N of each site at most (default 64)", O_MAX_NTH },
	{ "depth", 'd', "1|2", "2: a second fault at the sites the first one changed", O_DEPTH },
	{ "jobs", 'j', "N", "runs at once (default 1), each in a session of its own; runs\n"
			    "may share files, as the command's own runs would", O_JOBS },
	{ "timeout", 't', "S", "a run still going after S seconds is a hang (default: 10x the\n"
			       "baseline, at least 1)", O_TIMEOUT },
	{ "expect", 'x', "CMD", "after a run that exits like the baseline, sh -c CMD must pass;\n"
				"else the run is 'wrong'", O_EXPECT },
	{ "report", 'o', "DIR", "write DIR/report.json and DIR/report.html", O_REPORT },
	{ "delivery", 'D', "MODE", "auto (default), write or stop, as for run", O_DELIVERY },
	{ "backend", 'B', "NAME", "serve syscall sites with this backend only, as for run", O_BACKEND },
	{ NULL },
};

const struct cmd cmd_explore = {
	.name = "explore",
	.synopsis = "[OPTIONS] -- CMD [ARGS]...",
	.summary = "fail every site of a command, hit by hit, and report what broke",
	.descr = "Run CMD twice without faults, then once per site, fault and hit number (fail-nth),\n"
		 "in one loaded session. Each run is ok, error-exit (handled), wrong (--expect\n"
		 "failed), crash (a fatal signal or a sanitizer report) or hang. Exit status 0, or\n"
		 "3 when a crash, hang or wrong result was found; 2 bad arguments, 1 a failure.",
	.opts = explore_opts,
	.on_opt = on_explore_opt,
	.run = run_explore,
	.state_size = sizeof(struct explore_cmd),
	.state_free = free_explore_cmd,
	.stop_at_first_arg = true,
	.footer = "What each site and fault means, and report.json's schema: docs/explore.md",
};
