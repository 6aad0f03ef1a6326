/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* -j N: N worker processes, each with its own loaded session (so that runs at once never
 * share a counter), fed runs over a socket. One worker for -j 1: the same path. */
#ifndef FPBPF_EXPLORE_WORKERS_H
#define FPBPF_EXPLORE_WORKERS_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "explore/explore_runner.h"

struct xjob {
	int run;			/* the caller's index (-1: a baseline run) */
	int nsteps;
	struct xp_step step[2];
	long long timeout_ms;
	int expect_status;		/* --expect after a run that exits so (-1: never) */
};

struct xresult {
	int run;
	int err;
	struct run_end end;
	int expect;
	uint64_t *counts, *injected;	/* per site (malloc'd) */
	char *text;			/* stderr (malloc'd) */
	size_t len;
};

struct xworkers;

/* Forks n workers and waits until each has loaded its session. Once *stop is set (by
 * explore's signal handler), every worker that is ready is told to stop, once: it ends
 * its run and its session. 0, -ECANCELED (stopped meanwhile) or -errno (a worker's
 * reason is logged by it). */
int xworkers__start(const struct xs_sites *sites, const struct explore_opts *o, const struct rule *rules,
		    int nrules, int n, const volatile sig_atomic_t *stop, struct xworkers **out);
/* Whether a worker waits for a job. */
bool xworkers__idle(const struct xworkers *w);
/* Whether a job is in progress. */
bool xworkers__busy(const struct xworkers *w);
int xworkers__submit(struct xworkers *w, const struct xjob *job);
/* The next result (blocks). 0, -EINTR (a signal came: check why and call again), or
 * -errno (a worker died). */
int xworkers__collect(struct xworkers *w, struct xresult *res);
void xresult_free(struct xresult *res);
void xworkers__stop(struct xworkers *w);

#endif
