/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* A session's rules by id. The id is the rule's index in BPF's rules map; an id once
 * used keeps its counters readable for the summary, and new rules take never-used ids
 * first. No BPF here: what changes is planned here and carried out by session_rules.c. */
#ifndef FPBPF_RULE_TABLE_H
#define FPBPF_RULE_TABLE_H

#include <stdbool.h>
#include "rules/rules.h"

struct rule_file;
struct sys_backend;

enum rule_source { SRC_FILE, SRC_INLINE, SRC_CTL };

struct rule_table;

struct rule_table *rule_table__new(void);
void rule_table__free(struct rule_table *rt);

/* A free id for a new rule (a never-used one first), or -1 when every id is live. */
int rule_table__free_id(const struct rule_table *rt);
/* The rule at id, to fill before it goes live. */
struct rule *rule_table__rule(struct rule_table *rt, int id);
const struct rule *rule_table__get(const struct rule_table *rt, int id);
/* The rule at id is live from now on. */
void rule_table__commit(struct rule_table *rt, int id, enum rule_source src, const struct sys_backend *b);
/* Off: removed, replaced or stopped by the limit; its counters stay readable. */
void rule_table__retire(struct rule_table *rt, int id);

bool rule_table__used(const struct rule_table *rt, int id);
bool rule_table__live(const struct rule_table *rt, int id);
enum rule_source rule_table__source(const struct rule_table *rt, int id);
const struct sys_backend *rule_table__backend(const struct rule_table *rt, int id);
/* Ids below this bound may be used. */
int rule_table__bound(const struct rule_table *rt);
int rule_table__nlive(const struct rule_table *rt);

/* What a reload changes, decided from the re-read files alone. */
struct reload_plan {
	bool keep[FP_MAX_RULES];	/* live rule id: unchanged (or from a pipe), kept with its counters */
	int fresh_of[FP_MAX_RULES];	/* kept id: the fresh rule it equals (its line may move), or -1 */
	bool drop[FP_MAX_RULES];	/* live rule id: gone from its file */
	bool add[FP_MAX_RULES];		/* fresh rule index: new or changed */
	int changed;
	int once_kept;			/* rules kept because their file was a pipe */
};
void rule_table__plan_reload(const struct rule_table *rt, const struct rule *fresh, int n,
			     const struct rule_file *files, int nfiles, struct reload_plan *plan);

#endif
