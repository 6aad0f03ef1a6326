/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What a session prints as it runs: hits, target changes and notices, each built once
 * as a record and printed as a text line or a JSON line ("v":1, docs/control.md). */
#ifndef FPBPF_EVENTS_OUT_H
#define FPBPF_EVENTS_OUT_H

#include <stdbool.h>
#include <stdio.h>
#include "fp_abi.h"

struct probe_info;
struct rule;

struct events_out {
	FILE *f;
	bool json;
	long long t0_ns;	/* times are seconds since the session started */
	unsigned long long count;	/* hit events printed */
	int write_error;		/* errno of the first failed write, reported once */
};

/* Reports (once) a write that failed, e.g. a full disk or a reader that went away. */
void events_out__check(struct events_out *o);

/* An injection, an evaluation (-v), or a verdict that could not be delivered. */
void events_out__hit(struct events_out *o, const char *type, const struct fp_event *e,
		     const struct probe_info *p, const struct rule *r);
/* fork, exec, exit of a target. */
void events_out__target(struct events_out *o, const struct fp_event *e);
/* Lines that are not hits: limits, reloads, control changes, the end. */
void events_out__notice(struct events_out *o, const char *type, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

long long events_out__now_ns(void);

#endif
