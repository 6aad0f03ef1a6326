// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdlib.h>
#include <string.h>
#include "rules/ruleset.h"
#include "session/rule_table.h"

struct slot {
	bool used;	/* the id is taken; counters stay readable */
	bool live;	/* on: not removed, not stopped by the limit */
	enum rule_source src;
	const struct sys_backend *backend;
};

struct rule_table {
	struct rule rules[FP_MAX_RULES];
	struct slot slots[FP_MAX_RULES];
	int bound;
};

struct rule_table *rule_table__new(void)
{
	return calloc(1, sizeof(struct rule_table));
}

void rule_table__free(struct rule_table *rt)
{
	free(rt);
}

int rule_table__free_id(const struct rule_table *rt)
{
	for (int i = 0; i < FP_MAX_RULES; i++)
		if (!rt->slots[i].used)
			return i;
	for (int i = 0; i < FP_MAX_RULES; i++)
		if (!rt->slots[i].live)
			return i;
	return -1;
}

struct rule *rule_table__rule(struct rule_table *rt, int id)
{
	return &rt->rules[id];
}

const struct rule *rule_table__get(const struct rule_table *rt, int id)
{
	return id >= 0 && id < FP_MAX_RULES && rt->slots[id].used ? &rt->rules[id] : NULL;
}

void rule_table__commit(struct rule_table *rt, int id, enum rule_source src, const struct sys_backend *b)
{
	rt->slots[id] = (struct slot){ .used = true, .live = true, .src = src, .backend = b };
	if (id >= rt->bound)
		rt->bound = id + 1;
}

void rule_table__retire(struct rule_table *rt, int id)
{
	rt->slots[id].live = false;
}

bool rule_table__used(const struct rule_table *rt, int id)
{
	return rt->slots[id].used;
}

bool rule_table__live(const struct rule_table *rt, int id)
{
	return rt->slots[id].live;
}

enum rule_source rule_table__source(const struct rule_table *rt, int id)
{
	return rt->slots[id].src;
}

const struct sys_backend *rule_table__backend(const struct rule_table *rt, int id)
{
	return rt->slots[id].backend;
}

int rule_table__bound(const struct rule_table *rt)
{
	return rt->bound;
}

int rule_table__nlive(const struct rule_table *rt)
{
	int n = 0;

	for (int i = 0; i < rt->bound; i++)
		n += rt->slots[i].live;
	return n;
}

static bool from_once_file(const struct rule *r, const struct rule_file *files, int nfiles)
{
	for (int f = 0; f < nfiles; f++)
		if (files[f].once && !strcmp(files[f].path, r->origin))
			return true;
	return false;
}

void rule_table__plan_reload(const struct rule_table *rt, const struct rule *fresh, int n,
			     const struct rule_file *files, int nfiles, struct reload_plan *plan)
{
	memset(plan, 0, sizeof(*plan));
	for (int k = 0; k < FP_MAX_RULES; k++)
		plan->fresh_of[k] = -1;
	for (int k = 0; k < rt->bound; k++)
		if (rt->slots[k].live && rt->slots[k].src == SRC_FILE &&
		    from_once_file(&rt->rules[k], files, nfiles)) {
			plan->keep[k] = true;
			plan->once_kept++;
		}
	/* A rule text seen again in the same file keeps its id, counters and waiters. */
	for (int i = 0; i < n; i++) {
		plan->add[i] = true;
		for (int k = 0; k < rt->bound; k++)
			if (rt->slots[k].live && rt->slots[k].src == SRC_FILE && !plan->keep[k] &&
			    !strcmp(rt->rules[k].origin, fresh[i].origin) && !strcmp(rt->rules[k].text, fresh[i].text)) {
				plan->keep[k] = true;
				plan->fresh_of[k] = i;
				plan->add[i] = false;
				break;
			}
		plan->changed += plan->add[i];
	}
	for (int k = 0; k < rt->bound; k++)
		if (rt->slots[k].live && rt->slots[k].src == SRC_FILE && !plan->keep[k]) {
			plan->drop[k] = true;
			plan->changed++;
		}
}
