// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdio.h>
#include <string.h>
#include "engine/sys_backend.h"

extern const struct sys_backend sys_kprobe_backend;

const struct sys_backend *const sys_backends[] = { &sys_kprobe_backend, NULL };

const struct sys_backend *sys_backend_by_name(const char *name)
{
	for (int i = 0; sys_backends[i]; i++)
		if (!strcmp(sys_backends[i]->name, name))
			return sys_backends[i];
	return NULL;
}

static bool usable(const struct sys_backend *b, const struct rule *r, char *why, size_t len, bool *rule_fault)
{
	char reason[512];

	if (!b->available(reason, sizeof(reason))) {
		snprintf(why, len, "%s", reason);
		return false;
	}
	if (!b->serves(r, reason, sizeof(reason))) {
		snprintf(why, len, "%s", reason);
		*rule_fault = true;
		return false;
	}
	return true;
}

const struct sys_backend *sys_backend_pick(const struct rule *r, const char *forced, char *why, size_t len,
					   bool *rule_fault)
{
	const struct sys_backend *b;
	size_t used = 0;

	*rule_fault = false;
	if (forced) {
		b = sys_backend_by_name(forced);
		if (!b) {
			snprintf(why, len, "--backend: no backend '%s'", forced);
			*rule_fault = true;
			return NULL;
		}
		return usable(b, r, why, len, rule_fault) ? b : NULL;
	}
	why[0] = 0;
	for (int i = 0; sys_backends[i]; i++) {
		char reason[512];

		if (usable(sys_backends[i], r, reason, sizeof(reason), rule_fault))
			return sys_backends[i];
		used += (size_t)snprintf(why + used, used < len ? len - used : 0, "%s%s", used ? "; " : "", reason);
	}
	return NULL;
}

void sys_backends_configure_available(struct injector_opts *o)
{
	char why[512];

	for (int i = 0; sys_backends[i]; i++)
		if (sys_backends[i]->available(why, sizeof(why)))
			sys_backends[i]->configure(o);
}
