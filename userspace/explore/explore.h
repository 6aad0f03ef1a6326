/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* fpbpf explore: fail every site, hit by hit, in one loaded session, and report what
 * broke. The planner (explore_plan.c), outcomes (explore_outcome.c), sites
 * (explore_sites.c) and output (explore_report.c) are its parts. */
#ifndef FPBPF_EXPLORE_H
#define FPBPF_EXPLORE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "engine/injector.h"
#include "rules/rules.h"

struct explore_opts {
	char **argv;			/* the command */
	const char **sites;		/* --sites SPEC, in order */
	int nsites;
	const char **errors;		/* --errors SITE=E,E */
	int nerrors;
	const struct rule *rules;	/* -r FILE: in force in every run, the baseline's too */
	int nrules;
	uint64_t max_nth;
	int depth;
	int jobs;			/* runs at once, each in a worker with its own session */
	long long timeout_ms;		/* 0: 10x the baseline, at least a second */
	const char *expect;		/* --expect CMD, run by sh -c after each run */
	const char *report_dir;
	bool json;
	enum delivery delivery;
	const char *backend;
	const char *self;		/* how a repro names fpbpf */
};

struct explore_result {
	int runs, findings, alarms;	/* alarms: crash, hang or wrong findings */
};

/* 0, -EINVAL (bad arguments or sites, said why), -ENOENT (no such command), -ECANCELED
 * (interrupted: what was found so far is reported), or another -errno. */
int explore_main(const struct explore_opts *o, struct explore_result *res);

#endif
