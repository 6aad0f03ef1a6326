/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* How a run with a fault ended, compared with the baseline, and the signature findings
 * are grouped by (no I/O, unit-tested). */
#ifndef FPBPF_EXPLORE_OUTCOME_H
#define FPBPF_EXPLORE_OUTCOME_H

#include <stdbool.h>
#include <stddef.h>

enum xo_outcome {
	XO_OK,		/* as the baseline ended, and --expect passed */
	XO_ERROR_EXIT,	/* another exit status: the failure was handled and reported */
	XO_WRONG,	/* the baseline's exit status, but --expect failed: a silent wrong result */
	XO_CRASH,	/* killed by SIGSEGV, SIGABRT, ..., or a sanitizer's report on stderr */
	XO_HANG,	/* still running at --timeout */
	XO_N,
};

const char *xo_name(enum xo_outcome o);
/* Crashes, hangs and wrong results are what explore exists to find. */
bool xo_is_alarm(enum xo_outcome o);

/* expect: -1 no --expect, 0 it passed, else it failed. */
enum xo_outcome xo_classify(int base_status, int status, bool timed_out, const char *err, size_t errlen,
			    int expect);

/* A sanitizer's or runtime's report in the run's stderr (its first line), or NULL. */
const char *xo_sanitizer_report(const char *err, size_t len);

/* What findings of one kind share: outcome, status or signal, and the line of stderr
 * that names the failure (a sanitizer's SUMMARY, else the last line), its numbers and
 * addresses blanked, so that one bug at different hits is one group. */
void xo_signature(enum xo_outcome o, int status, const char *err, size_t len, char *out, size_t outlen);

/* "exit 3", "SIGSEGV", "timeout" for text. */
void xo_status_text(int status, bool timed_out, char *out, size_t len);

#endif
