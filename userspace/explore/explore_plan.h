/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* explore's planner (no I/O, unit-tested): fail-nth over every site and fault, stopping a
 * sequence once its fault no longer fires; depth 2 adds a second fault only at sites the
 * first one changed (syzkaller's new-coverage pruning). */
#ifndef FPBPF_EXPLORE_PLAN_H
#define FPBPF_EXPLORE_PLAN_H

#include <stdbool.h>
#include <stdint.h>

struct xp_step {
	int site, fault;
	uint64_t nth;		/* the hit of the site that fails */
};

struct xp_run {
	struct xp_step step[2];	/* step[nsteps - 1] is the one this run varies */
	int nsteps;
	int parent;		/* depth 2: the depth-1 run it extends; else -1 */
	bool done, fired;	/* fired: every step's fault fired (the run is a finding's) */
	bool last_fired;	/* its own (last) step fired, whether or not the first did */
	bool truncated;		/* ended by a hang or a crash: its counts stop short */
	uint64_t *counts;	/* depth 1, once done: each site's hits in the run */
};

struct xplan {
	int nsites;
	int *nfaults;
	uint64_t max_nth;
	uint64_t *base;		/* each site's hits in the baseline */
	struct xp_run *runs;
	int n, cap;
};

/* 0 or -ENOMEM. */
int xplan__init(struct xplan *p, int nsites, const int *nfaults, uint64_t max_nth, const uint64_t *base);
void xplan__fini(struct xplan *p);
/* Appends the depth-1 runs: per site (in order) and fault, hits 1 .. min(count, max_nth).
 * Returns how many, or -ENOMEM. */
int xplan__depth1(struct xplan *p);
/* Appends the depth-2 runs, from the depth-1 runs recorded: for each one that fired and
 * ran to its end (no hang, no crash), the other sites whose counts differ from the
 * baseline, each fault, hits 1 .. min(count in that run, max_nth). Returns how many, or
 * -ENOMEM. */
int xplan__depth2(struct xplan *p);
/* Whether run i is still worth starting: not when an earlier run of its sequence (same
 * parent, site and fault) is done and its own step did not fire. */
bool xplan__wanted(const struct xplan *p, int i);
/* fired: every step fired; last_fired: the run's own step did. counts (nsites) is copied
 * for depth-1 runs; may be NULL. 0 or -ENOMEM. */
int xplan__record(struct xplan *p, int i, bool fired, bool last_fired, const uint64_t *counts);
/* A run that hung or crashed: no depth-2 run extends it (its counts stop short). */
void xplan__truncated(struct xplan *p, int i);

#endif
