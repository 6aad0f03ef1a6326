/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The rules a session starts with: -r files and -e rules, in order, checked against the
 * limits a session enforces, so `check` refuses exactly what `run` would. */
#ifndef FPBPF_RULESET_H
#define FPBPF_RULESET_H

#include <stdbool.h>
#include <stddef.h>
#include "rules/rules.h"

struct rule_file {
	char *path;
	bool once;	/* a pipe or stdin: read at start only, its rules kept on reload */
};

struct ruleset {
	struct rule *rules;	/* FP_MAX_RULES entries */
	int n;
	int inline_count;
	struct rule_file *files;
	int nfiles;
};

/* Each returns 0, or -1 with one line in err ("FILE:LINE:COL: ..."). */
int ruleset_add_file(struct ruleset *rs, const char *path, char *err, size_t errlen);
/* One -e argument: a rule, or several joined by ';' (FAILPOINTS style). */
int ruleset_add_inline(struct ruleset *rs, const char *text, char *err, size_t errlen);
/* --env NAME: the rules in that environment variable, a ';' list (FAILPOINTS="a=panic"). */
int ruleset_add_env(struct ruleset *rs, const char *name, char *err, size_t errlen);
/* More rules on one failpoint than a probe holds is refused at the rule past the limit. */
int ruleset_check_limits(const struct rule *rules, int n, char *err, size_t errlen);
void ruleset_free(struct ruleset *rs);

/* Parses every file again that can be read again, into out (at most max rules).
 * Returns the number of rules, or -1 with err set. */
int ruleset_reread(const struct rule_file *files, int nfiles, struct rule *out, int max,
		   char *err, size_t errlen);

#endif
