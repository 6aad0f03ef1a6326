/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* A worker's session and one run of the command in it: the run's faults set as rules,
 * every other site its counting rule, the command run, the counts and stderr read. */
#ifndef FPBPF_EXPLORE_RUNNER_H
#define FPBPF_EXPLORE_RUNNER_H

#include <stddef.h>
#include <stdint.h>
#include "explore/explore.h"
#include "explore/explore_plan.h"
#include "explore/explore_sites.h"
#include "session/session.h"

#define XRUN_TEXT_MAX (56 << 10)	/* stderr kept per run: a report's first line and the end */

struct xrun_out {
	int err;
	struct run_end end;
	int expect;			/* -1 not run, 0 passed, 1 failed */
	uint64_t *counts, *injected;	/* per site, over the run; the runner's */
	const char *text;		/* stderr, trimmed to XRUN_TEXT_MAX; the runner's */
	size_t len;
};

struct xrunner;

/* Loads the session with rules (the -r rules, then a counting rule per site). */
int xrunner__open(const struct xs_sites *sites, const struct explore_opts *o, const struct rule *rules,
		  int nrules, struct xrunner **out);
/* steps/nsteps: the run's faults (none: a baseline run). --expect runs after a run that
 * exits with expect_status (-1: never). */
void xrunner__run(struct xrunner *rn, const struct xp_step *steps, int nsteps, long long timeout_ms,
		  int expect_status, struct xrun_out *out);
void xrunner__close(struct xrunner *rn);
/* A site's hits over the runs so far by calling function (its counting rule a census). */
int xrunner__callers(struct xrunner *rn, int site, struct run_caller *out, int max);

/* The rule a site has in a run: its fault at hit nth, or (st NULL) its counting rule. */
int xrunner__site_rule(const struct xs_site *site, const struct xp_step *st, struct rule *r);

#endif
