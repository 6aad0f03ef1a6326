// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* libFuzzer target for the SDT argument-spec parser: a note's args string comes from any
 * ELF file a user points fpbpf at. Every spec must parse or be refused, on every arch,
 * without crashing, and a parsed spec must describe something sane. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "elf/usdt_argspec.h"

static const char *const arches[] = { "x86_64", "aarch64", "riscv64", "s390x", "arm" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *args = malloc(size + 1);
	int n;

	if (!args)
		return 0;
	memcpy(args, data, size);
	args[size] = 0;
	n = usdt_arg_count(args);
	for (size_t a = 0; a < sizeof(arches) / sizeof(arches[0]); a++)
		for (int i = 0; i <= n && i < 16; i++) {
			struct usdt_arg arg;
			int ret = usdt_arg_parse(args, i, arches[a], &arg);

			if (ret && ret != -EINVAL && ret != -ENOENT)
				abort();
			if (!ret && (arg.size != 1 && arg.size != 2 && arg.size != 4 && arg.size != 8))
				abort();
			if (!ret && arg.kind != USDT_ARG_CONST && !memchr(arg.reg, 0, sizeof(arg.reg)))
				abort();
			if (i == n && ret != -ENOENT)
				abort();	/* the count and the parser agree on where specs end */
		}
	free(args);
	return 0;
}
