// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rules/ruleset.h"
#include "util/readfile.h"

static int alloc_rules(struct ruleset *rs, char *err, size_t errlen)
{
	if (!rs->rules)
		rs->rules = calloc(FP_MAX_RULES, sizeof(*rs->rules));
	if (!rs->rules)
		snprintf(err, errlen, "out of memory");
	return rs->rules ? 0 : -1;
}

static int parse_file(const char *path, struct rule *out, int max, bool *once, char *err, size_t errlen)
{
	struct text_file t;
	int got;

	/* Only the first reading may take a pipe: a reload must not block on one. */
	if (text_file_read(path, once != NULL, TEXT_FILE_MAX, &t, err, errlen))
		return -1;
	got = rules_parse_text(t.text, path, out, max, err, errlen);
	if (once)
		*once = t.once;
	text_file_free(&t);
	return got;
}

int ruleset_add_file(struct ruleset *rs, const char *path, char *err, size_t errlen)
{
	struct rule_file *grown;
	bool once = false;
	int got;

	if (alloc_rules(rs, err, errlen))
		return -1;
	got = parse_file(path, rs->rules + rs->n, FP_MAX_RULES - rs->n, &once, err, errlen);
	if (got < 0)
		return -1;
	grown = realloc(rs->files, (size_t)(rs->nfiles + 1) * sizeof(*grown));
	if (!grown || !(grown[rs->nfiles].path = strdup(path))) {
		rs->files = grown ? grown : rs->files;
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rs->files = grown;
	rs->files[rs->nfiles++].once = once;
	rs->n += got;
	return 0;
}

int ruleset_add_inline(struct ruleset *rs, const char *text, char *err, size_t errlen)
{
	char origin[32];
	int n;

	if (alloc_rules(rs, err, errlen))
		return -1;
	snprintf(origin, sizeof(origin), "-e%d", ++rs->inline_count);
	if (strchr(text, '\n')) {
		snprintf(err, errlen, "%s: -e takes one line of rules: use -r FILE for a file of them", origin);
		return -1;
	}
	n = rules_parse_line(text, origin, 1, &rs->rules[rs->n], FP_MAX_RULES - rs->n, err, errlen);
	if (n < 0)
		return -1;
	if (!n) {
		snprintf(err, errlen, "%s:1:1: no rule in '%s'", origin, text);
		return -1;
	}
	rs->n += n;
	return 0;
}

int ruleset_add_env(struct ruleset *rs, const char *name, char *err, size_t errlen)
{
	const char *text = getenv(name);
	int n;

	if (alloc_rules(rs, err, errlen))
		return -1;
	if (!text || !*text) {
		snprintf(err, errlen, "--env %s: the variable is %s: expected rules like %s='a=return(1);b=sleep(10)'",
			 name, text ? "empty" : "not set", name);
		return -1;
	}
	if (strchr(text, '\n')) {
		snprintf(err, errlen, "$%s: one line of rules joined by ';' expected", name);
		return -1;
	}
	{
		char origin[72];

		snprintf(origin, sizeof(origin), "$%s", name);
		n = rules_parse_line(text, origin, 1, &rs->rules[rs->n], FP_MAX_RULES - rs->n, err, errlen);
	}
	if (n < 0)
		return -1;
	rs->n += n;
	return 0;
}

/* Whether a and b may land on one probe: a rule without provider or path matches them all. */
static bool may_share_probe(const struct rule *a, const struct rule *b)
{
	return a->kind == b->kind && !strcmp(a->name, b->name) &&
	       (!a->provider[0] || !b->provider[0] || !strcmp(a->provider, b->provider)) &&
	       (!a->path[0] || !b->path[0] || !strcmp(a->path, b->path));
}

int ruleset_check_limits(const struct rule *rules, int n, char *err, size_t errlen)
{
	for (int i = 0; i < n; i++) {
		char target[RULE_PATH_LEN + 2 * FP_NAME_LEN + 16];
		int same = 0;

		for (int k = 0; k <= i; k++)
			same += may_share_probe(&rules[k], &rules[i]);
		if (same <= FP_RULES_PER_PROBE)
			continue;
		rule_target_string(&rules[i], target, sizeof(target));
		snprintf(err, errlen, "%s:%d:%d: too many rules on '%s' (at most %d on one failpoint)",
			 rules[i].origin, rules[i].line, rules[i].target_col, target, FP_RULES_PER_PROBE);
		return -1;
	}
	return 0;
}

void ruleset_free(struct ruleset *rs)
{
	for (int i = 0; i < rs->nfiles; i++)
		free(rs->files[i].path);
	free(rs->files);
	free(rs->rules);
	memset(rs, 0, sizeof(*rs));
}

int ruleset_reread(const struct rule_file *files, int nfiles, struct rule *out, int max,
		   char *err, size_t errlen)
{
	int n = 0;

	for (int f = 0; f < nfiles; f++) {
		int got;

		if (files[f].once)
			continue;
		got = parse_file(files[f].path, out + n, max - n, NULL, err, errlen);
		if (got < 0)
			return -1;
		n += got;
	}
	return n;
}
