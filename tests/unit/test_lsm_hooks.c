// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The lsm backend's syscall-to-hook table exists three times: in the backend
 * (userspace/engine/lsm_hooks.c), as BPF programs (FP_HOOK in bpf/injector.bpf.c) and in
 * docs/backends.md for users. All three must say the same. Run from the source tree. */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "engine/lsm_hooks.h"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

/* "a, b, c" as the table's list, in order. */
static void syscalls_of(const struct lsm_hook_row *row, char *out, size_t len)
{
	size_t used = 0;

	out[0] = 0;
	for (const char *const *s = row->syscalls; *s; s++)
		used += (size_t)snprintf(out + used, len - used, "%s%s", used ? ", " : "", *s);
}

static void test_docs_table_is_the_code_table(void **state)
{
	char *doc = slurp("docs/backends.md"), *line, *save = NULL;
	const struct lsm_hook_row *row = lsm_hook_table;
	char want[512], hook[64], list[512];
	bool in_table = false;

	(void)state;
	for (line = strtok_r(doc, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!in_table) {
			in_table = strstr(line, "| hook (`security_*`) | syscalls |") == line;
			continue;
		}
		if (line[0] != '|')
			break;
		if (sscanf(line, "| `%63[a-z_]` | %511[^|]|", hook, list) != 2)
			continue;
		while (strlen(list) && list[strlen(list) - 1] == ' ')
			list[strlen(list) - 1] = 0;
		assert_non_null(row->hook);
		assert_string_equal(hook, row->hook);
		syscalls_of(row, want, sizeof(want));
		assert_string_equal(list, want);
		row++;
	}
	assert_true(in_table);
	assert_null(row->hook);
	free(doc);
}

static void test_every_hook_has_a_bpf_program(void **state)
{
	char *src = slurp("bpf/injector.bpf.c"), *p = src;
	int programs = 0, rows = 0;
	char hook[64];

	(void)state;
	while ((p = strstr(p, "\nFP_HOOK(")) != NULL) {
		p += strlen("\nFP_HOOK(");
		assert_int_equal(sscanf(p, "%63[a-z_])", hook), 1);
		assert_non_null(lsm_hook_table[programs].hook);
		assert_string_equal(hook, lsm_hook_table[programs].hook);
		programs++;
	}
	while (lsm_hook_table[rows].hook)
		rows++;
	assert_int_equal(programs, rows);
	free(src);
}

static void test_lookup(void **state)
{
	(void)state;
	assert_string_equal(lsm_hook_of("openat"), "file_open");
	assert_string_equal(lsm_hook_of("pwrite64"), "file_permission");
	assert_string_equal(lsm_hook_of("connect"), "socket_connect");
	assert_null(lsm_hook_of("fsync"));
	assert_null(lsm_hook_of("open_"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docs_table_is_the_code_table),
		cmocka_unit_test(test_every_hook_has_a_bpf_program),
		cmocka_unit_test(test_lookup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
