// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The baseline for attached cost: a USDT program that does nothing, so what remains is
 * the uprobe trap itself. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("usdt")
int empty_usdt(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
