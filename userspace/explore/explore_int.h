/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What explore.c collects and explore_report.c prints. */
#ifndef FPBPF_EXPLORE_INT_H
#define FPBPF_EXPLORE_INT_H

#include "explore/explore.h"
#include "explore/explore_outcome.h"
#include "explore/explore_plan.h"
#include "explore/explore_sites.h"

#define XR_TAIL 2048	/* bytes of a run's stderr a finding keeps */

struct xrun_rec {
	bool ran;		/* false: skipped, its sequence had stopped */
	enum xo_outcome outcome;
	int status;
	bool timed_out;
	long long elapsed_ns;
	char *tail;		/* findings only: the end of stderr */
	char *repro;		/* findings only */
	int group;		/* findings only: index in groups */
};

struct xgroup {
	char sig[320];
	int first;		/* run index of its first finding */
	int count;
};

struct explore {
	const struct explore_opts *o;
	struct xs_sites sites;
	struct xplan plan;
	struct xrun_rec *recs;	/* plan.n */
	int recs_cap;
	int base_status;
	long long base_ns;
	bool *nondet;		/* per site: counts differ between the two baseline runs */
	long long timeout_ms;
	struct xgroup *groups;
	int ngroups;
	int runs_done, findings, alarms;
	long long t0_ns;
	bool interrupted;
	bool baseline_done;
	char by_caller[160];	/* why no syscall site is split by calling function, if so */
	FILE *out;
};

struct jw;

struct site_row {
	int runs, by[XO_N], not_fired;	/* a run whose fault did not fire has no outcome */
};

/* explore.c: the rules a session starts with (the -r rules, a counting rule per site) */
int xe_start_rules(struct explore *x, struct rule **out, int *n);
/* explore_callers.c: syscall sites split by calling function, from one run's census */
int xc_split_sites(struct explore *x);

/* explore_report.c */
long long xr_now_ns(void);	/* CLOCK_MONOTONIC: elapsed times, the progress line */
void xr_baseline_json(const struct explore *x, struct jw *w);
void xr_finding_json(const struct explore *x, int i, struct jw *w);
void xr_tally(const struct explore *x, int site, int fault, struct site_row *row);
/* A site and fault's row (runs, each outcome) as fields of the open object. */
void xr_site_json(const struct explore *x, int site, int fault, struct jw *w);
void xr_step_text(const struct explore *x, const struct xp_run *r, char *out, size_t len);
void xr_start(struct explore *x);
void xr_phase(struct explore *x, int depth, int total);
void xr_progress(struct explore *x, int done, int total, bool last);
void xr_finding(struct explore *x, int i);
void xr_summary(struct explore *x);
/* Interrupted before the baseline ended: nothing to compare with, no report. */
void xr_interrupted_early(struct explore *x);
/* explore_files.c: report.json and report.html in --report DIR, made (or checked) before
 * any run so that a bad DIR is known at once. */
int xr_prepare_report(struct explore *x);
int xr_write_reports(struct explore *x);
/* One command line that runs the finding alone, stdin and stdout as explore had them,
 * then --expect if with_expect (malloc'd). */
char *xr_repro(const struct explore *x, const struct xp_run *r, bool with_expect);

#endif
