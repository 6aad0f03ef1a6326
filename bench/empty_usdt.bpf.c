// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The baseline for attached cost: a USDT program that does nothing, so what remains is
 * the uprobe trap itself. */
#include "kernel_types.bpf.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>

/* libbpf's USDT attach needs usdt.bpf.h's spec maps even when nothing reads an argument. */
SEC("usdt")
int BPF_USDT(empty_usdt)
{
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
