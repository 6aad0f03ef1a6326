// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* libFuzzer target for the rule parser: any input must parse or fail with an error that
 * names a position, without crashing, hanging, leaking or tripping a sanitizer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "rules/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rule rules[8];
	char err[512];
	char *text = malloc(size + 1);
	int n;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	n = rules_parse_text(text, "fuzz", rules, 8, err, sizeof(err));
	if (n < 0 && strncmp(err, "fuzz:", 5))
		abort();	/* every error must say where */
	for (int i = 0; i < n; i++) {
		struct fp_rule b;

		rule_to_bpf(&rules[i], &b);
		if (b.nterms < 1 || b.nterms > FP_MAX_TERMS)
			abort();
	}
	free(text);
	return 0;
}
