// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "engine/sys_backend.h"
#include "fp_abi.h"

extern const struct sys_backend sys_fmod_backend, sys_kprobe_backend, sys_lsm_backend, sys_seccomp_backend;

const struct sys_backend *const sys_backends[] = { &sys_fmod_backend, &sys_kprobe_backend, &sys_lsm_backend,
						   &sys_seccomp_backend, NULL };

const struct sys_backend *sys_backend_by_name(const char *name)
{
	for (int i = 0; sys_backends[i]; i++)
		if (!strcmp(sys_backends[i]->name, name))
			return sys_backends[i];
	return NULL;
}

static bool usable(const struct sys_backend *b, const struct rule *r, const struct backend_env *env, char *why,
		   size_t len, bool *rule_fault)
{
	char reason[512];

	if (!b->available(reason, sizeof(reason))) {
		snprintf(why, len, "%s", reason);
		return false;
	}
	switch (b->serves(r, env, reason, sizeof(reason))) {
	case 0:
		return true;
	case -EINVAL:
		*rule_fault = true;
		/* fallthrough */
	default:
		snprintf(why, len, "%s", reason);
		return false;
	}
	return true;
}

const struct sys_backend *sys_backend_pick(const struct rule *r, const struct backend_env *env,
					   const char *forced, char *why, size_t len, bool *rule_fault)
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
		return usable(b, r, env, why, len, rule_fault) ? b : NULL;
	}
	why[0] = 0;
	for (int i = 0; sys_backends[i]; i++) {
		char reason[512];

		if (usable(sys_backends[i], r, env, reason, sizeof(reason), rule_fault))
			return sys_backends[i];
		used += (size_t)snprintf(why + used, used < len ? len - used : 0, "%s%s", used ? "; " : "", reason);
	}
	return NULL;
}

void sys_backends_configure(struct injector_opts *o, const struct rule *const *rules,
			    const struct sys_backend *const *served_by, int n)
{
	const struct rule *mine[FP_MAX_RULES];
	char why[512];

	for (int i = 0; sys_backends[i]; i++) {
		const struct sys_backend *b = sys_backends[i];
		int k = 0;

		if (!b->available(why, sizeof(why)))
			continue;
		for (int j = 0; j < n && k < FP_MAX_RULES; j++)
			if (served_by[j] == b)
				mine[k++] = rules[j];
		b->configure(o, mine, k);
	}
}
