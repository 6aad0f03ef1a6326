// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "explore/explore_plan.h"

int xplan__init(struct xplan *p, int nsites, const int *nfaults, uint64_t max_nth, const uint64_t *base)
{
	memset(p, 0, sizeof(*p));
	p->nsites = nsites;
	p->max_nth = max_nth;
	p->nfaults = calloc((size_t)nsites + 1, sizeof(*p->nfaults));
	p->base = calloc((size_t)nsites + 1, sizeof(*p->base));
	if (!p->nfaults || !p->base) {
		xplan__fini(p);
		return -ENOMEM;
	}
	memcpy(p->nfaults, nfaults, (size_t)nsites * sizeof(*nfaults));
	memcpy(p->base, base, (size_t)nsites * sizeof(*base));
	return 0;
}

void xplan__fini(struct xplan *p)
{
	for (int i = 0; i < p->n; i++)
		free(p->runs[i].counts);
	free(p->runs);
	free(p->nfaults);
	free(p->base);
	memset(p, 0, sizeof(*p));
}

static int append(struct xplan *p, const struct xp_run *r)
{
	if (p->n == p->cap) {
		int cap = p->cap ? p->cap * 2 : 64;
		struct xp_run *grown = realloc(p->runs, (size_t)cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		p->runs = grown;
		p->cap = cap;
	}
	p->runs[p->n++] = *r;
	return 0;
}

static uint64_t bound(const struct xplan *p, uint64_t count)
{
	return count < p->max_nth ? count : p->max_nth;
}

/* One sequence: the site's fault at hits 1..last, after the parent's step if any. */
static int add_sequence(struct xplan *p, int parent, int site, int fault, uint64_t last)
{
	for (uint64_t nth = 1; nth <= last; nth++) {
		struct xp_run r = { .parent = parent, .nsteps = 0 };

		if (parent >= 0)
			r.step[r.nsteps++] = p->runs[parent].step[0];
		r.step[r.nsteps++] = (struct xp_step){ site, fault, nth };
		if (append(p, &r))
			return -ENOMEM;
	}
	return 0;
}

int xplan__depth1(struct xplan *p)
{
	int before = p->n;

	for (int s = 0; s < p->nsites; s++)
		for (int f = 0; f < p->nfaults[s]; f++)
			if (add_sequence(p, -1, s, f, bound(p, p->base[s])))
				return -ENOMEM;
	return p->n - before;
}

int xplan__depth2(struct xplan *p)
{
	int before = p->n, parents = p->n;

	for (int i = 0; i < parents; i++) {
		const struct xp_run *r = &p->runs[i];

		if (r->parent >= 0 || !r->done || !r->fired || r->truncated || !r->counts)
			continue;
		for (int s = 0; s < p->nsites; s++) {
			uint64_t c = p->runs[i].counts[s];

			if (s == r->step[0].site || c == p->base[s] || !c)
				continue;
			for (int f = 0; f < p->nfaults[s]; f++)
				if (add_sequence(p, i, s, f, bound(p, c)))
					return -ENOMEM;
		}
	}
	return p->n - before;
}

static bool same_sequence(const struct xp_run *a, const struct xp_run *b)
{
	const struct xp_step *x = &a->step[a->nsteps - 1], *y = &b->step[b->nsteps - 1];

	return a->parent == b->parent && x->site == y->site && x->fault == y->fault;
}

bool xplan__wanted(const struct xplan *p, int i)
{
	for (int j = i - 1; j >= 0 && same_sequence(&p->runs[j], &p->runs[i]); j--)
		if (p->runs[j].done && !p->runs[j].last_fired)
			return false;
	return true;
}

void xplan__truncated(struct xplan *p, int i)
{
	p->runs[i].truncated = true;
}

int xplan__record(struct xplan *p, int i, bool fired, bool last_fired, const uint64_t *counts)
{
	struct xp_run *r = &p->runs[i];

	r->done = true;
	r->fired = fired;
	r->last_fired = last_fired;
	if (counts && r->parent < 0) {
		r->counts = malloc((size_t)p->nsites * sizeof(*counts) + 1);
		if (!r->counts)
			return -ENOMEM;
		memcpy(r->counts, counts, (size_t)p->nsites * sizeof(*counts));
	}
	return 0;
}
