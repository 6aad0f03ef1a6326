/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Shell-style glob ('*' and '?') for BPF. Runs as a bpf_loop callback so the verifier
 * checks one step once instead of unrolling a 64x64 backtracking search per call site. */
#ifndef FPBPF_GLOB_BPF_H
#define FPBPF_GLOB_BPF_H

#include "fp_abi.h"

struct glob_state {
	char pat[FP_GLOB_LEN + 1];
	char str[FP_GLOB_LEN + 1];
	int p, s, star, mark;
	int result;
};

static long glob_step(__u32 index, void *data)
{
	struct glob_state *g = data;
	char pc = 0, sc = 0;

	if (g->s >= 0 && g->s < FP_GLOB_LEN)
		sc = g->str[g->s];
	if (g->p >= 0 && g->p < FP_GLOB_LEN)
		pc = g->pat[g->p];

	if (sc == 0) {
		/* String consumed: only trailing stars may remain in the pattern. */
		if (pc == '*') {
			g->p++;
			return 0;
		}
		g->result = pc == 0;
		return 1;
	}
	if (pc != 0 && pc != '*' && (pc == '?' || pc == sc)) {
		g->p++;
		g->s++;
		return 0;
	}
	if (pc == '*') {
		g->star = g->p++;
		g->mark = g->s;
		return 0;
	}
	if (g->star >= 0) {
		g->p = g->star + 1;
		g->s = ++g->mark;
		return 0;
	}
	g->result = 0;
	return 1;
}

/* The common patterns, "abc" and "abc*", without the general search. */
static __always_inline int glob_fast(const struct glob_state *g, __u32 kind, __u32 len)
{
	for (int i = 0; i < FP_GLOB_LEN; i++) {
		if (i >= len)
			break;
		if (g->pat[i] != g->str[i])
			return 0;
	}
	return kind == FP_GLOB_PREFIX || (len < FP_GLOB_LEN && !g->str[len]);
}

/* g->pat and g->str must be NUL-terminated within FP_GLOB_LEN. */
static __always_inline int glob_match(struct glob_state *g, __u32 kind, __u32 len)
{
	if (kind != FP_GLOB_GENERAL)
		return glob_fast(g, kind, len);
	g->p = 0;
	g->s = 0;
	g->star = -1;
	g->mark = 0;
	g->result = 0;
	bpf_loop(FP_GLOB_LEN * FP_GLOB_LEN + 2 * FP_GLOB_LEN, glob_step, g, 0);
	return g->result;
}

#endif
